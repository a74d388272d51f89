// message:send: validated, stored (WAL first), then message:received to the room and
// message:sent to the sender. A repeated clientMessageId returns the first message.
#include "core/chat/events/handlers.hpp"
#include "core/chat/payload.hpp"
#include "core/chat/views.hpp"

namespace confab::chat::events {

namespace {

constexpr std::size_t max_content_chars = 10000;
constexpr std::size_t max_attachments = 10;
constexpr std::size_t max_attachment_field = 2048;

checked<std::vector<db::attachment>> attachments_of(const boost::json::object& payload) {
    const auto* v = payload.if_contains("attachments");
    if (!v || v->is_null()) return std::vector<db::attachment>{};
    const auto* items = v->if_array();
    if (!items || items->size() > max_attachments)
        return failure{code::bad_request, "'attachments' must be an array of at most 10 items"};
    std::vector<db::attachment> out;
    for (const auto& item : *items) {
        const auto* o = item.if_object();
        if (!o) return failure{code::bad_request, "each attachment must be an object"};
        db::attachment a;
        auto url = required_string(*o, "url");
        if (!url || url->empty() || url->size() > max_attachment_field)
            return failure{code::bad_request, "each attachment needs a 'url'"};
        a.url = *url;
        for (auto [key, field] : {std::pair{"name", &a.name}, std::pair{"mimeType", &a.mime_type}}) {
            const auto* s = o->if_contains(key);
            if (!s || s->is_null()) continue;
            if (!s->is_string() || s->as_string().size() > max_attachment_field)
                return failure{code::bad_request, "attachment fields must be short strings"};
            *field = s->as_string();
        }
        if (const auto* size = o->if_contains("size"); size && !size->is_null()) {
            std::error_code ec;
            const auto n = size->to_number<std::uint64_t>(ec);
            if (ec) return failure{code::bad_request, "attachment 'size' must be a whole number"};
            a.size = n;
        }
        out.push_back(std::move(a));
    }
    return out;
}

checked<db::new_message> parse(const actor& who, const boost::json::object& payload) {
    db::new_message m;
    auto chat_id = required_id(payload, "chatId");
    if (!chat_id) return chat_id.error();
    m.chat_id = *chat_id;
    m.sender_id = who.user_id;
    if (const auto* t = payload.if_contains("messageType"); t && !t->is_null()) {
        auto type = t->is_string() ? db::parse_message_type(t->as_string()) : std::nullopt;
        if (!type || *type == db::message_type::system)
            return failure{code::bad_request, "'messageType' must be text, image or file"};
        m.type = *type;
    }
    if (const auto* c = payload.if_contains("content"); c && !c->is_null()) {
        if (!c->is_string()) return failure{code::bad_request, "'content' must be a string"};
        m.content = c->as_string();
    }
    const auto chars = utf8_length(m.content).value_or(0);
    const std::size_t min_chars = m.type == db::message_type::text ? 1 : 0;
    if (chars < min_chars || chars > max_content_chars)
        return failure{code::bad_request, "'content' must be 1 to 10000 characters"};
    auto attachments = attachments_of(payload);
    if (!attachments) return attachments.error();
    m.attachments = std::move(*attachments);
    auto reply_to = optional_id(payload, "replyTo");
    if (!reply_to) return reply_to.error();
    m.reply_to = *reply_to;
    if (const auto* id = payload.if_contains("clientMessageId"); id && !id->is_null()) {
        if (!id->is_string() || id->as_string().empty() ||
            id->as_string().size() > db::max_client_message_id_size)
            return failure{code::bad_request, "'clientMessageId' must be a string of 1 to 128 bytes"};
        m.client_message_id = id->as_string();
    }
    return m;
}

}  // namespace

outcome message_send(db::store& store, const actor& who, const boost::json::object& payload) {
    auto parsed = parse(who, payload);
    if (!parsed) return outcome::fail(parsed.error());
    auto& m = *parsed;
    if (m.reply_to) {
        if (auto denied = require_member(store, who, m.chat_id)) return outcome::fail(*denied);
        if (!store.get_message(m.chat_id, *m.reply_to))
            return outcome::fail(code::bad_request, "'replyTo' is not a message of this chat");
    }
    auto stored = store.store_message(m);
    if (!stored) return outcome::fail(from_store_error(stored.error()));
    const auto& msg = stored->msg;
    outcome o;
    o.chat_id = msg.chat_id;
    boost::json::object sent{{"messageId", msg.id.to_hex()}, {"chatId", msg.chat_id.to_hex()}};
    sent["clientMessageId"] = msg.client_message_id.empty()
                                  ? boost::json::value(nullptr)
                                  : boost::json::value(msg.client_message_id);
    sent["createdAt"] = iso_time(msg.created_at);
    // The ack also carries the whole message, as many Express chat servers answer a send; a
    // retry's may have gathered reactions and receipts since.
    const auto names = [&](const db::object_id&) { return who.username; };
    db::message_view view{msg, {}, {}};
    if (!stored->created) {
        if (auto found = store.get_message(msg.chat_id, msg.id)) view = std::move(*found);
    }
    auto message = message_json(view, names);
    o.ack = sent;
    o.ack["message"] = message;
    if (stored->created)
        o.emits.push_back({audience::room, "message:received", std::move(message)});
    o.emits.push_back({audience::sender, "message:sent", std::move(sent)});
    return o;
}

}  // namespace confab::chat::events
