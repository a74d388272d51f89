#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "core/common/unix_time.hpp"

namespace confab::chat::rest {

// What the REST handlers need besides the store.
struct rest_settings {
    std::string jwt_secret;
    std::int64_t token_lifetime_seconds = 7 * 24 * 3600;
    // Seconds since the Unix epoch; tests replace it to issue and expire tokens at will.
    std::function<std::int64_t()> now = unix_now;
};

}  // namespace confab::chat::rest
