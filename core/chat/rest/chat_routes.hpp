#pragma once
// POST /api/chats, GET /api/chats and GET /api/chats/:chatId. They use the store: call them
// on the store's pool.
#include <cstddef>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/chat/actor.hpp"
#include "core/chat/rest/reply.hpp"
#include "db/store.hpp"

namespace confab::chat::rest {

inline constexpr std::size_t max_chat_name_length = 100;  // characters (code points)
inline constexpr std::size_t max_participant_ids = 1000;

// {type, name?, participantIds: [userId]} -> 201 chat with the caller in it (a group's admin).
// "direct": exactly one other user (the caller's own id in the list is ignored); their
// existing direct chat comes back with 200. "group": a name of 1..100 characters after
// trimming; participantIds may be empty or absent. 400 for a bad field or malformed id, 404
// when a participant does not exist.
rest_reply create_chat(db::store& s, const actor& who, const boost::json::object& body);

// 200 [chat], the latest activity (creation or last message) first.
rest_reply list_chats(const db::store& s, const actor& who);

// 200 chat; 403 when the caller is not a participant; 404 for an unknown or malformed id.
rest_reply get_chat(const db::store& s, const actor& who, std::string_view chat_id);

}  // namespace confab::chat::rest
