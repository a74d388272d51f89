#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/engine/request_info.hpp"

namespace confab::engine {

class server;

// The reference server's refusals of an Engine.IO HTTP request, with its codes and messages,
// and one of ours after them.
enum class request_error {
    unknown_transport = 0,
    unknown_sid = 1,
    bad_handshake_method = 2,
    bad_request = 3,
    forbidden = 4,
    unsupported_protocol_version = 5,
    too_many_sessions = 6,  // max_polling_sessions_per_address: HTTP 429, not 400
};

std::string_view message(request_error e) noexcept;
// The JSON body of a refusal: {"code":N,"message":"..."}.
std::string error_body(request_error e);

// The sid parameter of a request. Empty when absent or empty: both ask for a handshake, as the
// reference server reads `sid=`.
std::string_view session_id(const request_info& request);

// Checks EIO, transport and sid of a request to the Engine.IO path, before any session state
// is touched. `websocket_upgrade` is true for a WebSocket handshake request.
std::optional<request_error> check_request(const server& srv, std::string_view method,
                                           const request_info& request, bool websocket_upgrade);

}  // namespace confab::engine
