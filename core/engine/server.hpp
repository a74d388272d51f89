#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/common/net.hpp"
#include "core/engine/config.hpp"
#include "core/engine/session.hpp"

namespace confab::engine {

// How many of its handshake's query parameters (after EIO, transport, t and sid) a session
// keeps for the layers above: the first ones in key order.
inline constexpr std::size_t max_kept_parameters = 16;

// The registry of live Engine.IO sessions by sid. Lives on the I/O executor with them.
class server {
public:
    server(net::any_io_executor ex, config cfg) : executor_(std::move(ex)), config_(cfg) {}

    const config& settings() const noexcept { return config_; }
    std::size_t size() const noexcept { return sessions_.size(); }

    // Called for each new session, before its open packet goes out, to attach a handler.
    void on_connection(std::function<void(const std::shared_ptr<session>&)> f) {
        on_connection_ = std::move(f);
    }

    // Creates, registers and starts a session; the caller sends session->open_packet().
    // nullptr for a polling handshake from an address that has
    // max_polling_sessions_per_address sessions opened over polling (counted in
    // refused_polling()); a WebSocket handshake is never refused here.
    std::shared_ptr<session> open(transport_kind transport, request_info request);
    // Open sessions, and closed ones kept for their final poll (session::awaits_final_poll).
    std::shared_ptr<session> find(std::string_view sid) const;
    // Drops a closed session kept for its final poll, once that poll has it.
    void forget(const std::string& sid);
    void close_all(close_reason reason);

    // Read at scrape time, for /metrics.
    struct stats {
        std::size_t polling = 0;
        std::size_t websocket = 0;
        std::size_t queued_bytes = 0;
    };
    stats current() const;
    // Sessions closed so far, by reason.
    std::uint64_t closed(close_reason r) const noexcept {
        return closed_[static_cast<std::size_t>(r)];
    }
    // Polling handshakes refused by max_polling_sessions_per_address so far.
    std::uint64_t refused_polling() const noexcept { return refused_polling_; }

private:
    bool counted_per_address(const std::string& address) const;
    bool polling_full(const std::string& address) const;
    void release_polling(const std::string& address);

    net::any_io_executor executor_;
    config config_;
    std::unordered_map<std::string, std::shared_ptr<session>> sessions_;
    std::function<void(const std::shared_ptr<session>&)> on_connection_;
    std::array<std::uint64_t, close_reason_count> closed_{};
    // Live sessions opened by a polling handshake, by remote address; an upgraded one stays
    // counted until it closes.
    std::unordered_map<std::string, std::size_t> polling_by_address_;
    std::uint64_t refused_polling_ = 0;
};

}  // namespace confab::engine
