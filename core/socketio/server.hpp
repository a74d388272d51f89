#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/engine/server.hpp"
#include "core/socketio/namespace.hpp"

namespace confab::socketio {

struct config {
    // A connection that has joined no namespace by then is closed.
    std::chrono::milliseconds connect_timeout{45000};
    sio::limits limits;
};

// Socket.IO on top of an Engine.IO server: the namespaces and their handlers.
class server {
public:
    server(engine::server& engine, config cfg);

    const config& settings() const noexcept { return config_; }
    engine::server& engine() noexcept { return engine_; }
    // The namespace called `name`, created on first use.
    socket_namespace& of(const std::string& name);
    socket_namespace* find(std::string_view name);

private:
    engine::server& engine_;
    config config_;
    std::map<std::string, std::unique_ptr<socket_namespace>, std::less<>> namespaces_;
};

}  // namespace confab::socketio
