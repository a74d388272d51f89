#include "proto/websocket/frame.hpp"

namespace confab::ws {

std::size_t encode_header(std::span<std::uint8_t, max_header_size> out, opcode op,
                          std::uint64_t payload_size) noexcept {
    out[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(op));
    if (payload_size < 126) {
        out[1] = static_cast<std::uint8_t>(payload_size);
        return 2;
    }
    if (payload_size <= 0xFFFF) {
        out[1] = 126;
        out[2] = static_cast<std::uint8_t>(payload_size >> 8);
        out[3] = static_cast<std::uint8_t>(payload_size);
        return 4;
    }
    out[1] = 127;
    for (std::size_t i = 0; i < 8; ++i)
        out[2 + i] = static_cast<std::uint8_t>(payload_size >> (56 - 8 * i));
    return 10;
}

std::array<std::uint8_t, 2> close_payload(close_code code) noexcept {
    const auto value = static_cast<std::uint16_t>(code);
    return {static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
}

bool is_valid_close_code(std::uint16_t code) noexcept {
    if (code >= 1000 && code <= 1003) return true;
    if (code >= 1007 && code <= 1014) return true;
    return code >= 3000 && code <= 4999;
}

}  // namespace confab::ws
