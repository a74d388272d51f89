#include <array>
#include <utility>

#include "core/chat/events/handlers.hpp"

namespace confab::chat::events {

handler find(std::string_view event) noexcept {
    static constexpr std::array<std::pair<std::string_view, handler>, 9> table{{
        {"chat:join", chat_join},
        {"chat:leave", chat_leave},
        {"chat:typing", chat_typing},
        {"chat:stopTyping", chat_stop_typing},
        {"message:send", message_send},
        {"message:markRead", message_mark_read},
        {"message:edit", message_edit},
        {"message:delete", message_delete},
        {"message:reaction", message_reaction},
    }};
    for (const auto& [name, h] : table)
        if (name == event) return h;
    return nullptr;
}

std::optional<failure> require_member(const db::store& store, const actor& who,
                                      const db::object_id& chat_id) {
    auto role = store.get_role(chat_id, who.user_id);
    if (role) return std::nullopt;
    if (role.error() == db::errc::not_member)
        return failure{code::forbidden, "Not a participant of this chat"};
    return from_store_error(role.error());
}

}  // namespace confab::chat::events
