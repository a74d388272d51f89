#pragma once
// POST /api/auth/register and /api/auth/login. Both hash or verify a password (tens of
// milliseconds of argon2id): call them on the store's pool only.
#include <boost/json/object.hpp>

#include "core/chat/rest/reply.hpp"
#include "core/chat/rest/settings.hpp"
#include "db/store.hpp"

namespace confab::chat::rest {

// {username, email, password} -> 201 {token, user}; 409 when the username or email is taken
// (ignoring case); 400 when a field is missing or breaks account_rules.hpp.
rest_reply register_user(db::store& s, const rest_settings& settings,
                         const boost::json::object& body);

// {email or username, password} -> 200 {token, user}; 401 with one message for an unknown
// user and a wrong password. "email" wins unless absent, null or empty; an identifier with an
// '@' is looked up as an email, one without as a username, whichever field holds it.
rest_reply login(db::store& s, const rest_settings& settings, const boost::json::object& body);

}  // namespace confab::chat::rest
