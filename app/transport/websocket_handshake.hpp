#pragma once
// The server side of the WebSocket opening handshake (RFC 6455 section 4.2).
#include <optional>
#include <string>
#include <string_view>

#include "app/http/types.hpp"

namespace confab::transport {

// The Sec-WebSocket-Accept value that answers `req`, or nullopt when `req` is not a valid
// opening handshake: a GET of HTTP/1.1 or later, Upgrade: websocket, a Connection header
// with the upgrade token, Sec-WebSocket-Version: 13 and a key of 16 bytes in base64.
// Offered extensions (permessage-deflate) and subprotocols are ignored: none is negotiated.
std::optional<std::string> websocket_accept(const http::request& req);

// The 101 Switching Protocols response that completes the handshake.
std::string switching_protocols(std::string_view accept);

// The refusal of an invalid handshake: 400, naming the one protocol version understood.
http::response bad_handshake(const http::request& req);

}  // namespace confab::transport
