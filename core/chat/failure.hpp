#pragma once
#include <string>
#include <string_view>
#include <system_error>

#include <boost/json/object.hpp>

namespace confab::chat {

// The API's error codes (shared/API.md), for socket `error` events, acks and REST bodies.
enum class code { bad_request, unauthorized, forbidden, not_found, conflict, rate_limited, internal };

std::string_view to_string(code c) noexcept;
// The HTTP status that goes with the code.
unsigned http_status(code c) noexcept;

// Why a request was refused: its code and a message for people.
struct failure {
    chat::code code = code::internal;
    std::string message;

    // {"code":"...","message":"..."}
    boost::json::object to_json() const;
};

// A store error as the API reports it.
failure from_store_error(std::error_code ec);

}  // namespace confab::chat
