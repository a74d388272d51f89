#include "core/chat/failure.hpp"

#include <fmt/format.h>

#include "db/error.hpp"
#include "db/store.hpp"

namespace confab::chat {

std::string_view to_string(code c) noexcept {
    switch (c) {
        case code::bad_request: return "BAD_REQUEST";
        case code::unauthorized: return "UNAUTHORIZED";
        case code::forbidden: return "FORBIDDEN";
        case code::not_found: return "NOT_FOUND";
        case code::conflict: return "CONFLICT";
        case code::rate_limited: return "RATE_LIMITED";
        case code::internal: return "INTERNAL";
    }
    return "INTERNAL";
}

unsigned http_status(code c) noexcept {
    switch (c) {
        case code::bad_request: return 400;
        case code::unauthorized: return 401;
        case code::forbidden: return 403;
        case code::not_found: return 404;
        case code::conflict: return 409;
        case code::rate_limited: return 429;
        case code::internal: return 500;
    }
    return 500;
}

boost::json::object failure::to_json() const {
    boost::json::object o;
    o["code"] = to_string(code);
    o["message"] = message;
    return o;
}

failure from_store_error(std::error_code ec) {
    using db::errc;
    if (ec.category() != db::error_category()) return {code::internal, "Internal error"};
    switch (static_cast<errc>(ec.value())) {
        case errc::not_found: return {code::not_found, "Not found"};
        case errc::username_taken: return {code::conflict, "Username already taken"};
        case errc::email_taken: return {code::conflict, "Email already registered"};
        case errc::already_member: return {code::conflict, "Already a participant"};
        case errc::not_member: return {code::forbidden, "Not a participant of this chat"};
        case errc::not_permitted: return {code::forbidden, "Not allowed"};
        case errc::message_deleted: return {code::bad_request, "Message was deleted"};
        case errc::reaction_limit:
            return {code::bad_request, fmt::format("At most {} reactions per user on a message",
                                                   db::max_reactions_per_user)};
        case errc::invalid_argument: return {code::bad_request, "Invalid request"};
        default: return {code::internal, "Internal error"};
    }
}

}  // namespace confab::chat
