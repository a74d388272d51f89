#pragma once
#include <cstddef>
#include <vector>

#include "core/engine/frame.hpp"

namespace confab::engine {

// The bounded outbound queue of one session. A vector, not a deque: an idle session then
// holds no allocation at all. A push over the byte cap is refused: the caller
// then disconnects the slow consumer instead of buffering without limit.
class outbox {
public:
    explicit outbox(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    bool push(frame f);
    bool empty() const noexcept { return frames_.empty(); }
    std::size_t bytes() const noexcept { return bytes_; }
    std::size_t size() const noexcept { return frames_.size(); }
    // Takes every queued frame, oldest first.
    std::vector<frame> take_all() noexcept;
    void clear() noexcept;

private:
    std::vector<frame> frames_;
    std::size_t bytes_ = 0;
    std::size_t max_bytes_;
};

}  // namespace confab::engine
