#include "core/auth/password.hpp"

#include <array>
#include <stdexcept>

#include <sodium.h>

#include "core/auth/sodium.hpp"

namespace confab::auth {

namespace {

constexpr unsigned long long ops_limit = 2;
constexpr std::size_t mem_limit = 19 * 1024 * 1024;

}  // namespace

std::string hash_password(std::string_view password) {
    if (password.size() > max_password_bytes) {
        throw std::length_error("hash_password: password longer than max_password_bytes");
    }
    init_sodium();
    std::array<char, crypto_pwhash_STRBYTES> out{};
    if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), ops_limit, mem_limit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        throw std::runtime_error("hash_password: argon2id ran out of memory");
    }
    return std::string(out.data());
}

bool verify_password(std::string_view hash, std::string_view password) {
    if (password.size() > max_password_bytes) return false;
    // libsodium reads the hash as a NUL-terminated string of at most crypto_pwhash_STRBYTES.
    std::array<char, crypto_pwhash_STRBYTES> terminated{};
    if (hash.size() >= terminated.size()) return false;
    hash.copy(terminated.data(), hash.size());
    init_sodium();
    return crypto_pwhash_argon2id_str_verify(terminated.data(), password.data(), password.size()) ==
           0;
}

}  // namespace confab::auth
