#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "proto/text/utf8.hpp"
#include "proto/websocket/frame.hpp"
#include "proto/websocket/parser.hpp"

namespace confab::ws {

std::ostream& boost_test_print_type(std::ostream& os, event_type type) {
    return os << "event_type(" << static_cast<int>(type) << ")";
}

std::ostream& boost_test_print_type(std::ostream& os, close_code code) {
    return os << "close_code(" << static_cast<int>(code) << ")";
}

}  // namespace confab::ws

namespace ws = confab::ws;
using namespace std::string_literals;
using namespace std::string_view_literals;

namespace {

using bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t fin = 0x80;
constexpr std::uint8_t op_text = 0x1;
constexpr std::uint8_t op_binary = 0x2;
constexpr std::uint8_t op_continuation = 0x0;
constexpr std::uint8_t op_close = 0x8;
constexpr std::uint8_t op_ping = 0x9;
constexpr std::uint8_t op_pong = 0xA;

constexpr std::size_t unlimited = std::size_t(-1);

enum class length_form { shortest, bits16, bits64 };

// A frame as a client sends it: `first` is FIN/RSV/opcode, the payload masked with `key`.
bytes client_frame(std::uint8_t first, std::string_view payload, bool masked = true,
                   length_form form = length_form::shortest,
                   std::array<std::uint8_t, 4> key = {0x37, 0xfa, 0x21, 0x3d}) {
    bytes out{first};
    const std::uint8_t mask = masked ? 0x80 : 0;
    const std::uint64_t size = payload.size();
    if (form == length_form::shortest && size < 126) {
        out.push_back(static_cast<std::uint8_t>(mask | size));
    } else if (form != length_form::bits64 && size <= 0xFFFF) {
        out.push_back(mask | 126);
        out.push_back(static_cast<std::uint8_t>(size >> 8));
        out.push_back(static_cast<std::uint8_t>(size));
    } else {
        out.push_back(mask | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<std::uint8_t>(size >> shift));
    }
    if (masked) out.insert(out.end(), key.begin(), key.end());
    for (std::size_t i = 0; i < payload.size(); ++i)
        out.push_back(static_cast<std::uint8_t>(payload[i]) ^ (masked ? key[i % 4] : 0));
    return out;
}

bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

std::string close_body(std::uint16_t code, std::string_view reason = {}) {
    std::string body{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    return body.append(reason);
}

// An event with its payload copied out of the parser.
struct seen {
    ws::event_type type;
    ws::close_code code;
    std::string payload;
};

// Feeds `input` in pieces of `piece` bytes (all at once when 0) and collects every event.
std::vector<seen> parse(ws::parser& p, bytes input, std::size_t piece = 0) {
    std::vector<seen> out;
    std::size_t at = 0;
    while (at < input.size()) {
        const std::size_t n = piece == 0 ? input.size() - at : std::min(piece, input.size() - at);
        std::span<std::uint8_t> chunk(input.data() + at, n);
        for (;;) {
            const auto r = p.feed(chunk);
            BOOST_REQUIRE(r.consumed <= chunk.size());
            chunk = chunk.subspan(r.consumed);
            if (r.ev.type == ws::event_type::none) break;
            out.push_back({r.ev.type, r.ev.code, std::string(r.ev.payload)});
        }
        BOOST_REQUIRE(chunk.empty());
        at += n;
    }
    return out;
}

std::vector<seen> parse(bytes input, std::size_t max_message = unlimited, std::size_t piece = 0) {
    ws::parser p(max_message);
    return parse(p, std::move(input), piece);
}

// The close code of the single error event `input` produces.
ws::close_code error_of(bytes input, std::size_t max_message = unlimited) {
    const auto events = parse(std::move(input), max_message);
    BOOST_REQUIRE(!events.empty());
    BOOST_TEST(events.back().type == ws::event_type::error);
    return events.back().code;
}

std::string repeat(std::size_t n, char c = 'x') {
    return std::string(n, c);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(websocket)

BOOST_AUTO_TEST_CASE(encodes_headers_with_the_shortest_length) {
    std::array<std::uint8_t, ws::max_header_size> h{};
    BOOST_TEST(ws::encode_header(h, ws::opcode::text, 0) == 2u);
    BOOST_TEST(h[0] == 0x81);
    BOOST_TEST(h[1] == 0x00);
    BOOST_TEST(ws::encode_header(h, ws::opcode::binary, 125) == 2u);
    BOOST_TEST(h[0] == 0x82);
    BOOST_TEST(h[1] == 125);
    BOOST_TEST(ws::encode_header(h, ws::opcode::close, 126) == 4u);
    BOOST_TEST(h[0] == 0x88);
    BOOST_TEST((h[1] == 126 && h[2] == 0 && h[3] == 126));
    BOOST_TEST(ws::encode_header(h, ws::opcode::pong, 0xFFFF) == 4u);
    BOOST_TEST(h[0] == 0x8A);
    BOOST_TEST((h[1] == 126 && h[2] == 0xFF && h[3] == 0xFF));
    BOOST_TEST(ws::encode_header(h, ws::opcode::text, 0x10000) == 10u);
    const std::array<std::uint8_t, 10> big{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0};
    BOOST_TEST(h == big);
    BOOST_TEST(ws::encode_header(h, ws::opcode::binary, 0x0102030405060708ull) == 10u);
    const std::array<std::uint8_t, 10> huge{0x82, 127, 1, 2, 3, 4, 5, 6, 7, 8};
    BOOST_TEST(h == huge);
}

BOOST_AUTO_TEST_CASE(encoded_server_frames_are_unmasked_and_final) {
    std::array<std::uint8_t, ws::max_header_size> h{};
    for (const auto size : {0ull, 1ull, 125ull, 126ull, 65535ull, 65536ull, 1ull << 40}) {
        ws::encode_header(h, ws::opcode::binary, size);
        BOOST_TEST((h[0] & 0x80) != 0);  // FIN
        BOOST_TEST((h[0] & 0x70) == 0);  // no RSV
        BOOST_TEST((h[1] & 0x80) == 0);  // no MASK
    }
}

BOOST_AUTO_TEST_CASE(close_payload_is_the_code_big_endian) {
    const std::array<std::uint8_t, 2> normal{0x03, 0xE8};
    BOOST_TEST(ws::close_payload(ws::close_code::normal) == normal);
    const std::array<std::uint8_t, 2> too_big{0x03, 0xF1};
    BOOST_TEST(ws::close_payload(ws::close_code::message_too_big) == too_big);
}

BOOST_AUTO_TEST_CASE(close_codes_a_peer_may_send) {
    for (const int code :
         {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999})
        BOOST_TEST(ws::is_valid_close_code(static_cast<std::uint16_t>(code)), code);
    for (const int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535})
        BOOST_TEST(!ws::is_valid_close_code(static_cast<std::uint16_t>(code)), code);
}

BOOST_AUTO_TEST_CASE(reads_a_masked_text_frame_in_place) {
    auto input = client_frame(fin | op_text, "4hello");
    ws::parser p(unlimited);
    const auto r = p.feed(input);
    BOOST_TEST(r.consumed == input.size());
    BOOST_TEST(r.ev.type == ws::event_type::text);
    BOOST_TEST(r.ev.payload == "4hello");
    // Unmasked where it lies: no copy for a message that arrives whole.
    BOOST_TEST(static_cast<const void*>(r.ev.payload.data()) ==
               static_cast<const void*>(input.data() + 6));
    BOOST_TEST(p.feed({}).ev.type == ws::event_type::none);
}

BOOST_AUTO_TEST_CASE(reads_binary_frames_with_any_bytes) {
    const auto payload = "\x00\x01\xff\xfe\x80"s;
    const auto events = parse(client_frame(fin | op_binary, payload));
    BOOST_REQUIRE(events.size() == 1u);
    BOOST_TEST(events[0].type == ws::event_type::binary);
    BOOST_TEST(events[0].payload == payload);
}

BOOST_AUTO_TEST_CASE(reads_every_length_encoding) {
    for (const std::size_t size : {0u, 1u, 125u, 126u, 127u, 1000u, 65535u, 65536u, 70000u}) {
        const auto payload = repeat(size, 'a');
        auto events = parse(client_frame(fin | op_text, payload));
        BOOST_REQUIRE(events.size() == 1u);
        BOOST_TEST(events[0].type == ws::event_type::text);
        BOOST_TEST(events[0].payload.size() == size);
        BOOST_TEST((events[0].payload == payload));
    }
    // A 64-bit length for a size that needs it, fed in pieces.
    const auto payload = repeat(65536, 'b');
    const auto events =
        parse(client_frame(fin | op_binary, payload, true, length_form::bits64), unlimited, 1000);
    BOOST_REQUIRE(events.size() == 1u);
    BOOST_TEST((events[0].payload == payload));
}

BOOST_AUTO_TEST_CASE(unmasks_with_every_key_offset) {
    // Split at every point: the key position carries over between pieces.
    const std::string payload = "0123456789abcdefghijklmnopqrstuvwxyz";
    const auto frame =
        client_frame(fin | op_text, payload, true, length_form::shortest, {0x01, 0x80, 0x7f, 0xff});
    for (std::size_t piece = 1; piece <= frame.size(); ++piece) {
        const auto events = parse(frame, unlimited, piece);
        BOOST_REQUIRE(events.size() == 1u);
        BOOST_TEST(events[0].payload == payload);
    }
}

BOOST_AUTO_TEST_CASE(reassembles_fragmented_messages) {
    const auto input = concat({client_frame(op_text, "4hel"), client_frame(op_continuation, ""),
                               client_frame(op_continuation, "lo "),
                               client_frame(fin | op_continuation, "world")});
    const auto events = parse(input);
    BOOST_REQUIRE(events.size() == 1u);
    BOOST_TEST(events[0].type == ws::event_type::text);
    BOOST_TEST(events[0].payload == "4hello world");

    const auto bin = parse(concat(
        {client_frame(op_binary, "\x01\x02"s), client_frame(fin | op_continuation, "\x03"s)}));
    BOOST_REQUIRE(bin.size() == 1u);
    BOOST_TEST(bin[0].type == ws::event_type::binary);
    BOOST_TEST(bin[0].payload == "\x01\x02\x03");
}

BOOST_AUTO_TEST_CASE(a_code_point_may_span_fragments) {
    // UTF-8 is checked on the whole message, not on each fragment.
    const auto events = parse(
        concat({client_frame(op_text, "caf\xc3"), client_frame(fin | op_continuation, "\xa9")}));
    BOOST_REQUIRE(events.size() == 1u);
    BOOST_TEST(events[0].type == ws::event_type::text);
    BOOST_TEST(events[0].payload == "caf\xc3\xa9");
}

BOOST_AUTO_TEST_CASE(control_frames_between_fragments) {
    const auto input =
        concat({client_frame(op_text, "4a"), client_frame(fin | op_ping, "are you there"),
                client_frame(op_continuation, "b"), client_frame(fin | op_pong, "x"),
                client_frame(fin | op_continuation, "c"), client_frame(fin | op_text, "4next")});
    for (const std::size_t piece : {0u, 1u, 3u, 7u}) {
        const auto events = parse(input, unlimited, piece);
        BOOST_REQUIRE(events.size() == 4u);
        BOOST_TEST(events[0].type == ws::event_type::ping);
        BOOST_TEST(events[0].payload == "are you there");
        BOOST_TEST(events[1].type == ws::event_type::pong);
        BOOST_TEST(events[1].payload == "x");
        BOOST_TEST(events[2].type == ws::event_type::text);
        BOOST_TEST(events[2].payload == "4abc");
        BOOST_TEST(events[3].type == ws::event_type::text);
        BOOST_TEST(events[3].payload == "4next");
    }
}

BOOST_AUTO_TEST_CASE(ping_payloads_up_to_125_bytes) {
    const auto payload = repeat(125, 'p');
    const auto events =
        parse(concat({client_frame(fin | op_ping, payload), client_frame(fin | op_ping, "")}));
    BOOST_REQUIRE(events.size() == 2u);
    BOOST_TEST(events[0].type == ws::event_type::ping);
    BOOST_TEST(events[0].payload == payload);
    BOOST_TEST(events[1].type == ws::event_type::ping);
    BOOST_TEST(events[1].payload.empty());
}

BOOST_AUTO_TEST_CASE(several_frames_in_one_input) {
    const auto input = concat({client_frame(fin | op_text, "41"), client_frame(fin | op_text, "42"),
                               client_frame(fin | op_binary, "\x03"s)});
    const auto events = parse(input);
    BOOST_REQUIRE(events.size() == 3u);
    BOOST_TEST(events[0].payload == "41");
    BOOST_TEST(events[1].payload == "42");
    BOOST_TEST(events[2].type == ws::event_type::binary);
}

BOOST_AUTO_TEST_CASE(empty_text_message) {
    const auto events = parse(client_frame(fin | op_text, ""));
    BOOST_REQUIRE(events.size() == 1u);
    BOOST_TEST(events[0].type == ws::event_type::text);
    BOOST_TEST(events[0].payload.empty());
}

BOOST_AUTO_TEST_CASE(close_with_code_and_reason_ends_parsing) {
    const auto input = concat({client_frame(fin | op_close, close_body(1001, "bye \xc3\xa9")),
                               client_frame(fin | op_text, "4ignored"), bytes{0xff, 0xff}});
    ws::parser p(unlimited);
    const auto events = parse(p, input);
    BOOST_REQUIRE(events.size() == 1u);
    BOOST_TEST(events[0].type == ws::event_type::close);
    BOOST_TEST(events[0].code == ws::close_code::going_away);
    BOOST_TEST(events[0].payload == "bye \xc3\xa9");
    BOOST_TEST(p.done());
    auto more = client_frame(fin | op_text, "4late");
    const auto r = p.feed(more);
    BOOST_TEST(r.consumed == more.size());
    BOOST_TEST(r.ev.type == ws::event_type::none);
}

BOOST_AUTO_TEST_CASE(close_without_a_code) {
    const auto events = parse(client_frame(fin | op_close, ""));
    BOOST_REQUIRE(events.size() == 1u);
    BOOST_TEST(events[0].type == ws::event_type::close);
    BOOST_TEST(events[0].code == ws::close_code::no_status);
    BOOST_TEST(events[0].payload.empty());
}

BOOST_AUTO_TEST_CASE(close_split_over_inputs_and_inside_a_message) {
    const auto input = concat(
        {client_frame(op_binary, "\x01"s), client_frame(fin | op_close, close_body(4000, "app"))});
    const auto events = parse(input, unlimited, 1);
    BOOST_REQUIRE(events.size() == 1u);
    BOOST_TEST(events[0].type == ws::event_type::close);
    BOOST_TEST(static_cast<int>(events[0].code) == 4000);
    BOOST_TEST(events[0].payload == "app");
}

BOOST_AUTO_TEST_CASE(unmasked_client_frames_are_a_protocol_error) {
    BOOST_TEST(error_of(client_frame(fin | op_text, "4hi", false)) ==
               ws::close_code::protocol_error);
    BOOST_TEST(error_of(client_frame(fin | op_ping, "", false)) == ws::close_code::protocol_error);
}

BOOST_AUTO_TEST_CASE(rsv_bits_are_a_protocol_error) {
    for (const std::uint8_t rsv : {0x40, 0x20, 0x10, 0x70})
        BOOST_TEST(error_of(client_frame(static_cast<std::uint8_t>(fin | rsv | op_text), "4")) ==
                   ws::close_code::protocol_error);
}

BOOST_AUTO_TEST_CASE(unknown_opcodes_are_a_protocol_error) {
    for (const std::uint8_t op : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF})
        BOOST_TEST(error_of(client_frame(static_cast<std::uint8_t>(fin | op), "x")) ==
                   ws::close_code::protocol_error);
}

BOOST_AUTO_TEST_CASE(fragmentation_errors) {
    // A continuation with no message open.
    BOOST_TEST(error_of(client_frame(fin | op_continuation, "x")) ==
               ws::close_code::protocol_error);
    BOOST_TEST(
        error_of(concat({client_frame(fin | op_text, "4"), client_frame(op_continuation, "x")})) ==
        ws::close_code::protocol_error);
    // A new message before the open one is finished.
    BOOST_TEST(error_of(concat({client_frame(op_text, "4a"), client_frame(fin | op_text, "4b")})) ==
               ws::close_code::protocol_error);
    BOOST_TEST(error_of(concat({client_frame(op_binary, "a"), client_frame(op_binary, "b")})) ==
               ws::close_code::protocol_error);
    // Control frames may not be fragmented.
    for (const std::uint8_t op : {op_ping, op_pong, op_close})
        BOOST_TEST(error_of(client_frame(op, "")) == ws::close_code::protocol_error);
}

BOOST_AUTO_TEST_CASE(control_frames_over_125_bytes_are_a_protocol_error) {
    for (const std::uint8_t op : {op_ping, op_pong, op_close})
        BOOST_TEST(error_of(client_frame(static_cast<std::uint8_t>(fin | op), repeat(126))) ==
                   ws::close_code::protocol_error);
}

BOOST_AUTO_TEST_CASE(lengths_must_use_their_shortest_form) {
    BOOST_TEST(error_of(client_frame(fin | op_text, "4", true, length_form::bits16)) ==
               ws::close_code::protocol_error);
    BOOST_TEST(error_of(client_frame(fin | op_text, repeat(125), true, length_form::bits16)) ==
               ws::close_code::protocol_error);
    BOOST_TEST(error_of(client_frame(fin | op_text, repeat(200), true, length_form::bits64)) ==
               ws::close_code::protocol_error);
    // 126 with 16 bits and 65536 with 64 bits are fine.
    BOOST_TEST(parse(client_frame(fin | op_text, repeat(126), true, length_form::bits16))[0].type ==
               ws::event_type::text);
}

BOOST_AUTO_TEST_CASE(a_64_bit_length_with_the_top_bit_is_a_protocol_error) {
    const bytes header{fin | op_binary, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
    BOOST_TEST(error_of(header) == ws::close_code::protocol_error);
}

BOOST_AUTO_TEST_CASE(messages_over_the_limit_are_refused_on_the_header) {
    BOOST_TEST(parse(client_frame(fin | op_text, repeat(10)), 10)[0].type == ws::event_type::text);
    BOOST_TEST(error_of(client_frame(fin | op_text, repeat(11)), 10) ==
               ws::close_code::message_too_big);
    // Only the header: the peer never gets to send the announced megabytes.
    const bytes header{fin | op_binary, 0x80 | 127, 0, 0, 0, 0, 0, 0x10, 0, 0, 1, 2, 3, 4};
    BOOST_TEST(error_of(header, 1000) == ws::close_code::message_too_big);
    // Over several fragments.
    BOOST_TEST(
        error_of(concat({client_frame(op_text, repeat(6)), client_frame(op_continuation, repeat(4)),
                         client_frame(fin | op_continuation, "x")}),
                 10) == ws::close_code::message_too_big);
    // Control frames do not count against an open message.
    const auto events =
        parse(concat({client_frame(op_text, repeat(10)), client_frame(fin | op_ping, "ab"),
                      client_frame(fin | op_continuation, "")}),
              10);
    BOOST_REQUIRE(events.size() == 2u);
    BOOST_TEST(events[1].type == ws::event_type::text);
}

BOOST_AUTO_TEST_CASE(text_that_is_not_utf8_is_invalid_payload) {
    BOOST_TEST(error_of(client_frame(fin | op_text, "4\xff")) == ws::close_code::invalid_payload);
    BOOST_TEST(error_of(concat(
                   {client_frame(op_text, "4\xc3"), client_frame(fin | op_continuation, "(")})) ==
               ws::close_code::invalid_payload);
    // Binary messages carry any bytes.
    BOOST_TEST(parse(client_frame(fin | op_binary, "\xff"))[0].type == ws::event_type::binary);
}

BOOST_AUTO_TEST_CASE(bad_close_frames) {
    BOOST_TEST(error_of(client_frame(fin | op_close, "\x03")) == ws::close_code::protocol_error);
    for (const std::uint16_t code : {999, 1004, 1005, 1006, 1015, 2999, 5000})
        BOOST_TEST(error_of(client_frame(fin | op_close, close_body(code))) ==
                   ws::close_code::protocol_error);
    BOOST_TEST(error_of(client_frame(fin | op_close, close_body(1000, "\xc3"))) ==
               ws::close_code::invalid_payload);
}

BOOST_AUTO_TEST_CASE(after_an_error_everything_is_ignored) {
    ws::parser p(unlimited);
    auto bad = client_frame(fin | op_text, "4", false);
    BOOST_TEST(p.feed(bad).ev.type == ws::event_type::error);
    BOOST_TEST(p.done());
    auto good = client_frame(fin | op_text, "4fine");
    const auto r = p.feed(good);
    BOOST_TEST(r.consumed == good.size());
    BOOST_TEST(r.ev.type == ws::event_type::none);
}

BOOST_AUTO_TEST_CASE(an_error_is_reported_on_the_first_bad_byte) {
    // An unmasked header fails on its second byte, without waiting for a length or payload.
    ws::parser p(unlimited);
    bytes head{fin | op_binary, 127};
    const auto r = p.feed(head);
    BOOST_TEST(r.ev.type == ws::event_type::error);
    BOOST_TEST(r.consumed == 2u);
}

BOOST_AUTO_TEST_CASE(byte_at_a_time_gives_the_same_events) {
    const auto input = concat({
        client_frame(fin | op_text, "40"),
        client_frame(op_text, "4frag"),
        client_frame(fin | op_ping, "p"),
        client_frame(fin | op_continuation, "mented"),
        client_frame(fin | op_binary, repeat(300, 'z')),
        client_frame(fin | op_text, repeat(70000, 'y'), true, length_form::bits64),
        client_frame(fin | op_pong, ""),
        client_frame(fin | op_close, close_body(1000)),
    });
    const auto whole = parse(input);
    BOOST_REQUIRE(whole.size() == 7u);
    for (const std::size_t piece : {1u, 2u, 5u, 13u, 4096u}) {
        const auto pieces = parse(input, unlimited, piece);
        BOOST_REQUIRE(pieces.size() == whole.size());
        for (std::size_t i = 0; i < whole.size(); ++i) {
            BOOST_TEST(pieces[i].type == whole[i].type);
            BOOST_TEST(pieces[i].code == whole[i].code);
            BOOST_TEST((pieces[i].payload == whole[i].payload));
        }
    }
    BOOST_TEST(whole[1].payload == "p");
    BOOST_TEST(whole[2].payload == "4fragmented");
    BOOST_TEST(whole[6].type == ws::event_type::close);
}

BOOST_AUTO_TEST_CASE(random_garbage_never_crashes) {
    std::mt19937 rng(20240601);
    const auto valid =
        concat({client_frame(fin | op_text, "4hello"), client_frame(op_text, "4a"),
                client_frame(fin | op_ping, "pp"), client_frame(fin | op_continuation, "b"),
                client_frame(fin | op_binary, repeat(200)),
                client_frame(fin | op_close, close_body(1000, "ok"))});
    for (int round = 0; round < 3000; ++round) {
        bytes input;
        if (round % 2 == 0) {
            input.resize(rng() % 512);
            for (auto& b : input) b = static_cast<std::uint8_t>(rng());
        } else {
            // Mutations of a valid stream reach deeper into the parser than pure noise.
            input = valid;
            const int edits = 1 + static_cast<int>(rng() % 4);
            for (int e = 0; e < edits; ++e)
                input[rng() % input.size()] = static_cast<std::uint8_t>(rng());
        }
        ws::parser p(1 + rng() % 1024);
        std::size_t at = 0;
        bool ended = false;
        while (at < input.size()) {
            const std::size_t n = std::min<std::size_t>(1 + rng() % 64, input.size() - at);
            std::span<std::uint8_t> chunk(input.data() + at, n);
            at += n;
            if (ended) {
                // After close or error, everything is swallowed without an event.
                const auto r = p.feed(chunk);
                BOOST_REQUIRE(r.consumed == chunk.size());
                BOOST_REQUIRE(r.ev.type == ws::event_type::none);
                continue;
            }
            while (!chunk.empty() && !ended) {
                const auto r = p.feed(chunk);
                BOOST_REQUIRE(r.consumed <= chunk.size());
                // Progress: an input is either consumed or yields an event.
                BOOST_REQUIRE((r.consumed > 0 || r.ev.type != ws::event_type::none));
                if (r.ev.type == ws::event_type::text)
                    BOOST_REQUIRE(confab::utf8::is_valid(r.ev.payload));
                ended = r.ev.type == ws::event_type::error || r.ev.type == ws::event_type::close;
                BOOST_REQUIRE(ended == p.done());
                chunk = chunk.subspan(r.consumed);
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
