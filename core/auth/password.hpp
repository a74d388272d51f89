#pragma once
// Password storage: argon2id (RFC 9106) through libsodium, salted, in the self-describing PHC
// string form "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>".
//
// Cost: t=2 passes over m=19 MiB, OWASP's minimum for argon2id. Hashing takes tens of
// milliseconds and runs on the store's thread pool, never on an I/O thread; 19 MiB per
// concurrent register/login keeps a small VPS out of swap where libsodium's "moderate" 256 MiB
// (or even 64 MiB) would not. Stored hashes carry their parameters, so raising them later
// leaves existing hashes verifiable.
#include <cstddef>
#include <string>
#include <string_view>

namespace confab::auth {

// Callers (register, login) refuse longer passwords with a 400 before hashing anything.
inline constexpr std::size_t max_password_bytes = 1024;

// A fresh salted argon2id hash of `password` (at most max_password_bytes; longer is a bug and
// throws std::length_error). Throws std::runtime_error if the 19 MiB cannot be allocated.
std::string hash_password(std::string_view password);

// Whether `password` matches `hash`, a string from hash_password(). False for anything that is
// not an argon2id hash, and for passwords over max_password_bytes.
bool verify_password(std::string_view hash, std::string_view password);

}  // namespace confab::auth
