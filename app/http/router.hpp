#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/http/connection_limits.hpp"
#include "app/http/cors.hpp"
#include "app/http/types.hpp"

namespace confab::engine {
class server;
}

namespace confab::http {

// An Engine.IO server mounted under a path prefix ("/socket.io/", "/engine.io/").
struct engine_mount {
    std::string path;
    engine::server* server;
};

// Answers plain HTTP requests (REST, health); completes with the response to send.
using rest_handler = std::function<net::awaitable<response>(request&)>;

// Everything the HTTP listener needs to dispatch a request.
struct router {
    std::vector<engine_mount> engines;
    rest_handler rest;  // may be empty: 404 for everything else
    cors_policy cors{"*"};
    std::size_t header_limit = 16 * 1024;
    std::size_t body_limit = 1'000'000;
    // A connection that has not sent a whole request by then is closed (slowloris), and so is
    // one kept alive that sends no next request.
    std::chrono::milliseconds header_timeout{20000};
    // How long a client has to take a response.
    std::chrono::milliseconds write_timeout{20000};
    // Shared with the connections' slots, which may outlive the router.
    std::shared_ptr<connection_limits> connections =
        std::make_shared<connection_limits>(connection_limits::config{});

    const engine_mount* mount_for(std::string_view path) const;
};

}  // namespace confab::http
