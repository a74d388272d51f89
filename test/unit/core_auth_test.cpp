// Authentication primitives: JWT HS256, argon2id passwords, the generated secret, where a
// connection's token comes from.
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <latch>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <sodium.h>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include "core/auth/jwt.hpp"
#include "core/auth/password.hpp"
#include "core/auth/secret.hpp"
#include "core/auth/token_source.hpp"
#include "core/common/random_id.hpp"

using namespace confab;
using auth::jwt_error;

namespace {

constexpr std::string_view user_id = "65a1b2c3d4e5f60718293a4b";
constexpr std::int64_t issued = 1767866400;           // 2026-01-08T10:00:00Z
constexpr std::int64_t expires = issued + 7 * 86400;  // the default lifetime
constexpr std::string_view secret = "test-secret";

// Made with Python's hmac/hashlib/base64 from {"alg":"HS256","typ":"JWT"} and
// {"userId":"65a1b2c3d4e5f60718293a4b","username":"alice","iat":1767866400,"exp":1768471200},
// key "python-reference-secret".
constexpr std::string_view python_token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJ1c2VySWQiOiI2NWExYjJjM2Q0ZTVmNjA3MTgyOTNhNGIiLCJ1c2VybmFtZSI6ImFsaWNlIiwiaWF0IjoxNzY3ODY2ND"
    "AwLCJleHAiOjE3Njg0NzEyMDB9.TqZ_Lb1gNL-IV8lWSyg4fpYr_1Do0APTEqg5GU-QcnM";

std::error_code code(jwt_error e) {
    return make_error_code(e);
}

std::error_code error_of(const auth::result<auth::claims>& r) {
    return r ? std::error_code() : r.error();
}

std::string base64url(std::string_view bytes) {
    constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), variant);
    out.pop_back();
    return out;
}

std::string hs256(std::string_view key, std::string_view message) {
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                                key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size());
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac;
    crypto_auth_hmacsha256_final(&state, mac.data());
    return std::string(mac.begin(), mac.end());
}

// A token with any header and payload text, correctly signed with `key`.
std::string forge(std::string_view header, std::string_view payload,
                  std::string_view key = secret) {
    const std::string input = base64url(header) + "." + base64url(payload);
    return input + "." + base64url(hs256(key, input));
}

std::string payload_with(std::string_view extra) {
    return R"({"userId":"65a1b2c3d4e5f60718293a4b","username":"alice","iat":1767866400,)" +
           std::string(extra) + "}";
}

const std::string standard_header = R"({"alg":"HS256","typ":"JWT"})";
const std::string standard_payload = payload_with(R"("exp":1768471200)");

auth::result<auth::claims> verify_at_issue(std::string_view token) {
    return auth::verify(token, secret, issued + 10);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_jwt)

BOOST_AUTO_TEST_CASE(sign_matches_an_independent_implementation) {
    const auth::claims c{std::string(user_id), "alice", issued, expires};
    BOOST_TEST(auth::sign(c, "python-reference-secret") == python_token);
}

BOOST_AUTO_TEST_CASE(verifies_the_reference_token) {
    const auto r = auth::verify(python_token, "python-reference-secret", issued + 10);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->user_id == user_id);
    BOOST_TEST(r->username == "alice");
    BOOST_TEST(r->iat == issued);
    BOOST_TEST(r->exp == expires);
}

BOOST_AUTO_TEST_CASE(round_trip) {
    const auth::claims c{std::string(user_id), "zoë \"quoted\" \\ name", issued, expires};
    const std::string token = auth::sign(c, secret);
    const auto r = verify_at_issue(token);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->user_id == c.user_id);
    BOOST_TEST(r->username == c.username);
    BOOST_TEST(r->iat == c.iat);
    BOOST_TEST(r->exp == c.exp);
}

