#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "proto/engineio/packet.hpp"

namespace confab::eio {

std::ostream& boost_test_print_type(std::ostream& os, packet_type type) {
    return os << "packet_type(" << static_cast<int>(type) << ")";
}

}  // namespace confab::eio

namespace eio = confab::eio;
using namespace std::string_literals;
using namespace std::string_view_literals;

namespace {

std::error_code err(eio::error e) {
    return eio::make_error_code(e);
}

constexpr std::size_t unlimited = std::size_t(-1);

const std::string bytes_1234 = "\x01\x02\x03\x04";

}  // namespace

BOOST_AUTO_TEST_SUITE(engineio)

BOOST_AUTO_TEST_CASE(decodes_every_text_packet_type) {
    const std::vector<std::pair<std::string_view, eio::packet_type>> cases = {
        {"0{\"sid\":\"abc\"}", eio::packet_type::open},
        {"1", eio::packet_type::close},
        {"2probe", eio::packet_type::ping},
        {"3probe", eio::packet_type::pong},
        {"4hello", eio::packet_type::message},
        {"5", eio::packet_type::upgrade},
        {"6", eio::packet_type::noop},
    };
    for (const auto& [text, type] : cases) {
        for (const bool allow_base64 : {false, true}) {
            eio::packet p;
            BOOST_TEST(!eio::decode_text(text, p, allow_base64));
            BOOST_TEST(p.type == type);
            BOOST_TEST(!p.binary);
            BOOST_TEST(p.data == text.substr(1));
        }
    }
}

BOOST_AUTO_TEST_CASE(text_data_is_kept_verbatim) {
    eio::packet p;
    const std::string text = "4caf\xc3\xa9\x1e\0tail"s;
    BOOST_TEST(!eio::decode_text(text, p, false));
    BOOST_TEST(p.data == text.substr(1));
}

BOOST_AUTO_TEST_CASE(rejects_empty_and_unknown_text_packets) {
    eio::packet p;
    BOOST_TEST(eio::decode_text("", p, false) == err(eio::error::empty_packet));
    BOOST_TEST(eio::decode_text("", p, true) == err(eio::error::empty_packet));
    for (const std::string_view text :
         {"7"sv, "9hello"sv, "x"sv, "/"sv, " 4"sv, "\x00"sv, "\xff"sv}) {
        BOOST_TEST(eio::decode_text(text, p, true) == err(eio::error::unknown_packet_type));
    }
    // Base64 binary is a polling-only encoding.
    BOOST_TEST(eio::decode_text("bAQIDBA==", p, false) == err(eio::error::unknown_packet_type));
}

BOOST_AUTO_TEST_CASE(failed_decode_leaves_the_packet_untouched) {
    eio::packet p{eio::packet_type::ping, false, "keep"};
    BOOST_TEST(eio::decode_text("8", p, false) == err(eio::error::unknown_packet_type));
    BOOST_TEST(eio::decode_text("b!!", p, true) == err(eio::error::bad_base64));
    BOOST_TEST(p.type == eio::packet_type::ping);
    BOOST_TEST(p.data == "keep");
}

BOOST_AUTO_TEST_CASE(decodes_base64_binary_segments) {
    eio::packet p;
    BOOST_TEST(!eio::decode_text("bAQIDBA==", p, true));
    BOOST_TEST(p.type == eio::packet_type::message);
    BOOST_TEST(p.binary);
    BOOST_TEST(p.data == bytes_1234);

    BOOST_TEST(!eio::decode_text("b", p, true));
    BOOST_TEST(p.binary);
    BOOST_TEST(p.data.empty());

    BOOST_TEST(!eio::decode_text("b/w==", p, true));
    BOOST_TEST(p.data == "\xff");
}

BOOST_AUTO_TEST_CASE(decodes_base64_without_its_padding) {
    eio::packet p;
    BOOST_TEST(!eio::decode_text("bAQIDBA", p, true));
    BOOST_TEST(p.data == bytes_1234);
    BOOST_TEST(!eio::decode_text("b/w", p, true));
    BOOST_TEST(p.data == "\xff");
    BOOST_TEST(!eio::decode_text("bAQID", p, true));
    BOOST_TEST(p.data == "\x01\x02\x03");
}

BOOST_AUTO_TEST_CASE(rejects_bad_base64) {
    eio::packet p;
    const std::vector<std::string_view> bad = {
        "b!!!!", "bAQIDB",       "bAQIDBA=", "bAQIDBA===", "bAQ IDBA==", "bAQIDBA==\n",
        "bAR==", "bA",           "b====",    "bAQ=ID",     "bAQIDBA==x", "b\x00\x00\x00\x00"sv,
        "b-_-_", "bAQIDBA=\x1e", "bAR",      "bAQIDBA=A",  "b/w=",       "bAQIDBR",
    };
    for (const std::string_view text : bad) {
        BOOST_TEST(eio::decode_text(text, p, true) == err(eio::error::bad_base64), text);
    }
}

