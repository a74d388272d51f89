#include "core/auth/token_source.hpp"

#include <algorithm>

namespace confab::auth {

namespace {

constexpr std::string_view blanks = " \t";

std::string_view trim(std::string_view s) {
    const std::size_t begin = s.find_first_not_of(blanks);
    if (begin == s.npos) return {};
    return s.substr(begin, s.find_last_not_of(blanks) - begin + 1);
}

bool starts_with_ignoring_case(std::string_view s, std::string_view lower_prefix) {
    return s.size() >= lower_prefix.size() &&
           std::ranges::equal(s.substr(0, lower_prefix.size()), lower_prefix, [](char a, char b) {
               return (a >= 'A' && a <= 'Z' ? char(a - 'A' + 'a') : a) == b;
           });
}

}  // namespace

std::optional<std::string_view> bearer_token(std::string_view authorization_header) {
    constexpr std::string_view scheme = "bearer";
    const std::string_view value = trim(authorization_header);
    if (!starts_with_ignoring_case(value, scheme)) return std::nullopt;
    const std::string_view rest = value.substr(scheme.size());
    // "Bearer" must be followed by a blank, else "Bearerxyz" would pass.
    if (rest.empty() || blanks.find(rest.front()) == blanks.npos) return std::nullopt;
    const std::string_view token = trim(rest);
    if (token.empty()) return std::nullopt;
    return token;
}

std::optional<std::string> find_token(
    const boost::json::value& auth, std::string_view authorization_header,
    const std::map<std::string, std::string, std::less<>>& query) {
    if (const boost::json::object* payload = auth.if_object()) {
        const boost::json::value* token = payload->if_contains("token");
        if (token && token->is_string() && !token->get_string().empty()) {
            return std::string(token->get_string());
        }
    }
    if (const auto token = bearer_token(authorization_header)) return std::string(*token);
    if (const auto it = query.find("token"); it != query.end() && !it->second.empty()) {
        return it->second;
    }
    return std::nullopt;
}

}  // namespace confab::auth