BOOST_AUTO_TEST_CASE(verifies_tokens_of_node_jsonwebtoken) {
    // jwt.sign({userId, username: "carol", iat: 1767866400}, "node-secret", {expiresIn: "7d"})
    const std::string_view plain =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        "eyJ1c2VySWQiOiI2NWExYjJjM2Q0ZTVmNjA3MTgyOTNhNGIiLCJ1c2VybmFtZSI6ImNhcm9sIiwiaWF0IjoxNzY3OD"
        "Y2NDAwLCJleHAiOjE3Njg0NzEyMDB9.QH6DUGlt8DTzxxoJ40aH4IgqzZdXT0unlxfE4ZlNkAE";
    const auto r = auth::verify(plain, "node-secret", issued + 10);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->username == "carol");
    BOOST_TEST(r->exp == expires);

    // The same with {notBefore: 0, jwtid: "abc", header: {kid: "k1"}}: nbf, jti and kid are
    // extra, and ignored.
    const std::string_view extras =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0."
        "eyJ1c2VySWQiOiI2NWExYjJjM2Q0ZTVmNjA3MTgyOTNhNGIiLCJ1c2VybmFtZSI6ImNhcm9sIiwiaWF0IjoxNzk1ND"
        "g4NjczLCJuYmYiOjE3OTU0ODg2NzMsImV4cCI6MTc5NjA5MzQ3MywianRpIjoiYWJjIn0."
        "sWQk4SSgsS-fy4okuCdEMUVBuYpFeNuq3WW3p2ielqQ";
    const auto e = auth::verify(extras, "node-secret", 1795488673);
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST(e->iat == 1795488673);
}

BOOST_AUTO_TEST_CASE(header_needs_no_typ_and_reads_it_in_any_case) {
    BOOST_TEST(verify_at_issue(forge(R"({"alg":"HS256"})", standard_payload)).has_value());
    BOOST_TEST(
        verify_at_issue(forge(R"({"typ":"jwt","alg":"HS256"})", standard_payload)).has_value());
}

BOOST_AUTO_TEST_CASE(rejects_other_algorithms) {
    for (const std::string_view header :
         {R"({"alg":"none","typ":"JWT"})", R"({"alg":"None"})", R"({"alg":"HS512","typ":"JWT"})",
          R"({"alg":"RS256","typ":"JWT"})", R"({"alg":"hs256"})", R"({"alg":"HS256 "})",
          R"({"alg":null})", R"({"alg":256})", R"({"typ":"JWT"})", R"({})"}) {
        BOOST_TEST_CONTEXT(header) {
            BOOST_TEST(error_of(verify_at_issue(forge(header, standard_payload))) ==
                       code(jwt_error::bad_algorithm));
        }
    }
}

BOOST_AUTO_TEST_CASE(rejects_alg_none_with_or_without_a_signature) {
    const std::string unsigned_input =
        base64url(R"({"alg":"none","typ":"JWT"})") + "." + base64url(standard_payload);
    BOOST_TEST(error_of(verify_at_issue(unsigned_input + ".")) == code(jwt_error::bad_algorithm));
    BOOST_TEST(error_of(verify_at_issue(unsigned_input + "." +
                                        base64url(hs256(secret, unsigned_input)))) ==
               code(jwt_error::bad_algorithm));
}

BOOST_AUTO_TEST_CASE(rejects_crit_and_foreign_typ) {
    BOOST_TEST(error_of(verify_at_issue(
                   forge(R"({"alg":"HS256","crit":["exp"],"exp":1})", standard_payload))) ==
               code(jwt_error::unsupported_header));
    BOOST_TEST(
        error_of(verify_at_issue(forge(R"({"alg":"HS256","typ":"at+jwt"})", standard_payload))) ==
        code(jwt_error::unsupported_header));
    BOOST_TEST(error_of(verify_at_issue(forge(R"({"alg":"HS256","typ":1})", standard_payload))) ==
               code(jwt_error::unsupported_header));
}

