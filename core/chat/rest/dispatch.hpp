#pragma once
// A whole REST request but its HTTP framing: route, body, authentication, handler.
#include <string_view>

#include "core/chat/payload.hpp"
#include "core/chat/rest/input.hpp"
#include "core/chat/rest/reply.hpp"
#include "core/chat/rest/settings.hpp"
#include "db/store.hpp"

namespace confab::chat::rest {

struct rest_request {
    std::string_view method;  // "GET", "POST", ...
    std::string_view path;    // decoded, without the query
    const query_params& query;
    std::string_view body;
    const checked<std::string>& caller;  // identify() of the Authorization header
};

// The answer to `r`: 404 for an unknown route, 400 for a body that is not a JSON object (on
// routes that read one), 401 when a route other than health, register and login lacks a valid
// token of an existing user; otherwise what the route's handler says. GET /healthz answers
// 200 {"status":"ok"} once the store answers a read, 503 {"status":"error"} when it fails.
// Uses the store and may hash a password: call it on the store's pool, never on an I/O thread.
rest_reply dispatch(db::store& s, const rest_settings& settings, const rest_request& r);

// What dispatching `r` costs, for callers that ration it: a health check is cheap and must
// stay so; register and login hash a password.
enum class request_kind { health, sign_in, other };
request_kind kind_of(const rest_request& r);

}  // namespace confab::chat::rest
