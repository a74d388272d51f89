// The WebSocket frame parser on a stream of client bytes. The first input byte picks the
// message limit (bits 0-1) and how the rest is cut into the pieces a socket might deliver
// (bits 2-7: 0 for one piece, else pieces of 1 to that many bytes). The events must not depend
// on the cutting, so the same bytes are also parsed in one piece and the two event lists
// compared. Every text or control event is also framed again as a client would and must parse
// back to itself, and the UTF-8 check is compared with a plain reference implementation.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/text/utf8.hpp"
#include "proto/websocket/frame.hpp"
#include "proto/websocket/parser.hpp"
#include "test/fuzz/fuzz_check.hpp"

namespace ws = confab::ws;

namespace {

constexpr std::size_t message_limits[] = {16, 125, 70'000, std::numeric_limits<std::size_t>::max()};

// An event with its payload copied: the parser's view only lives until the next feed().
struct seen {
    ws::event_type type;
    ws::close_code code;
    std::string payload;
    friend bool operator==(const seen&, const seen&) = default;
};

// Byte by byte, as Unicode table 3-7 states it.
bool reference_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        std::uint32_t min = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (s.size() - i < len) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return false;
            cp = cp << 6 | (d & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

// Feeds `bytes` in pieces of the given sizes (cycling), collecting every event.
std::vector<seen> parse(std::size_t max_message, std::vector<std::uint8_t> bytes,
                        unsigned max_piece) {
    ws::parser parser(max_message);
    std::vector<seen> events;
    std::uint32_t rng = 0x9E3779B9u ^ max_piece;
    std::size_t at = 0;
    while (at < bytes.size()) {
        std::size_t piece = bytes.size() - at;
        if (max_piece != 0) {
            rng = rng * 1664525u + 1013904223u;
            piece = std::min<std::size_t>(piece, 1 + (rng >> 16) % max_piece);
        }
        std::span<std::uint8_t> input(bytes.data() + at, piece);
        while (!input.empty()) {
            const ws::feed_result r = parser.feed(input);
            CONFAB_FUZZ_CHECK(r.consumed <= input.size());
            if (r.ev.type == ws::event_type::none) {
                // No event means the whole input was taken in.
                CONFAB_FUZZ_CHECK(r.consumed == input.size());
            } else {
                CONFAB_FUZZ_CHECK(r.consumed > 0);
                events.push_back({r.ev.type, r.ev.code, std::string(r.ev.payload)});
            }
            input = input.subspan(r.consumed);
        }
        at += piece;
    }
    return events;
}

std::vector<std::uint8_t> client_frame(ws::opcode op, std::string_view payload) {
    std::uint8_t header[ws::max_header_size];
    const std::size_t size =
        ws::encode_header(std::span<std::uint8_t, ws::max_header_size>(header), op, payload.size());
    std::vector<std::uint8_t> frame(header, header + size);
    frame[1] |= 0x80;  // clients mask
    const std::uint8_t key[4] = {0x37, 0xFA, 0x21, 0x3D};
    frame.insert(frame.end(), key, key + 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        frame.push_back(static_cast<std::uint8_t>(payload[i]) ^ key[i % 4]);
    return frame;
}

void check_event(const seen& e, std::size_t max_message) {
    switch (e.type) {
        case ws::event_type::text:
            CONFAB_FUZZ_CHECK(reference_utf8(e.payload));
            [[fallthrough]];
        case ws::event_type::binary:
            CONFAB_FUZZ_CHECK(e.payload.size() <= max_message);
            break;
        case ws::event_type::ping:
        case ws::event_type::pong:
            CONFAB_FUZZ_CHECK(e.payload.size() <= ws::max_control_payload);
            break;
        case ws::event_type::close:
            CONFAB_FUZZ_CHECK(e.payload.size() <= ws::max_control_payload - 2);
            CONFAB_FUZZ_CHECK(reference_utf8(e.payload));
            CONFAB_FUZZ_CHECK(e.code == ws::close_code::no_status ||
                              ws::is_valid_close_code(static_cast<std::uint16_t>(e.code)));
            break;
        case ws::event_type::error:
            CONFAB_FUZZ_CHECK(e.payload.empty() && e.code != ws::close_code::no_status);
            break;
        case ws::event_type::none:
            CONFAB_FUZZ_CHECK(false);
    }

    // Framed again as one client frame, a message or ping/pong reads back as the same event.
    ws::opcode op;
    switch (e.type) {
        case ws::event_type::text:
            op = ws::opcode::text;
            break;
        case ws::event_type::binary:
            op = ws::opcode::binary;
            break;
        case ws::event_type::ping:
            op = ws::opcode::ping;
            break;
        case ws::event_type::pong:
            op = ws::opcode::pong;
            break;
        default:
            return;
    }
    const std::vector<seen> again = parse(max_message, client_frame(op, e.payload), 0);
    CONFAB_FUZZ_CHECK(again.size() == 1 && again.front() == e);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t max_message = message_limits[data[0] & 0x3];
    const unsigned max_piece = data[0] >> 2;
    const std::vector<std::uint8_t> stream(data + 1, data + size);

    const std::string_view text(reinterpret_cast<const char*>(stream.data()), stream.size());
    const bool valid = confab::utf8::is_valid(text);
    CONFAB_FUZZ_CHECK(valid == reference_utf8(text));
    const std::string repaired = confab::utf8::repaired(text);
    CONFAB_FUZZ_CHECK(confab::utf8::is_valid(repaired) && (repaired == text) == valid);

    const std::vector<seen> whole = parse(max_message, stream, 0);
    for (std::size_t i = 0; i < whole.size(); ++i) {
        check_event(whole[i], max_message);
        // Close and error end the stream: nothing may follow them.
        const bool last =
            whole[i].type == ws::event_type::close || whole[i].type == ws::event_type::error;
        CONFAB_FUZZ_CHECK(!last || i + 1 == whole.size());
    }
    if (max_piece != 0) CONFAB_FUZZ_CHECK(parse(max_message, stream, max_piece) == whole);
    return 0;
}