BOOST_AUTO_TEST_CASE(rejects_a_tampered_payload) {
    const std::string token = forge(standard_header, standard_payload);
    const std::size_t first = token.find('.');
    const std::size_t last = token.rfind('.');
    const std::string other_payload = base64url(
        R"({"userId":"65a1b2c3d4e5f60718293a4b","username":"admin","iat":1767866400,"exp":1768471200})");
    const std::string tampered = token.substr(0, first + 1) + other_payload + token.substr(last);
    BOOST_TEST(error_of(verify_at_issue(tampered)) == code(jwt_error::bad_signature));
}

BOOST_AUTO_TEST_CASE(rejects_a_tampered_signature) {
    const std::string token = forge(standard_header, standard_payload);
    std::string flipped = token;
    char& c = flipped[flipped.rfind('.') + 5];
    c = c == 'A' ? 'B' : 'A';
    BOOST_TEST(error_of(verify_at_issue(flipped)) == code(jwt_error::bad_signature));

    // 43 characters carry 258 bits for a 256-bit MAC: the spare bits of the last one must be
    // zero, so the token has no second spelling.
    std::string respelled = token;
    char& last = respelled.back();
    const std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    last = alphabet[alphabet.find(last) ^ 1];
    BOOST_TEST(!verify_at_issue(respelled).has_value());

    const std::string short_mac =
        token.substr(0, token.rfind('.') + 1) + base64url(std::string(31, 'm'));
    BOOST_TEST(error_of(verify_at_issue(short_mac)) == code(jwt_error::bad_signature));
    BOOST_TEST(error_of(verify_at_issue(token + "=")) == code(jwt_error::malformed));
}

BOOST_AUTO_TEST_CASE(rejects_the_wrong_secret) {
    const std::string token = forge(standard_header, standard_payload);
    BOOST_TEST(error_of(auth::verify(token, "test-secreT", issued)) ==
               code(jwt_error::bad_signature));
    BOOST_TEST(error_of(auth::verify(token, "", issued)) == code(jwt_error::bad_signature));
    // An empty secret verifies nothing, not even a token signed with it.
    BOOST_TEST(error_of(auth::verify(forge(standard_header, standard_payload, ""), "", issued)) ==
               code(jwt_error::bad_signature));
}

BOOST_AUTO_TEST_CASE(a_long_secret_works_as_an_hmac_key) {
    const std::string long_secret(200, 'k');  // longer than the SHA-256 block
    const auth::claims c{std::string(user_id), "alice", issued, expires};
    BOOST_TEST(auth::verify(auth::sign(c, long_secret), long_secret, issued).has_value());
    BOOST_TEST(
        auth::verify(forge(standard_header, standard_payload, long_secret), long_secret, issued)
            .has_value());
}

BOOST_AUTO_TEST_CASE(expires_at_exp) {
    const std::string token = forge(standard_header, standard_payload);
    BOOST_TEST(auth::verify(token, secret, expires - 1).has_value());
    BOOST_TEST(error_of(auth::verify(token, secret, expires)) == code(jwt_error::expired));
    BOOST_TEST(error_of(auth::verify(token, secret, expires + 86400)) == code(jwt_error::expired));
}

BOOST_AUTO_TEST_CASE(tolerates_a_minute_of_clock_skew_and_no_more) {
    const std::string token = forge(standard_header, standard_payload);
    BOOST_TEST(auth::verify(token, secret, issued - auth::clock_skew_seconds).has_value());
    BOOST_TEST(error_of(auth::verify(token, secret, issued - auth::clock_skew_seconds - 1)) ==
               code(jwt_error::not_yet_valid));
    BOOST_TEST(error_of(auth::verify(token, secret, issued - 86400)) ==
               code(jwt_error::not_yet_valid));
}

BOOST_AUTO_TEST_CASE(respects_nbf) {
    const std::string later =
        forge(standard_header, payload_with(R"("nbf":1767870000,"exp":1768471200)"));
    BOOST_TEST(error_of(verify_at_issue(later)) == code(jwt_error::not_yet_valid));
    BOOST_TEST(auth::verify(later, secret, 1767870000).has_value());
    const std::string bad =
        forge(standard_header, payload_with(R"("nbf":"soon","exp":1768471200)"));
    BOOST_TEST(error_of(verify_at_issue(bad)) == code(jwt_error::bad_claims));
}

