#include "core/engine/outbox.hpp"

#include <utility>

namespace confab::engine {

bool outbox::push(frame f) {
    if (bytes_ + f.size() > max_bytes_) return false;
    bytes_ += f.size();
    frames_.push_back(std::move(f));
    return true;
}

std::vector<frame> outbox::take_all() noexcept {
    bytes_ = 0;
    return std::exchange(frames_, {});
}

void outbox::clear() noexcept {
    frames_.clear();
    bytes_ = 0;
}

}  // namespace confab::engine
