#include "core/chat/rest/account_rules.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/auth/password.hpp"
#include "core/chat/payload.hpp"

namespace confab::chat::rest {

namespace {

failure invalid(std::string message) {
    return {code::bad_request, std::move(message)};
}

bool username_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

bool space_or_control(char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
}

}  // namespace

std::string_view trimmed(std::string_view s) {
    constexpr std::string_view space = " \t\r\n\f\v";
    const auto first = s.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(space) - first + 1);
}

std::optional<failure> check_username(std::string_view username) {
    if (username.size() < min_username_length || username.size() > max_username_length ||
        !std::all_of(username.begin(), username.end(), username_char)) {
        return invalid(fmt::format("'username' must be {} to {} letters, digits, '_', '.' or '-'",
                                   min_username_length, max_username_length));
    }
    return std::nullopt;
}

std::optional<failure> check_email(std::string_view email) {
    const auto at = email.find('@');
    const bool valid = email.size() <= max_email_bytes && at != std::string_view::npos && at > 0 &&
                       email.find('@', at + 1) == std::string_view::npos &&
                       std::none_of(email.begin(), email.end(), space_or_control) && [&] {
                           const auto domain = email.substr(at + 1);
                           const auto dot = domain.find('.');
                           return dot != std::string_view::npos && dot > 0 && domain.back() != '.';
                       }();
    if (!valid) return invalid("'email' is not a valid email address");
    return std::nullopt;
}

std::optional<failure> check_password(std::string_view password) {
    const auto length = utf8_length(password);
    if (!length || *length < min_password_length || password.size() > auth::max_password_bytes) {
        return invalid(fmt::format("'password' must be {} characters to {} bytes long",
                                   min_password_length, auth::max_password_bytes));
    }
    return std::nullopt;
}

}  // namespace confab::chat::rest