BOOST_AUTO_TEST_CASE(iat_is_optional) {
    const auto r = verify_at_issue(
        forge(standard_header,
              R"({"userId":"65a1b2c3d4e5f60718293a4b","username":"a","exp":1768471200})"));
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->iat == 0);
}

// What Node's jsonwebtoken also accepts: no username, fractional NumericDates.
BOOST_AUTO_TEST_CASE(username_is_optional) {
    const auto r = verify_at_issue(
        forge(standard_header, R"({"userId":"65a1b2c3d4e5f60718293a4b","exp":1768471200})"));
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->username.empty());
}

BOOST_AUTO_TEST_CASE(fractional_and_huge_dates_are_numbers) {
    const std::string fractional =
        forge(standard_header,
              R"({"userId":"65a1b2c3d4e5f60718293a4b","iat":1767866400.25,"exp":1768471200.5})");
    const auto r = verify_at_issue(fractional);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->iat == 1767866400);
    BOOST_TEST(auth::verify(fractional, secret, 1768471200).has_value());
    BOOST_TEST(error_of(auth::verify(fractional, secret, 1768471201)) == code(jwt_error::expired));
    const std::string far = forge(
        standard_header, R"({"userId":"65a1b2c3d4e5f60718293a4b","exp":18446744073709551615})");
    BOOST_TEST(verify_at_issue(far).has_value());
    const std::string far_double =
        forge(standard_header, R"({"userId":"65a1b2c3d4e5f60718293a4b","exp":1e300})");
    BOOST_TEST(verify_at_issue(far_double).has_value());
    const std::string long_ago =
        forge(standard_header, R"({"userId":"65a1b2c3d4e5f60718293a4b","exp":-1e300})");
    BOOST_TEST(error_of(verify_at_issue(long_ago)) == code(jwt_error::expired));
}

BOOST_AUTO_TEST_CASE(rejects_missing_or_mistyped_claims) {
    for (const std::string_view payload : {
             R"({"username":"alice","iat":1767866400,"exp":1768471200})",
             R"({"userId":"65a1b2c3d4e5f60718293a4b","username":7,"exp":1768471200})",
             R"({"userId":"65a1b2c3d4e5f60718293a4b","username":null,"exp":1768471200})",
             R"({"userId":"65a1b2c3d4e5f60718293a4b","username":"a","exp":"1768471200"})",
             R"({"userId":"65a1b2c3d4e5f60718293a4b","username":"a","exp":null})",
             R"({"userId":"65a1b2c3d4e5f60718293a4b","iat":0e5999940,"exp":1768471200})",
             R"({"userId":"65a1b2c3d4e5f60718293a4b","username":"alice","iat":1767866400})",
             R"({"userId":"65a1b2c3d4e5f60718293a4b","username":"a","iat":true,"exp":1768471200})",
         }) {
        BOOST_TEST_CONTEXT(payload) {
            BOOST_TEST(error_of(verify_at_issue(forge(standard_header, payload))) ==
                       code(jwt_error::bad_claims));
        }
    }
}

BOOST_AUTO_TEST_CASE(rejects_a_user_id_that_is_not_an_object_id) {
    for (const std::string_view id :
         {R"("65A1B2C3D4E5F60718293A4B")", R"("65a1b2c3d4e5f60718293a4")",
          R"("65a1b2c3d4e5f60718293a4b0")", R"("65a1b2c3d4e5f60718293a4g")", R"("")",
          R"(123456789012345678901234)", R"(["65a1b2c3d4e5f60718293a4b"])"}) {
        BOOST_TEST_CONTEXT(id) {
            const std::string payload =
                R"({"userId":)" + std::string(id) + R"(,"username":"a","exp":1768471200})";
            BOOST_TEST(error_of(verify_at_issue(forge(standard_header, payload))) ==
                       code(jwt_error::bad_claims));
        }
    }
}

