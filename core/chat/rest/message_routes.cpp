#include "core/chat/rest/message_routes.hpp"

#include <optional>

#include <boost/json/array.hpp>

#include "core/chat/rest/chat_access.hpp"
#include "core/chat/rest/usernames.hpp"
#include "core/chat/views.hpp"

namespace confab::chat::rest {

rest_reply list_messages(const db::store& s, const actor& who, std::string_view chat_id,
                         const query_params& query) {
    auto chat = participant_chat(s, chat_id, who);
    if (!chat) return error_reply(chat.error());
    auto limit = parse_limit(query, "limit", default_page_size, db::max_page_size);
    if (!limit) return error_reply(limit.error());
    std::optional<db::object_id> before;
    if (const auto it = query.find("before"); it != query.end() && !it->second.empty()) {
        before = db::object_id::parse(it->second);
        if (!before) return error_reply(code::bad_request, "'before' is not a valid message id");
    }

    auto page = s.messages_before(*chat, before, *limit);
    if (!page) return error_reply(from_store_error(page.error()));
    const auto names = usernames_from(s);
    boost::json::array messages;
    messages.reserve(page->messages.size());
    for (const auto& m : page->messages) messages.push_back(message_json(m, names));
    return reply(
        200, boost::json::object{{"messages", std::move(messages)}, {"hasMore", page->has_more}});
}

}  // namespace confab::chat::rest
