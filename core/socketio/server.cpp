#include "core/socketio/server.hpp"

#include "core/socketio/connection.hpp"

namespace confab::socketio {

server::server(engine::server& engine, config cfg) : engine_(engine), config_(cfg) {
    engine_.on_connection([this](const std::shared_ptr<engine::session>& s) {
        s->set_handler(std::make_unique<connection>(*this, *s));
    });
}

socket_namespace& server::of(const std::string& name) {
    auto& slot = namespaces_[name];
    if (!slot) slot = std::make_unique<socket_namespace>(name);
    return *slot;
}

socket_namespace* server::find(std::string_view name) {
    auto it = namespaces_.find(name);
    return it == namespaces_.end() ? nullptr : it->second.get();
}

}  // namespace confab::socketio
