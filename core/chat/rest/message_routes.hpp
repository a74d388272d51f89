#pragma once
// GET /api/chats/:chatId/messages. Reads the store: call it on the store's pool.
#include <cstddef>
#include <string_view>

#include "core/chat/actor.hpp"
#include "core/chat/rest/input.hpp"
#include "core/chat/rest/reply.hpp"
#include "db/store.hpp"

namespace confab::chat::rest {

inline constexpr std::size_t default_page_size = 50;

// ?before=messageId&limit=50 -> 200 {messages: [Message] oldest first, hasMore}: the newest
// `limit` messages older than `before` (any id works as a position), or the newest ones.
// limit: 1..100, larger is cut to 100, anything else is a 400; a malformed `before` is a 400,
// an empty one is absent.
// 403 when the caller is not a participant; 404 for an unknown or malformed chat id.
rest_reply list_messages(const db::store& s, const actor& who, std::string_view chat_id,
                         const query_params& query);

}  // namespace confab::chat::rest
