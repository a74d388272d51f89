#pragma once

namespace confab::auth {

// Initialises libsodium once, however many threads call it at the same time. Call it before
// drawing random bytes or hashing passwords: sodium_init() seeds the generator and picks the
// fastest argon2 implementation for this CPU. Throws std::runtime_error if libsodium cannot
// start (no entropy source), which only happens at start-up.
void init_sodium();

}  // namespace confab::auth
