#pragma once
// Finding a chat on behalf of a caller who must take part in it, and showing it to them.
#include <string_view>

#include "core/chat/actor.hpp"
#include "core/chat/payload.hpp"
#include "core/chat/rest/reply.hpp"
#include "db/store.hpp"

namespace confab::chat::rest {

// The chat as `who` sees it: 404 for an unknown id (a malformed one is unknown too), 403 when
// `who` takes no part in it.
checked<db::chat_view> participant_view(const db::store& s, std::string_view chat_id,
                                        const actor& who);

// The id of a chat `who` takes part in, with the same errors, without loading the chat.
checked<db::object_id> participant_chat(const db::store& s, std::string_view chat_id,
                                        const actor& who);

// The chat as `who` sees it now, as the body of a reply with `status`.
rest_reply chat_reply(unsigned status, const db::store& s, const db::object_id& chat_id,
                      const actor& who);

// The membership of `user_id` in the chat, or null.
const db::member* find_member(const db::chat_view& c, const db::object_id& user_id);

}  // namespace confab::chat::rest
