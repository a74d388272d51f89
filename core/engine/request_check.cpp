#include "core/engine/request_check.hpp"

#include <fmt/format.h>

#include "core/engine/server.hpp"

namespace confab::engine {

std::string_view message(request_error e) noexcept {
    switch (e) {
        case request_error::unknown_transport: return "Transport unknown";
        case request_error::unknown_sid: return "Session ID unknown";
        case request_error::bad_handshake_method: return "Bad handshake method";
        case request_error::bad_request: return "Bad request";
        case request_error::forbidden: return "Forbidden";
        case request_error::unsupported_protocol_version: return "Unsupported protocol version";
        case request_error::too_many_sessions: return "Too many sessions from this address";
    }
    return "Bad request";
}

std::string error_body(request_error e) {
    return fmt::format(R"({{"code":{},"message":"{}"}})", static_cast<int>(e), message(e));
}

namespace {

std::string_view query_value(const request_info& r, std::string_view key) {
    auto it = r.query.find(key);
    return it == r.query.end() ? std::string_view{} : std::string_view(it->second);
}

}  // namespace

std::string_view session_id(const request_info& request) {
    return query_value(request, "sid");
}

std::optional<request_error> check_request(const server& srv, std::string_view method,
                                           const request_info& request, bool websocket_upgrade) {
    const auto transport = query_value(request, "transport");
    if (transport != "polling" && transport != "websocket") return request_error::unknown_transport;
    if ((transport == "websocket") != websocket_upgrade) return request_error::bad_request;
    if (query_value(request, "EIO") != "4") return request_error::unsupported_protocol_version;
    const auto sid = session_id(request);
    if (sid.empty()) {
        if (method != "GET") return request_error::bad_handshake_method;
        return std::nullopt;
    }
    const auto s = srv.find(sid);
    // A closed session is still found only for its final poll: a GET over polling.
    if (!s || (s->closed() && (websocket_upgrade || method != "GET")))
        return request_error::unknown_sid;
    if (!websocket_upgrade && s->transport() != transport_kind::polling)
        return request_error::bad_request;
    return std::nullopt;
}

}  // namespace confab::engine
