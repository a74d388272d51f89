#pragma once
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace confab::engine {

struct config {
    std::chrono::milliseconds ping_interval{30000};
    std::chrono::milliseconds ping_timeout{10000};
    std::size_t max_payload = 1'000'000;  // largest accepted message or polling body, bytes
    // Outbound bytes a session may have queued before it counts as a slow consumer.
    std::size_t max_outbox_bytes = 4 * 1024 * 1024;
    // How long a probed upgrade may take before the WebSocket is dropped.
    std::chrono::milliseconds upgrade_timeout{10000};
    // Live sessions that one remote address may have opened by a polling handshake; more
    // handshakes are refused (each costs a session with its queue and timers, unlike a
    // WebSocket, which the TCP connection limits already count). 0: no limit.
    std::size_t max_polling_sessions_per_address = 250;
    bool exempt_loopback = true;  // loopback clients (a local proxy) are not counted per address
};

}  // namespace confab::engine
