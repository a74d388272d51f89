#pragma once
#include <cstddef>
#include <string_view>

namespace confab::engine {

// Why a session ended; the strings are the reference server's, which clients log.
enum class close_reason {
    transport_close,  // the client closed the transport or sent a close packet
    transport_error,  // I/O failure
    ping_timeout,
    parse_error,      // the client sent bytes that are not Engine.IO
    forced_close,     // the server closed it (protocol violation, duplicate GET, app request)
    slow_consumer,    // the outbound queue hit its cap
    server_shutdown,
};
inline constexpr std::size_t close_reason_count = 7;

constexpr std::string_view to_string(close_reason r) noexcept {
    switch (r) {
        case close_reason::transport_close: return "transport close";
        case close_reason::transport_error: return "transport error";
        case close_reason::ping_timeout: return "ping timeout";
        case close_reason::parse_error: return "parse error";
        case close_reason::forced_close: return "forced close";
        case close_reason::slow_consumer: return "slow consumer";
        case close_reason::server_shutdown: return "server shutting down";
    }
    return "unknown";
}

}  // namespace confab::engine
