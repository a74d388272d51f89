// Engine.IO single packets: text frames / polling segments, binary frames, and the base64 that
// carries binary messages over polling. Whatever decodes must re-encode to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/engineio/base64.hpp"
#include "proto/engineio/packet.hpp"
#include "test/fuzz/base64_spelling.hpp"
#include "test/fuzz/fuzz_check.hpp"

namespace eio = confab::eio;
using confab::fuzz::canonical_spelling;

namespace {

// A WebSocket text frame: no "b" form, and the type digit plus data is the whole frame.
void check_text(std::string_view text) {
    eio::packet p;
    if (eio::decode_text(text, p, false)) return;
    CONFAB_FUZZ_CHECK(!p.binary);
    CONFAB_FUZZ_CHECK(static_cast<int>(p.type) <= static_cast<int>(eio::packet_type::noop));
    CONFAB_FUZZ_CHECK(eio::encode_text(p.type, p.data) == text);
}

// A polling segment: "b<base64>" is a binary message, anything else reads as a text frame.
void check_segment(std::string_view text) {
    eio::packet p;
    const std::error_code ec = eio::decode_text(text, p, true);
    eio::packet as_frame;
    const std::error_code frame_ec = eio::decode_text(text, as_frame, false);
    if (text.empty() || text.front() != 'b') {
        // Without the "b" prefix the two modes must agree exactly.
        CONFAB_FUZZ_CHECK(ec == frame_ec);
        if (!ec) CONFAB_FUZZ_CHECK(!p.binary && p.type == as_frame.type && p.data == as_frame.data);
        return;
    }
    if (ec) return;
    CONFAB_FUZZ_CHECK(p.binary && p.type == eio::packet_type::message);
    std::string body;
    eio::append_payload_binary(body, p.data);
    CONFAB_FUZZ_CHECK(canonical_spelling(body, text));
}

void check_base64(std::string_view text) {
    // Any bytes encode, and decode back to themselves.
    std::string encoded;
    eio::append_base64(encoded, text);
    CONFAB_FUZZ_CHECK(encoded.size() % 4 == 0);
    std::string decoded = "untouched";
    CONFAB_FUZZ_CHECK(eio::decode_base64(encoded, decoded) && decoded == text);

    // Any text that decodes is a canonical spelling of its bytes; a failure leaves the output
    // alone, as the header promises.
    std::string bytes = "untouched";
    if (eio::decode_base64(text, bytes)) {
        std::string again;
        eio::append_base64(again, bytes);
        CONFAB_FUZZ_CHECK(canonical_spelling(again, text));
    } else {
        CONFAB_FUZZ_CHECK(bytes == "untouched");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check_text(input);
    check_segment(input);
    check_base64(input);

    const eio::packet frame = eio::decode_binary_frame(input);
    CONFAB_FUZZ_CHECK(frame.binary && frame.type == eio::packet_type::message);
    CONFAB_FUZZ_CHECK(frame.data == input);
    return 0;
}
