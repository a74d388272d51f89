#pragma once
#include <string>
#include <string_view>

#include "core/chat/actor.hpp"
#include "core/chat/payload.hpp"
#include "core/chat/rest/settings.hpp"
#include "db/store.hpp"

namespace confab::chat::rest {

// The user behind an Authorization header value ("" when absent). 401 when it holds no Bearer
// token, when the token does not verify (bad signature, expired, malformed) or when its user no
// longer exists; 500 when the store fails. Reads the store: call it on the store's pool.
checked<actor> authenticate(const db::store& s, const rest_settings& settings,
                            std::string_view authorization);

// Whose turn a request takes while REST requests queue: the user id of a Bearer token that
// verifies, "" for every other request. Reads no store: for the I/O thread.
std::string requester(const rest_settings& settings, std::string_view authorization);

}  // namespace confab::chat::rest
