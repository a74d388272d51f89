#include "core/chat/payload.hpp"

#include <fmt/format.h>

namespace confab::chat {

namespace {

failure bad(std::string_view key, std::string_view what) {
    return {code::bad_request, fmt::format("'{}' {}", key, what)};
}

// A present id field: `malformed` is the code of a string that is no id.
checked<db::object_id> id_in(const boost::json::value& v, std::string_view key, code malformed) {
    const auto* s = v.if_string();
    if (!s) return bad(key, "must be a string");
    auto id = db::object_id::parse(*s);
    if (!id) return failure{malformed, fmt::format("'{}' is not a valid id", key)};
    return *id;
}

}  // namespace

checked<db::object_id> required_id(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return bad(key, "is required");
    // API.md: "Unknown or malformed id: 404 / error", so malformed is told like unknown.
    return id_in(*v, key, code::not_found);
}

checked<std::optional<db::object_id>> optional_id(const boost::json::object& o,
                                                  std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return std::optional<db::object_id>{};
    // An optional id points at something else (replyTo): a bad one is a bad request.
    auto id = id_in(*v, key, code::bad_request);
    if (!id) return id.error();
    return std::optional<db::object_id>(*id);
}

checked<std::string_view> required_string(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return bad(key, "is required");
    const auto* s = v->if_string();
    if (!s) return bad(key, "must be a string");
    return std::string_view(*s);
}

std::optional<std::size_t> utf8_length(std::string_view s) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3
                                : (c >> 3) == 0x1e ? 4 : 0;
        if (len == 0 || i + len > s.size()) return std::nullopt;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return std::nullopt;
        i += len;
        ++count;
    }
    return count;
}

}  // namespace confab::chat
