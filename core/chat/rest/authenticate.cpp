#include "core/chat/rest/authenticate.hpp"

#include "core/auth/jwt.hpp"
#include "core/auth/token_source.hpp"

namespace confab::chat::rest {

checked<std::string> identify(const rest_settings& settings, std::string_view authorization) {
    const auto token = auth::bearer_token(authorization);
    if (!token) return failure{code::unauthorized, "Authentication required"};
    auto claims = auth::verify(*token, settings.jwt_secret, settings.now());
    if (!claims) return failure{code::unauthorized, "Invalid or expired token"};
    return std::move(claims->user_id);
}

checked<actor> authenticate(const db::store& s, const checked<std::string>& caller) {
    if (!caller) return caller.error();
    const auto id = db::object_id::parse(*caller);
    if (!id) return failure{code::unauthorized, "Invalid or expired token"};
    auto user = s.get_user(*id);
    if (!user && user.error() == db::errc::not_found) {
        return failure{code::unauthorized, "User no longer exists"};
    }
    if (!user) return from_store_error(user.error());
    return actor{user->id, std::move(user->username)};
}

}  // namespace confab::chat::rest
