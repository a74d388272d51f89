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
};

}  // namespace confab::engine