BOOST_AUTO_TEST_CASE(binary_frames_are_binary_messages) {
    const std::string bytes = "\x00\xff\x1e"s;
    const eio::packet p = eio::decode_binary_frame(bytes);
    BOOST_TEST(p.type == eio::packet_type::message);
    BOOST_TEST(p.binary);
    BOOST_TEST(p.data == bytes);
    BOOST_TEST(eio::decode_binary_frame("").data.empty());
}

BOOST_AUTO_TEST_CASE(encodes_every_packet_type) {
    BOOST_TEST(eio::encode_text(eio::packet_type::open, "{\"sid\":\"a\"}") == "0{\"sid\":\"a\"}");
    BOOST_TEST(eio::encode_text(eio::packet_type::close, "") == "1");
    BOOST_TEST(eio::encode_text(eio::packet_type::ping, "probe") == "2probe");
    BOOST_TEST(eio::encode_text(eio::packet_type::pong, "") == "3");
    BOOST_TEST(eio::encode_text(eio::packet_type::message, "40") == "440");
    BOOST_TEST(eio::encode_text(eio::packet_type::upgrade, "") == "5");
    BOOST_TEST(eio::encode_text(eio::packet_type::noop, "") == "6");
}

BOOST_AUTO_TEST_CASE(text_packets_round_trip) {
    for (int t = 0; t <= 6; ++t) {
        const auto type = static_cast<eio::packet_type>(t);
        const std::string text = eio::encode_text(type, "data");
        eio::packet p;
        BOOST_TEST(!eio::decode_text(text, p, false));
        BOOST_TEST(p.type == type);
        BOOST_TEST(p.data == "data");
    }
}

BOOST_AUTO_TEST_CASE(decodes_the_documented_payload) {
    const std::string body =
        "4hello\x1e"
        "bAQIDBA==";
    std::vector<eio::packet> packets;
    BOOST_TEST(!eio::decode_payload(body, packets, unlimited));
    BOOST_TEST_REQUIRE(packets.size() == 2u);
    BOOST_TEST(packets[0].type == eio::packet_type::message);
    BOOST_TEST(!packets[0].binary);
    BOOST_TEST(packets[0].data == "hello");
    BOOST_TEST(packets[1].type == eio::packet_type::message);
    BOOST_TEST(packets[1].binary);
    BOOST_TEST(packets[1].data == bytes_1234);
}

BOOST_AUTO_TEST_CASE(encodes_the_documented_payload) {
    std::string body;
    eio::append_payload_text(body, "4hello");
    eio::append_payload_binary(body, bytes_1234);
    BOOST_TEST(body ==
               "4hello\x1e"
               "bAQIDBA==");
}

BOOST_AUTO_TEST_CASE(single_packet_payload_has_no_separator) {
    std::string body;
    eio::append_payload_binary(body, bytes_1234);
    BOOST_TEST(body == "bAQIDBA==");
    body.clear();
    eio::append_payload_text(body, "2");
    BOOST_TEST(body == "2");
}

BOOST_AUTO_TEST_CASE(payloads_round_trip) {
    std::string all_bytes;
    for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
    const std::vector<eio::packet> packets = {
        {eio::packet_type::message, false, "42[\"chat\",\"hi\"]"},
        {eio::packet_type::message, true, all_bytes},
        {eio::packet_type::ping, false, ""},
        {eio::packet_type::message, true, ""},
        {eio::packet_type::message, true, "x"},
        {eio::packet_type::message, true, "xy"},
        {eio::packet_type::close, false, ""},
    };
    std::string body;
    for (const eio::packet& p : packets) {
        if (p.binary) {
            eio::append_payload_binary(body, p.data);
        } else {
            eio::append_payload_text(body, eio::encode_text(p.type, p.data));
        }
    }
    std::vector<eio::packet> decoded;
    BOOST_TEST(!eio::decode_payload(body, decoded, body.size(), packets.size()));
    BOOST_TEST_REQUIRE(decoded.size() == packets.size());
    for (std::size_t i = 0; i < packets.size(); ++i) {
        BOOST_TEST(decoded[i].type == packets[i].type);
        BOOST_TEST(decoded[i].binary == packets[i].binary);
        BOOST_TEST(decoded[i].data == packets[i].data);
    }
}

BOOST_AUTO_TEST_CASE(decode_payload_appends_to_existing_packets) {
    std::vector<eio::packet> packets(1);
    BOOST_TEST(
        !eio::decode_payload("2\x1e"
                             "3",
                             packets, unlimited));
    BOOST_TEST_REQUIRE(packets.size() == 3u);
    BOOST_TEST(packets[1].type == eio::packet_type::ping);
    BOOST_TEST(packets[2].type == eio::packet_type::pong);
}

BOOST_AUTO_TEST_CASE(rejects_empty_bodies_and_segments) {
    for (const std::string_view body : {""sv, "\x1e"sv, "4a\x1e"sv,
                                        "\x1e"
                                        "4a"sv,
                                        "4a\x1e\x1e"
                                        "4b"sv,
                                        "\x1e\x1e"sv}) {
        std::vector<eio::packet> packets;
        BOOST_TEST(eio::decode_payload(body, packets, unlimited) == err(eio::error::empty_packet));
        BOOST_TEST(packets.empty());
    }
}

