#include "core/chat/rest/dispatch.hpp"

#include <fmt/format.h>

#include "core/chat/payload.hpp"
#include "core/chat/rest/auth_routes.hpp"
#include "core/chat/rest/authenticate.hpp"
#include "core/chat/rest/chat_routes.hpp"
#include "core/chat/rest/message_routes.hpp"
#include "core/chat/rest/participant_routes.hpp"
#include "core/chat/rest/routes.hpp"
#include "core/chat/rest/user_routes.hpp"

namespace confab::chat::rest {

namespace {

// Healthy means the store answers reads and takes writes.
rest_reply health(db::store& s) {
    // Any read that reaches RocksDB will do: the all-zero id names no user.
    const auto probe = s.get_user(db::object_id{});
    const bool reads = !probe && probe.error() == db::errc::not_found;
    if (reads && !s.check_writable()) return reply(200, boost::json::object{{"status", "ok"}});
    return reply(503, boost::json::object{{"status", "error"}});
}

bool reads_body(route_id id) {
    return id == route_id::register_user || id == route_id::login || id == route_id::create_chat ||
           id == route_id::add_participant;
}

}  // namespace

request_kind kind_of(const rest_request& r) {
    const auto to = match_route(r.method, r.path);
    if (!to) return request_kind::other;
    if (to->id == route_id::health) return request_kind::health;
    if (to->id == route_id::register_user || to->id == route_id::login)
        return request_kind::sign_in;
    return request_kind::other;
}

rest_reply dispatch(db::store& s, const rest_settings& settings, const rest_request& r) {
    const auto to = match_route(r.method, r.path);
    if (!to) {
        // Express's wording; a path that is not UTF-8 (say %FF) cannot go into a JSON string.
        if (!utf8_length(r.path)) return error_reply(code::not_found, "Not found");
        return error_reply(code::not_found, fmt::format("Cannot {} {}", r.method, r.path));
    }

    boost::json::object body;
    if (reads_body(to->id)) {
        auto parsed = parse_body(r.body);
        if (!parsed) return error_reply(parsed.error());
        body = std::move(*parsed);
    }
    const auto as_user = [&](auto handler) {
        const auto who = authenticate(s, r.caller);
        return who ? handler(*who) : error_reply(who.error());
    };
    switch (to->id) {
        case route_id::health:
            return health(s);
        case route_id::register_user:
            return register_user(s, settings, body);
        case route_id::login:
            return login(s, settings, body);
        case route_id::me:
            return as_user([&](const actor& who) { return get_me(s, who); });
        case route_id::search_users:
            return as_user([&](const actor&) { return search_users(s, r.query); });
        case route_id::create_chat:
            return as_user([&](const actor& who) { return create_chat(s, who, body); });
        case route_id::list_chats:
            return as_user([&](const actor& who) { return list_chats(s, who); });
        case route_id::get_chat:
            return as_user([&](const actor& who) { return get_chat(s, who, to->chat_id); });
        case route_id::add_participant:
            return as_user(
                [&](const actor& who) { return add_participant(s, who, to->chat_id, body); });
        case route_id::remove_participant:
            return as_user([&](const actor& who) {
                return remove_participant(s, who, to->chat_id, to->user_id);
            });
        case route_id::list_messages:
            return as_user(
                [&](const actor& who) { return list_messages(s, who, to->chat_id, r.query); });
    }
    return error_reply(code::internal, "Internal error");  // an id outside the enum
}

}  // namespace confab::chat::rest