BOOST_AUTO_TEST_CASE(rejects_garbage_without_throwing) {
    const std::string good = forge(standard_header, standard_payload);
    const std::string signature = good.substr(good.rfind('.'));
    for (const std::string& token : {
             std::string(),
             std::string("."),
             std::string(".."),
             std::string("..."),
             std::string("a.b.c"),
             std::string("!!!.!!!.!!!"),
             std::string("eyJhbGciOiJIUzI1NiJ9"),
             std::string(1000, '.'),
             std::string("\0\0\0.\0.\0", 8),
             base64url("not json") + "." + base64url(standard_payload) + signature,
             base64url("[\"HS256\"]") + "." + base64url(standard_payload) + signature,
             base64url(standard_header + " trailing") + "." + base64url(standard_payload) +
                 signature,
             base64url(standard_header) + "==." + base64url(standard_payload) + signature,
             " " + good,
             good + "\n",
         }) {
        BOOST_TEST_CONTEXT(token) {
            BOOST_TEST(error_of(verify_at_issue(token)) == code(jwt_error::malformed));
        }
    }
    // The payload is not even decoded unless the signature matches.
    BOOST_TEST(error_of(verify_at_issue(base64url(standard_header) + ".%%%" + signature)) ==
               code(jwt_error::bad_signature));
    // A well-signed payload that is no JSON object is malformed, not a claims problem.
    BOOST_TEST(error_of(verify_at_issue(forge(standard_header, "[1,2]"))) ==
               code(jwt_error::malformed));
    BOOST_TEST(error_of(verify_at_issue(forge(standard_header, "{\"userId\":"))) ==
               code(jwt_error::malformed));
}

BOOST_AUTO_TEST_CASE(rejects_two_or_four_parts) {
    const std::string token = forge(standard_header, standard_payload);
    const std::string two = token.substr(0, token.rfind('.'));
    BOOST_TEST(error_of(verify_at_issue(two)) == code(jwt_error::malformed));
    BOOST_TEST(error_of(verify_at_issue(token + ".")) == code(jwt_error::malformed));
    BOOST_TEST(error_of(verify_at_issue(token + "." + token.substr(token.rfind('.') + 1))) ==
               code(jwt_error::malformed));
}

BOOST_AUTO_TEST_CASE(rejects_a_huge_token_even_when_well_signed) {
    const std::string padding(auth::max_token_bytes, 'x');
    const std::string huge =
        forge(standard_header, payload_with(R"("pad":")" + padding + R"(","exp":1768471200)"));
    BOOST_TEST(error_of(verify_at_issue(huge)) == code(jwt_error::malformed));
    BOOST_TEST(error_of(verify_at_issue(std::string(10 * 1024 * 1024, 'A'))) ==
               code(jwt_error::malformed));
}

BOOST_AUTO_TEST_CASE(deeply_nested_json_is_rejected) {
    const std::string deep = std::string(100, '[') + std::string(100, ']');
    BOOST_TEST(error_of(verify_at_issue(forge(standard_header, R"({"x":)" + deep + "}"))) ==
               code(jwt_error::malformed));
}

