#pragma once
#include <string>

#include "app/http/connection_limits.hpp"
#include "app/http/types.hpp"
#include "core/engine/request_info.hpp"
#include "core/engine/server.hpp"

namespace confab::transport {

// Serves one WebSocket request of the Engine.IO protocol: a new session (no sid), or the
// upgrade of a polling session (2probe / 3probe / 5). Refuses a bad request with 400.
// `early`: what the client sent right behind the request, read with it.
// Completes once the handshake (and an upgrade's probe) is over; the connection's reader and
// writer coroutines then run on their own until it closes, holding `slot` until then.
net::awaitable<void> serve_websocket(http::beast::tcp_stream stream, http::connection_slot slot,
                                     http::request req, engine::server& srv,
                                     engine::request_info info, std::string early);

}  // namespace confab::transport
