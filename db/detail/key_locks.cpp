#include "db/detail/key_locks.hpp"

#include <functional>
#include <utility>

namespace confab::db::detail {

key_locks::guard::guard(guard&& other) noexcept : held_(std::exchange(other.held_, {})) {}

void key_locks::guard::unlock() noexcept {
    for (std::mutex*& m : held_) {
        if (m) std::exchange(m, nullptr)->unlock();
    }
}

key_locks::guard key_locks::lock(std::string_view key) {
    guard g;
    g.held_[0] = &stripes_[stripe(key)];
    g.held_[0]->lock();
    return g;
}

key_locks::guard key_locks::lock(std::string_view first, std::string_view second) {
    auto a = stripe(first);
    auto b = stripe(second);
    if (a == b) return lock(first);
    if (b < a) std::swap(a, b);
    guard g;
    g.held_[0] = &stripes_[a];
    g.held_[0]->lock();
    g.held_[1] = &stripes_[b];
    g.held_[1]->lock();
    return g;
}

std::size_t key_locks::stripe(std::string_view key) const noexcept {
    return std::hash<std::string_view>{}(key) % stripes_.size();
}

}  // namespace confab::db::detail
