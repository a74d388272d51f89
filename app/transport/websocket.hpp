#pragma once
#include "app/http/types.hpp"
#include "core/engine/request_info.hpp"
#include "core/engine/server.hpp"

namespace confab::transport {

// Serves one WebSocket request of the Engine.IO protocol: a new session (no sid), or the
// upgrade of a polling session (2probe / 3probe / 5). Runs one reader here and one writer
// coroutine beside it; completes when the connection is done.
net::awaitable<void> serve_websocket(http::beast::tcp_stream stream, http::request req,
                                     engine::server& srv, engine::request_info info);

}  // namespace confab::transport
