#pragma once
#include <string>

#include "app/http/connection_limits.hpp"
#include "core/engine/server.hpp"
#include "core/metrics/registry.hpp"
#include "core/socketio/namespace.hpp"
#include "db/store.hpp"

namespace confab::app {

// What /metrics shows, in Prometheus text format (version 0.0.4).
struct metrics_sources {
    const engine::server& engine;
    const socketio::socket_namespace& chat;
    const metrics::registry& counters;
    const db::store& store;
    const http::connection_limits& connections;
};

std::string render_metrics(const metrics_sources& m);

}  // namespace confab::app
