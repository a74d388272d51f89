#include "core/chat/token_expiry.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "core/common/unix_time.hpp"
#include "core/socketio/socket.hpp"

namespace confab::chat {

void token_expiry::add(std::int64_t exp, const std::shared_ptr<socketio::socket>& s) {
    due_.emplace(std::pair{exp, s.get()}, s);
    arm();
}

// Waits for the earliest expiry, unless the wait pending is for that one already.
void token_expiry::arm() {
    if (due_.empty()) return;
    const auto earliest = due_.begin()->first.first;
    if (earliest >= armed_for_) return;
    armed_for_ = earliest;
    // At most a day at a time: a far `exp` must not overflow the clock's nanoseconds.
    constexpr std::int64_t longest_wait = 24 * 3600;
    const std::int64_t wait = std::clamp<std::int64_t>(earliest - unix_now(), 0, longest_wait);
    timer_.expires_after(std::chrono::seconds(wait));
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;  // overtaken by an earlier expiry, or the service is gone
        armed_for_ = never;
        expire_due();
    });
}

void token_expiry::expire_due() {
    const auto now = unix_now();
    // Taken out first: a disconnect calls remove() for its own socket.
    std::vector<std::shared_ptr<socketio::socket>> expired;
    while (!due_.empty() && due_.begin()->first.first <= now) {
        if (auto s = due_.begin()->second.lock()) expired.push_back(std::move(s));
        due_.erase(due_.begin());
    }
    for (const auto& s : expired)
        if (s->connected()) s->disconnect(true);
    arm();
}

}  // namespace confab::chat
