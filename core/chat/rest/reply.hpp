#pragma once
// What a REST handler returns: the status and JSON body to answer with, and the memberships it
// ended, so the I/O side can take that user's sockets out of the chat's room at once.
#include <vector>

#include <boost/json/value.hpp>

#include "core/chat/failure.hpp"
#include "db/object_id.hpp"

namespace confab::chat::rest {

struct participant_removal {
    db::object_id chat_id;
    db::object_id user_id;

    friend bool operator==(const participant_removal&, const participant_removal&) = default;
};

struct rest_reply {
    unsigned status = 200;
    boost::json::value body;
    std::vector<participant_removal> removed;
};

inline rest_reply reply(unsigned status, boost::json::value body) {
    return {status, std::move(body), {}};
}

// {"error":{"code":"...","message":"..."}} with the code's status.
inline rest_reply error_reply(const failure& f) {
    return {http_status(f.code), boost::json::object{{"error", f.to_json()}}, {}};
}

inline rest_reply error_reply(chat::code c, std::string message) {
    return error_reply(failure{c, std::move(message)});
}

}  // namespace confab::chat::rest
