#include "core/chat/rest/input.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <boost/json/parse.hpp>

namespace confab::chat::rest {

checked<boost::json::object> parse_body(std::string_view text) {
    // Express's JSON parser drops a leading byte order mark, which some editors and tools add.
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    if (text.starts_with(bom)) text.remove_prefix(bom.size());
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return boost::json::object{};
    boost::json::parse_options options;
    options.max_depth = max_body_depth;
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec, {}, options);
    if (ec) return failure{code::bad_request, "Request body is not valid JSON"};
    auto* object = value.if_object();
    if (!object) return failure{code::bad_request, "Request body must be a JSON object"};
    return std::move(*object);
}

checked<std::size_t> parse_limit(const query_params& query, std::string_view key,
                                 std::size_t fallback, std::size_t max) {
    const auto it = query.find(key);
    // `?limit=` is what a client sends for an unset variable: the default, not an error.
    if (it == query.end() || it->second.empty()) return fallback;
    const std::string_view text = it->second;
    const auto bad = [&] {
        return failure{code::bad_request, fmt::format("'{}' must be a whole number from 1", key)};
    };
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return bad();
    }
    // Any value with more digits than `max` is above it; this also keeps the sum from
    // overflowing.
    const auto digits = text.substr(std::min(text.find_first_not_of('0'), text.size()));
    if (digits.empty()) return bad();
    if (digits.size() > std::to_string(max).size()) return max;
    std::size_t value = 0;
    for (const char c : digits) value = value * 10 + static_cast<std::size_t>(c - '0');
    return std::min(value, max);
}

}  // namespace confab::chat::rest
