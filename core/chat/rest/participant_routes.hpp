#pragma once
// POST /api/chats/:chatId/participants and DELETE /api/chats/:chatId/participants/:userId.
// They write the store: call them on the store's pool.
#include <string_view>

#include <boost/json/object.hpp>

#include "core/chat/actor.hpp"
#include "core/chat/rest/reply.hpp"
#include "db/store.hpp"

namespace confab::chat::rest {

// {userId} -> 200 chat with the user as a member. 404 unknown chat (or malformed id) or user;
// 403 when the caller is not a participant or not an admin; 400 for a direct chat or a bad
// userId; 409 when the user already takes part.
rest_reply add_participant(db::store& s, const actor& who, std::string_view chat_id,
                           const boost::json::object& body);

// 200 chat (as the caller now sees it) without the user; `removed` names the membership.
// Admins remove anyone, members only themselves (403 otherwise). 404 unknown chat or a user
// who takes no part (malformed ids are unknown); 403 non-participant; 400 for a direct chat.
rest_reply remove_participant(db::store& s, const actor& who, std::string_view chat_id,
                              std::string_view user_id);

}  // namespace confab::chat::rest
