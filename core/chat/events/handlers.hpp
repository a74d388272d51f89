#pragma once
// The socket events of shared/API.md, one handler each. A handler runs on the store's pool:
// it checks the sender's rights, stores the change and says what to emit. It never touches
// sockets, so tests call it directly.
#include <string_view>

#include <boost/json/object.hpp>

#include "core/chat/actor.hpp"
#include "core/chat/outcome.hpp"
#include "db/store.hpp"

namespace confab::chat::events {

using handler = outcome (*)(db::store&, const actor&, const boost::json::object& payload);

outcome chat_join(db::store& store, const actor& who, const boost::json::object& payload);
outcome chat_leave(db::store& store, const actor& who, const boost::json::object& payload);
outcome chat_typing(db::store& store, const actor& who, const boost::json::object& payload);
outcome chat_stop_typing(db::store& store, const actor& who, const boost::json::object& payload);
outcome message_send(db::store& store, const actor& who, const boost::json::object& payload);
outcome message_mark_read(db::store& store, const actor& who, const boost::json::object& payload);
outcome message_edit(db::store& store, const actor& who, const boost::json::object& payload);
outcome message_delete(db::store& store, const actor& who, const boost::json::object& payload);
outcome message_reaction(db::store& store, const actor& who, const boost::json::object& payload);

// The handler of a client event name, or nullptr for an unknown event.
handler find(std::string_view event) noexcept;

// Fails unless `who` takes part in the chat (NOT_FOUND for an unknown chat, FORBIDDEN else).
std::optional<failure> require_member(const db::store& store, const actor& who,
                                      const db::object_id& chat_id);

}  // namespace confab::chat::events
