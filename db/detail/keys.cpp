#include "db/detail/keys.hpp"

namespace confab::db::detail {

std::string key_of(const object_id& a) {
    return std::string(a.bytes());
}

std::string key_of(const object_id& a, const object_id& b) {
    std::string key;
    key.reserve(2 * object_id::size);
    key.append(a.bytes()).append(b.bytes());
    return key;
}

std::string key_of(const object_id& a, const object_id& b, const object_id& c) {
    return key_of(a, b).append(c.bytes());
}

std::string direct_chat_key(const object_id& a, const object_id& b) {
    return a < b ? key_of(a, b) : key_of(b, a);
}

std::string reaction_key(const object_id& chat, const object_id& message, const object_id& user,
                         std::string_view emoji) {
    return key_of(chat, message, user).append(emoji);
}

std::string idempotency_key(const object_id& user, const object_id& chat,
                            std::string_view client_message_id) {
    return key_of(user, chat).append(client_message_id);
}

std::string fold_case(std::string_view s) {
    std::string folded(s);
    for (char& c : folded) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return folded;
}

std::string prefix_end(std::string_view prefix) {
    std::string end(prefix);
    while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
    if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
    return end;
}

std::optional<object_id> id_at(std::string_view bytes, std::size_t offset) {
    if (bytes.size() < offset + object_id::size) return std::nullopt;
    return object_id::from_bytes(bytes.substr(offset, object_id::size));
}

std::string encode_be64(std::uint64_t v) {
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(v >> (56 - 8 * i));
    return bytes;
}

std::optional<std::uint64_t> decode_be64(std::string_view bytes) {
    if (bytes.size() != 8) return std::nullopt;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | static_cast<unsigned char>(bytes[i]);
    return v;
}

}  // namespace confab::db::detail
