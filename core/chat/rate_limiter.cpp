#include "core/chat/rate_limiter.hpp"

#include <algorithm>
#include <stdexcept>

namespace confab::chat {

namespace {

std::uint32_t at_least_one(std::uint32_t n) {
    if (n == 0) throw std::invalid_argument("rate_limiter: rate and burst must be at least 1");
    return n;
}

}  // namespace

rate_limiter::rate_limiter(std::uint32_t per_second, std::uint32_t burst)
    : interval_(std::chrono::nanoseconds(std::chrono::seconds(1)) / at_least_one(per_second)),
      tolerance_(interval_ * (at_least_one(burst) - 1)) {}

bool rate_limiter::try_take(clock::time_point now, std::uint64_t tokens) noexcept {
    if (tokens == 0) return true;
    // The burst is derived rather than kept, so the bucket stays 24 bytes; one token, the
    // per-event case, needs no division.
    const auto burst = tokens == 1 ? 1 : static_cast<std::uint64_t>(tolerance_ / interval_) + 1;
    const auto cost = static_cast<std::int64_t>(std::min(tokens, burst));
    // An idle bucket does not fill beyond `burst`: the debt starts from now at the earliest.
    const clock::time_point due = std::max(full_at_, now);
    if (due - now + interval_ * (cost - 1) > tolerance_) return false;
    full_at_ = due + interval_ * cost;
    return true;
}

}  // namespace confab::chat
