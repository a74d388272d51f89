#include "core/chat/views.hpp"

#include <ctime>

#include <boost/json/array.hpp>
#include <fmt/format.h>

namespace confab::chat {

namespace {

boost::json::value optional_time(const std::optional<db::millis>& t) {
    return t ? boost::json::value(iso_time(*t)) : boost::json::value(nullptr);
}

boost::json::array attachments_json(const std::vector<db::attachment>& all) {
    boost::json::array out;
    out.reserve(all.size());
    for (const auto& a : all) {
        boost::json::object o;
        o["url"] = a.url;
        o["name"] = a.name;
        o["size"] = a.size;
        o["mimeType"] = a.mime_type;
        out.push_back(std::move(o));
    }
    return out;
}

}  // namespace

std::string iso_time(db::millis t) {
    const std::time_t seconds = static_cast<std::time_t>(t / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, t % 1000);
}

boost::json::object user_json(const db::user& u) {
    boost::json::object o;
    o["_id"] = u.id.to_hex();
    o["username"] = u.username;
    o["email"] = u.email;
    o["status"] = db::to_string(u.status);
    o["lastSeen"] = iso_time(u.last_seen);
    o["createdAt"] = iso_time(u.created_at);
    return o;
}

boost::json::object message_json(const db::message_view& v, const username_of& names) {
    const auto& m = v.msg;
    boost::json::object o;
    o["_id"] = m.id.to_hex();
    o["chatId"] = m.chat_id.to_hex();
    boost::json::object sender;
    sender["_id"] = m.sender_id.to_hex();
    sender["username"] = names(m.sender_id);
    o["senderId"] = std::move(sender);
    o["content"] = m.content;
    o["messageType"] = db::to_string(m.type);
    o["attachments"] = attachments_json(m.attachments);
    o["replyTo"] = m.reply_to ? boost::json::value(m.reply_to->to_hex()) : nullptr;
    boost::json::array reactions;
    for (const auto& r : v.reactions)
        reactions.push_back(boost::json::object{{"userId", r.user_id.to_hex()}, {"emoji", r.emoji}});
    o["reactions"] = std::move(reactions);
    boost::json::array read_by;
    for (const auto& r : v.read_by)
        read_by.push_back(
            boost::json::object{{"userId", r.user_id.to_hex()}, {"readAt", iso_time(r.read_at)}});
    o["readBy"] = std::move(read_by);
    o["isEdited"] = m.is_edited;
    o["editedAt"] = optional_time(m.edited_at);
    o["isDeleted"] = m.is_deleted;
    o["deletedAt"] = optional_time(m.deleted_at);
    o["createdAt"] = iso_time(m.created_at);
    o["updatedAt"] = iso_time(m.updated_at);
    return o;
}

boost::json::object chat_json(const db::chat_view& c, const username_of& names) {
    boost::json::object o;
    o["_id"] = c.info.id.to_hex();
    o["type"] = db::to_string(c.info.type);
    o["name"] = c.info.name.empty() ? boost::json::value(nullptr) : boost::json::value(c.info.name);
    boost::json::array participants;
    boost::json::array admins;
    for (const auto& m : c.members) {
        participants.emplace_back(m.user_id.to_hex());
        if (m.role == db::member_role::admin) admins.emplace_back(m.user_id.to_hex());
    }
    o["participants"] = std::move(participants);
    o["admins"] = std::move(admins);
    o["createdBy"] = c.info.created_by.to_hex();
    o["createdAt"] = iso_time(c.info.created_at);
    o["updatedAt"] = iso_time(c.info.updated_at);
    o["lastMessage"] =
        c.last_message ? boost::json::value(message_json(*c.last_message, names)) : nullptr;
    o["unreadCount"] = c.unread_count;
    return o;
}

}  // namespace confab::chat
