// Socket.IO packets through the decoder, binary reassembly included. The input is a sequence
// of Engine.IO messages separated by NUL bytes (which neither JSON nor a namespace may hold
// raw); a message whose first byte is 'b' is a binary attachment, any other is text, and the
// first byte is dropped either way. Every packet the decoder completes must encode to text
// that decodes to an equal packet.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "proto/socketio/packet.hpp"
#include "test/fuzz/fuzz_check.hpp"

namespace sio = confab::sio;

namespace {

constexpr char message_separator = '\0';
constexpr char binary_marker = 'b';

void check_limits(const sio::packet& p, const sio::limits& l) {
    CONFAB_FUZZ_CHECK(p.attachments.size() <= l.max_attachments);
    CONFAB_FUZZ_CHECK(p.nsp.size() <= l.max_namespace_length);
    CONFAB_FUZZ_CHECK(!p.nsp.empty() && p.nsp.front() == '/');
    CONFAB_FUZZ_CHECK(!p.id || *p.id < (std::uint64_t{1} << 53));
    const bool binary =
        p.type == sio::packet_type::binary_event || p.type == sio::packet_type::binary_ack;
    CONFAB_FUZZ_CHECK(binary || p.attachments.empty());
}

// Boost.JSON 1.81 parses numbers without correct rounding (precise parsing came in 1.83), so a
// long mantissa can come back a few ulps off after serialize and parse. A relative difference
// of 1e-14 is far above that noise and far below any real change of the data; numbers near
// the subnormal range, where the parser is least exact, only need to stay tiny.
bool close_enough(double a, double b) {
    constexpr double tiny = 1e-300;
    const double scale = std::max(std::fabs(a), std::fabs(b));
    return a == b || std::fabs(a - b) <= 1e-14 * scale || scale < tiny;
}

// JSON equality, but doubles only need to be close_enough.
bool same_json(const boost::json::value& a, const boost::json::value& b) {
    if (a.is_double() && b.is_double()) return close_enough(a.get_double(), b.get_double());
    if (a.is_array() && b.is_array()) {
        const boost::json::array& x = a.get_array();
        const boost::json::array& y = b.get_array();
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (!same_json(x[i], y[i])) return false;
        }
        return true;
    }
    if (a.is_object() && b.is_object()) {
        const boost::json::object& x = a.get_object();
        const boost::json::object& y = b.get_object();
        if (x.size() != y.size()) return false;
        for (const auto& member : x) {
            const boost::json::value* other = y.if_contains(member.key());
            if (other == nullptr || !same_json(member.value(), *other)) return false;
        }
        return true;
    }
    return a == b;
}

void check_round_trip(const sio::packet& p) {
    const std::string text = sio::encode(p);
    sio::decoder again;
    CONFAB_FUZZ_CHECK(!again.feed_text(text));
    for (const std::string& attachment : p.attachments) {
        CONFAB_FUZZ_CHECK(!again.ready());
        CONFAB_FUZZ_CHECK(!again.feed_binary(attachment));
    }
    CONFAB_FUZZ_CHECK(again.ready());
    const sio::packet q = again.take();
    CONFAB_FUZZ_CHECK(q.type == p.type);
    CONFAB_FUZZ_CHECK(q.nsp == p.nsp);
    CONFAB_FUZZ_CHECK(q.id == p.id);
    CONFAB_FUZZ_CHECK(same_json(q.data, p.data));
    CONFAB_FUZZ_CHECK(q.attachments == p.attachments);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    const sio::limits limits;
    sio::decoder decoder(limits);
    while (true) {
        const std::size_t end = std::min(input.find(message_separator), input.size());
        std::string_view message = input.substr(0, end);
        const bool binary = !message.empty() && message.front() == binary_marker;
        if (!message.empty()) message.remove_prefix(1);

        const std::error_code ec =
            binary ? decoder.feed_binary(message) : decoder.feed_text(message);
        if (ec) {
            // A failed feed drops whatever was half assembled.
            CONFAB_FUZZ_CHECK(!decoder.ready() && !decoder.awaiting_attachments());
        } else if (decoder.ready()) {
            CONFAB_FUZZ_CHECK(!decoder.awaiting_attachments());
            const sio::packet p = decoder.take();
            CONFAB_FUZZ_CHECK(!decoder.ready());
            check_limits(p, limits);
            check_round_trip(p);
        }

        if (end == input.size()) break;
        input.remove_prefix(end + 1);
    }
    return 0;
}
