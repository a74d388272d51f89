// chat:typing and chat:stopTyping: relayed to the others in the room, never stored.
#include "core/chat/events/handlers.hpp"
#include "core/chat/payload.hpp"

namespace confab::chat::events {

namespace {

outcome relay(db::store& store, const actor& who, const boost::json::object& payload,
              bool typing) {
    auto chat_id = required_id(payload, "chatId");
    if (!chat_id) return outcome::fail(chat_id.error());
    if (auto denied = require_member(store, who, *chat_id)) return outcome::fail(*denied);
    outcome o;
    o.chat_id = *chat_id;
    boost::json::object event{{"userId", who.user_id.to_hex()}};
    if (typing) event["username"] = who.username;
    event["chatId"] = chat_id->to_hex();
    o.emits.push_back(
        {audience::room_others, typing ? "user:typing" : "user:stoppedTyping", std::move(event)});
    return o;
}

}  // namespace

outcome chat_typing(db::store& store, const actor& who, const boost::json::object& payload) {
    return relay(store, who, payload, true);
}

outcome chat_stop_typing(db::store& store, const actor& who, const boost::json::object& payload) {
    return relay(store, who, payload, false);
}

}  // namespace confab::chat::events
