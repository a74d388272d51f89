#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace confab::http {

// Splits a request target into its path and its decoded query parameters (the first value
// of a repeated key wins, and only the first max_query_parameters count, as Node's
// querystring keeps its first maxKeys: every route here reads a handful).
inline constexpr std::size_t max_query_parameters = 64;
struct target {
    std::string path;
    std::map<std::string, std::string, std::less<>> query;
};
target parse_target(std::string_view raw);
// `plus_is_space` for form-encoded query strings, not for paths.
std::string percent_decode(std::string_view s, bool plus_is_space);

}  // namespace confab::http
