#include "app/metrics/exposition.hpp"

#include <fmt/format.h>

namespace confab::app {

namespace {

using metrics::append_header;
using metrics::append_sample;

void gauge(std::string& out, std::string_view name, std::string_view help, double value) {
    append_header(out, name, "gauge", help);
    append_sample(out, name, "", value);
}

void labelled_counters(std::string& out, std::string_view name, std::string_view help,
                       std::string_view label,
                       const std::map<std::string, std::uint64_t, std::less<>>& values) {
    append_header(out, name, "counter", help);
    for (const auto& [key, value] : values)
        append_sample(out, name, fmt::format("{}=\"{}\"", label, key), static_cast<double>(value));
}

void connection_counts(std::string& out, const metrics_sources& m) {
    gauge(out, "confab_tcp_connections", "Open TCP connections: HTTP, long-polling, WebSocket",
          static_cast<double>(m.connections.open()));
    constexpr std::string_view refused = "confab_connections_refused_total";
    append_header(out, refused, "counter", "Connections and polling handshakes over the limits");
    append_sample(out, refused, "reason=\"max_connections\"",
                  static_cast<double>(m.connections.refused(http::refusal::max_connections)));
    append_sample(out, refused, "reason=\"per_ip\"",
                  static_cast<double>(m.connections.refused(http::refusal::per_address)));
    append_sample(out, refused, "reason=\"polling_per_ip\"",
                  static_cast<double>(m.engine.refused_polling()));
}

}  // namespace

std::string render_metrics(const metrics_sources& m) {
    std::string out;
    const auto sessions = m.engine.current();
    append_header(out, "confab_connections", "gauge", "Engine.IO sessions by transport");
    append_sample(out, "confab_connections", "transport=\"polling\"",
                  static_cast<double>(sessions.polling));
    append_sample(out, "confab_connections", "transport=\"websocket\"",
                  static_cast<double>(sessions.websocket));
    connection_counts(out, m);
    gauge(out, "confab_sockets", "Socket.IO sockets connected to the chat namespace",
          static_cast<double>(m.chat.size()));
    gauge(out, "confab_rooms", "Chat rooms with at least one socket",
          static_cast<double>(m.chat.room_count()));
    gauge(out, "confab_outbound_queue_bytes", "Bytes queued for clients, all sessions",
          static_cast<double>(sessions.queued_bytes));
    labelled_counters(out, "confab_events_received_total", "Client events by name", "event",
                      m.counters.events_received);
    labelled_counters(out, "confab_errors_total", "Rejected client events by error code", "code",
                      m.counters.errors);
    append_header(out, "confab_messages_stored_total", "counter", "Messages stored");
    append_sample(out, "confab_messages_stored_total", "",
                  static_cast<double>(m.counters.messages_stored));
    append_header(out, "confab_rate_limited_total", "counter", "Events dropped by the rate limit");
    append_sample(out, "confab_rate_limited_total", "",
                  static_cast<double>(m.counters.rate_limited));
    append_header(out, "confab_slow_consumer_disconnects_total", "counter",
                  "Sessions closed because their outbound queue was full");
    append_sample(out, "confab_slow_consumer_disconnects_total", "",
                  static_cast<double>(m.engine.closed(engine::close_reason::slow_consumer)));
    m.counters.store_write_latency.render(out, "confab_store_write_seconds",
                                          "Time a writing client event spends in the store");
    gauge(out, "confab_store_size_bytes", "RocksDB table files and memtables",
          static_cast<double>(m.store.size_bytes()));
    return out;
}

}  // namespace confab::app
