#pragma once
// The API's JSON objects (shared/API.md) made from the store's records.
#include <functional>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "db/records.hpp"

namespace confab::chat {

// ISO-8601 UTC with milliseconds: 2026-01-08T10:00:00.000Z
std::string iso_time(db::millis t);

// {_id, username, email, status, lastSeen, createdAt}: never the password hash.
boost::json::object user_json(const db::user& u);

// The username of a user id; messages name their sender as {_id, username}.
using username_of = std::function<std::string(const db::object_id&)>;

boost::json::object message_json(const db::message_view& m, const username_of& names);

// {_id, type, name, participants, admins, createdBy, createdAt, updatedAt, lastMessage,
// unreadCount}
boost::json::object chat_json(const db::chat_view& c, const username_of& names);

}  // namespace confab::chat
