#pragma once
// RFC 6455 WebSocket framing, server side: https://www.rfc-editor.org/rfc/rfc6455#section-5.
// Sans-I/O. Servers send unmasked, unfragmented frames; what clients send is read by
// ws::parser (proto/websocket/parser.hpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace confab::ws {

enum class opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// Status codes of a close frame (RFC 6455 section 7.4.1). A peer may send any other valid
// code (is_valid_close_code); the enum holds those values too.
enum class close_code : std::uint16_t {
    normal = 1000,
    going_away = 1001,
    protocol_error = 1002,
    unsupported_data = 1003,
    no_status = 1005,  // never sent: stands for a close frame without a code
    invalid_payload = 1007,
    policy_violation = 1008,
    message_too_big = 1009,
    internal_error = 1011,
};

// Two bytes, then a 16- or 64-bit length; no masking key, as servers never mask.
inline constexpr std::size_t max_header_size = 10;
inline constexpr std::size_t max_control_payload = 125;

// Writes the header of one final (FIN), unmasked frame of `payload_size` bytes into `out`,
// with the shortest length encoding; returns the bytes used (2, 4 or 10).
std::size_t encode_header(std::span<std::uint8_t, max_header_size> out, opcode op,
                          std::uint64_t payload_size) noexcept;

// The payload of a close frame that carries `code` and no reason.
std::array<std::uint8_t, 2> close_payload(close_code code) noexcept;

// Whether a peer may put `code` in a close frame: the codes RFC 6455 and the IANA registry
// define (1000-1003, 1007-1014), or 3000-4999 for libraries and applications.
bool is_valid_close_code(std::uint16_t code) noexcept;

}  // namespace confab::ws
