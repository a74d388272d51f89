#pragma once
// Reading what a REST request carries: its JSON body and its query parameters.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/chat/payload.hpp"

namespace confab::chat::rest {

// Decoded query parameters (the same map app/http/query.hpp produces).
using query_params = std::map<std::string, std::string, std::less<>>;

// Deeper bodies are refused: no request of ours nests more than three levels.
inline constexpr std::size_t max_body_depth = 32;

// The body as a JSON object. An empty body is {}, as with express.json(), so that a missing
// body reports the missing fields; invalid JSON or any other value is a 400.
checked<boost::json::object> parse_body(std::string_view text);

// A page size from the query: `fallback` when absent or empty, `max` when larger; a 400 when it
// is not a whole decimal number or is below 1.
checked<std::size_t> parse_limit(const query_params& query, std::string_view key,
                                 std::size_t fallback, std::size_t max);

}  // namespace confab::chat::rest
