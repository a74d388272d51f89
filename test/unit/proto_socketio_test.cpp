#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include "proto/socketio/packet.hpp"

namespace confab::sio {

std::ostream& boost_test_print_type(std::ostream& os, packet_type type) {
    return os << "packet_type(" << static_cast<int>(type) << ")";
}

}  // namespace confab::sio

namespace sio = confab::sio;
namespace json = boost::json;
using namespace std::string_literals;
using namespace std::string_view_literals;

namespace {

std::error_code err(sio::error e) {
    return sio::make_error_code(e);
}

struct decoded {
    std::error_code ec;
    sio::packet packet;
};

// Decodes a packet that needs no attachments.
decoded decode(std::string_view text, sio::limits l = {}) {
    sio::decoder d(l);
    decoded result;
    result.ec = d.feed_text(text);
    if (!result.ec) {
        BOOST_TEST_REQUIRE(d.ready());
        result.packet = d.take();
    }
    return result;
}

std::error_code decode_error(std::string_view text, sio::limits l = {}) {
    return decode(text, l).ec;
}

// Decodes a text packet and then its attachments, as they arrive over the wire.
decoded decode_with(std::string_view text, const std::vector<std::string>& attachments) {
    sio::decoder d;
    decoded result;
    result.ec = d.feed_text(text);
    for (const std::string& a : attachments) {
        if (result.ec) break;
        BOOST_TEST(!d.ready());
        result.ec = d.feed_binary(a);
    }
    if (!result.ec) {
        BOOST_TEST_REQUIRE(d.ready());
        result.packet = d.take();
    }
    return result;
}

sio::packet make(sio::packet_type type, std::string nsp, std::optional<std::uint64_t> id,
                 std::string_view data_json, std::vector<std::string> attachments = {}) {
    return {type, std::move(nsp), id, data_json.empty() ? json::value() : json::parse(data_json),
            std::move(attachments)};
}

void check_equal(const sio::packet& a, const sio::packet& b) {
    BOOST_TEST(a.type == b.type);
    BOOST_TEST(a.nsp == b.nsp);
    BOOST_TEST(a.id.has_value() == b.id.has_value());
    if (a.id && b.id) BOOST_TEST(*a.id == *b.id);
    BOOST_TEST(a.data == b.data);
    BOOST_TEST(a.attachments == b.attachments, boost::test_tools::per_element());
}

// Boost 1.81 parses long decimal mantissas to within an ulp or so rather than exactly, so a
// double can drift slightly through a text round trip; everything else must match exactly.
bool json_close(const json::value& a, const json::value& b) {
    if (a.is_double() && b.is_double()) {
        return std::abs(a.get_double() - b.get_double()) <=
               1e-15 * std::max(std::abs(a.get_double()), std::abs(b.get_double()));
    }
    if (a.is_array() && b.is_array()) {
        return std::equal(a.get_array().begin(), a.get_array().end(), b.get_array().begin(),
                          b.get_array().end(), json_close);
    }
    if (a.is_object() && b.is_object()) {
        return std::equal(a.get_object().begin(), a.get_object().end(), b.get_object().begin(),
                          b.get_object().end(), [](const auto& x, const auto& y) {
                              return x.key() == y.key() && json_close(x.value(), y.value());
                          });
    }
    return a == b;
}

std::string nested_arrays(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

BOOST_AUTO_TEST_SUITE(socketio)

BOOST_AUTO_TEST_SUITE(decoding)

BOOST_AUTO_TEST_CASE(connect_in_every_form) {
    const std::vector<std::pair<std::string_view, sio::packet>> cases = {
        {"0", make(sio::packet_type::connect, "/", {}, "")},
        {"0{\"token\":\"abc\"}", make(sio::packet_type::connect, "/", {}, "{\"token\":\"abc\"}")},
        {"0/custom", make(sio::packet_type::connect, "/custom", {}, "")},
        {"0/custom,", make(sio::packet_type::connect, "/custom", {}, "")},
        {"0/custom,{\"a\":[1,2]}", make(sio::packet_type::connect, "/custom", {}, "{\"a\":[1,2]}")},
        {"0/", make(sio::packet_type::connect, "/", {}, "")},
        {"0/,{}", make(sio::packet_type::connect, "/", {}, "{}")},
        {"0/a/b.c-d", make(sio::packet_type::connect, "/a/b.c-d", {}, "")},
    };
    for (const auto& [text, expected] : cases) {
        BOOST_TEST_CONTEXT(text) {
            const decoded d = decode(text);
            BOOST_TEST(!d.ec);
            check_equal(d.packet, expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(disconnect) {
    const decoded root = decode("1");
    BOOST_TEST(!root.ec);
    check_equal(root.packet, make(sio::packet_type::disconnect, "/", {}, ""));
    const decoded custom = decode("1/admin,");
    BOOST_TEST(!custom.ec);
    check_equal(custom.packet, make(sio::packet_type::disconnect, "/admin", {}, ""));
}

BOOST_AUTO_TEST_CASE(events) {
    const decoded plain = decode("2[\"chat\",\"hi\",{\"n\":1}]");
    BOOST_TEST(!plain.ec);
    check_equal(plain.packet,
                make(sio::packet_type::event, "/", {}, "[\"chat\",\"hi\",{\"n\":1}]"));

    const decoded full = decode("2/custom,12[\"a\",1]");
    BOOST_TEST(!full.ec);
    check_equal(full.packet, make(sio::packet_type::event, "/custom", 12, "[\"a\",1]"));

    const decoded only_name = decode("2[\"ping\"]");
    BOOST_TEST(!only_name.ec);
    BOOST_TEST(only_name.packet.data == json::parse("[\"ping\"]"));
}

BOOST_AUTO_TEST_CASE(acks) {
    const decoded root = decode("312[\"ok\"]");
    BOOST_TEST(!root.ec);
    check_equal(root.packet, make(sio::packet_type::ack, "/", 12, "[\"ok\"]"));

    const decoded custom = decode("3/custom,7[]");
    BOOST_TEST(!custom.ec);
    check_equal(custom.packet, make(sio::packet_type::ack, "/custom", 7, "[]"));
}

BOOST_AUTO_TEST_CASE(ack_id_zero_is_valid) {
    const decoded ack = decode("30[]");
    BOOST_TEST(!ack.ec);
    BOOST_TEST_REQUIRE(ack.packet.id.has_value());
    BOOST_TEST(*ack.packet.id == 0u);

    const decoded event = decode("20[\"a\"]");
    BOOST_TEST(!event.ec);
    BOOST_TEST_REQUIRE(event.packet.id.has_value());
    BOOST_TEST(*event.packet.id == 0u);
}

BOOST_AUTO_TEST_CASE(ack_id_limits) {
    const decoded largest = decode("29007199254740991[\"a\"]");
    BOOST_TEST(!largest.ec);
    BOOST_TEST_REQUIRE(largest.packet.id.has_value());
    BOOST_TEST(*largest.packet.id == 9007199254740991u);

    const decoded padded = decode("2007[\"a\"]");
    BOOST_TEST(!padded.ec);
    BOOST_TEST(padded.packet.id.value_or(0) == 7u);

    BOOST_TEST(decode_error("29007199254740992[\"a\"]") == err(sio::error::bad_ack_id));
    BOOST_TEST(decode_error("218446744073709551616[\"a\"]") == err(sio::error::bad_ack_id));
    BOOST_TEST(decode_error("2" + std::string(5000, '9') + "[\"a\"]") ==
               err(sio::error::bad_ack_id));
    BOOST_TEST(decode_error("3/x,99999999999999999999[]") == err(sio::error::bad_ack_id));
}

BOOST_AUTO_TEST_CASE(connect_error) {
    const decoded root = decode("4{\"message\":\"Not authorized\"}");
    BOOST_TEST(!root.ec);
    check_equal(root.packet,
                make(sio::packet_type::connect_error, "/", {}, "{\"message\":\"Not authorized\"}"));

    const decoded custom = decode("4/admin,{\"message\":\"no\",\"data\":{\"code\":1}}");
    BOOST_TEST(!custom.ec);
    BOOST_TEST(custom.packet.nsp == "/admin");
}

BOOST_AUTO_TEST_CASE(binary_event_reassembles_attachments) {
    sio::decoder d;
    BOOST_TEST(
        !d.feed_text("52-[\"upload\",{\"_placeholder\":true,\"num\":0},"
                     "{\"_placeholder\":true,\"num\":1}]"));
    BOOST_TEST(!d.ready());
    BOOST_TEST(d.awaiting_attachments());
    BOOST_TEST(!d.feed_binary("first"));
    BOOST_TEST(!d.ready());
    BOOST_TEST(d.awaiting_attachments());
    BOOST_TEST(!d.feed_binary("\x00second"s));
    BOOST_TEST(d.ready());
    BOOST_TEST(!d.awaiting_attachments());

    const sio::packet p = d.take();
    check_equal(p, make(sio::packet_type::binary_event, "/", {},
                        "[\"upload\",{\"_placeholder\":true,\"num\":0},"
                        "{\"_placeholder\":true,\"num\":1}]",
                        {"first", "\x00second"s}));
    BOOST_TEST(!d.ready());
    BOOST_TEST(!d.awaiting_attachments());
}

BOOST_AUTO_TEST_CASE(binary_ack_with_namespace_and_id) {
    const decoded d = decode_with("61-/custom,5[{\"_placeholder\":true,\"num\":0}]", {"blob"});
    BOOST_TEST(!d.ec);
    check_equal(d.packet, make(sio::packet_type::binary_ack, "/custom", 5,
                               "[{\"_placeholder\":true,\"num\":0}]", {"blob"}));
}

BOOST_AUTO_TEST_CASE(binary_packets_with_no_attachments_are_ready_at_once) {
    const decoded event = decode("50-[\"a\"]");
    BOOST_TEST(!event.ec);
    check_equal(event.packet, make(sio::packet_type::binary_event, "/", {}, "[\"a\"]"));
    const decoded ack = decode("60-3[]");
    BOOST_TEST(!ack.ec);
    check_equal(ack.packet, make(sio::packet_type::binary_ack, "/", 3, "[]"));
}

BOOST_AUTO_TEST_CASE(placeholders_may_repeat_and_nest) {
    const decoded d = decode_with(
        "52-[\"x\",{\"deep\":[{\"_placeholder\":true,\"num\":1}]},"
        "{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":0}]",
        {"a", "b"});
    BOOST_TEST(!d.ec);
}

BOOST_AUTO_TEST_CASE(non_placeholder_lookalikes_are_plain_data) {
    BOOST_TEST(!decode_error("2[\"a\",{\"_placeholder\":false,\"num\":9}]"));
    BOOST_TEST(!decode_error("2[\"a\",{\"_placeholder\":\"true\",\"num\":9}]"));
    BOOST_TEST(!decode_error("2[\"a\",{\"num\":9}]"));
}

BOOST_AUTO_TEST_CASE(json_whitespace_and_unicode) {
    const decoded d = decode("2 [ \"caf\xc3\xa9\" , \"\\u00e9\\n\" ] ");
    BOOST_TEST(!d.ec);
    BOOST_TEST(d.packet.data == json::parse("[\"caf\xc3\xa9\",\"\xc3\xa9\\n\"]"));
}

BOOST_AUTO_TEST_CASE(large_finite_numbers_are_kept) {
    const decoded d =
        decode("2[\"a\",1e308,-1.7976931348623157e308,123456789012345678901234567890]");
    BOOST_TEST(!d.ec);
    BOOST_TEST(d.packet.data.as_array().size() == 4u);
}

// Never re-encoded as the non-JSON `Infinity`: null, as JSON.stringify gives in Node.
BOOST_AUTO_TEST_CASE(numbers_beyond_double_range_become_null) {
    BOOST_TEST(decode("2[\"a\",1e400]").packet.data == json::parse("[\"a\",null]"));
    BOOST_TEST(decode("2[\"a\",{\"x\":[-1e400,1]}]").packet.data ==
               json::parse("[\"a\",{\"x\":[null,1]}]"));
    BOOST_TEST(decode("0{\"n\":1e99999}").packet.data == json::parse("{\"n\":null}"));
}

// Its name would become null, which no packet may carry as a name (the fuzzer's round trip).
BOOST_AUTO_TEST_CASE(event_named_beyond_double_range_is_malformed) {
    BOOST_TEST(decode_error("210[1e7076]") == err(sio::error::bad_payload));
    BOOST_TEST(decode("2[1e300]").packet.data == json::parse("[1e300]"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(malformed)

BOOST_AUTO_TEST_CASE(empty_and_unknown_types) {
    BOOST_TEST(decode_error("") == err(sio::error::empty_packet));
    for (const std::string_view text : {"7"sv, "7[\"a\"]"sv, "9"sv, "a"sv, "-1"sv, "[\"a\"]"sv,
                                        " 2[\"a\"]"sv, "\x00"sv, "\xff"sv}) {
        BOOST_TEST(decode_error(text) == err(sio::error::unknown_packet_type), text);
    }
}

BOOST_AUTO_TEST_CASE(bad_json) {
    const std::vector<std::string_view> cases = {
        "4abc",
        "42abc[\"a\"]",
        "2abc[\"a\"]",
        "2[\"a\"",
        "2[\"a\"]x",
        "2[\"a\"][\"b\"]",
        "2[\"a\",]",
        "2[\"a\" /* c */]",
        "2['a']",
        "2[\"\xff\"]",
        "2[\"\xc3\"]",
        "2[\"a\\x\"]",
        "0custom,{}",
        "0/custom,garbage",
        "2/chat[\"a\",1]",
        "2 ",
        "51-[\"a\",{\"_placeholder\":true,\"num\":0}",
    };
    for (const std::string_view text : cases) {
        BOOST_TEST(decode_error(text) == err(sio::error::bad_json), text);
    }
}

BOOST_AUTO_TEST_CASE(a_number_names_an_event_as_in_the_reference_parser) {
    const auto d = decode("2[123,{\"a\":1}]");
    BOOST_TEST(!d.ec);
    BOOST_TEST(d.packet.data.as_array().front().as_int64() == 123);
    BOOST_TEST(!decode_error("2[1.5]"));
}

BOOST_AUTO_TEST_CASE(a_plain_event_whose_json_fails_leaves_its_header) {
    sio::decoder d;
    BOOST_TEST(d.feed_text("2/chat,12[\"a\",{bad") == err(sio::error::bad_json));
    BOOST_TEST_REQUIRE(d.unreadable_event().has_value());
    BOOST_TEST(d.unreadable_event()->nsp == "/chat");
    BOOST_TEST(d.unreadable_event()->id.value() == 12u);
    BOOST_TEST(d.unreadable_event()->data.is_null());
    BOOST_TEST(d.feed_text("2[\"a\"") == err(sio::error::bad_json));
    BOOST_TEST_REQUIRE(d.unreadable_event().has_value());
    BOOST_TEST(d.unreadable_event()->nsp == "/");
    BOOST_TEST(!d.unreadable_event()->id);

    // Not a binary event (its attachments would follow), another type, or another error.
    for (const std::string& text : {std::string("51-[\"a\",{bad"), std::string("31[bad"),
                                    std::string("2{}"), std::string("2" + nested_arrays(100))}) {
        BOOST_TEST(d.feed_text(text), text);
        BOOST_TEST(!d.unreadable_event().has_value(), text);
    }
    // The next packet forgets it.
    BOOST_TEST(d.feed_text("2[\"a\"") == err(sio::error::bad_json));
    BOOST_TEST(!d.feed_text("2[\"ok\"]"));
    BOOST_TEST(!d.unreadable_event().has_value());
    BOOST_TEST(d.ready());
}

BOOST_AUTO_TEST_CASE(deep_json) {
    const std::string deep = nested_arrays(10'000);
    BOOST_TEST(decode_error("2" + deep) == err(sio::error::json_too_deep));
    BOOST_TEST(decode_error("2[\"a\"," + deep + "]") == err(sio::error::json_too_deep));
    std::string deep_objects;
    for (int i = 0; i < 10'000; ++i) deep_objects += "{\"a\":";
    BOOST_TEST(decode_error("0" + deep_objects) == err(sio::error::json_too_deep));
    BOOST_TEST(decode_error("2" + std::string(10'000, '[')) == err(sio::error::json_too_deep));
}

BOOST_AUTO_TEST_CASE(json_depth_follows_the_limit) {
    sio::limits l;
    l.max_json_depth = 4;
    BOOST_TEST(!decode_error("2[\"a\"," + nested_arrays(3) + "]", l));
    BOOST_TEST(decode_error("2[\"a\"," + nested_arrays(4) + "]", l) ==
               err(sio::error::json_too_deep));
    // The default limit allows real-world nesting.
    BOOST_TEST(!decode_error("2[\"a\"," + nested_arrays(16) + "]"));
}

BOOST_AUTO_TEST_CASE(payload_of_the_wrong_shape) {
    const std::vector<std::string_view> cases = {
        // CONNECT: absent or an object.
        "0[]", "0\"x\"", "0null", "01", "0true", "05{}",
        // DISCONNECT: nothing at all.
        "1{}", "1[]", "1null", "1/admin,{}", "17",
        // EVENT: a non-empty array that starts with the event name.
        "2", "2{}", "42{}", "2[]", "2[true]", "2[null]", "2[[\"a\"]]", "2\"a\"", "212", "2/chat,",
        "2/chat", "50-{}", "50-[]", "50-",
        // ACK: an array.
        "3", "312", "31{}", "31\"ok\"", "60-1{}",
        // CONNECT_ERROR: an object, without an ack id.
        "4", "4[]", "4\"nope\"", "4null", "42{}"};
    for (const std::string_view text : cases) {
        BOOST_TEST(decode_error(text) == err(sio::error::bad_payload), text);
    }
}

BOOST_AUTO_TEST_CASE(event_on_engineio_level_example_is_rejected) {
    // "42{}" as an Engine.IO message is the Socket.IO packet "2{}".
    BOOST_TEST(decode_error("2{}") == err(sio::error::bad_payload));
}

BOOST_AUTO_TEST_CASE(bad_attachment_counts) {
    const std::vector<std::string_view> cases = {
        "5",           "5[\"a\"]", "51[\"a\"]", "5-[\"a\"]", "5x-[\"a\"]", "5+1-[\"a\"]",
        "5 1-[\"a\"]", "6-",       "61",        "5/x,1-[]",  "5-1-[]",     "51x-[]",
    };
    for (const std::string_view text : cases) {
        BOOST_TEST(decode_error(text) == err(sio::error::bad_attachment_count), text);
    }
}

BOOST_AUTO_TEST_CASE(too_many_attachments) {
    for (const std::string& text :
         {"517-[\"a\"]"s, "5999999999999-[\"a\"]"s, "5999999999999-"s, "618446744073709551616-[]"s,
          "5" + std::string(1000, '9') + "-[\"a\"]"}) {
        BOOST_TEST(decode_error(text) == err(sio::error::too_many_attachments), text);
    }
    sio::limits l;
    l.max_attachments = 1;
    BOOST_TEST(decode_error("52-[\"a\"]", l) == err(sio::error::too_many_attachments));
    sio::decoder d(l);
    BOOST_TEST(!d.feed_text("51-[\"a\",{\"_placeholder\":true,\"num\":0}]"));
    BOOST_TEST(d.awaiting_attachments());
}

BOOST_AUTO_TEST_CASE(placeholders_out_of_range) {
    const std::vector<std::string_view> cases = {
        "51-[\"a\",{\"_placeholder\":true,\"num\":1}]",
        "51-[\"a\",{\"_placeholder\":true,\"num\":-1}]",
        "51-[\"a\",{\"_placeholder\":true,\"num\":\"0\"}]",
        "51-[\"a\",{\"_placeholder\":true,\"num\":0.0}]",
        "51-[\"a\",{\"_placeholder\":true,\"num\":null}]",
        "51-[\"a\",{\"_placeholder\":true}]",
        "51-[\"a\",{\"_placeholder\":true,\"num\":18446744073709551615}]",
        "52-[\"a\",{\"x\":{\"y\":[{\"_placeholder\":true,\"num\":2}]}}]",
        "61-[{\"_placeholder\":true,\"num\":5}]",
        "50-[\"a\",{\"_placeholder\":true,\"num\":0}]",
    };
    for (const std::string_view text : cases) {
        BOOST_TEST(decode_error(text) == err(sio::error::bad_placeholder), text);
    }
}

// As in the reference server, a plain packet has no placeholders: such objects are data.
BOOST_AUTO_TEST_CASE(placeholder_shaped_data_in_plain_packets) {
    for (const std::string_view text : {"2[\"a\",{\"_placeholder\":true,\"num\":0}]",
                                        "3[{\"_placeholder\":true,\"num\":7}]",
                                        "0{\"_placeholder\":true,\"num\":0}"}) {
        const decoded d = decode(text);
        BOOST_TEST(!d.ec, text);
    }
}

BOOST_AUTO_TEST_CASE(bad_namespaces) {
    const std::string longest = "/" + std::string(255, 'n');
    const decoded ok = decode("0" + longest + ",");
    BOOST_TEST(!ok.ec);
    BOOST_TEST(ok.packet.nsp == longest);
    BOOST_TEST(decode_error("0/" + std::string(256, 'n') + ",") == err(sio::error::bad_namespace));
    BOOST_TEST(decode_error("0/" + std::string(100'000, 'n')) == err(sio::error::bad_namespace));
    BOOST_TEST(decode_error("0/a\nb,") == err(sio::error::bad_namespace));
    BOOST_TEST(decode_error("0/a\x00z,"sv) == err(sio::error::bad_namespace));
    BOOST_TEST(decode_error("0/a\x7f,") == err(sio::error::bad_namespace));

    sio::limits l;
    l.max_namespace_length = 4;
    BOOST_TEST(!decode_error("0/abc,", l));
    BOOST_TEST(decode_error("0/abcd,", l) == err(sio::error::bad_namespace));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(decoder_state)

BOOST_AUTO_TEST_CASE(binary_before_any_text_is_unexpected) {
    sio::decoder d;
    BOOST_TEST(d.feed_binary("x") == err(sio::error::unexpected_binary));
    BOOST_TEST(!d.ready());
}

BOOST_AUTO_TEST_CASE(binary_after_a_plain_packet_is_unexpected) {
    sio::decoder d;
    BOOST_TEST(!d.feed_text("2[\"a\"]"));
    BOOST_TEST(d.feed_binary("x") == err(sio::error::unexpected_binary));
    BOOST_TEST(!d.ready());
}

BOOST_AUTO_TEST_CASE(extra_attachment_is_unexpected) {
    sio::decoder d;
    BOOST_TEST(!d.feed_text("51-[\"a\",{\"_placeholder\":true,\"num\":0}]"));
    BOOST_TEST(!d.feed_binary("one"));
    BOOST_TEST(d.ready());
    BOOST_TEST(d.feed_binary("two") == err(sio::error::unexpected_binary));
    BOOST_TEST(!d.ready());

    BOOST_TEST(!d.feed_text("51-[\"a\",{\"_placeholder\":true,\"num\":0}]"));
    BOOST_TEST(!d.feed_binary("one"));
    (void)d.take();
    BOOST_TEST(d.feed_binary("two") == err(sio::error::unexpected_binary));
}

BOOST_AUTO_TEST_CASE(text_while_awaiting_attachments_is_unexpected) {
    sio::decoder d;
    BOOST_TEST(!d.feed_text("52-[\"a\",{\"_placeholder\":true,\"num\":1}]"));
    BOOST_TEST(!d.feed_binary("one"));
    BOOST_TEST(d.feed_text("2[\"b\"]") == err(sio::error::unexpected_text));
    BOOST_TEST(!d.ready());
    BOOST_TEST(!d.awaiting_attachments());
    // The half-built packet is gone: its missing attachment is now unexpected.
    BOOST_TEST(d.feed_binary("two") == err(sio::error::unexpected_binary));
}

BOOST_AUTO_TEST_CASE(decoder_recovers_after_errors) {
    sio::decoder d;
    BOOST_TEST(d.feed_text("2[") == err(sio::error::bad_json));
    BOOST_TEST(!d.ready());
    BOOST_TEST(!d.awaiting_attachments());
    BOOST_TEST(!d.feed_text("2/x,1[\"a\"]"));
    BOOST_TEST(d.ready());
    check_equal(d.take(), make(sio::packet_type::event, "/x", 1, "[\"a\"]"));

    BOOST_TEST(d.feed_text("2/y,[\"b\"]x") == err(sio::error::bad_json));
    BOOST_TEST(!d.feed_text("2[\"c\"]"));
    // Nothing of the failed packet leaks into the next one.
    check_equal(d.take(), make(sio::packet_type::event, "/", {}, "[\"c\"]"));
}

BOOST_AUTO_TEST_CASE(reset_drops_a_partial_packet) {
    sio::decoder d;
    BOOST_TEST(!d.feed_text("51-/x,[\"a\",{\"_placeholder\":true,\"num\":0}]"));
    BOOST_TEST(d.awaiting_attachments());
    d.reset();
    BOOST_TEST(!d.awaiting_attachments());
    BOOST_TEST(!d.ready());
    BOOST_TEST(!d.feed_text("2[\"b\"]"));
    check_equal(d.take(), make(sio::packet_type::event, "/", {}, "[\"b\"]"));
}

BOOST_AUTO_TEST_CASE(take_without_a_ready_packet_gives_an_empty_one) {
    sio::decoder d;
    check_equal(d.take(), sio::packet{});
    BOOST_TEST(!d.feed_text("51-[\"a\",{\"_placeholder\":true,\"num\":0}]"));
    check_equal(d.take(), sio::packet{});
}

BOOST_AUTO_TEST_CASE(a_decoder_handles_a_stream_of_packets) {
    sio::decoder d;
    const std::vector<std::string> texts = {
        "0", "2[\"a\"]", "51-[\"b\",{\"_placeholder\":true,\"num\":0}]", "3/x,4[]", "1"};
    std::vector<sio::packet> got;
    for (const std::string& text : texts) {
        BOOST_TEST(!d.feed_text(text));
        if (d.awaiting_attachments()) BOOST_TEST(!d.feed_binary("bin"));
        BOOST_TEST_REQUIRE(d.ready());
        got.push_back(d.take());
    }
    BOOST_TEST(got[2].attachments.size() == 1u);
    BOOST_TEST(got[3].nsp == "/x");
    BOOST_TEST(got[4].type == sio::packet_type::disconnect);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(encoding)

BOOST_AUTO_TEST_CASE(documented_examples) {
    BOOST_TEST(sio::encode(make(sio::packet_type::event, "/custom", 12, "[\"a\",1]")) ==
               "2/custom,12[\"a\",1]");
    BOOST_TEST(sio::encode(make(sio::packet_type::connect, "/", {}, "{\"sid\":\"x\"}")) ==
               "0{\"sid\":\"x\"}");

    sio::packet binary{sio::packet_type::event,
                       "/",
                       {},
                       json::array{"message", sio::placeholder(0), sio::placeholder(1)},
                       {"one", "two"}};
    BOOST_TEST(sio::encode(binary) ==
               "52-[\"message\",{\"_placeholder\":true,\"num\":0},"
               "{\"_placeholder\":true,\"num\":1}]");
}

BOOST_AUTO_TEST_CASE(every_packet_type) {
    BOOST_TEST(sio::encode(make(sio::packet_type::connect, "/", {}, "")) == "0");
    BOOST_TEST(sio::encode(make(sio::packet_type::connect, "/admin", {}, "{\"sid\":\"x\"}")) ==
               "0/admin,{\"sid\":\"x\"}");
    BOOST_TEST(sio::encode(make(sio::packet_type::disconnect, "/", {}, "")) == "1");
    BOOST_TEST(sio::encode(make(sio::packet_type::disconnect, "/admin", {}, "")) == "1/admin,");
    BOOST_TEST(sio::encode(make(sio::packet_type::event, "/", {}, "[\"hi\"]")) == "2[\"hi\"]");
    BOOST_TEST(sio::encode(make(sio::packet_type::ack, "/", 0, "[]")) == "30[]");
    BOOST_TEST(sio::encode(make(sio::packet_type::ack, "/x", 9007199254740991, "[null]")) ==
               "3/x,9007199254740991[null]");
    BOOST_TEST(sio::encode(make(sio::packet_type::connect_error, "/", {},
                                "{\"message\":\"Invalid namespace\"}")) ==
               "4{\"message\":\"Invalid namespace\"}");
    BOOST_TEST(sio::encode(make(sio::packet_type::binary_event, "/", {}, "[\"a\"]")) ==
               "50-[\"a\"]");
    BOOST_TEST(sio::encode(make(sio::packet_type::binary_ack, "/x", 3,
                                "[{\"_placeholder\":true,\"num\":0}]", {"b"})) ==
               "61-/x,3[{\"_placeholder\":true,\"num\":0}]");
}

BOOST_AUTO_TEST_CASE(attachments_make_a_packet_binary) {
    const sio::packet ack{sio::packet_type::ack, "/", 5, json::array{sio::placeholder(0)}, {"x"}};
    BOOST_TEST(sio::encode(ack) == "61-5[{\"_placeholder\":true,\"num\":0}]");
    const sio::packet event{
        sio::packet_type::event, "/chat", {}, json::array{"file", sio::placeholder(0)}, {"x"}};
    BOOST_TEST(sio::encode(event) == "51-/chat,[\"file\",{\"_placeholder\":true,\"num\":0}]");
}

BOOST_AUTO_TEST_CASE(json_is_compact_in_insertion_order) {
    json::object o;
    o["z"] = 1;
    o["a"] = json::array{true, nullptr, "s\"q\n"};
    o["m"] = json::object{{"y", 2}, {"b", 3}};
    const sio::packet p{sio::packet_type::event, "/", {}, json::array{"e", o}, {}};
    BOOST_TEST(sio::encode(p) ==
               "2[\"e\",{\"z\":1,\"a\":[true,null,\"s\\\"q\\n\"],\"m\":{\"y\":2,\"b\":3}}]");
}

BOOST_AUTO_TEST_CASE(appends_to_the_callers_string) {
    std::string out = "4";
    sio::encode(make(sio::packet_type::event, "/", 1, "[\"a\"]"), out);
    BOOST_TEST(out == "421[\"a\"]");
}

BOOST_AUTO_TEST_CASE(large_payloads_stream_in_full) {
    const std::string big(100'000, 'x');
    const sio::packet p{sio::packet_type::event, "/", {}, json::array{"big", big}, {}};
    const std::string text = sio::encode(p);
    BOOST_TEST(text == "2[\"big\",\"" + big + "\"]");
}

BOOST_AUTO_TEST_CASE(empty_namespace_means_the_default_one) {
    BOOST_TEST(sio::encode(make(sio::packet_type::connect, "", {}, "")) == "0");
}

BOOST_AUTO_TEST_CASE(placeholder_shape) {
    BOOST_TEST(json::serialize(sio::placeholder(3)) == "{\"_placeholder\":true,\"num\":3}");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(canonical_texts_round_trip) {
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
        {"0", {}},
        {"0{\"token\":\"abc\",\"n\":[1,2.5E0,-3]}", {}},
        {"0/custom,", {}},
        {"0/custom,{\"a\":{}}", {}},
        {"1", {}},
        {"1/custom,", {}},
        {"2[\"a\",1]", {}},
        {"2/custom,12[\"a\",1]", {}},
        {"2[\"caf\xc3\xa9\",\"\xf0\x9f\x98\x80\",\"\\n\\u0001\"]", {}},
        {"30[]", {}},
        {"3/custom,7[\"ok\",{\"n\":null}]", {}},
        {"4{\"message\":\"nope\"}", {}},
        {"4/custom,{\"message\":\"nope\",\"data\":{\"a\":1}}", {}},
        {"50-[\"x\"]", {}},
        {"51-[\"up\",{\"_placeholder\":true,\"num\":0}]", {"\x00\x01"s}},
        {"62-/custom,9[{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":0}]",
         {"a", ""}},
    };
    for (const auto& [text, attachments] : cases) {
        BOOST_TEST_CONTEXT(text) {
            const decoded d = decode_with(text, attachments);
            BOOST_TEST(!d.ec);
            BOOST_TEST(sio::encode(d.packet) == text);
            BOOST_TEST(d.packet.attachments == attachments, boost::test_tools::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(error_codes_have_a_category_and_messages) {
    const std::error_code ec = sio::error::bad_json;
    BOOST_TEST(&ec.category() == &sio::error_category());
    BOOST_TEST(std::string_view(ec.category().name()) == "confab.socketio");
    std::vector<std::string> messages;
    for (int e = 1; e <= 12; ++e) {
        messages.push_back(sio::make_error_code(static_cast<sio::error>(e)).message());
        BOOST_TEST(!messages.back().empty());
    }
    BOOST_TEST(std::set<std::string>(messages.begin(), messages.end()).size() == messages.size());
    BOOST_TEST(!sio::error_category().message(999).empty());
}

// Random and mutated input must never throw or crash. What the decoder accepts must also
// survive an encode/decode round trip unchanged.
BOOST_AUTO_TEST_CASE(survives_garbage) {
    std::mt19937 rng(20240521);
    const std::vector<std::string> seeds = {
        "0/custom,{\"token\":\"abc\"}",
        "2/chat,12[\"msg\",{\"a\":[1,2,{\"b\":null}]}]",
        "52-/x,3[\"up\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
        "61-[{\"_placeholder\":true,\"num\":0}]",
        "4{\"message\":\"x\"}",
        "30[]",
        "1",
        "2[\"n\",1.5e300,-0.0,12345678901234567890]",
    };
    const std::string alphabet = "0123456789-/,[]{}\":_placeholdernumtrue \\\x00\xff"s;
    auto random_byte = [&] {
        return rng() % 4 == 0 ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    };
    sio::limits small;
    small.max_json_depth = 3;
    small.max_attachments = 2;
    small.max_namespace_length = 8;
    sio::decoder strict(small);
    sio::decoder lenient;
    for (int round = 0; round < 20'000; ++round) {
        std::string input = seeds[rng() % seeds.size()];
        if (round % 3 == 0) input.clear();
        const int edits = 1 + static_cast<int>(rng() % 6);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = input.empty() ? 0 : rng() % (input.size() + 1);
            switch (rng() % 4) {
                case 0:
                    input.insert(at, 1, random_byte());
                    break;
                case 1:
                    if (at < input.size()) input[at] = random_byte();
                    break;
                case 2:
                    input.insert(at, std::string(1 + rng() % 40, random_byte()));
                    break;
                default:
                    input.resize(at);
            }
        }
        for (sio::decoder* d : {&strict, &lenient}) {
            // Interleave text and binary frames in random order, as a hostile client might.
            std::error_code ec;
            BOOST_CHECK_NO_THROW(ec = rng() % 5 == 0 ? d->feed_binary(input) : d->feed_text(input));
            while (!ec && d->awaiting_attachments() && rng() % 8 != 0) {
                BOOST_CHECK_NO_THROW(ec = d->feed_binary(input));
            }
            if (ec || !d->ready()) continue;
            const sio::packet p = d->take();
            sio::decoder again;
            BOOST_TEST(!again.feed_text(sio::encode(p)), sio::encode(p));
            for (const std::string& a : p.attachments) BOOST_TEST(!again.feed_binary(a));
            BOOST_TEST_REQUIRE(again.ready());
            sio::packet round_tripped = again.take();
            BOOST_TEST(json_close(round_tripped.data, p.data), sio::encode(p));
            round_tripped.data = p.data;
            check_equal(round_tripped, p);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

// JSON.stringify emits unpaired surrogates; the reference server accepts them, so must we.
BOOST_AUTO_TEST_CASE(lone_surrogates_become_replacement_characters) {
    const decoded lone = decode(R"(2["a","x\ud800y",{"k":"\udc00"}])");
    BOOST_TEST_REQUIRE(!lone.ec);
    const auto& items = lone.packet.data.as_array();
    BOOST_TEST(items[1].as_string() == "x\xEF\xBF\xBDy");
    BOOST_TEST(items[2].at("k").as_string() == "\xEF\xBF\xBD");
    const decoded pair = decode(R"(2["a","\ud83d\ude00","\\ud800"])");
    BOOST_TEST_REQUIRE(!pair.ec);
    BOOST_TEST(pair.packet.data.as_array()[1].as_string() == "\xF0\x9F\x98\x80");
    BOOST_TEST(pair.packet.data.as_array()[2].as_string() == "\\ud800");
}
