#pragma once
#include "core/chat/views.hpp"
#include "db/store.hpp"

namespace confab::chat::rest {

// Senders' usernames read from the store, each user once however many messages they sent.
// Meant for one request: names changed later are not seen. An unreadable user is named "".
username_of usernames_from(const db::store& s);

}  // namespace confab::chat::rest
