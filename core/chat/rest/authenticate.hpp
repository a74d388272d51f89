#pragma once
#include <string>
#include <string_view>

#include "core/chat/actor.hpp"
#include "core/chat/payload.hpp"
#include "core/chat/rest/settings.hpp"
#include "db/store.hpp"

namespace confab::chat::rest {

// The user id a verified Bearer token names, from an Authorization header value ("" when
// absent). 401 when it holds no Bearer token, or when the token does not verify (bad
// signature, expired, malformed). Reads no store: for the I/O thread, once per request, so
// that the queue can take turns by user before the store is asked.
checked<std::string> identify(const rest_settings& settings, std::string_view authorization);

// The user behind `caller` (what identify() gave): its failure as it is, 401 when the user no
// longer exists, 500 when the store fails. Reads the store: call it on the store's pool.
checked<actor> authenticate(const db::store& s, const checked<std::string>& caller);

}  // namespace confab::chat::rest
