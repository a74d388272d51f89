// message:markRead: stores the reader's receipt and moves their last-read marker.
#include "core/chat/events/handlers.hpp"
#include "core/chat/payload.hpp"
#include "core/chat/views.hpp"

namespace confab::chat::events {

outcome message_mark_read(db::store& store, const actor& who, const boost::json::object& payload) {
    auto chat_id = required_id(payload, "chatId");
    if (!chat_id) return outcome::fail(chat_id.error());
    auto message_id = required_id(payload, "messageId");
    if (!message_id) return outcome::fail(message_id.error());
    if (auto denied = require_member(store, who, *chat_id)) return outcome::fail(*denied);
    auto receipt = store.mark_read(*chat_id, *message_id, who.user_id);
    if (!receipt) return outcome::fail(from_store_error(receipt.error()));
    outcome o;
    o.chat_id = *chat_id;
    boost::json::object event{{"messageId", message_id->to_hex()},
                              {"chatId", chat_id->to_hex()},
                              {"userId", who.user_id.to_hex()}};
    event["readAt"] = iso_time(receipt->read_at);
    o.ack = event;
    o.emits.push_back({audience::room, "message:read", std::move(event)});
    return o;
}

}  // namespace confab::chat::events
