// message:delete: a soft delete by the sender, or by an admin of a group chat.
#include "core/chat/events/handlers.hpp"
#include "core/chat/payload.hpp"

namespace confab::chat::events {

outcome message_delete(db::store& store, const actor& who, const boost::json::object& payload) {
    auto chat_id = required_id(payload, "chatId");
    if (!chat_id) return outcome::fail(chat_id.error());
    auto message_id = required_id(payload, "messageId");
    if (!message_id) return outcome::fail(message_id.error());
    if (auto denied = require_member(store, who, *chat_id)) return outcome::fail(*denied);
    auto deleted = store.delete_message(*chat_id, *message_id, who.user_id);
    if (!deleted) return outcome::fail(from_store_error(deleted.error()));
    outcome o;
    o.chat_id = *chat_id;
    boost::json::object event{{"messageId", message_id->to_hex()}, {"chatId", chat_id->to_hex()}};
    o.ack = event;
    o.emits.push_back({audience::room, "message:deleted", std::move(event)});
    return o;
}

}  // namespace confab::chat::events
