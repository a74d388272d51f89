// chat:join and chat:leave: the sender's socket enters or leaves the chat's room; the service
// then tells the room (user:joined / user:left, chat:activeUsers).
#include "core/chat/events/handlers.hpp"
#include "core/chat/payload.hpp"

namespace confab::chat::events {

namespace {

boost::json::object user_in_chat(const actor& who, const db::object_id& chat_id) {
    return {{"userId", who.user_id.to_hex()}, {"chatId", chat_id.to_hex()}};
}

}  // namespace

outcome chat_join(db::store& store, const actor& who, const boost::json::object& payload) {
    auto chat_id = required_id(payload, "chatId");
    if (!chat_id) return outcome::fail(chat_id.error());
    if (auto denied = require_member(store, who, *chat_id)) return outcome::fail(*denied);
    outcome o;
    o.chat_id = *chat_id;
    o.rooms = room_change::join;
    o.ack["chatId"] = chat_id->to_hex();
    o.emits.push_back({audience::room, "user:joined", user_in_chat(who, *chat_id)});
    return o;
}

outcome chat_leave(db::store&, const actor& who, const boost::json::object& payload) {
    auto chat_id = required_id(payload, "chatId");
    if (!chat_id) return outcome::fail(chat_id.error());
    outcome o;
    o.chat_id = *chat_id;
    o.rooms = room_change::leave;
    o.ack["chatId"] = chat_id->to_hex();
    o.emits.push_back({audience::room, "user:left", user_in_chat(who, *chat_id)});
    return o;
}

}  // namespace confab::chat::events
