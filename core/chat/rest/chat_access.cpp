#include "core/chat/rest/chat_access.hpp"

#include <algorithm>

#include "core/chat/rest/usernames.hpp"
#include "core/chat/views.hpp"

namespace confab::chat::rest {

namespace {

failure chat_not_found() {
    return {code::not_found, "Chat not found"};
}
failure not_participant() {
    return {code::forbidden, "Not a participant of this chat"};
}

}  // namespace

checked<db::chat_view> participant_view(const db::store& s, std::string_view chat_id,
                                        const actor& who) {
    const auto id = db::object_id::parse(chat_id);
    if (!id) return chat_not_found();
    auto view = s.get_chat(*id, who.user_id);
    if (!view && view.error() == db::errc::not_found) return chat_not_found();
    if (!view) return from_store_error(view.error());
    if (!find_member(*view, who.user_id)) return not_participant();
    return std::move(*view);
}

checked<db::object_id> participant_chat(const db::store& s, std::string_view chat_id,
                                        const actor& who) {
    const auto id = db::object_id::parse(chat_id);
    if (!id) return chat_not_found();
    const auto role = s.get_role(*id, who.user_id);
    if (role) return *id;
    if (role.error() == db::errc::not_found) return chat_not_found();
    if (role.error() == db::errc::not_member) return not_participant();
    return from_store_error(role.error());
}

rest_reply chat_reply(unsigned status, const db::store& s, const db::object_id& chat_id,
                      const actor& who) {
    auto view = s.get_chat(chat_id, who.user_id);
    if (!view) return error_reply(from_store_error(view.error()));
    return reply(status, chat_json(*view, usernames_from(s)));
}

const db::member* find_member(const db::chat_view& c, const db::object_id& user_id) {
    const auto it = std::find_if(c.members.begin(), c.members.end(),
                                 [&](const db::member& m) { return m.user_id == user_id; });
    return it == c.members.end() ? nullptr : &*it;
}

}  // namespace confab::chat::rest
