#pragma once
#include <chrono>
#include <cstdint>

namespace confab {

// Seconds since the Unix epoch, the unit of a token's exp.
inline std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace confab
