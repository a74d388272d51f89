#include "core/chat/rest/participant_routes.hpp"

#include "core/chat/payload.hpp"
#include "core/chat/rest/chat_access.hpp"

namespace confab::chat::rest {

namespace {

bool is_admin(const db::chat_view& c, const actor& who) {
    const auto* m = find_member(c, who.user_id);
    return m && m->role == db::member_role::admin;
}

rest_reply direct_chat_refused() {
    return error_reply(code::bad_request, "Direct chats have fixed participants");
}

}  // namespace

rest_reply add_participant(db::store& s, const actor& who, std::string_view chat_id,
                           const boost::json::object& body) {
    auto chat = participant_view(s, chat_id, who);
    if (!chat) return error_reply(chat.error());
    if (chat->info.type == db::chat_type::direct) return direct_chat_refused();
    if (!is_admin(*chat, who)) {
        return error_reply(code::forbidden, "Only group admins can add participants");
    }
    auto user_id = required_id(body, "userId");
    if (!user_id) return error_reply(user_id.error());

    auto added = s.add_member(chat->info.id, *user_id, db::member_role::member);
    if (!added && added.error() == db::errc::not_found) {
        return error_reply(code::not_found, "User not found");
    }
    if (!added) return error_reply(from_store_error(added.error()));
    return chat_reply(200, s, chat->info.id, who);
}

rest_reply remove_participant(db::store& s, const actor& who, std::string_view chat_id,
                              std::string_view user_id) {
    auto chat = participant_view(s, chat_id, who);
    if (!chat) return error_reply(chat.error());
    if (chat->info.type == db::chat_type::direct) return direct_chat_refused();
    const auto target = db::object_id::parse(user_id);
    if (!target) return error_reply(code::not_found, "User is not a participant of this chat");
    if (*target != who.user_id && !is_admin(*chat, who)) {
        return error_reply(code::forbidden, "Only group admins can remove other participants");
    }

    auto removed = s.remove_member(chat->info.id, *target);
    if (!removed && removed.error() == db::errc::not_member) {
        return error_reply(code::not_found, "User is not a participant of this chat");
    }
    if (!removed) return error_reply(from_store_error(removed.error()));
    auto answer = chat_reply(200, s, chat->info.id, who);
    answer.removed.push_back({chat->info.id, *target});
    return answer;
}

}  // namespace confab::chat::rest
