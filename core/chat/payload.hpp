#pragma once
// Reading fields of a client's JSON payload, with the error a missing or bad field earns.
#include <optional>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

#include "core/chat/failure.hpp"
#include "db/object_id.hpp"

namespace confab::chat {

template <class T>
using checked = boost::system::result<T, failure>;

// A required 24-hex id field.
checked<db::object_id> required_id(const boost::json::object& o, std::string_view key);
// An id field that may be absent or null.
checked<std::optional<db::object_id>> optional_id(const boost::json::object& o,
                                                  std::string_view key);
// A required string field.
checked<std::string_view> required_string(const boost::json::object& o, std::string_view key);
// Unicode code points in UTF-8 text, or nullopt when it is not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view s);

}  // namespace confab::chat
