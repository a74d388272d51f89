#include "app/transport/websocket_handshake.hpp"

#include <array>

#include <openssl/sha.h>
#include <boost/beast/http/rfc7230.hpp>

#include "proto/engineio/base64.hpp"

namespace confab::transport {

namespace {

namespace bhttp = http::bhttp;

// RFC 6455 section 1.3: the accept value is base64(SHA-1(key + this GUID)).
constexpr std::string_view accept_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

}  // namespace

std::optional<std::string> websocket_accept(const http::request& req) {
    if (req.method() != bhttp::verb::get || req.version() < 11) return std::nullopt;
    if (!bhttp::token_list{req[bhttp::field::upgrade]}.exists("websocket")) return std::nullopt;
    if (!bhttp::token_list{req[bhttp::field::connection]}.exists("upgrade")) return std::nullopt;
    if (req[bhttp::field::sec_websocket_version] != "13") return std::nullopt;
    const std::string_view key = req[bhttp::field::sec_websocket_key];
    std::string nonce;
    if (!eio::decode_base64(key, nonce) || nonce.size() != 16) return std::nullopt;

    std::string input(key);
    input += accept_guid;
    std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
    std::string accept;
    eio::append_base64(
        accept, std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
    return accept;
}

std::string switching_protocols(std::string_view accept) {
    std::string res =
        "HTTP/1.1 101 Switching Protocols\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Accept: ";
    res += accept;
    res += "\r\n\r\n";
    return res;
}

http::response bad_handshake(const http::request& req) {
    auto res = http::make_response(req, bhttp::status::bad_request, "Bad Request", "text/plain");
    res.set(bhttp::field::sec_websocket_version, "13");
    res.keep_alive(false);
    return res;
}

}  // namespace confab::transport