BOOST_AUTO_TEST_CASE(errors_have_messages) {
    BOOST_TEST(std::string(auth::jwt_category().name()) == "confab.jwt");
    for (int e = 1; e <= static_cast<int>(jwt_error::bad_claims); ++e) {
        BOOST_TEST(code(static_cast<jwt_error>(e)).message() != "unknown token error");
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(auth_password)

BOOST_AUTO_TEST_CASE(hash_then_verify) {
    const std::string hash = auth::hash_password("correct horse battery staple");
    BOOST_TEST(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    BOOST_TEST(auth::verify_password(hash, "correct horse battery staple"));
    BOOST_TEST(!auth::verify_password(hash, "correct horse battery stapl"));
    BOOST_TEST(!auth::verify_password(hash, "Correct horse battery staple"));
    BOOST_TEST(!auth::verify_password(hash, ""));
}

BOOST_AUTO_TEST_CASE(hashes_are_salted) {
    const std::string a = auth::hash_password("same password");
    const std::string b = auth::hash_password("same password");
    BOOST_TEST(a != b);
    BOOST_TEST(auth::verify_password(a, "same password"));
    BOOST_TEST(auth::verify_password(b, "same password"));
}

BOOST_AUTO_TEST_CASE(every_byte_counts) {
    const std::string with_nul("pass\0word", 9);
    const std::string hash = auth::hash_password(with_nul);
    BOOST_TEST(auth::verify_password(hash, with_nul));
    BOOST_TEST(!auth::verify_password(hash, "pass"));
    const std::string empty = auth::hash_password("");
    BOOST_TEST(auth::verify_password(empty, ""));
    BOOST_TEST(!auth::verify_password(empty, " "));
}

BOOST_AUTO_TEST_CASE(length_limit) {
    const std::string longest(auth::max_password_bytes, 'p');
    const std::string hash = auth::hash_password(longest);
    BOOST_TEST(auth::verify_password(hash, longest));
    BOOST_TEST(!auth::verify_password(hash, longest + "p"));
    BOOST_CHECK_THROW(auth::hash_password(longest + "p"), std::length_error);
}

BOOST_AUTO_TEST_CASE(rejects_garbage_and_other_algorithms) {
    BOOST_TEST(!auth::verify_password("", "x"));
    BOOST_TEST(!auth::verify_password("$argon2id$", "x"));
    BOOST_TEST(!auth::verify_password("plaintext", "plaintext"));
    BOOST_TEST(!auth::verify_password(std::string(4096, '$'), "x"));
    const std::string hash = auth::hash_password("pw");
    BOOST_TEST(!auth::verify_password(hash.substr(0, hash.size() - 1), "pw"));

    // An argon2i hash is not one of ours.
    std::array<char, crypto_pwhash_STRBYTES> argon2i{};
    BOOST_TEST_REQUIRE(crypto_pwhash_str_alg(argon2i.data(), "pw", 2, 3, 8 * 1024 * 1024,
                                             crypto_pwhash_ALG_ARGON2I13) == 0);
    BOOST_TEST(!auth::verify_password(argon2i.data(), "pw"));
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

struct temp_dir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("confab-auth-test-" + random_id());
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

void write_file(const std::filesystem::path& file, std::string_view text) {
    std::ofstream(file, std::ios::binary) << text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auth_secret)

BOOST_AUTO_TEST_CASE(created_private_then_reused) {
    temp_dir dir;
    const std::filesystem::path data_dir = dir.path / "nested" / "data";
    const std::string secret = auth::load_or_create_secret(data_dir);
    BOOST_TEST(secret.size() == 64u);
    BOOST_TEST(secret.find_first_not_of("0123456789abcdef") == std::string::npos);

    const std::filesystem::path file = data_dir / "jwt_secret";
    const auto mode = std::filesystem::status(file).permissions() & std::filesystem::perms::all;
    BOOST_TEST(static_cast<unsigned>(mode) == 0600u);
    // The temporary file is gone.
    BOOST_TEST(std::distance(std::filesystem::directory_iterator(data_dir),
                             std::filesystem::directory_iterator()) == 1);

    BOOST_TEST(auth::load_or_create_secret(data_dir) == secret);
    BOOST_TEST(auth::load_or_create_secret(dir.path / "other") != secret);
}

BOOST_AUTO_TEST_CASE(concurrent_first_starts_agree_on_one_secret) {
    temp_dir dir;
    std::array<std::string, 8> secrets;
    std::latch go(secrets.size());
    {
        std::vector<std::jthread> threads;
        for (std::string& secret : secrets) {
            threads.emplace_back([&] {
                go.arrive_and_wait();
                secret = auth::load_or_create_secret(dir.path);
            });
        }
    }
    for (const std::string& secret : secrets) BOOST_TEST(secret == secrets[0]);
    BOOST_TEST(std::distance(std::filesystem::directory_iterator(dir.path),
                             std::filesystem::directory_iterator()) == 1);
}

BOOST_AUTO_TEST_CASE(an_existing_file_is_read_and_trimmed) {
    temp_dir dir;
    std::filesystem::create_directories(dir.path);
    write_file(dir.path / "jwt_secret", "  set by the operator \n");
    BOOST_TEST(auth::load_or_create_secret(dir.path) == "set by the operator");
}

BOOST_AUTO_TEST_CASE(bad_files_stop_start_up_with_the_path) {
    temp_dir dir;
    std::filesystem::create_directories(dir.path);
    const std::string file = (dir.path / "jwt_secret").string();
    const auto message_names_file = [&](const std::system_error& e) {
        return std::string(e.what()).find(file) != std::string::npos;
    };

    write_file(file, " \n");
    BOOST_CHECK_EXCEPTION(auth::load_or_create_secret(dir.path), std::system_error,
                          message_names_file);

    write_file(file, std::string(100000, 'k'));
    BOOST_CHECK_EXCEPTION(auth::load_or_create_secret(dir.path), std::system_error,
                          message_names_file);

    std::filesystem::remove(file);
    std::filesystem::create_directory(file);  // a directory where the file should be
    BOOST_CHECK_THROW(auth::load_or_create_secret(dir.path), std::system_error);

    const std::filesystem::path not_a_dir = dir.path / "plain";
    write_file(not_a_dir, "x");
    BOOST_CHECK_THROW(auth::load_or_create_secret(not_a_dir), std::system_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(auth_token_source)

BOOST_AUTO_TEST_CASE(bearer_header) {
    BOOST_TEST(auth::bearer_token("Bearer abc.def.ghi").value_or("-") == "abc.def.ghi");
    BOOST_TEST(auth::bearer_token("bearer abc").value_or("-") == "abc");
    BOOST_TEST(auth::bearer_token("BEARER   abc  ").value_or("-") == "abc");
    BOOST_TEST(auth::bearer_token(" \tBearer\tabc").value_or("-") == "abc");
    BOOST_TEST(!auth::bearer_token("").has_value());
    BOOST_TEST(!auth::bearer_token("Bearer").has_value());
    BOOST_TEST(!auth::bearer_token("Bearer    ").has_value());
    BOOST_TEST(!auth::bearer_token("Bearerabc").has_value());
    BOOST_TEST(!auth::bearer_token("Basic YWxhZGRpbjpvcGVuc2VzYW1l").has_value());
    BOOST_TEST(!auth::bearer_token("abc").has_value());
}

BOOST_AUTO_TEST_CASE(auth_payload_then_header_then_query) {
    const std::map<std::string, std::string, std::less<>> query{{"token", "from-query"},
                                                                {"EIO", "4"}};
    const std::map<std::string, std::string, std::less<>> no_query;
    const boost::json::value auth = boost::json::parse(R"({"token":"from-auth"})");
    const boost::json::value none;

    BOOST_TEST(auth::find_token(auth, "Bearer from-header", query).value_or("-") == "from-auth");
    BOOST_TEST(auth::find_token(none, "Bearer from-header", query).value_or("-") == "from-header");
    BOOST_TEST(auth::find_token(none, "", query).value_or("-") == "from-query");
    BOOST_TEST(auth::find_token(none, "Basic x", query).value_or("-") == "from-query");
    BOOST_TEST(!auth::find_token(none, "", no_query).has_value());
    BOOST_TEST(!auth::find_token(none, "", {{"token", ""}}).has_value());
}

BOOST_AUTO_TEST_CASE(an_auth_payload_without_a_string_token_is_skipped) {
    const std::map<std::string, std::string, std::less<>> query{{"token", "from-query"}};
    for (const std::string_view payload :
         {R"({})", R"({"token":""})", R"({"token":42})", R"({"token":null})", R"({"Token":"x"})",
          R"("token")", R"(["token"])"}) {
        BOOST_TEST_CONTEXT(payload) {
            BOOST_TEST(auth::find_token(boost::json::parse(payload), "", query).value_or("-") ==
                       "from-query");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
