// The REST routes as plain functions over a real store in a temporary directory: no sockets.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include "core/auth/jwt.hpp"
#include "core/auth/password.hpp"
#include "core/chat/rest/account_rules.hpp"
#include "core/chat/rest/auth_routes.hpp"
#include "core/chat/rest/authenticate.hpp"
#include "core/chat/rest/chat_routes.hpp"
#include "core/chat/rest/dispatch.hpp"
#include "core/chat/rest/input.hpp"
#include "core/chat/rest/routes.hpp"
#include "db_fixture.hpp"

namespace rest = confab::chat::rest;
namespace db = confab::db;
namespace json = boost::json;
namespace auth = confab::auth;

namespace {

constexpr std::string_view secret = "rest-test-secret";
constexpr std::int64_t lifetime = 3600;

// The error code of an error reply, "" for any other.
std::string code_of(const rest::rest_reply& r) {
    const auto* o = r.body.if_object();
    const auto* e = o ? o->if_contains("error") : nullptr;
    return e ? std::string(e->at("code").as_string()) : std::string{};
}

std::string message_of(const rest::rest_reply& r) {
    return std::string(r.body.at("error").at("message").as_string());
}

// The value of a result that must have one.
template <class T>
T ok(confab::chat::checked<T> r) {
    BOOST_REQUIRE(r);
    return std::move(*r);
}

std::string str(const json::value& v) {
    return std::string(v.as_string());
}

std::vector<std::string> strings(const json::value& v) {
    std::vector<std::string> out;
    for (const auto& s : v.as_array()) out.push_back(str(s));
    return out;
}

bool contains(const std::vector<std::string>& all, const std::string& one) {
    return std::find(all.begin(), all.end(), one) != all.end();
}

struct rest_fixture : db::test::store_fixture {
    rest::rest_settings settings{
        .jwt_secret = std::string(secret),
        .token_lifetime_seconds = lifetime,
        .now = [this] { return seconds; },
    };
    std::int64_t seconds = 1'700'000'000;

    std::string token_for(const db::user& u) {
        return auth::sign({u.id.to_hex(), u.username, seconds, seconds + lifetime}, secret);
    }
    std::string bearer(const db::user& u) { return "Bearer " + token_for(u); }

    rest::rest_reply call(std::string_view method, std::string_view path, std::string_view body,
                          std::string_view authorization, const rest::query_params& query = {}) {
        return rest::dispatch(*db, settings,
                              {method, path, query, body, rest::identify(settings, authorization)});
    }
    rest::rest_reply get(const db::user& as, std::string_view path,
                         const rest::query_params& query = {}) {
        return call("GET", path, "", bearer(as), query);
    }
    rest::rest_reply post(const db::user& as, std::string_view path, std::string_view body) {
        return call("POST", path, body, bearer(as));
    }
    rest::rest_reply post(const db::user& as, std::string_view path, const json::value& body) {
        return post(as, path, json::serialize(body));
    }
    rest::rest_reply del(const db::user& as, std::string_view path) {
        return call("DELETE", path, "", bearer(as));
    }

    // Registration through the route, with a real argon2id hash.
    rest::rest_reply register_user(std::string_view username, std::string_view email,
                                   std::string_view password) {
        const json::object body{{"username", username}, {"email", email}, {"password", password}};
        return call("POST", "/api/auth/register", json::serialize(body), "");
    }
    rest::rest_reply login(const json::object& body) {
        return call("POST", "/api/auth/login", json::serialize(body), "");
    }

    db::chat_view group_of(const db::user& admin, std::initializer_list<db::object_id> members) {
        auto view = db->get_chat(add_group(admin, members).id, admin.id);
        BOOST_REQUIRE(view);
        return *view;
    }
    db::chat direct_of(const db::user& a, const db::user& b) {
        auto c = db->create_direct_chat(a.id, b.id);
        BOOST_REQUIRE(c);
        return c->info;
    }
};

std::string chat_path(const db::object_id& chat, std::string_view tail = "") {
    return "/api/chats/" + chat.to_hex() + std::string(tail);
}

}  // namespace

// --- request input ---

BOOST_AUTO_TEST_SUITE(rest_input)

BOOST_AUTO_TEST_CASE(body_must_be_a_json_object) {
    BOOST_TEST(ok(rest::parse_body("")).empty());
    BOOST_TEST(ok(rest::parse_body(" \r\n")).empty());
    BOOST_TEST(ok(rest::parse_body(R"({"a":1})")).at("a").as_int64() == 1);
    BOOST_TEST(ok(rest::parse_body("\xEF\xBB\xBF{\"a\":2}")).at("a").as_int64() == 2);  // a BOM
    for (const char* bad : {"[1]", "42", "\"x\"", "null", "{bad", "{\"a\":1", "{} {}"}) {
        auto r = rest::parse_body(bad);
        BOOST_TEST_CONTEXT(bad) {
            BOOST_REQUIRE(!r);
            BOOST_TEST((r.error().code == confab::chat::code::bad_request));
        }
    }
}

BOOST_AUTO_TEST_CASE(body_depth_is_limited) {
    const auto nested = [](std::size_t depth) {
        std::string s;
        for (std::size_t i = 1; i < depth; ++i) s += R"({"a":)";
        s += "{}";
        for (std::size_t i = 1; i < depth; ++i) s += "}";
        return s;
    };
    BOOST_TEST(rest::parse_body(nested(rest::max_body_depth)).has_value());
    BOOST_TEST(!rest::parse_body(nested(rest::max_body_depth + 1)).has_value());
}

