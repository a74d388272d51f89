// message:reaction: toggles the user's emoji on a message; the room gets the new list.
#include "core/chat/events/handlers.hpp"
#include "core/chat/payload.hpp"

namespace confab::chat::events {

outcome message_reaction(db::store& store, const actor& who, const boost::json::object& payload) {
    auto chat_id = required_id(payload, "chatId");
    if (!chat_id) return outcome::fail(chat_id.error());
    auto message_id = required_id(payload, "messageId");
    if (!message_id) return outcome::fail(message_id.error());
    auto emoji = required_string(payload, "emoji");
    if (!emoji) return outcome::fail(emoji.error());
    if (emoji->empty() || emoji->size() > db::max_emoji_size)
        return outcome::fail(code::bad_request, "'emoji' must be 1 to 32 bytes");
    if (auto denied = require_member(store, who, *chat_id)) return outcome::fail(*denied);
    auto reactions = store.toggle_reaction(*chat_id, *message_id, who.user_id, *emoji);
    if (!reactions) return outcome::fail(from_store_error(reactions.error()));
    boost::json::array list;
    for (const auto& r : *reactions)
        list.push_back(boost::json::object{{"userId", r.user_id.to_hex()}, {"emoji", r.emoji}});
    outcome o;
    o.chat_id = *chat_id;
    boost::json::object event{{"messageId", message_id->to_hex()}, {"chatId", chat_id->to_hex()}};
    event["reactions"] = std::move(list);
    o.ack = event;
    o.emits.push_back({audience::room, "message:reactionUpdated", std::move(event)});
    return o;
}

}  // namespace confab::chat::events
