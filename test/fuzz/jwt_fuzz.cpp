// The JWT verifier on hostile tokens, and sign/verify on fuzzed claims. The first input byte
// picks a mode:
//   0: the rest is a token, verified as is;
//   1: the rest is "<header JSON>\0<payload JSON>", base64url-encoded and correctly signed, so
//      that the header and claim checks behind the signature check get fuzzed too;
//   2: the rest holds claims (8 bytes iat, 8 bytes exp, then a byte choosing which token byte
//      to tamper with and the byte to put there, then "<userId>\0<username>"), signed and
//      verified again.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <sodium.h>

#include "core/auth/jwt.hpp"
#include "test/fuzz/fuzz_check.hpp"

namespace auth = confab::auth;

namespace {

constexpr std::string_view secret = "fuzz-secret-0123456789abcdef";
constexpr std::string_view other_secret = "fuzz-secret-0123456789abcdeF";
// A fixed "now" (2023-11-14) keeps every input reproducible; real clocks are far from the
// int64 edges, so fuzzing it would only find overflows no server can reach.
constexpr std::int64_t now = 1'700'000'000;

bool is_object_id(std::string_view s) {
    if (s.size() != 24) return false;
    for (const char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

// The compact form only: base64url parts and two dots. Anything else that verifies is a second
// spelling of a token, which defeats blocklists and logs keyed by the token text.
bool is_compact(std::string_view token) {
    for (const char c : token) {
        const bool base64url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                               (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!base64url && c != '.') return false;
    }
    return true;
}

bool is_utf8(std::string_view s) {
    // Same rules as the JSON parser: no overlongs, no surrogates, nothing above U+10FFFF.
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        unsigned min = 0;
        unsigned cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c >> 5) == 0x6) {
            len = 2, min = 0x80, cp = c & 0x1f;
        } else if ((c >> 4) == 0xe) {
            len = 3, min = 0x800, cp = c & 0x0f;
        } else if ((c >> 3) == 0x1e) {
            len = 4, min = 0x10000, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d >> 6) != 0x2) return false;
            cp = (cp << 6) | (d & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

std::string base64url(std::string_view bytes) {
    constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), variant);
    out.pop_back();  // sodium's terminating NUL
    return out;
}

std::string hs256_token(std::string_view header, std::string_view payload) {
    std::string token = base64url(header) + '.' + base64url(payload);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                                secret.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(token.data()),
                                  token.size());
    crypto_auth_hmacsha256_final(&state, mac);
    token += '.';
    token += base64url({reinterpret_cast<const char*>(mac), sizeof mac});
    return token;
}

// What every accepted token must satisfy, and that its claims sign into a token that verifies
// to the same claims.
void check_accepted(const auth::claims& c) {
    CONFAB_FUZZ_CHECK(is_object_id(c.user_id));
    CONFAB_FUZZ_CHECK(now < c.exp);
    CONFAB_FUZZ_CHECK(c.iat <= now + auth::clock_skew_seconds);
    const auto again = auth::verify(auth::sign(c, secret), secret, now);
    CONFAB_FUZZ_CHECK(again && again->user_id == c.user_id && again->username == c.username &&
                      again->iat == c.iat && again->exp == c.exp);
}

void verify_raw(std::string_view token) {
    const auto r = auth::verify(token, secret, now);
    if (r) {
        CONFAB_FUZZ_CHECK(is_compact(token));
        check_accepted(*r);
        CONFAB_FUZZ_CHECK(!auth::verify(token, other_secret, now));
    }
    // An empty secret verifies nothing.
    CONFAB_FUZZ_CHECK(!auth::verify(token, "", now));
}

void verify_signed(std::string_view rest) {
    const std::size_t split = std::min(rest.find('\0'), rest.size());
    const std::string_view header = rest.substr(0, split);
    const std::string_view payload = rest.substr(std::min(split + 1, rest.size()));
    verify_raw(hs256_token(header, payload));
}

std::int64_t read_int64(std::string_view& rest) {
    std::uint64_t bits = 0;
    const std::size_t n = std::min(rest.size(), sizeof bits);
    std::memcpy(&bits, rest.data(), n);
    rest.remove_prefix(n);
    return static_cast<std::int64_t>(bits);
}

void sign_and_verify(std::string_view rest) {
    auth::claims c;
    c.iat = read_int64(rest);
    c.exp = read_int64(rest);
    std::size_t tamper_at = 0;
    char tamper_with = '\0';
    if (rest.size() >= 2) {
        tamper_at = static_cast<unsigned char>(rest[0]);
        tamper_with = rest[1];
        rest.remove_prefix(2);
    }
    const std::size_t split = std::min(rest.find('\0'), rest.size());
    c.user_id = rest.substr(0, split);
    c.username = rest.substr(std::min(split + 1, rest.size()));

    const std::string token = auth::sign(c, secret);
    const auto r = auth::verify(token, secret, now);
    using auth::jwt_error;
    if (token.size() > auth::max_token_bytes) {
        CONFAB_FUZZ_CHECK(r.error() == jwt_error::malformed);
        return;
    }
    if (!is_utf8(c.user_id) || !is_utf8(c.username)) {
        // sign() copies invalid UTF-8 into the JSON as is, and the parser then refuses it.
        CONFAB_FUZZ_CHECK(!r);
        return;
    }
    // A present "exp" of 0 is a date long past, not a missing claim.
    if (!is_object_id(c.user_id)) {
        CONFAB_FUZZ_CHECK(r.error() == jwt_error::bad_claims);
    } else if (c.iat > now + auth::clock_skew_seconds) {
        CONFAB_FUZZ_CHECK(r.error() == jwt_error::not_yet_valid);
    } else if (now >= c.exp) {
        CONFAB_FUZZ_CHECK(r.error() == jwt_error::expired);
    } else {
        CONFAB_FUZZ_CHECK(r && r->user_id == c.user_id && r->username == c.username &&
                          r->iat == c.iat && r->exp == c.exp);
        CONFAB_FUZZ_CHECK(auth::verify(token, other_secret, now).error() ==
                          jwt_error::bad_signature);
        // Changing any single byte of a good token must lose it.
        std::string tampered = token;
        char& victim = tampered[tamper_at % tampered.size()];
        victim = victim == tamper_with ? static_cast<char>(victim ^ 0x01) : tamper_with;
        CONFAB_FUZZ_CHECK(!auth::verify(tampered, secret, now));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
        case 0:
            verify_raw(rest);
            break;
        case 1:
            verify_signed(rest);
            break;
        default:
            sign_and_verify(rest);
            break;
    }
    return 0;
}
