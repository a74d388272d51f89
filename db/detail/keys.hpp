#pragma once
// Key layouts, one function per kind of key. Ids are their 12 raw bytes, so keys sort by id,
// which is creation time; numbers are big-endian so they sort numerically.
//
//   users         user                        -> user record
//   usernames     folded username             -> user id
//   emails        folded email                -> user id
//   chats         chat                        -> chat record
//   chat_members  chat + user                 -> membership (role)
//   user_chats    user + chat                 -> membership (role); a user's chats
//   direct_chats  lesser user + greater user  -> chat id
//   messages      chat + message              -> message record (a chat's, oldest first)
//   reactions     chat + message + user + emoji -> ""
//   receipts      chat + message + user       -> read time (8 bytes)
//   read_markers  chat + user                 -> last read message, counts for unread
//   idempotency   user + chat + client msg id -> chat id + message id
//   meta          "schema_version"            -> decimal number
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "db/object_id.hpp"
#include "db/records.hpp"

namespace confab::db::detail {

std::string key_of(const object_id& a);
std::string key_of(const object_id& a, const object_id& b);
std::string key_of(const object_id& a, const object_id& b, const object_id& c);
std::string direct_chat_key(const object_id& a, const object_id& b);
std::string reaction_key(const object_id& chat, const object_id& message, const object_id& user,
                         std::string_view emoji);
std::string idempotency_key(const object_id& user, const object_id& chat,
                            std::string_view client_message_id);

// Usernames and emails are unique ignoring ASCII case: they are keyed lowercased.
std::string fold_case(std::string_view s);

// The smallest key greater than every key that starts with `prefix`; empty when there is
// none (all bytes 0xff), which means "no upper bound".
std::string prefix_end(std::string_view prefix);

// The id stored at `offset` in a key or value; nullopt when the bytes are too short, which
// only a damaged store has.
std::optional<object_id> id_at(std::string_view bytes, std::size_t offset);

std::string encode_be64(std::uint64_t v);
std::optional<std::uint64_t> decode_be64(std::string_view bytes);  // exactly 8 bytes

}  // namespace confab::db::detail
