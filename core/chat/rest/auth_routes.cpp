#include "core/chat/rest/auth_routes.hpp"

#include <exception>
#include <string>

#include "core/auth/jwt.hpp"
#include "core/auth/password.hpp"
#include "core/chat/payload.hpp"
#include "core/chat/rest/account_rules.hpp"
#include "core/chat/views.hpp"

namespace confab::chat::rest {

namespace {

rest_reply session(unsigned status, const rest_settings& settings, const db::user& u) {
    const std::int64_t now = settings.now();
    const auth::claims claims{.user_id = u.id.to_hex(),
                              .username = u.username,
                              .iat = now,
                              .exp = now + settings.token_lifetime_seconds};
    return reply(status, boost::json::object{{"token", auth::sign(claims, settings.jwt_secret)},
                                             {"user", user_json(u)}});
}

rest_reply internal_error() {
    return error_reply(code::internal, "Internal error");
}

// Verifying against this hash when the user does not exist makes that answer take as long as
// a wrong password, so timing does not tell which accounts exist.
const std::string& dummy_hash() {
    static const std::string hash = auth::hash_password("confab-no-such-user");
    return hash;
}

}  // namespace

rest_reply register_user(db::store& s, const rest_settings& settings,
                         const boost::json::object& body) {
    auto username = required_string(body, "username");
    if (!username) return error_reply(username.error());
    auto email = required_string(body, "email");
    if (!email) return error_reply(email.error());
    auto password = required_string(body, "password");
    if (!password) return error_reply(password.error());

    const auto name = trimmed(*username);
    const auto address = trimmed(*email);
    if (auto bad = check_username(name)) return error_reply(*bad);
    if (auto bad = check_email(address)) return error_reply(*bad);
    if (auto bad = check_password(*password)) return error_reply(*bad);

    // A taken name is found before the costly hash, though create_user decides for certain.
    if (s.find_user_by_username(name)) return error_reply(code::conflict, "Username already taken");
    if (s.find_user_by_email(address))
        return error_reply(code::conflict, "Email already registered");

    std::string hash;
    try {
        hash = auth::hash_password(*password);
    } catch (const std::exception&) {
        return internal_error();
    }
    auto created = s.create_user({std::string(name), std::string(address), std::move(hash)});
    if (!created) return error_reply(from_store_error(created.error()));
    return session(201, settings, *created);
}

rest_reply login(db::store& s, const rest_settings& settings, const boost::json::object& body) {
    // Forms often send both fields with the unused one empty.
    const auto* email = body.if_contains("email");
    const bool by_email =
        email && !email->is_null() && !(email->is_string() && email->get_string().empty());
    auto identifier = required_string(body, by_email ? "email" : "username");
    if (!identifier) return error_reply(identifier.error());
    auto password = required_string(body, "password");
    if (!password) return error_reply(password.error());

    const auto id = trimmed(*identifier);
    auto found = id.find('@') != std::string_view::npos ? s.find_user_by_email(id)
                                                        : s.find_user_by_username(id);
    if (!found && found.error() != db::errc::not_found) {
        return error_reply(from_store_error(found.error()));
    }
    bool matches = false;
    try {
        matches = auth::verify_password(found ? found->password_hash : dummy_hash(), *password);
    } catch (const std::exception&) {
        return internal_error();
    }
    if (!found || !matches) return error_reply(code::unauthorized, "Invalid credentials");
    return session(200, settings, *found);
}

}  // namespace confab::chat::rest
