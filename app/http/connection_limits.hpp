#pragma once
// How many TCP connections are open, in total and from each remote address, and whether one
// more may be. The accept loop asks before serving a connection; whoever holds the socket then
// holds its connection_slot, which gives the place back when destroyed.
//
// Not thread-safe, and need not be: the accept loop and every connection run on the one I/O
// thread (the server's io_context runs on one thread), so nothing here is locked.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <variant>

#include <boost/asio/ip/address.hpp>

#include "core/common/net.hpp"

namespace confab::http {

enum class refusal {
    max_connections,  // the server has max_connections open: 503
    per_address,      // the client's address has max_per_address open: 429
};
inline constexpr std::size_t refusal_count = 2;

class connection_limits;

// One admitted connection's place in the counts. Move-only; a moved-from slot holds none.
class connection_slot {
  public:
    connection_slot(connection_slot&& other) noexcept;
    connection_slot& operator=(connection_slot&& other) noexcept;
    connection_slot(const connection_slot&) = delete;
    connection_slot& operator=(const connection_slot&) = delete;
    ~connection_slot();

  private:
    friend class connection_limits;
    connection_slot(std::shared_ptr<connection_limits> owner, const net::ip::address& address);

    // Shared: a connection's coroutine frame may be destroyed after the server's objects, when
    // the io_context that holds it goes.
    std::shared_ptr<connection_limits> owner_;
    net::ip::address address_;
};

// Create with std::make_shared: slots share its ownership.
class connection_limits : public std::enable_shared_from_this<connection_limits> {
  public:
    struct config {
        std::size_t max_connections = 100'000;  // 0: no limit
        std::size_t max_per_address = 1000;     // 0: no limit
        bool exempt_loopback = true;            // loopback clients are not counted per address
    };

    explicit connection_limits(config c) : config_(c) {}

    // A place for one more connection from `address`, or why there is none (also counted).
    std::variant<connection_slot, refusal> admit(const net::ip::address& address);

    std::size_t open() const noexcept { return open_; }
    std::size_t open_from(const net::ip::address& address) const;
    std::uint64_t refused(refusal r) const noexcept {
        return refused_[static_cast<std::size_t>(r)];
    }

  private:
    friend class connection_slot;
    bool counted_per_address(const net::ip::address& address) const noexcept;
    void release(const net::ip::address& address) noexcept;

    config config_;
    std::size_t open_ = 0;
    std::unordered_map<net::ip::address, std::size_t> per_address_;
    std::array<std::uint64_t, refusal_count> refused_{};
};

// The whole HTTP response a refused connection gets, before its request is read: 503
// SERVER_BUSY or 429 TOO_MANY_CONNECTIONS, with a JSON error body and Connection: close.
std::string_view refusal_response(refusal r) noexcept;

}  // namespace confab::http