BOOST_AUTO_TEST_CASE(rejects_bad_segments_without_partial_output) {
    const std::vector<std::pair<std::string_view, eio::error>> cases = {
        {"4a\x1e"
         "9b\x1e"
         "4c",
         eio::error::unknown_packet_type},
        {"4a\x1e"
         "4b\x1e"
         "b!!",
         eio::error::bad_base64},
        {"bAQIDBA==\x1e"
         "bAQ=",
         eio::error::bad_base64},
    };
    for (const auto& [body, expected] : cases) {
        std::vector<eio::packet> packets(2, eio::packet{eio::packet_type::noop, false, "old"});
        BOOST_TEST(eio::decode_payload(body, packets, unlimited) == err(expected));
        BOOST_TEST_REQUIRE(packets.size() == 2u);
        BOOST_TEST(packets[1].data == "old");
    }
}

BOOST_AUTO_TEST_CASE(enforces_the_size_limit) {
    const std::string body =
        "4hello\x1e"
        "4world";
    std::vector<eio::packet> packets;
    BOOST_TEST(eio::decode_payload(body, packets, body.size() - 1) ==
               err(eio::error::payload_too_large));
    BOOST_TEST(packets.empty());
    BOOST_TEST(!eio::decode_payload(body, packets, body.size()));
    BOOST_TEST(packets.size() == 2u);

    // The size check comes first, even for a body that would be invalid anyway.
    packets.clear();
    BOOST_TEST(eio::decode_payload(std::string(1'000'000, '\x1e'), packets, 1000) ==
               err(eio::error::payload_too_large));
}

BOOST_AUTO_TEST_CASE(enforces_the_packet_count_limit) {
    std::string body;
    for (int i = 0; i < 5; ++i) eio::append_payload_text(body, "6");
    std::vector<eio::packet> packets;
    BOOST_TEST(eio::decode_payload(body, packets, unlimited, 4) ==
               err(eio::error::too_many_packets));
    BOOST_TEST(packets.empty());
    BOOST_TEST(!eio::decode_payload(body, packets, unlimited, 5));
    BOOST_TEST(packets.size() == 5u);
}

BOOST_AUTO_TEST_CASE(default_packet_count_limit_is_ten_thousand) {
    std::string body;
    for (int i = 0; i < 10'000; ++i) eio::append_payload_text(body, "6");
    std::vector<eio::packet> packets;
    BOOST_TEST(!eio::decode_payload(body, packets, unlimited));
    BOOST_TEST(packets.size() == 10'000u);
    eio::append_payload_text(body, "6");
    packets.clear();
    BOOST_TEST(eio::decode_payload(body, packets, unlimited) == err(eio::error::too_many_packets));
    BOOST_TEST(packets.empty());
}

BOOST_AUTO_TEST_CASE(error_codes_have_a_category_and_messages) {
    const std::error_code ec = eio::error::bad_base64;
    BOOST_TEST(&ec.category() == &eio::error_category());
    BOOST_TEST(std::string_view(ec.category().name()) == "confab.engineio");
    std::vector<std::string> messages;
    for (int e = 1; e <= 5; ++e) {
        messages.push_back(eio::make_error_code(static_cast<eio::error>(e)).message());
        BOOST_TEST(!messages.back().empty());
    }
    BOOST_TEST(std::set<std::string>(messages.begin(), messages.end()).size() == messages.size());
    BOOST_TEST(!eio::error_category().message(999).empty());
}

// Random and mutated input must never throw or crash; results are not checked.
BOOST_AUTO_TEST_CASE(survives_garbage) {
    std::mt19937 rng(20240521);
    const std::vector<std::string> seeds = {
        "4hello\x1e"
        "bAQIDBA==",
        "0{\"sid\":\"x\"}",
        "2probe",
        "b",
        "bAQ=",
        "6\x1e"
        "6\x1e"
        "6",
    };
    const std::string alphabet = "0123456789b=+/AQIDBxyz\x1e\x00\xff"s;
    auto random_byte = [&] {
        return rng() % 4 == 0 ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    };
    for (int round = 0; round < 20'000; ++round) {
        std::string input = seeds[rng() % seeds.size()];
        if (round % 2 == 0) input.clear();
        const int edits = 1 + static_cast<int>(rng() % 8);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = input.empty() ? 0 : rng() % (input.size() + 1);
            switch (rng() % 3) {
                case 0:
                    input.insert(at, 1, random_byte());
                    break;
                case 1:
                    if (at < input.size()) input[at] = random_byte();
                    break;
                default:
                    input.resize(at);
            }
        }
        eio::packet p;
        std::vector<eio::packet> packets;
        BOOST_CHECK_NO_THROW(eio::decode_text(input, p, true));
        BOOST_CHECK_NO_THROW(eio::decode_text(input, p, false));
        BOOST_CHECK_NO_THROW(eio::decode_payload(input, packets, 64, 4));
        BOOST_CHECK_NO_THROW(eio::decode_binary_frame(input));
    }
}

BOOST_AUTO_TEST_SUITE_END()
