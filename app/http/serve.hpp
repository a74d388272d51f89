#pragma once
#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "app/http/router.hpp"

namespace confab::http {

// What serve() does on SIGINT or SIGTERM, after it stops accepting.
struct shutdown_hooks {
    std::function<void()> close_sessions;     // tells every client the server is going
    std::function<std::size_t()> open_sessions;  // how many have not finished closing
    std::chrono::milliseconds grace{2000};    // the longest it waits for them
};

// Listens on host:port and serves `routes` on `ioc` until SIGINT or SIGTERM; then closes the
// sessions, waits for them to finish (at most the grace period) and returns.
// Throws on a listening failure (port taken), which is a start-up error.
void serve(net::io_context& ioc, const std::string& host, unsigned short port,
           const router& routes, shutdown_hooks hooks);

}  // namespace confab::http
