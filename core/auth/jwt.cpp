#include "core/auth/jwt.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include <sodium.h>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace confab::auth {

namespace {

class jwt_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "confab.jwt"; }

    std::string message(int code) const override {
        switch (static_cast<jwt_error>(code)) {
            case jwt_error::malformed:
                return "malformed token";
            case jwt_error::bad_algorithm:
                return "token algorithm is not HS256";
            case jwt_error::unsupported_header:
                return "token header asks for something unsupported";
            case jwt_error::bad_signature:
                return "token signature does not match";
            case jwt_error::expired:
                return "token has expired";
            case jwt_error::not_yet_valid:
                return "token is not valid yet";
            case jwt_error::bad_claims:
                return "token claims are missing or invalid";
        }
        return "unknown token error";
    }
};

using mac = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

// base64url of {"alg":"HS256","typ":"JWT"}, the same bytes `jsonwebtoken` emits.
constexpr std::string_view encoded_header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

std::string base64url_encode(const unsigned char* data, std::size_t size) {
    constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string out(sodium_base64_ENCODED_LEN(size, variant), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, variant);
    out.pop_back();  // the terminator sodium writes
    return out;
}

// Strict: no padding, no whitespace, and the unused low bits of the last character must be zero,
// so each byte string has exactly one accepted spelling.
std::optional<std::string> base64url_decode(std::string_view text) {
    // libsodium 1.0.18 sign-extends chars and so accepts any byte >= 0x80 as a digit: a token
    // would have many spellings. Only the URL-safe alphabet gets through.
    const bool url_safe = std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
    if (!url_safe) return std::nullopt;
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t size = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                          text.size(), nullptr, &size, nullptr,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        return std::nullopt;
    }
    out.resize(size);
    return out;
}

std::optional<boost::json::object> decode_json_object(std::string_view part) {
    const auto text = base64url_decode(part);
    if (!text) return std::nullopt;
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(*text, ec);
    if (ec || !value.is_object()) return std::nullopt;
    return std::move(value.get_object());
}

mac hmac_sha256(std::string_view secret, std::string_view message) {
    // The init/update/final form takes a key of any length, as RFC 2104 does.
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, bytes(secret), secret.size());
    crypto_auth_hmacsha256_update(&state, bytes(message), message.size());
    mac out;
    crypto_auth_hmacsha256_final(&state, out.data());
    sodium_memzero(&state, sizeof state);
    return out;
}

bool ascii_iequals(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        return lower(x) == lower(y);
    });
}

std::error_code check_header(const boost::json::object& header) {
    const boost::json::value* alg = header.if_contains("alg");
    if (!alg || !alg->is_string() || alg->get_string() != "HS256") return jwt_error::bad_algorithm;
    // We implement no JWS extension, and RFC 7515 says a token naming one in crit must fail.
    if (header.contains("crit")) return jwt_error::unsupported_header;
    const boost::json::value* typ = header.if_contains("typ");
    if (typ && !(typ->is_string() && ascii_iequals(typ->get_string(), "JWT"))) {
        return jwt_error::unsupported_header;
    }
    return {};
}

bool is_object_id(std::string_view s) {
    return s.size() == 24 && std::ranges::all_of(s, [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

// A NumericDate claim (RFC 7519 allows fractions, as Node's `jsonwebtoken` does), rounded by
// `round` and clamped to what an int64 holds: nullopt when absent, an error when not a number.
template <class Round>
result<std::optional<std::int64_t>> date_claim(const boost::json::object& payload,
                                               std::string_view name, Round round) {
    const boost::json::value* v = payload.if_contains(name);
    if (!v) return std::optional<std::int64_t>();
    if (const std::int64_t* n = v->if_int64()) return std::optional(*n);
    // Boost.JSON 1.81 reads 0e99999 as NaN, which no date is.
    if (!v->is_number() || std::isnan(v->to_number<double>())) return jwt_error::bad_claims;
    // Beyond ±2^62 is centuries away either way; clamping keeps the cast defined.
    constexpr double limit = 4611686018427387904.0;
    const double d = std::clamp(round(v->to_number<double>()), -limit, limit);
    return std::optional(static_cast<std::int64_t>(d));
}

double round_down(double d) {
    return std::floor(d);
}
double round_up(double d) {
    return std::ceil(d);
}

// `username` is not needed (the user record has it), but a token without `exp` would never
// die: refused, although `jsonwebtoken` would take it.
result<claims> check_payload(const boost::json::object& payload, std::int64_t now) {
    const boost::json::value* user_id = payload.if_contains("userId");
    const boost::json::value* username = payload.if_contains("username");
    if (!user_id || !user_id->is_string() || !is_object_id(user_id->get_string())) {
        return jwt_error::bad_claims;
    }
    if (username && !username->is_string()) return jwt_error::bad_claims;
    const auto exp = date_claim(payload, "exp", round_up);
    const auto iat = date_claim(payload, "iat", round_down);
    const auto nbf = date_claim(payload, "nbf", round_up);
    if (!exp || !iat || !nbf || !*exp) return jwt_error::bad_claims;

    const std::int64_t expires = **exp;
    const std::int64_t issued = iat->value_or(0);
    const std::int64_t not_before = std::max(issued, nbf->value_or(0));
    if (not_before > now + clock_skew_seconds) return jwt_error::not_yet_valid;
    if (now >= expires) return jwt_error::expired;
    return claims{std::string(user_id->get_string()),
                  username ? std::string(username->get_string()) : std::string(), issued, expires};
}

}  // namespace

const std::error_category& jwt_category() noexcept {
    static const jwt_category_impl category;
    return category;
}

std::error_code make_error_code(jwt_error e) noexcept {
    return {static_cast<int>(e), jwt_category()};
}

std::string sign(const claims& c, std::string_view secret) {
    const boost::json::object payload{
        {"userId", c.user_id}, {"username", c.username}, {"iat", c.iat}, {"exp", c.exp}};
    const std::string payload_json = boost::json::serialize(payload);

    std::string token(encoded_header);
    token += '.';
    token += base64url_encode(bytes(payload_json), payload_json.size());
    const mac signature = hmac_sha256(secret, token);
    token += '.';
    token += base64url_encode(signature.data(), signature.size());
    return token;
}

result<claims> verify(std::string_view token, std::string_view secret, std::int64_t now) {
    if (token.size() > max_token_bytes) return jwt_error::malformed;
    const std::size_t first_dot = token.find('.');
    const std::size_t last_dot = token.rfind('.');
    if (first_dot == token.npos || first_dot == last_dot ||
        token.find('.', first_dot + 1) != last_dot) {
        return jwt_error::malformed;
    }
    const std::string_view signing_input = token.substr(0, last_dot);

    const auto header = decode_json_object(token.substr(0, first_dot));
    if (!header) return jwt_error::malformed;
    if (std::error_code ec = check_header(*header)) return ec;

    const auto signature = base64url_decode(token.substr(last_dot + 1));
    if (!signature) return jwt_error::malformed;
    if (secret.empty() || signature->size() != mac{}.size()) return jwt_error::bad_signature;
    const mac expected = hmac_sha256(secret, signing_input);
    if (crypto_verify_32(expected.data(), bytes(*signature)) != 0) return jwt_error::bad_signature;

    const auto payload = decode_json_object(signing_input.substr(first_dot + 1));
    if (!payload) return jwt_error::malformed;
    return check_payload(*payload, now);
}

}  // namespace confab::auth
