#pragma once
// JSON Web Tokens (RFC 7519) in JWS compact form signed with HMAC-SHA256 ("HS256", RFC 7515),
// the only kind confab issues or accepts. Tokens from Node's `jsonwebtoken` with the same secret
// and claims verify; claims we do not know are ignored.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include <boost/system/result.hpp>

namespace confab::auth {

struct claims {
    std::string user_id;   // "userId": 24 lowercase hex characters
    std::string username;  // "username"; empty when the token carries none
    std::int64_t iat = 0;  // "iat", seconds since the epoch; 0 when the token carries none
    std::int64_t exp = 0;  // "exp", seconds since the epoch; the token is dead from then on
};

enum class jwt_error {
    malformed = 1,       // not three base64url parts, bad base64url, header/payload no JSON object
    bad_algorithm,       // "alg" is not exactly "HS256" ("none", "HS512", "RS256", missing...)
    unsupported_header,  // "crit" present, or "typ" other than "JWT"
    bad_signature,       // the HMAC does not match (wrong secret or altered token)
    expired,             // now >= exp
    not_yet_valid,       // iat or nbf lies further than clock_skew_seconds in the future
    bad_claims,          // userId or exp missing or malformed, or a claim of the wrong type
};
const std::error_category& jwt_category() noexcept;
std::error_code make_error_code(jwt_error e) noexcept;

template <class T>
using result = boost::system::result<T, std::error_code>;

// Longer tokens are refused before any decoding; ours are about 200 bytes.
inline constexpr std::size_t max_token_bytes = 8 * 1024;
// Tolerance for a signer whose clock runs ahead of ours (iat, nbf). Expiry gets none.
inline constexpr std::int64_t clock_skew_seconds = 60;

// The compact token for `c`: header {"alg":"HS256","typ":"JWT"}, payload
// {"userId","username","iat","exp"}. `secret` must not be empty.
std::string sign(const claims& c, std::string_view secret);

// Checks `token` against `secret` at time `now` (seconds since the epoch) and returns its claims.
// The signature is checked before the payload is decoded. Never throws on bad input; an empty
// secret verifies nothing.
result<claims> verify(std::string_view token, std::string_view secret, std::int64_t now);

}  // namespace confab::auth

template <>
struct std::is_error_code_enum<confab::auth::jwt_error> : std::true_type {};
