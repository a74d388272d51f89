#pragma once
#include <boost/asio/ip/tcp.hpp>

#include "app/http/cors.hpp"
#include "app/http/types.hpp"
#include "core/engine/request_info.hpp"
#include "core/engine/server.hpp"

namespace confab::transport {

// Answers one HTTP long-polling request of the Engine.IO protocol: the handshake, a GET that
// waits for output, a POST carrying packets, or a CORS preflight. Completes with the response
// (a GET only once there is something to send or the session ends). `client` is the
// request's connection: a GET whose client hangs up while it waits ends the session, as the
// reference server does, rather than leaving it to the heartbeat.
net::awaitable<http::response> handle_polling(engine::server& srv, const http::cors_policy& cors,
                                              const http::request& req,
                                              const engine::request_info& info,
                                              net::ip::tcp::socket& client);

}  // namespace confab::transport
