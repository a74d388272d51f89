#pragma once
// Which REST route a method and path name.
#include <optional>
#include <string_view>

namespace confab::chat::rest {

enum class route_id {
    health,              // GET /healthz
    register_user,       // POST /api/auth/register
    login,               // POST /api/auth/login
    me,                  // GET /api/users/me
    search_users,        // GET /api/users
    create_chat,         // POST /api/chats
    list_chats,          // GET /api/chats
    get_chat,            // GET /api/chats/:chatId
    add_participant,     // POST /api/chats/:chatId/participants
    remove_participant,  // DELETE /api/chats/:chatId/participants/:userId
    list_messages,       // GET /api/chats/:chatId/messages
};

// A matched route and its path parameters (views into the path; empty when it has none).
struct route {
    route_id id;
    std::string_view chat_id;
    std::string_view user_id;
};

// The route of a method and a decoded path without its query, or nullopt. As in Express, the
// literal parts of a path ignore case, one trailing slash is ignored, and a known path asked
// with another method matches nothing (a 404, not a 405).
std::optional<route> match_route(std::string_view method, std::string_view path);

}  // namespace confab::chat::rest
