#include "core/chat/rest/user_routes.hpp"

#include <boost/json/array.hpp>

#include "core/chat/views.hpp"

namespace confab::chat::rest {

rest_reply get_me(const db::store& s, const actor& who) {
    auto u = s.get_user(who.user_id);
    if (!u) return error_reply(from_store_error(u.error()));
    return reply(200, user_json(*u));
}

rest_reply search_users(const db::store& s, const query_params& query) {
    auto limit = parse_limit(query, "limit", default_search_limit, db::max_search_results);
    if (!limit) return error_reply(limit.error());
    const auto search = query.find("search");
    auto found = s.search_users(search == query.end() ? "" : search->second, *limit);
    if (!found) return error_reply(from_store_error(found.error()));
    boost::json::array users;
    users.reserve(found->size());
    for (const auto& u : *found) users.push_back(user_json(u));
    return reply(200, std::move(users));
}

}  // namespace confab::chat::rest
