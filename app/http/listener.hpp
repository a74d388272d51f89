#pragma once
#include <boost/asio/ip/tcp.hpp>

#include "app/http/router.hpp"
#include "core/common/net.hpp"

namespace confab::http {

// Accepts connections until the acceptor is closed; each connection is served by its own
// coroutine on the acceptor's executor. Completes when accepting stops.
net::awaitable<void> accept_loop(net::ip::tcp::acceptor& acceptor, const router& routes);

}  // namespace confab::http
