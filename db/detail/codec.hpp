#pragma once
// Value encodings of the records: JSON objects. They are readable with RocksDB's ldb tool and
// extend easily: a decoder ignores fields it does not know and fills optional ones that are
// missing. Index values (ids, times) are raw bytes, see keys.hpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "db/object_id.hpp"
#include "db/records.hpp"

namespace confab::db::detail {

// Where a member of a chat stopped reading. Their unread count is
// chat.message_count - sent - others_read: storing a message then changes only its sender's
// marker, never every member's.
struct read_marker {
    std::optional<object_id> last_read;
    std::uint64_t sent = 0;         // messages this member sent to the chat since joining
    std::uint64_t others_read = 0;  // messages of others up to last_read, or before joining
};

std::string encode(const user& u);
std::string encode(const chat& c);
std::string encode(const message& m);
std::string encode(member_role role);
std::string encode(const read_marker& r);

// Each returns false when `text` is not a valid encoding; `out` is then unspecified.
bool decode(std::string_view text, user& out);
bool decode(std::string_view text, chat& out);
bool decode(std::string_view text, message& out);
bool decode(std::string_view text, member_role& out);
bool decode(std::string_view text, read_marker& out);

}  // namespace confab::db::detail
