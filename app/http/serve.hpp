#pragma once
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "app/http/router.hpp"

namespace confab::http {

// Listens on host:port and serves `routes` on `ioc` until SIGINT or SIGTERM, then calls
// `on_stop` (which closes sessions) and returns once the context runs out of work.
// Throws on a listening failure (port taken), which is a start-up error.
void serve(net::io_context& ioc, const std::string& host, unsigned short port,
           const router& routes, std::function<void()> on_stop);

}  // namespace confab::http
