#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <utility>

#include <boost/asio/steady_timer.hpp>

#include "core/common/net.hpp"

namespace confab::socketio {
class socket;
}

namespace confab::chat {

// Disconnects each socket when the token it connected with expires. One timer, set for the
// earliest expiry, serves every socket: an idle socket costs one map entry, not a timer and
// its pending wait.
class token_expiry {
public:
    explicit token_expiry(net::any_io_executor ex) : timer_(std::move(ex)) {}

    // `exp` in Unix seconds.
    void add(std::int64_t exp, const std::shared_ptr<socketio::socket>& s);
    // Does nothing for a socket already disconnected for its expiry.
    void remove(std::int64_t exp, const socketio::socket* s) { due_.erase({exp, s}); }

private:
    static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

    void arm();
    void expire_due();

    std::map<std::pair<std::int64_t, const socketio::socket*>, std::weak_ptr<socketio::socket>> due_;
    net::steady_timer timer_;
    std::int64_t armed_for_ = never;
};

}  // namespace confab::chat