BOOST_AUTO_TEST_CASE(limits_are_whole_numbers_from_one_cut_at_the_maximum) {
    const auto limit = [](std::optional<std::string> v) {
        rest::query_params q;
        if (v) q.emplace("limit", *v);
        return rest::parse_limit(q, "limit", 20, 100);
    };
    BOOST_TEST(ok(limit(std::nullopt)) == 20u);
    BOOST_TEST(ok(limit("")) == 20u);
    BOOST_TEST(ok(limit("1")) == 1u);
    BOOST_TEST(ok(limit("007")) == 7u);
    BOOST_TEST(ok(limit("100")) == 100u);
    BOOST_TEST(ok(limit("101")) == 100u);
    BOOST_TEST(ok(limit("99999999999999999999999999")) == 100u);
    for (const char* bad : {"0", "000", "-1", "+5", "1.5", "abc", "5x", " 5"}) {
        BOOST_TEST_CONTEXT(bad) {
            auto r = limit(bad);
            BOOST_REQUIRE(!r);
            BOOST_TEST((r.error().code == confab::chat::code::bad_request));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

// --- routing ---

BOOST_AUTO_TEST_SUITE(rest_routes)

BOOST_AUTO_TEST_CASE(every_route_is_found_with_its_parameters) {
    using rest::route_id;
    const auto id_of = [](std::string_view method, std::string_view path) {
        auto r = rest::match_route(method, path);
        BOOST_REQUIRE(r);
        return r->id;
    };
    BOOST_TEST((id_of("GET", "/healthz") == route_id::health));
    BOOST_TEST((id_of("POST", "/api/auth/register") == route_id::register_user));
    BOOST_TEST((id_of("POST", "/api/auth/login") == route_id::login));
    BOOST_TEST((id_of("GET", "/api/users/me") == route_id::me));
    BOOST_TEST((id_of("GET", "/api/users") == route_id::search_users));
    BOOST_TEST((id_of("POST", "/api/chats") == route_id::create_chat));
    BOOST_TEST((id_of("GET", "/api/chats") == route_id::list_chats));
    BOOST_TEST((id_of("GET", "/api/chats/c1") == route_id::get_chat));
    BOOST_TEST((id_of("POST", "/api/chats/c1/participants") == route_id::add_participant));
    BOOST_TEST((id_of("DELETE", "/api/chats/c1/participants/u1") == route_id::remove_participant));
    BOOST_TEST((id_of("GET", "/api/chats/c1/messages") == route_id::list_messages));

    auto r = rest::match_route("DELETE", "/api/chats/abc/participants/def");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->chat_id == "abc");
    BOOST_TEST(r->user_id == "def");
}

BOOST_AUTO_TEST_CASE(paths_match_like_express) {
    // Literal segments ignore case, one trailing slash is fine, parameters keep their case.
    auto r = rest::match_route("GET", "/API/Chats/AbC/Messages/");
    BOOST_REQUIRE(r);
    BOOST_TEST((r->id == rest::route_id::list_messages));
    BOOST_TEST(r->chat_id == "AbC");
    BOOST_TEST(rest::match_route("GET", "/api/chats/").has_value());

    BOOST_TEST(!rest::match_route("GET", "/api/chats//messages"));  // empty :chatId
    BOOST_TEST(!rest::match_route("GET", "/api/chats/x/messages//"));
    BOOST_TEST(!rest::match_route("GET", "/api/chat"));
    BOOST_TEST(!rest::match_route("GET", "/api/chats/x/y"));
    BOOST_TEST(!rest::match_route("GET", "/api"));
    BOOST_TEST(!rest::match_route("GET", ""));
    BOOST_TEST(!rest::match_route("GET", "api/chats"));
    // A known path with another method is no route: Express answers 404.
    BOOST_TEST(!rest::match_route("PUT", "/api/chats"));
    BOOST_TEST(!rest::match_route("GET", "/api/auth/login"));
    BOOST_TEST(!rest::match_route("post", "/api/chats"));
}

BOOST_AUTO_TEST_SUITE_END()

// --- account rules ---

BOOST_AUTO_TEST_SUITE(rest_accounts)

BOOST_AUTO_TEST_CASE(usernames) {
    BOOST_TEST(!rest::check_username("abc"));
    BOOST_TEST(!rest::check_username("Alice_1.x-y"));
    BOOST_TEST(!rest::check_username(std::string(64, 'a')));
    for (const auto& bad :
         std::vector<std::string>{"ab", std::string(65, 'a'), "a b", "al@ce", "élan", "a/b", ""})
        BOOST_TEST(rest::check_username(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(emails) {
    BOOST_TEST(!rest::check_email("a@b.c"));
    BOOST_TEST(!rest::check_email("Ann.Lee+chat@mail.example.com"));
    const std::string longest = std::string(64, 'a') + "@" + std::string(185, 'b') + ".com";
    BOOST_TEST(longest.size() == 254u);
    BOOST_TEST(!rest::check_email(longest));
    for (const auto& bad :
         std::vector<std::string>{"", "ab.c", "a@@b.c", "a@b@c.d", "@b.c", "a@b", "a@.b", "a@b.",
                                  "a b@c.d", "a@b.c\n", longest + "m"})
        BOOST_TEST(rest::check_email(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(passwords) {
    BOOST_TEST(!rest::check_password("123456"));
    BOOST_TEST(!rest::check_password("éééééé"));  // six characters, twelve bytes
    BOOST_TEST(!rest::check_password(std::string(auth::max_password_bytes, 'p')));
    for (const auto& bad : std::vector<std::string>{"", "12345", "ééééé",
                                                    std::string(auth::max_password_bytes + 1, 'p')})
        BOOST_TEST(rest::check_password(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(trimming) {
    BOOST_TEST(rest::trimmed("  a b\t\r\n") == "a b");
    BOOST_TEST(rest::trimmed(" \t ") == "");
    BOOST_TEST(rest::trimmed("") == "");
}

BOOST_AUTO_TEST_SUITE_END()

// --- register and login ---

BOOST_FIXTURE_TEST_SUITE(rest_auth, rest_fixture)

BOOST_AUTO_TEST_CASE(register_returns_a_token_and_the_user) {
    auto r = register_user(" alice ", " Alice@Example.com ", "secret-pw");
    BOOST_TEST(r.status == 201u);
    const auto& user = r.body.at("user").as_object();
    BOOST_TEST(str(user.at("username")) == "alice");  // trimmed
    BOOST_TEST(str(user.at("email")) == "Alice@Example.com");
    BOOST_TEST(str(user.at("status")) == "offline");
    BOOST_TEST(user.contains("_id"));
    BOOST_TEST(user.contains("createdAt"));
    BOOST_TEST(user.contains("lastSeen"));
    BOOST_TEST(!user.contains("password"));
    BOOST_TEST(!user.contains("passwordHash"));
    BOOST_TEST(json::serialize(r.body).find("argon2") == std::string::npos);

    auto claims = auth::verify(str(r.body.at("token")), secret, seconds);
    BOOST_REQUIRE(claims);
    BOOST_TEST(claims->user_id == str(user.at("_id")));
    BOOST_TEST(claims->username == "alice");
    BOOST_TEST(claims->iat == seconds);
    BOOST_TEST(claims->exp == seconds + lifetime);

    // The stored hash is argon2id, not the password.
    auto stored = db->find_user_by_username("alice");
    BOOST_REQUIRE(stored);
    BOOST_TEST(stored->password_hash.starts_with("$argon2id$"));
}

BOOST_AUTO_TEST_CASE(register_refuses_taken_names_ignoring_case) {
    BOOST_TEST(register_user("alice", "alice@example.com", "secret-pw").status == 201u);

    auto same_name = register_user("ALICE", "other@example.com", "secret-pw");
    BOOST_TEST(same_name.status == 409u);
    BOOST_TEST(code_of(same_name) == "CONFLICT");
    BOOST_TEST(message_of(same_name) == "Username already taken");

    auto same_email = register_user("alice2", "ALICE@example.COM", "secret-pw");
    BOOST_TEST(same_email.status == 409u);
    BOOST_TEST(code_of(same_email) == "CONFLICT");
    BOOST_TEST(message_of(same_email) == "Email already registered");
}

BOOST_AUTO_TEST_CASE(register_refuses_bad_input) {
    const auto status_of = [&](const json::object& body) {
        auto r = call("POST", "/api/auth/register", json::serialize(body), "");
        if (r.status == 400) BOOST_TEST(code_of(r) == "BAD_REQUEST");
        return r.status;
    };
    const json::object good{
        {"username", "bob"}, {"email", "bob@example.com"}, {"password", "pw123456"}};
    for (const char* field : {"username", "email", "password"}) {
        auto missing = good;
        missing.erase(field);
        BOOST_TEST(status_of(missing) == 400u, "missing " << field);
        auto null = good;
        null[field] = nullptr;
        BOOST_TEST(status_of(null) == 400u, "null " << field);
        auto number = good;
        number[field] = 5;
        BOOST_TEST(status_of(number) == 400u, "number " << field);
    }
    auto bad = good;
    bad["username"] = "b";
    BOOST_TEST(status_of(bad) == 400u);
    bad = good;
    bad["email"] = "bob.example.com";
    BOOST_TEST(status_of(bad) == 400u);
    bad = good;
    bad["password"] = "12345";
    BOOST_TEST(status_of(bad) == 400u);
    bad = good;
    bad["password"] = std::string(auth::max_password_bytes + 1, 'p');
    BOOST_TEST(status_of(bad) == 400u);

    BOOST_TEST(call("POST", "/api/auth/register", "", "").status == 400u);
    BOOST_TEST(call("POST", "/api/auth/register", "{nope", "").status == 400u);
    BOOST_TEST(call("POST", "/api/auth/register", "[]", "").status == 400u);
    BOOST_TEST(!db->find_user_by_username("bob"));
}

BOOST_AUTO_TEST_CASE(login_by_email_or_username) {
    auto registered = register_user("carol", "Carol@Example.com", "pass-word");
    BOOST_REQUIRE(registered.status == 201u);
    const auto id = str(registered.body.at("user").at("_id"));
    seconds += 100;

    for (const json::object& body : {
             json::object{{"email", "carol@example.com"}, {"password", "pass-word"}},
             json::object{{"username", "CAROL"}, {"password", "pass-word"}},
             // A client that sends whatever was typed in the "email" box.
             json::object{{"email", "carol"}, {"password", "pass-word"}},
             json::object{{"email", nullptr}, {"username", "carol"}, {"password", "pass-word"}},
             json::object{{"email", ""}, {"username", "carol"}, {"password", "pass-word"}},
         }) {
        BOOST_TEST_CONTEXT(json::serialize(body)) {
            auto r = login(body);
            BOOST_TEST(r.status == 200u);
            BOOST_TEST(str(r.body.at("user").at("_id")) == id);
            auto claims = auth::verify(str(r.body.at("token")), secret, seconds);
            BOOST_REQUIRE(claims);
            BOOST_TEST(claims->user_id == id);
            BOOST_TEST(claims->iat == seconds);
        }
    }
}

BOOST_AUTO_TEST_CASE(login_refuses_wrong_password_and_unknown_users_alike) {
    BOOST_REQUIRE(register_user("dave", "dave@example.com", "right-pw").status == 201u);
    auto wrong = login({{"username", "dave"}, {"password", "wrong-pw"}});
    auto unknown_name = login({{"username", "nobody"}, {"password", "right-pw"}});
    auto unknown_email = login({{"email", "nobody@example.com"}, {"password", "right-pw"}});
    for (const auto* r : {&wrong, &unknown_name, &unknown_email}) {
        BOOST_TEST(r->status == 401u);
        BOOST_TEST(code_of(*r) == "UNAUTHORIZED");
        BOOST_TEST(message_of(*r) == message_of(wrong));
    }
}

BOOST_AUTO_TEST_CASE(login_refuses_bad_input) {
    BOOST_TEST(login({{"username", "dave"}}).status == 400u);
    BOOST_TEST(login({{"password", "pw"}}).status == 400u);
    BOOST_TEST(login({{"email", 5}, {"password", "pw"}}).status == 400u);
    BOOST_TEST(login({{"username", "dave"}, {"password", false}}).status == 400u);
    BOOST_TEST(call("POST", "/api/auth/login", "", "").status == 400u);
    BOOST_TEST(call("POST", "/api/auth/login", "\"dave\"", "").status == 400u);
}

BOOST_AUTO_TEST_CASE(handlers_are_callable_directly) {
    auto r = rest::register_user(
        *db, settings,
        {{"username", "erin"}, {"email", "erin@example.com"}, {"password", "pw-erin"}});
    BOOST_TEST(r.status == 201u);
    BOOST_TEST(rest::login(*db, settings, {{"username", "erin"}, {"password", "pw-erin"}}).status ==
               200u);
}

BOOST_AUTO_TEST_SUITE_END()

// --- authentication and users ---

BOOST_FIXTURE_TEST_SUITE(rest_users, rest_fixture)

BOOST_AUTO_TEST_CASE(me_returns_the_caller) {
    const auto ann = add_user("ann");
    auto r = get(ann, "/api/users/me");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(str(r.body.at("_id")) == ann.id.to_hex());
    BOOST_TEST(str(r.body.at("username")) == "ann");
    BOOST_TEST(str(r.body.at("email")) == "ann@example.com");
    BOOST_TEST(!r.body.as_object().contains("password"));
    BOOST_TEST(json::serialize(r.body).find("hash-of-ann") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(protected_routes_need_a_valid_token_of_a_live_user) {
    const auto ann = add_user("ann");
    const auto me = [&](std::string authorization) {
        auto r = call("GET", "/api/users/me", "", authorization);
        if (r.status == 401) BOOST_TEST(code_of(r) == "UNAUTHORIZED");
        return r;
    };
    BOOST_TEST(me("bearer " + token_for(ann)).status == 200u);  // any case of the scheme

    BOOST_TEST(me("").status == 401u);
    BOOST_TEST(me("Bearer").status == 401u);
    BOOST_TEST(me("Bearer ").status == 401u);
    BOOST_TEST(me("Basic " + token_for(ann)).status == 401u);
    BOOST_TEST(me(token_for(ann)).status == 401u);
    BOOST_TEST(me("Bearer not.a.token").status == 401u);
    BOOST_TEST(me("Bearer " + auth::sign({ann.id.to_hex(), "ann", seconds, seconds + 60}, "other"))
                   .status == 401u);

    // Expired: valid until exp, dead from then on.
    const auto token = "Bearer " + token_for(ann);
    seconds += lifetime - 1;
    BOOST_TEST(me(token).status == 200u);
    seconds += 1;
    auto expired = me(token);
    BOOST_TEST(expired.status == 401u);
    BOOST_TEST(message_of(expired) == "Invalid or expired token");

    // A well-signed token whose user does not exist.
    auto ghost = me(
        "Bearer " +
        auth::sign({db::object_id::generate().to_hex(), "ghost", seconds, seconds + 60}, secret));
    BOOST_TEST(ghost.status == 401u);
    BOOST_TEST(message_of(ghost) == "User no longer exists");
}

// What the request queue takes turns by, before the store is asked: the token's user, checked
// once per request.
BOOST_AUTO_TEST_CASE(identify_names_the_user_of_a_verified_token_without_the_store) {
    const std::string ghost_id = db::object_id::generate().to_hex();
    const auto ghost = rest::identify(
        settings, "Bearer " + auth::sign({ghost_id, "ghost", seconds, seconds + 60}, secret));
    BOOST_TEST(ghost.has_value());
    if (ghost) BOOST_TEST(*ghost == ghost_id);  // no user behind it: authenticate's 401

    const auto forged = rest::identify(
        settings, "Bearer " + auth::sign({ghost_id, "ghost", seconds, seconds + 60}, "other"));
    BOOST_TEST(!forged.has_value());
    if (!forged) BOOST_TEST(forged.error().message == "Invalid or expired token");
    const auto anonymous = rest::identify(settings, "");
    BOOST_TEST(!anonymous.has_value());
    if (!anonymous) BOOST_TEST(anonymous.error().message == "Authentication required");
}

BOOST_AUTO_TEST_CASE(every_protected_route_refuses_anonymous_callers) {
    const auto ann = add_user("ann");
    const auto group = group_of(ann, {});
    const auto chat = chat_path(group.info.id);
    const std::vector<std::pair<std::string, std::string>> routes{
        {"GET", "/api/users/me"},
        {"GET", "/api/users"},
        {"POST", "/api/chats"},
        {"GET", "/api/chats"},
        {"GET", chat},
        {"POST", chat + "/participants"},
        {"DELETE", chat + "/participants/" + ann.id.to_hex()},
        {"GET", chat + "/messages"},
    };
    for (const auto& [method, path] : routes) {
        auto r = call(method, path, "{}", "");
        BOOST_TEST(r.status == 401u, method << " " << path);
        BOOST_TEST(r.removed.empty());
    }
    BOOST_TEST(db->get_chat(group.info.id, ann.id)->members.size() == 1u);
}

BOOST_AUTO_TEST_CASE(search_by_prefix_ignoring_case) {
    const auto ann = add_user("ann");
    add_user("Anna");
    add_user("annette");
    add_user("bob");
    auto r = get(ann, "/api/users", {{"search", "AN"}});
    BOOST_TEST(r.status == 200u);
    std::vector<std::string> names;
    for (const auto& u : r.body.as_array()) {
        names.push_back(str(u.at("username")));
        BOOST_TEST(!u.as_object().contains("password"));
    }
    BOOST_TEST(names == (std::vector<std::string>{"ann", "Anna", "annette"}),
               boost::test_tools::per_element());

    BOOST_TEST(get(ann, "/api/users", {{"search", "an"}, {"limit", "2"}}).body.as_array().size() ==
               2u);
    BOOST_TEST(get(ann, "/api/users", {{"search", "zed"}}).body.as_array().empty());
    // No prefix: everyone, the caller too.
    BOOST_TEST(get(ann, "/api/users").body.as_array().size() == 4u);
    BOOST_TEST(get(ann, "/api/users", {{"search", ""}}).body.as_array().size() == 4u);
}

BOOST_AUTO_TEST_CASE(search_limit_defaults_to_20_and_stops_at_100) {
    const auto first = add_user("user000");
    for (int i = 1; i < 120; ++i) add_user(fmt::format("user{:03}", i));
    BOOST_TEST(get(first, "/api/users").body.as_array().size() == 20u);
    BOOST_TEST(get(first, "/api/users", {{"limit", "500"}}).body.as_array().size() == 100u);
    BOOST_TEST(get(first, "/api/users", {{"limit", "1"}}).body.as_array().size() == 1u);
    for (const char* bad : {"0", "-3", "ten", "2.5"}) {
        auto r = get(first, "/api/users", {{"limit", bad}});
        BOOST_TEST(r.status == 400u, bad);
        BOOST_TEST(code_of(r) == "BAD_REQUEST");
    }
}

BOOST_AUTO_TEST_SUITE_END()

// --- chats ---

BOOST_FIXTURE_TEST_SUITE(rest_chats, rest_fixture)

BOOST_AUTO_TEST_CASE(direct_chat_is_created_then_returned) {
    const auto ann = add_user("ann");
    const auto ben = add_user("ben");
    const json::object body{{"type", "direct"}, {"participantIds", json::array{ben.id.to_hex()}}};

    auto created = post(ann, "/api/chats", body);
    BOOST_TEST(created.status == 201u);
    const auto& chat = created.body.as_object();
    BOOST_TEST(str(chat.at("type")) == "direct");
    BOOST_TEST(chat.at("name").is_null());
    const auto participants = strings(chat.at("participants"));
    BOOST_TEST(participants.size() == 2u);
    BOOST_TEST(contains(participants, ann.id.to_hex()));
    BOOST_TEST(contains(participants, ben.id.to_hex()));
    BOOST_TEST(chat.at("admins").as_array().empty());
    BOOST_TEST(str(chat.at("createdBy")) == ann.id.to_hex());
    BOOST_TEST(chat.at("lastMessage").is_null());
    BOOST_TEST(chat.at("unreadCount").to_number<std::uint64_t>() == 0u);

    auto again = post(ann, "/api/chats", body);
    BOOST_TEST(again.status == 200u);
    BOOST_TEST(str(again.body.at("_id")) == str(chat.at("_id")));

    // From the other side, with the caller's own id listed too: still the same chat.
    auto reverse =
        post(ben, "/api/chats",
             json::object{{"type", "direct"},
                          {"participantIds", json::array{ben.id.to_hex(), ann.id.to_hex()}}});
    BOOST_TEST(reverse.status == 200u);
    BOOST_TEST(str(reverse.body.at("_id")) == str(chat.at("_id")));
    BOOST_TEST(get(ann, "/api/chats").body.as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(direct_chat_needs_exactly_one_other_known_user) {
    const auto ann = add_user("ann");
    const auto ben = add_user("ben");
    const auto cat = add_user("cat");
    const auto direct = [&](json::array ids) {
        return post(ann, "/api/chats", json::object{{"type", "direct"}, {"participantIds", ids}});
    };
    BOOST_TEST(direct({}).status == 400u);
    BOOST_TEST(direct({ann.id.to_hex()}).status == 400u);
    BOOST_TEST(direct({ben.id.to_hex(), cat.id.to_hex()}).status == 400u);
    BOOST_TEST(direct({ben.id.to_hex(), ben.id.to_hex()}).status == 201u);  // duplicates merge
    BOOST_TEST(post(ann, "/api/chats", json::object{{"type", "direct"}}).status == 400u);

    auto unknown = direct({db::object_id::generate().to_hex()});
    BOOST_TEST(unknown.status == 404u);
    BOOST_TEST(code_of(unknown) == "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(create_chat_refuses_bad_input) {
    const auto ann = add_user("ann");
    const auto ben = add_user("ben");
    const auto status_of = [&](std::string_view body) {
        auto r = post(ann, "/api/chats", body);
        if (r.status == 400) BOOST_TEST(code_of(r) == "BAD_REQUEST");
        return r.status;
    };
    const auto ben_id = ben.id.to_hex();
    BOOST_TEST(status_of("") == 400u);
    BOOST_TEST(status_of("{") == 400u);
    BOOST_TEST(status_of("[]") == 400u);
    BOOST_TEST(status_of(R"({"participantIds":[]})") == 400u);
    BOOST_TEST(status_of(R"({"type":"channel","participantIds":[]})") == 400u);
    BOOST_TEST(status_of(R"({"type":5,"participantIds":[]})") == 400u);
    BOOST_TEST(status_of(R"({"type":"direct","participantIds":")" + ben_id + R"("})") == 400u);
    BOOST_TEST(status_of(R"({"type":"direct","participantIds":[5]})") == 400u);
    BOOST_TEST(status_of(R"({"type":"direct","participantIds":["nope"]})") == 400u);
    BOOST_TEST(status_of(R"({"type":"direct","participantIds":[")" + ben_id.substr(1) + R"("]})") ==
               400u);
    BOOST_TEST(status_of(R"({"type":"group","name":"g","participantIds":[null]})") == 400u);
    BOOST_TEST(status_of(R"({"type":"group","name":"g"})") == 400u);
    BOOST_TEST(status_of(R"({"type":"group","name":"g","participantIds":null})") == 400u);

    json::array too_many;
    for (std::size_t i = 0; i <= rest::max_participant_ids; ++i) too_many.push_back(ben_id.c_str());
    BOOST_TEST(post(ann, "/api/chats",
                    json::object{{"type", "group"}, {"name", "big"}, {"participantIds", too_many}})
                   .status == 400u);
    BOOST_TEST(get(ann, "/api/chats").body.as_array().empty());
}

BOOST_AUTO_TEST_CASE(group_chat_has_a_name_and_its_creator_as_admin) {
    const auto ann = add_user("ann");
    const auto ben = add_user("ben");
    const auto cat = add_user("cat");
    auto r = post(ann, "/api/chats",
                  json::object{{"type", "group"},
                               {"name", "  friends  "},
                               {"participantIds",
                                json::array{ben.id.to_hex(), cat.id.to_hex(), ann.id.to_hex()}}});
    BOOST_TEST(r.status == 201u);
    BOOST_TEST(str(r.body.at("type")) == "group");
    BOOST_TEST(str(r.body.at("name")) == "friends");
    BOOST_TEST(strings(r.body.at("participants")).size() == 3u);
    BOOST_TEST(strings(r.body.at("admins")) == std::vector<std::string>{ann.id.to_hex()},
               boost::test_tools::per_element());

    // Only the creator: allowed, others can be added later.
    auto alone =
        post(ann, "/api/chats",
             json::object{{"type", "group"}, {"name", "me"}, {"participantIds", json::array{}}});
    BOOST_TEST(alone.status == 201u);
    BOOST_TEST(strings(alone.body.at("participants")).size() == 1u);

    const auto group = [&](json::value name) {
        return post(ann, "/api/chats",
                    json::object{
                        {"type", "group"}, {"name", name}, {"participantIds", json::array{}}})
            .status;
    };
    BOOST_TEST(group(json::string(rest::max_chat_name_length, 'n')) == 201u);
    BOOST_TEST(group(json::string(rest::max_chat_name_length + 1, 'n')) == 400u);
    BOOST_TEST(group("   ") == 400u);
    BOOST_TEST(group("") == 400u);
    BOOST_TEST(group(nullptr) == 201u);  // `name?`: an unnamed group
    BOOST_TEST(group(7) == 400u);
    BOOST_TEST(
        post(ann, "/api/chats", json::object{{"type", "group"}, {"participantIds", json::array{}}})
            .status == 201u);

    auto stranger =
        post(ann, "/api/chats",
             json::object{{"type", "group"},
                          {"name", "x"},
                          {"participantIds", json::array{db::object_id::generate().to_hex()}}});
    BOOST_TEST(stranger.status == 404u);
}

BOOST_AUTO_TEST_CASE(list_chats_latest_activity_first_with_unread_counts) {
    const auto ann = add_user("ann");
    const auto ben = add_user("ben");
    const auto cat = add_user("cat");
    BOOST_TEST(get(ann, "/api/chats").body.as_array().empty());

    const auto older = direct_of(ann, ben);
    tick();
    const auto newer = group_of(ann, {cat.id});
    tick();
    auto listed = get(ann, "/api/chats");
    BOOST_TEST(listed.status == 200u);
    BOOST_REQUIRE(listed.body.as_array().size() == 2u);
    BOOST_TEST(str(listed.body.at(0).at("_id")) == newer.info.id.to_hex());

    // A message moves the older chat to the top; the other side has it unread.
    send(older, ben, "hi ann");
    tick();
    listed = get(ann, "/api/chats");
    const auto& top = listed.body.at(0);
    BOOST_TEST(str(top.at("_id")) == older.id.to_hex());
    BOOST_TEST(str(top.at("lastMessage").at("content")) == "hi ann");
    BOOST_TEST(str(top.at("lastMessage").at("senderId").at("username")) == "ben");
    BOOST_TEST(top.at("unreadCount").to_number<std::uint64_t>() == 1u);
    BOOST_TEST(get(ben, "/api/chats").body.at(0).at("unreadCount").to_number<std::uint64_t>() ==
               0u);
    // Cat only sees the group.
    BOOST_TEST(get(cat, "/api/chats").body.as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(get_chat_for_participants_only) {
    const auto ann = add_user("ann");
    const auto ben = add_user("ben");
    const auto eve = add_user("eve");
    const auto group = group_of(ann, {ben.id});

    auto r = get(ben, chat_path(group.info.id));
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(str(r.body.at("_id")) == group.info.id.to_hex());
    BOOST_TEST(str(r.body.at("name")) == "group");

    auto outsider = get(eve, chat_path(group.info.id));
    BOOST_TEST(outsider.status == 403u);
    BOOST_TEST(code_of(outsider) == "FORBIDDEN");

    auto unknown = get(ann, chat_path(db::object_id::generate()));
    BOOST_TEST(unknown.status == 404u);
    BOOST_TEST(code_of(unknown) == "NOT_FOUND");
    BOOST_TEST(get(ann, "/api/chats/not-an-id").status == 404u);
    BOOST_TEST(get(ann, "/api/chats/" + group.info.id.to_hex() + "0").status == 404u);
}

BOOST_AUTO_TEST_SUITE_END()

// --- participants ---

BOOST_FIXTURE_TEST_SUITE(rest_participants, rest_fixture)

BOOST_AUTO_TEST_CASE(admin_adds_a_participant) {
    const auto ann = add_user("ann");
    const auto ben = add_user("ben");
    const auto group = group_of(ann, {});
    auto r = post(ann, chat_path(group.info.id, "/participants"),
                  json::object{{"userId", ben.id.to_hex()}});
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(contains(strings(r.body.at("participants")), ben.id.to_hex()));
    BOOST_TEST(!contains(strings(r.body.at("admins")), ben.id.to_hex()));
    BOOST_TEST(r.removed.empty());
    BOOST_TEST(get(ben, chat_path(group.info.id)).status == 200u);

    auto again = post(ann, chat_path(group.info.id, "/participants"),
                      json::object{{"userId", ben.id.to_hex()}});
    BOOST_TEST(again.status == 409u);
    BOOST_TEST(code_of(again) == "CONFLICT");
}

BOOST_AUTO_TEST_CASE(only_group_admins_add_participants) {
    const auto ann = add_user("ann");
    const auto ben = add_user("ben");
    const auto cat = add_user("cat");
    const auto eve = add_user("eve");
    const auto group = group_of(ann, {ben.id});
    const json::object add_cat{{"userId", cat.id.to_hex()}};
    const auto path = chat_path(group.info.id, "/participants");

    auto member = post(ben, path, add_cat);
    BOOST_TEST(member.status == 403u);
    BOOST_TEST(code_of(member) == "FORBIDDEN");
    auto outsider = post(eve, path, add_cat);
    BOOST_TEST(outsider.status == 403u);
    BOOST_TEST(db->get_chat(group.info.id, ann.id)->members.size() == 2u);

    const auto direct = direct_of(ann, ben);
    auto to_direct = post(ann, chat_path(direct.id, "/participants"), add_cat);
    BOOST_TEST(to_direct.status == 400u);
    BOOST_TEST(code_of(to_direct) == "BAD_REQUEST");
}

BOOST_AUTO_TEST_CASE(add_participant_refuses_bad_input) {
    const auto ann = add_user("ann");
    const auto group = group_of(ann, {});
    const auto path = chat_path(group.info.id, "/participants");
    for (const char* body : {"", "{}", "[]", "{", R"({"userId":null})", R"({"userId":5})"}) {
        auto r = post(ann, path, std::string_view(body));
        BOOST_TEST(r.status == 400u, body);
        BOOST_TEST(code_of(r) == "BAD_REQUEST");
    }
    // API.md: "Unknown or malformed id: 404".
    auto malformed = post(ann, path, std::string_view(R"({"userId":"abc"})"));
    BOOST_TEST(malformed.status == 404u);
    BOOST_TEST(code_of(malformed) == "NOT_FOUND");
    auto unknown_user =
        post(ann, path, json::object{{"userId", db::object_id::generate().to_hex()}});
    BOOST_TEST(unknown_user.status == 404u);
    BOOST_TEST(message_of(unknown_user) == "User not found");

    const json::object add_ann{{"userId", ann.id.to_hex()}};
    BOOST_TEST(post(ann, chat_path(db::object_id::generate(), "/participants"), add_ann).status ==
               404u);
    BOOST_TEST(post(ann, "/api/chats/xyz/participants", add_ann).status == 404u);
}

BOOST_AUTO_TEST_CASE(admin_removes_anyone) {
    const auto ann = add_user("ann");
    const auto ben = add_user("ben");
    const auto group = group_of(ann, {ben.id});
    auto r = del(ann, chat_path(group.info.id, "/participants/" + ben.id.to_hex()));
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(!contains(strings(r.body.at("participants")), ben.id.to_hex()));
    BOOST_REQUIRE(r.removed.size() == 1u);
    BOOST_TEST((r.removed[0] == rest::participant_removal{group.info.id, ben.id}));
    BOOST_TEST(get(ben, chat_path(group.info.id)).status == 403u);

    auto gone = del(ann, chat_path(group.info.id, "/participants/" + ben.id.to_hex()));
    BOOST_TEST(gone.status == 404u);
    BOOST_TEST(gone.removed.empty());
}

BOOST_AUTO_TEST_CASE(members_remove_only_themselves) {
    const auto ann = add_user("ann");
    const auto ben = add_user("ben");
    const auto cat = add_user("cat");
    const auto eve = add_user("eve");
    const auto group = group_of(ann, {ben.id, cat.id});
    const auto path = [&](const db::user& u) {
        return chat_path(group.info.id, "/participants/" + u.id.to_hex());
    };

    auto other = del(ben, path(cat));
    BOOST_TEST(other.status == 403u);
    BOOST_TEST(code_of(other) == "FORBIDDEN");
    BOOST_TEST(other.removed.empty());
    auto outsider = del(eve, path(eve));
    BOOST_TEST(outsider.status == 403u);
    BOOST_TEST(del(eve, path(ben)).status == 403u);
    BOOST_TEST(db->get_chat(group.info.id, ann.id)->members.size() == 3u);

    auto leave = del(ben, path(ben));
    BOOST_TEST(leave.status == 200u);
    BOOST_TEST(strings(leave.body.at("participants")).size() == 2u);
    BOOST_TEST((leave.removed == std::vector<rest::participant_removal>{{group.info.id, ben.id}}));
    BOOST_TEST(get(ben, "/api/chats").body.as_array().empty());

    // The admin may leave too.
    auto admin_leaves = del(ann, path(ann));
    BOOST_TEST(admin_leaves.status == 200u);
    BOOST_TEST(admin_leaves.removed.size() == 1u);
}

BOOST_AUTO_TEST_CASE(remove_participant_refuses_bad_targets) {
    const auto ann = add_user("ann");
    const auto ben = add_user("ben");
    const auto group = group_of(ann, {});
    const auto base = chat_path(group.info.id, "/participants/");

    auto stranger = del(ann, base + ben.id.to_hex());
    BOOST_TEST(stranger.status == 404u);
    BOOST_TEST(del(ann, base + "not-an-id").status == 404u);
    BOOST_TEST(
        del(ann, chat_path(db::object_id::generate(), "/participants/") + ann.id.to_hex()).status ==
        404u);
    BOOST_TEST(del(ann, "/api/chats/xyz/participants/" + ann.id.to_hex()).status == 404u);

    const auto direct = direct_of(ann, ben);
    auto from_direct = del(ann, chat_path(direct.id, "/participants/") + ben.id.to_hex());
    BOOST_TEST(from_direct.status == 400u);
    BOOST_TEST(from_direct.removed.empty());
    BOOST_TEST(del(ann, chat_path(direct.id, "/participants/") + ann.id.to_hex()).status == 400u);
}

BOOST_AUTO_TEST_SUITE_END()

// --- messages ---

BOOST_FIXTURE_TEST_SUITE(rest_messages, rest_fixture)

BOOST_AUTO_TEST_CASE(pages_go_back_in_time_oldest_first) {
    const auto ann = add_user("ann");
    const auto ben = add_user("ben");
    const auto chat = direct_of(ann, ben);
    std::vector<db::message> sent;
    for (int i = 0; i < 60; ++i) {
        sent.push_back(send(chat, i % 2 ? ben : ann, "m" + std::to_string(i)));
        tick();
    }
    const auto path = chat_path(chat.id, "/messages");

    auto newest = get(ann, path);
    BOOST_TEST(newest.status == 200u);
    const auto& page = newest.body.at("messages").as_array();
    BOOST_REQUIRE(page.size() == 50u);
    BOOST_TEST(newest.body.at("hasMore").as_bool());
    BOOST_TEST(str(page.front().at("content")) == "m10");
    BOOST_TEST(str(page.back().at("content")) == "m59");
    BOOST_TEST(str(page.back().at("senderId").at("_id")) == ben.id.to_hex());
    BOOST_TEST(str(page.back().at("senderId").at("username")) == "ben");
    BOOST_TEST(str(page.front().at("senderId").at("username")) == "ann");
    BOOST_TEST(str(page.front().at("chatId")) == chat.id.to_hex());

    auto older = get(ann, path, {{"before", sent[10].id.to_hex()}, {"limit", "4"}});
    BOOST_TEST(older.status == 200u);
    std::vector<std::string> contents;
    for (const auto& m : older.body.at("messages").as_array())
        contents.push_back(str(m.at("content")));
    BOOST_TEST(contents == (std::vector<std::string>{"m6", "m7", "m8", "m9"}),
               boost::test_tools::per_element());
    BOOST_TEST(older.body.at("hasMore").as_bool());

    auto oldest = get(ann, path, {{"before", sent[3].id.to_hex()}});
    BOOST_TEST(oldest.body.at("messages").as_array().size() == 3u);
    BOOST_TEST(!oldest.body.at("hasMore").as_bool());

    // An empty `before` is no `before`.
    auto unset = get(ann, path, {{"before", ""}, {"limit", "1"}});
    BOOST_TEST(str(unset.body.at("messages").at(0).at("content")) == "m59");
}

BOOST_AUTO_TEST_CASE(limit_defaults_to_50_and_stops_at_100) {
    const auto ann = add_user("ann");
    const auto group = group_of(ann, {});
    for (int i = 0; i < 105; ++i) send(group.info, ann, "m" + std::to_string(i));
    const auto path = chat_path(group.info.id, "/messages");
    BOOST_TEST(get(ann, path, {{"limit", "500"}}).body.at("messages").as_array().size() == 100u);
    BOOST_TEST(get(ann, path, {{"limit", "100"}}).body.at("messages").as_array().size() == 100u);
    BOOST_TEST(get(ann, path, {{"limit", "7"}}).body.at("messages").as_array().size() == 7u);
    for (const char* bad : {"0", "-1", "x", "1e3"}) {
        auto r = get(ann, path, {{"limit", bad}});
        BOOST_TEST(r.status == 400u, bad);
        BOOST_TEST(code_of(r) == "BAD_REQUEST");
    }
    auto bad_before = get(ann, path, {{"before", "zzz"}});
    BOOST_TEST(bad_before.status == 400u);
    BOOST_TEST(code_of(bad_before) == "BAD_REQUEST");
}

BOOST_AUTO_TEST_CASE(empty_chat_has_no_messages) {
    const auto ann = add_user("ann");
    const auto group = group_of(ann, {});
    auto r = get(ann, chat_path(group.info.id, "/messages"));
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.body.at("messages").as_array().empty());
    BOOST_TEST(!r.body.at("hasMore").as_bool());
}

BOOST_AUTO_TEST_CASE(messages_for_participants_only) {
    const auto ann = add_user("ann");
    const auto eve = add_user("eve");
    const auto group = group_of(ann, {});
    send(group.info, ann, "secret");
    auto outsider = get(eve, chat_path(group.info.id, "/messages"));
    BOOST_TEST(outsider.status == 403u);
    BOOST_TEST(code_of(outsider) == "FORBIDDEN");
    BOOST_TEST(json::serialize(outsider.body).find("secret") == std::string::npos);
    BOOST_TEST(get(ann, chat_path(db::object_id::generate(), "/messages")).status == 404u);
    BOOST_TEST(get(ann, "/api/chats/bad/messages").status == 404u);
}

BOOST_AUTO_TEST_SUITE_END()

// --- dispatch ---

BOOST_FIXTURE_TEST_SUITE(rest_dispatch, rest_fixture)

BOOST_AUTO_TEST_CASE(health_reads_the_store) {
    auto r = call("GET", "/healthz", "", "");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(json::serialize(r.body) == R"({"status":"ok"})");
}

BOOST_AUTO_TEST_CASE(unknown_routes_are_json_404s) {
    const auto ann = add_user("ann");
    for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/api/nothing"},
             {"GET", "/"},
             {"PUT", "/api/chats"},
             {"DELETE", "/api/chats"},
             {"GET", "/api/auth/login"},
             {"POST", "/healthz"},
         }) {
        auto r = call(method, path, "", bearer(ann));
        BOOST_TEST(r.status == 404u, method << " " << path);
        BOOST_TEST(code_of(r) == "NOT_FOUND");
        BOOST_TEST(message_of(r) == "Cannot " + method + " " + path);
    }
}

BOOST_AUTO_TEST_CASE(a_path_that_is_not_utf8_is_not_echoed) {
    auto r = call("GET", "/api/\xff", "", "");
    BOOST_TEST(r.status == 404u);
    BOOST_TEST(message_of(r) == "Not found");
}

BOOST_AUTO_TEST_CASE(a_bad_body_is_refused_before_authentication) {
    // As with express.json() mounted ahead of the routes.
    auto r = call("POST", "/api/chats", "{oops", "");
    BOOST_TEST(r.status == 400u);
    BOOST_TEST(message_of(r) == "Request body is not valid JSON");
    // GET routes ignore their body.
    const auto ann = add_user("ann");
    BOOST_TEST(call("GET", "/api/chats", "{oops", bearer(ann)).status == 200u);
}

BOOST_AUTO_TEST_CASE(a_registered_user_goes_all_the_way) {
    auto registered = register_user("zoe", "zoe@example.com", "zoe-pass");
    BOOST_REQUIRE(registered.status == 201u);
    const auto authorization = "Bearer " + str(registered.body.at("token"));
    const auto ann = add_user("ann");
    auto created = call("POST", "/api/chats",
                        json::serialize(json::object{
                            {"type", "direct"}, {"participantIds", json::array{ann.id.to_hex()}}}),
                        authorization);
    BOOST_TEST(created.status == 201u);
    auto me = call("GET", "/api/users/me", "", authorization);
    BOOST_TEST(str(me.body.at("username")) == "zoe");
}

BOOST_AUTO_TEST_SUITE_END()
