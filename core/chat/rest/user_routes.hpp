#pragma once
// GET /api/users/me and GET /api/users. Read the store: call them on the store's pool.
#include "core/chat/actor.hpp"
#include "core/chat/rest/input.hpp"
#include "core/chat/rest/reply.hpp"
#include "db/store.hpp"

namespace confab::chat::rest {

inline constexpr std::size_t default_search_limit = 20;

// 200 user.
rest_reply get_me(const db::store& s, const actor& who);

// ?search=prefix&limit=20 -> 200 [user] whose username starts with the prefix, ignoring case,
// by username; every user (the caller too) when the prefix is empty or absent. limit: 1..100,
// larger is cut to 100, anything else is a 400.
rest_reply search_users(const db::store& s, const query_params& query);

}  // namespace confab::chat::rest
