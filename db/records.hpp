#pragma once
// What the store keeps and returns. The chat layer turns these into the API's JSON objects
// (see shared/API.md); times here are milliseconds since the Unix epoch, UTC.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/object_id.hpp"

namespace confab::db {

using millis = std::int64_t;

enum class user_status : std::uint8_t { offline, online };
enum class chat_type : std::uint8_t { direct, group };
enum class member_role : std::uint8_t { member, admin };
enum class message_type : std::uint8_t { text, image, file, system };

// The API's spelling ("online", "group", "admin", "text", ...) and back.
std::string_view to_string(user_status v) noexcept;
std::string_view to_string(chat_type v) noexcept;
std::string_view to_string(member_role v) noexcept;
std::string_view to_string(message_type v) noexcept;
std::optional<user_status> parse_user_status(std::string_view s) noexcept;
std::optional<chat_type> parse_chat_type(std::string_view s) noexcept;
std::optional<member_role> parse_member_role(std::string_view s) noexcept;
std::optional<message_type> parse_message_type(std::string_view s) noexcept;

struct new_user {
    std::string username;
    std::string email;
    std::string password_hash;  // opaque to the store
};

struct user {
    object_id id;
    std::string username;  // as registered; unique ignoring ASCII case
    std::string email;     // as registered; unique ignoring ASCII case
    std::string password_hash;
    user_status status = user_status::offline;
    millis last_seen = 0;
    millis created_at = 0;
};

struct chat {
    object_id id;
    chat_type type = chat_type::group;
    std::string name;  // empty for direct chats
    object_id created_by;
    millis created_at = 0;
    // Creation, the latest message or member change: orders a user's chats, so that the list
    // reads as sorted by the updatedAt it shows.
    millis updated_at = 0;
    std::optional<object_id> last_message_id;
    std::uint64_t message_count = 0;  // messages ever stored: unread counts come from it
};

struct member {
    object_id user_id;
    member_role role = member_role::member;
};

struct attachment {
    std::string url;
    std::string name;
    std::uint64_t size = 0;
    std::string mime_type;
};

struct new_message {
    object_id chat_id;
    object_id sender_id;
    std::string content;
    message_type type = message_type::text;
    std::vector<attachment> attachments;
    std::optional<object_id> reply_to;  // the chat layer checks it is in the same chat
    std::string client_message_id;      // empty: no idempotency key
};

struct message {
    object_id id;
    object_id chat_id;
    object_id sender_id;
    std::string content;  // empty once deleted
    message_type type = message_type::text;
    std::vector<attachment> attachments;  // empty once deleted
    std::optional<object_id> reply_to;
    std::string client_message_id;
    bool is_edited = false;
    std::optional<millis> edited_at;
    bool is_deleted = false;
    std::optional<millis> deleted_at;
    millis created_at = 0;
    millis updated_at = 0;
};

struct reaction {
    object_id user_id;
    std::string emoji;
};

struct read_receipt {
    object_id user_id;
    millis read_at = 0;
};

// A message with its reactions and read receipts, each in the order they were made.
struct message_view {
    message msg;
    std::vector<reaction> reactions;
    std::vector<read_receipt> read_by;
};

struct message_page {
    std::vector<message_view> messages;  // oldest first
    bool has_more = false;               // older messages exist before the first one
};

// A chat as one user sees it.
struct chat_view {
    chat info;
    std::vector<member> members;  // by user id
    std::optional<message_view> last_message;
    std::uint64_t unread_count = 0;  // messages after the user's last read one, not sent by them
};

struct stored_message {
    message msg;
    bool created = true;  // false: the (sender, client_message_id) key named an earlier message
};

struct direct_chat {
    chat info;
    bool created = true;  // false: the two users already had a direct chat
};

}  // namespace confab::db
