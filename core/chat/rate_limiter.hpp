#pragma once
// The per-socket event limit (and presence announcements): a token bucket of `burst`
// tokens refilled at `per_second`. Kept in the form of the generic cell rate algorithm, which
// behaves exactly like a token bucket but stores only the time at which the bucket will be full
// again: no floating point, no timer, and 24 bytes, small enough for every socket to own one.
#include <chrono>
#include <cstdint>

namespace confab::chat {

class rate_limiter {
  public:
    using clock = std::chrono::steady_clock;

    // Starts full. Both arguments must be at least 1 (std::invalid_argument otherwise).
    rate_limiter(std::uint32_t per_second, std::uint32_t burst);

    // Takes one token if there is one. `now` must not go backwards; tests pass a fake clock.
    bool try_take(clock::time_point now) noexcept { return try_take(now, 1); }
    // Takes `tokens` at once if there are that many; more than `burst` take a full bucket.
    bool try_take(clock::time_point now, std::uint64_t tokens) noexcept;
    // Whether every token is back: a full bucket is as good as a new one.
    bool full(clock::time_point now) const noexcept { return now >= full_at_; }

  private:
    std::chrono::nanoseconds interval_;   // time to earn one token
    std::chrono::nanoseconds tolerance_;  // how far ahead of now full_at_ may run: burst - 1 tokens
    clock::time_point full_at_ = clock::time_point::min();  // when the bucket is full again
};

}  // namespace confab::chat
