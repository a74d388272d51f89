#include "core/chat/rest/chat_routes.hpp"

#include <algorithm>
#include <limits>
#include <vector>

#include <fmt/format.h>
#include <boost/json/array.hpp>

#include "core/chat/payload.hpp"
#include "core/chat/rest/account_rules.hpp"
#include "core/chat/rest/chat_access.hpp"
#include "core/chat/rest/usernames.hpp"
#include "core/chat/views.hpp"

namespace confab::chat::rest {

namespace {

// The other users named in participantIds (required by API.md, where only `name` is
// optional; an empty list makes a group of one): sorted, without duplicates or the caller.
checked<std::vector<db::object_id>> other_participants(const boost::json::object& body,
                                                       const actor& who) {
    const failure bad{code::bad_request, "'participantIds' must be an array of user ids"};
    const auto* field = body.if_contains("participantIds");
    const auto* list = field ? field->if_array() : nullptr;
    if (!list) return bad;
    if (list->size() > max_participant_ids) {
        return failure{code::bad_request, fmt::format("'participantIds' may name at most {} users",
                                                      max_participant_ids)};
    }
    std::vector<db::object_id> ids;
    for (const auto& item : *list) {
        const auto* text = item.if_string();
        const auto id = text ? db::object_id::parse(*text) : std::nullopt;
        if (!id) return bad;
        if (*id != who.user_id) ids.push_back(*id);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

// `name?` in API.md: a group may go unnamed (shown as null), but a given name must fit.
checked<std::string> group_name(const boost::json::object& body) {
    const auto* given = body.if_contains("name");
    if (!given || given->is_null()) return std::string();
    auto name = required_string(body, "name");
    if (!name) return name.error();
    const auto text = trimmed(*name);
    const auto length = utf8_length(text);
    if (!length || *length == 0 || *length > max_chat_name_length) {
        return failure{code::bad_request,
                       fmt::format("'name' must be 1 to {} characters", max_chat_name_length)};
    }
    return std::string(text);
}

rest_reply creation_error(std::error_code ec) {
    if (ec == db::errc::not_found) return error_reply(code::not_found, "User not found");
    return error_reply(from_store_error(ec));
}

}  // namespace

rest_reply create_chat(db::store& s, const actor& who, const boost::json::object& body) {
    auto type_name = required_string(body, "type");
    if (!type_name) return error_reply(type_name.error());
    const auto type = db::parse_chat_type(*type_name);
    if (!type) return error_reply(code::bad_request, R"('type' must be "direct" or "group")");
    auto others = other_participants(body, who);
    if (!others) return error_reply(others.error());

    if (*type == db::chat_type::direct) {
        if (others->size() != 1) {
            return error_reply(code::bad_request,
                               "A direct chat needs exactly one other participant");
        }
        auto created = s.create_direct_chat(who.user_id, others->front());
        if (!created) return creation_error(created.error());
        return chat_reply(created->created ? 201 : 200, s, created->info.id, who);
    }
    auto name = group_name(body);
    if (!name) return error_reply(name.error());
    auto created = s.create_group_chat(who.user_id, std::move(*name), *others);
    if (!created) return creation_error(created.error());
    return chat_reply(201, s, created->id, who);
}

rest_reply list_chats(const db::store& s, const actor& who) {
    auto views = s.list_chats(who.user_id, std::numeric_limits<std::size_t>::max());
    if (!views) return error_reply(from_store_error(views.error()));
    const auto names = usernames_from(s);
    boost::json::array chats;
    chats.reserve(views->size());
    for (const auto& v : *views) chats.push_back(chat_json(v, names));
    return reply(200, std::move(chats));
}

rest_reply get_chat(const db::store& s, const actor& who, std::string_view chat_id) {
    auto view = participant_view(s, chat_id, who);
    if (!view) return error_reply(view.error());
    return reply(200, chat_json(*view, usernames_from(s)));
}

}  // namespace confab::chat::rest
