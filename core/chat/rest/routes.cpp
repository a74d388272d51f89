#include "core/chat/rest/routes.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace confab::chat::rest {

namespace {

struct pattern {
    std::string_view method;
    std::string_view path;  // ":chatId" and ":userId" match any non-empty segment
    route_id id;
};

constexpr std::array patterns{
    pattern{"GET", "/healthz", route_id::health},
    pattern{"POST", "/api/auth/register", route_id::register_user},
    pattern{"POST", "/api/auth/login", route_id::login},
    pattern{"GET", "/api/users/me", route_id::me},
    pattern{"GET", "/api/users", route_id::search_users},
    pattern{"POST", "/api/chats", route_id::create_chat},
    pattern{"GET", "/api/chats", route_id::list_chats},
    pattern{"GET", "/api/chats/:chatId", route_id::get_chat},
    pattern{"POST", "/api/chats/:chatId/participants", route_id::add_participant},
    pattern{"DELETE", "/api/chats/:chatId/participants/:userId", route_id::remove_participant},
    pattern{"GET", "/api/chats/:chatId/messages", route_id::list_messages},
};

// The segments after the leading '/', without one trailing empty segment.
std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    if (path.empty() || path.front() != '/') return out;
    path.remove_prefix(1);
    if (!path.empty() && path.back() == '/') path.remove_suffix(1);
    while (true) {
        const auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) return out;
        path.remove_prefix(slash + 1);
    }
}

bool iequals(std::string_view a, std::string_view b) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [&](char x, char y) { return lower(x) == lower(y); });
}

std::optional<route> match(const pattern& p, const std::vector<std::string_view>& parts) {
    const auto wanted = segments(p.path);
    if (wanted.size() != parts.size()) return std::nullopt;
    route r{p.id, {}, {}};
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (wanted[i] == ":chatId" || wanted[i] == ":userId") {
            if (parts[i].empty()) return std::nullopt;
            (wanted[i] == ":chatId" ? r.chat_id : r.user_id) = parts[i];
        } else if (!iequals(wanted[i], parts[i])) {
            return std::nullopt;
        }
    }
    return r;
}

}  // namespace

std::optional<route> match_route(std::string_view method, std::string_view path) {
    const auto parts = segments(path);
    for (const auto& p : patterns) {
        if (p.method != method) continue;
        if (auto r = match(p, parts)) return r;
    }
    return std::nullopt;
}

}  // namespace confab::chat::rest
