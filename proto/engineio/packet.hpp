#pragma once
// Engine.IO v4 packets: https://github.com/socketio/engine.io-protocol (v4).
// Sans-I/O: bytes in, packets out, and back. Bad input is an error value, never a throw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace confab::eio {

enum class packet_type : std::uint8_t {
    open = 0,
    close = 1,
    ping = 2,
    pong = 3,
    message = 4,
    upgrade = 5,
    noop = 6,
};

struct packet {
    packet_type type = packet_type::message;
    bool binary = false;  // a binary message: `data` holds the raw bytes
    std::string data;
};

enum class error {
    empty_packet = 1,
    unknown_packet_type,
    bad_base64,
    payload_too_large,
    too_many_packets,
};
const std::error_category& error_category() noexcept;
std::error_code make_error_code(error e) noexcept;

// The separator between packets of one polling payload (record separator).
inline constexpr char payload_separator = '\x1e';

// Decodes one text-encoded packet: a WebSocket text frame, or one segment of a polling
// payload. With `allow_base64`, a segment "b<base64>" is a binary message (polling only).
std::error_code decode_text(std::string_view text, packet& out, bool allow_base64);

// A WebSocket binary frame is always a binary message carrying the frame's bytes.
packet decode_binary_frame(std::string_view bytes);

// The text encoding of a non-binary packet: its type digit, then its data.
std::string encode_text(packet_type type, std::string_view data);

// Splits a polling POST body into packets. Fails without partial output when the body is
// larger than `max_bytes`, holds more than `max_packets` packets, or any segment is invalid.
std::error_code decode_payload(std::string_view body, std::vector<packet>& out,
                               std::size_t max_bytes, std::size_t max_packets = 10'000);

// Builds a polling GET body one packet at a time; each call adds the separator when
// `body` is not empty. `encoded` is a packet already text-encoded (type digit first).
void append_payload_text(std::string& body, std::string_view encoded);
// Adds a binary message as "b<base64>".
void append_payload_binary(std::string& body, std::string_view bytes);

}  // namespace confab::eio

template <>
struct std::is_error_code_enum<confab::eio::error> : std::true_type {};
