#pragma once
// Where a Socket.IO connection carries its token. socket.io-client sends it in the CONNECT
// packet's auth payload; the Authorization header and the ?token= query parameter serve clients
// that can only set those (and the header is what REST uses).
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace confab::auth {

// The token of an "Authorization: Bearer <token>" header value: the scheme in any letter case,
// surrounding blanks trimmed. nullopt for another scheme or an empty token.
std::optional<std::string_view> bearer_token(std::string_view authorization_header);

// The first non-empty token of: the auth payload's "token" string, the Bearer header, the
// "token" query parameter. `auth` is whatever CONNECT carried (null when nothing); a value of
// the wrong type counts as absent. nullopt when none has one.
std::optional<std::string> find_token(const boost::json::value& auth,
                                      std::string_view authorization_header,
                                      const std::map<std::string, std::string, std::less<>>& query);

}  // namespace confab::auth
