#include "core/auth/sodium.hpp"

#include <stdexcept>

#include <sodium.h>

namespace confab::auth {

void init_sodium() {
    // A function-local static is initialised exactly once, even with concurrent callers;
    // a failed attempt throws and the next call tries again.
    static const bool initialised = [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
        return true;
    }();
    (void)initialised;
}

}  // namespace confab::auth
