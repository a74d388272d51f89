// Engine.IO polling payloads: packets joined by the record separator, binary ones as
// "b<base64>". A payload that decodes must rebuild to the same bytes (but for base64 padding)
// and the same packets.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/engineio/packet.hpp"
#include "test/fuzz/base64_spelling.hpp"
#include "test/fuzz/fuzz_check.hpp"

namespace eio = confab::eio;
using confab::fuzz::canonical_spelling;

namespace {

constexpr std::size_t max_bytes = 100'000;
constexpr std::size_t max_packets = 1000;

bool same(const eio::packet& a, const eio::packet& b) {
    return a.type == b.type && a.binary == b.binary && a.data == b.data;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);

    // A packet already in the vector shows that decoding appends and, on failure, leaves no
    // partial output behind.
    const eio::packet sentinel{eio::packet_type::noop, false, "sentinel"};
    std::vector<eio::packet> packets{sentinel};
    if (eio::decode_payload(body, packets, max_bytes, max_packets)) {
        CONFAB_FUZZ_CHECK(packets.size() == 1 && same(packets.front(), sentinel));
        return 0;
    }
    CONFAB_FUZZ_CHECK(same(packets.front(), sentinel));
    CONFAB_FUZZ_CHECK(packets.size() >= 2 && packets.size() - 1 <= max_packets);
    CONFAB_FUZZ_CHECK(body.size() <= max_bytes);

    // Every segment has one spelling (type digit + data, or strict base64 with its padding or
    // without), so each rebuilds to itself.
    std::string rebuilt;
    std::string_view rest = body;
    for (std::size_t i = 1; i < packets.size(); ++i) {
        const eio::packet& p = packets[i];
        std::string segment;
        if (p.binary) {
            eio::append_payload_binary(segment, p.data);
        } else {
            eio::append_payload_text(segment, eio::encode_text(p.type, p.data));
        }
        const auto end = std::min(rest.find(eio::payload_separator), rest.size());
        const auto original = rest.substr(0, end);
        CONFAB_FUZZ_CHECK(p.binary ? canonical_spelling(segment, original) : segment == original);
        rest.remove_prefix(std::min(end + 1, rest.size()));
        eio::append_payload_text(rebuilt, segment);
    }
    CONFAB_FUZZ_CHECK(rest.empty());

    std::vector<eio::packet> again;
    CONFAB_FUZZ_CHECK(!eio::decode_payload(rebuilt, again, max_bytes, max_packets));
    CONFAB_FUZZ_CHECK(again.size() + 1 == packets.size());
    for (std::size_t i = 0; i < again.size(); ++i)
        CONFAB_FUZZ_CHECK(same(again[i], packets[i + 1]));
    return 0;
}
