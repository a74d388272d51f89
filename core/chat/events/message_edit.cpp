// message:edit: the sender changes a message's content while it is not deleted.
#include "core/chat/events/handlers.hpp"
#include "core/chat/payload.hpp"
#include "core/chat/views.hpp"

namespace confab::chat::events {

outcome message_edit(db::store& store, const actor& who, const boost::json::object& payload) {
    auto chat_id = required_id(payload, "chatId");
    if (!chat_id) return outcome::fail(chat_id.error());
    auto message_id = required_id(payload, "messageId");
    if (!message_id) return outcome::fail(message_id.error());
    auto content = required_string(payload, "content");
    if (!content) return outcome::fail(content.error());
    const auto chars = utf8_length(*content).value_or(0);
    if (chars < 1 || chars > 10000)
        return outcome::fail(code::bad_request, "'content' must be 1 to 10000 characters");
    if (auto denied = require_member(store, who, *chat_id)) return outcome::fail(*denied);
    auto edited = store.edit_message(*chat_id, *message_id, who.user_id, std::string(*content));
    if (!edited) return outcome::fail(from_store_error(edited.error()));
    outcome o;
    o.chat_id = *chat_id;
    boost::json::object event{{"messageId", message_id->to_hex()}, {"chatId", chat_id->to_hex()}};
    event["content"] = edited->content;
    event["editedAt"] = iso_time(edited->edited_at.value_or(edited->updated_at));
    o.ack = event;
    o.emits.push_back({audience::room, "message:edited", std::move(event)});
    return o;
}

}  // namespace confab::chat::events
