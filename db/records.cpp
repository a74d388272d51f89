#include "db/records.hpp"

#include <array>

namespace confab::db {

namespace {

// Enumerators are numbered from 0 without gaps, so each spelling table is indexed by value.
constexpr std::array<std::string_view, 2> user_status_names{"offline", "online"};
constexpr std::array<std::string_view, 2> chat_type_names{"direct", "group"};
constexpr std::array<std::string_view, 2> member_role_names{"member", "admin"};
constexpr std::array<std::string_view, 4> message_type_names{"text", "image", "file", "system"};

template <class E, std::size_t N>
std::optional<E> parse_name(const std::array<std::string_view, N>& names, std::string_view s) {
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == s) return static_cast<E>(i);
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(user_status v) noexcept {
    return user_status_names[static_cast<std::size_t>(v)];
}
std::string_view to_string(chat_type v) noexcept {
    return chat_type_names[static_cast<std::size_t>(v)];
}
std::string_view to_string(member_role v) noexcept {
    return member_role_names[static_cast<std::size_t>(v)];
}
std::string_view to_string(message_type v) noexcept {
    return message_type_names[static_cast<std::size_t>(v)];
}

std::optional<user_status> parse_user_status(std::string_view s) noexcept {
    return parse_name<user_status>(user_status_names, s);
}
std::optional<chat_type> parse_chat_type(std::string_view s) noexcept {
    return parse_name<chat_type>(chat_type_names, s);
}
std::optional<member_role> parse_member_role(std::string_view s) noexcept {
    return parse_name<member_role>(member_role_names, s);
}
std::optional<message_type> parse_message_type(std::string_view s) noexcept {
    return parse_name<message_type>(message_type_names, s);
}

}  // namespace confab::db
