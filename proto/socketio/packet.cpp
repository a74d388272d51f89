#include "proto/socketio/packet.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/serializer.hpp>

namespace confab::sio {

namespace {

class error_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "confab.socketio"; }

    std::string message(int code) const override {
        switch (static_cast<error>(code)) {
            case error::empty_packet:
                return "empty Socket.IO packet";
            case error::unknown_packet_type:
                return "unknown Socket.IO packet type";
            case error::bad_attachment_count:
                return "malformed Socket.IO attachment count";
            case error::too_many_attachments:
                return "Socket.IO packet announces too many attachments";
            case error::bad_namespace:
                return "invalid Socket.IO namespace";
            case error::bad_ack_id:
                return "invalid Socket.IO acknowledgement id";
            case error::bad_json:
                return "malformed JSON in Socket.IO packet";
            case error::json_too_deep:
                return "JSON in Socket.IO packet is nested too deeply";
            case error::bad_payload:
                return "Socket.IO payload has the wrong shape for its packet type";
            case error::unexpected_binary:
                return "binary Socket.IO attachment when none is awaited";
            case error::unexpected_text:
                return "text Socket.IO packet while attachments are awaited";
            case error::bad_placeholder:
                return "Socket.IO attachment placeholder out of range";
        }
        return "unknown Socket.IO error";
    }
};

// Ack ids travel through JavaScript numbers; larger ones would lose precision there.
constexpr std::uint64_t max_ack_id = (std::uint64_t{1} << 53) - 1;

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

bool is_binary(packet_type type) noexcept {
    return type == packet_type::binary_event || type == packet_type::binary_ack;
}

// Parses the digits of `text` in full; fails on anything else, or on values above `max`.
enum class number_status { ok, malformed, too_large };
number_status parse_number(std::string_view text, std::uint64_t max, std::uint64_t& value) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), is_digit)) {
        return number_status::malformed;
    }
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range || value > max) return number_status::too_large;
    return number_status::ok;
}

// "<count>-", present only on binary packets.
std::error_code consume_attachment_count(std::string_view& rest, const limits& l,
                                         std::size_t& count) {
    const std::size_t dash = rest.find('-');
    if (dash == std::string_view::npos) return error::bad_attachment_count;
    std::uint64_t value = 0;
    switch (parse_number(rest.substr(0, dash), l.max_attachments, value)) {
        case number_status::malformed:
            return error::bad_attachment_count;
        case number_status::too_large:
            return error::too_many_attachments;
        case number_status::ok:
            break;
    }
    count = static_cast<std::size_t>(value);
    rest.remove_prefix(dash + 1);
    return {};
}

// "/<name>," or "/<name>" at the very end; anything else means the default namespace.
std::error_code consume_namespace(std::string_view& rest, const limits& l, std::string& nsp) {
    if (rest.empty() || rest.front() != '/') return {};
    const std::size_t comma = std::min(rest.find(','), rest.size());
    const std::string_view name = rest.substr(0, comma);
    // Control characters have no place in a namespace and would end up in logs verbatim.
    const bool has_control = std::any_of(name.begin(), name.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == '\x7f';
    });
    if (name.size() > l.max_namespace_length || has_control) return error::bad_namespace;
    nsp.assign(name);
    rest.remove_prefix(std::min(comma + 1, rest.size()));
    return {};
}

// The digits right before the JSON, if any.
std::error_code consume_ack_id(std::string_view& rest, std::optional<std::uint64_t>& id) {
    const auto digits_end = std::find_if_not(rest.begin(), rest.end(), is_digit);
    const auto length = static_cast<std::size_t>(digits_end - rest.begin());
    if (length == 0) return {};
    std::uint64_t value = 0;
    if (parse_number(rest.substr(0, length), max_ack_id, value) != number_status::ok) {
        return error::bad_ack_id;
    }
    id = value;
    rest.remove_prefix(length);
    return {};
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The UTF-16 code unit of a `\uXXXX` escape starting at text[i], or -1.
long escaped_unit(std::string_view text, std::size_t i) {
    if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
    long unit = 0;
    for (std::size_t k = i + 2; k < i + 6; ++k) {
        const int d = hex_digit(text[k]);
        if (d < 0) return -1;
        unit = unit * 16 + d;
    }
    return unit;
}

// JSON.stringify writes unpaired surrogates ("\ud800") that a browser's strings may hold;
// JavaScript parses them back but UTF-8 cannot carry them, so they become U+FFFD instead of
// costing the client its connection.
std::string replace_lone_surrogates(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 >= text.size()) {
            out.push_back(text[i]);
            continue;
        }
        const long unit = escaped_unit(text, i);
        const bool high = unit >= 0xD800 && unit <= 0xDBFF;
        const long next = high ? escaped_unit(text, i + 6) : -1;
        if (high && next >= 0xDC00 && next <= 0xDFFF) {
            out.append(text.substr(i, 12));
            i += 11;
        } else if (unit >= 0xD800 && unit <= 0xDFFF) {
            out.append("\\uFFFD");
            i += 5;
        } else {
            out.append(text.substr(i, 2));  // any other escape, kept whole
            ++i;
        }
    }
    return out;
}

std::error_code parse_json(std::string_view text, const limits& l, boost::json::value& out) {
    boost::json::parse_options options;
    options.max_depth = l.max_json_depth;
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(text, ec, {}, options);
    if (ec && ec != boost::json::error::too_deep) {
        // Boost 1.81 reports lone surrogates as a plain syntax error: retry only if there were any.
        const auto repaired = replace_lone_surrogates(text);
        if (repaired != text) {
            ec = {};
            parsed = boost::json::parse(repaired, ec, {}, options);
        }
    }
    if (ec == boost::json::error::too_deep) return error::json_too_deep;
    if (ec) return error::bad_json;
    out = std::move(parsed);
    return {};
}

// The reference parser takes a number for an event's name too.
bool is_event_payload(const boost::json::value& data) {
    const boost::json::array* array = data.if_array();
    return array != nullptr && !array->empty() &&
           (array->front().is_string() || array->front().is_number());
}

// `has_data` tells an absent payload from an explicit JSON null. Only events and acks take
// part in acknowledgements, so an ack id on any other packet is malformed too.
bool payload_fits(const packet& p, bool has_data) {
    switch (p.type) {
        case packet_type::connect:
            return !p.id && (!has_data || p.data.is_object());
        case packet_type::disconnect:
            return !p.id && !has_data;
        case packet_type::event:
        case packet_type::binary_event:
            return has_data && is_event_payload(p.data);
        case packet_type::ack:
        case packet_type::binary_ack:
            return has_data && p.data.is_array();
        case packet_type::connect_error:
            return !p.id && has_data && p.data.is_object();
    }
    return false;
}

bool placeholder_index_fits(const boost::json::value* num, std::size_t count) {
    if (num == nullptr) return false;
    if (const std::int64_t* n = num->if_int64()) {
        return *n >= 0 && static_cast<std::uint64_t>(*n) < count;
    }
    if (const std::uint64_t* n = num->if_uint64()) return *n < count;
    return false;
}

// In a binary packet, `attachments` is its attachment count; in a plain packet nothing is a
// placeholder (the reference server passes such objects through as data).
struct placeholder_rule {
    bool binary = false;
    std::size_t attachments = 0;
};

std::error_code check_values(boost::json::value& data, placeholder_rule rule);

// An object marked as a placeholder must name an attachment this packet carries, so that
// substituting attachments later cannot index out of range.
std::error_code check_object(boost::json::object& object, placeholder_rule rule) {
    const boost::json::value* marker = object.if_contains("_placeholder");
    if (rule.binary && marker != nullptr && marker->is_bool() && marker->get_bool() &&
        !placeholder_index_fits(object.if_contains("num"), rule.attachments)) {
        return error::bad_placeholder;
    }
    for (auto& member : object) {
        if (std::error_code ec = check_values(member.value(), rule)) return ec;
    }
    return {};
}

// Catches what the parser lets through but other peers must never receive: numbers beyond
// double range, which would be re-encoded as the non-JSON `Infinity`, become null (what
// JSON.stringify makes of Infinity in the reference server), and bad placeholders fail.
// Recursion is bounded by the parse depth.
std::error_code check_values(boost::json::value& data, placeholder_rule rule) {
    switch (data.kind()) {
        case boost::json::kind::double_:
            if (!std::isfinite(data.get_double())) data = nullptr;
            return {};
        case boost::json::kind::array:
            for (boost::json::value& item : data.get_array()) {
                if (std::error_code ec = check_values(item, rule)) return ec;
            }
            return {};
        case boost::json::kind::object:
            return check_object(data.get_object(), rule);
        default:
            return {};
    }
}

// The text of a packet: <type>[<count>-][<nsp>,][<id>][<json>].
std::error_code parse_packet(std::string_view text, const limits& l, packet& p,
                             std::size_t& attachment_count) {
    if (text.empty()) return error::empty_packet;
    const char digit = text.front();
    if (digit < '0' || digit > '6') return error::unknown_packet_type;
    p.type = static_cast<packet_type>(digit - '0');
    std::string_view rest = text.substr(1);

    attachment_count = 0;
    std::error_code ec;
    if (is_binary(p.type)) ec = consume_attachment_count(rest, l, attachment_count);
    if (!ec) ec = consume_namespace(rest, l, p.nsp);
    if (!ec) ec = consume_ack_id(rest, p.id);
    const bool has_data = !rest.empty();
    if (!ec && has_data) ec = parse_json(rest, l, p.data);
    if (!ec) ec = check_values(p.data, {is_binary(p.type), attachment_count});
    if (ec) return ec;
    // After check_values: an event named by a number beyond double range is left unnamed.
    if (!payload_fits(p, has_data)) return error::bad_payload;
    return {};
}

packet_type wire_type(const packet& p) noexcept {
    if (p.attachments.empty()) return p.type;
    switch (p.type) {
        case packet_type::event:
            return packet_type::binary_event;
        case packet_type::ack:
            return packet_type::binary_ack;
        default:
            return p.type;
    }
}

template <typename Integer>
void append_number(std::string& out, Integer value) {
    char digits[24];
    const auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), value);
    out.append(digits, end);
}

// Streams the JSON straight into `out`, without the intermediate string of serialize().
void append_json(std::string& out, const boost::json::value& data) {
    boost::json::serializer serializer;
    serializer.reset(&data);
    char chunk[4096];
    while (!serializer.done()) out.append(serializer.read(chunk, sizeof chunk));
}

}  // namespace

const std::error_category& error_category() noexcept {
    static const error_category_impl category;
    return category;
}

std::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), error_category()};
}

std::error_code decoder::feed_text(std::string_view text) {
    const bool awaiting = awaiting_attachments();
    reset();
    unreadable_.reset();
    if (awaiting) return error::unexpected_text;
    std::size_t attachment_count = 0;
    if (std::error_code ec = parse_packet(text, limits_, pending_, attachment_count)) {
        // The header was read before the JSON; a binary event's attachments would follow.
        if (ec == error::bad_json && pending_.type == packet_type::event) {
            pending_.data = nullptr;
            unreadable_ = std::move(pending_);
        }
        reset();
        return ec;
    }
    expected_attachments_ = attachment_count;
    ready_ = attachment_count == 0;
    if (!ready_) {
        // Parsed JSON takes many times the bytes of its text, and the attachments may come
        // late or never: until they are all here, the text waits instead, checked already.
        pending_.data = nullptr;
        awaited_text_.assign(text);
        pending_.attachments.reserve(attachment_count);
    }
    return {};
}

std::error_code decoder::feed_binary(std::string_view bytes) {
    unreadable_.reset();
    if (!awaiting_attachments()) {
        reset();
        return error::unexpected_binary;
    }
    pending_.attachments.emplace_back(bytes);
    if (pending_.attachments.size() < expected_attachments_) return {};
    std::size_t attachment_count = 0;
    // The same text parsed the same way as before: it cannot fail now.
    if (std::error_code ec = parse_packet(awaited_text_, limits_, pending_, attachment_count)) {
        reset();
        return ec;
    }
    awaited_text_ = std::string{};
    ready_ = true;
    return {};
}

bool decoder::awaiting_attachments() const noexcept {
    return pending_.attachments.size() < expected_attachments_;
}

packet decoder::take() {
    // A half-assembled packet is never handed out, even to a caller that skipped ready().
    if (!ready_) return {};
    packet completed = std::move(pending_);
    reset();
    return completed;
}

void decoder::reset() noexcept {
    pending_ = packet{};
    awaited_text_ = std::string{};
    expected_attachments_ = 0;
    ready_ = false;
}

void encode(const packet& p, std::string& out) {
    const packet_type type = wire_type(p);
    const bool named = !p.nsp.empty() && p.nsp != "/";
    // Room for the digits and separators; the JSON grows the string as it streams in.
    out.reserve(out.size() + 48 + (named ? p.nsp.size() : 0));
    out.push_back(static_cast<char>('0' + static_cast<int>(type)));
    if (is_binary(type)) {
        append_number(out, p.attachments.size());
        out.push_back('-');
    }
    if (named) {
        out.append(p.nsp);
        out.push_back(',');
    }
    if (p.id) append_number(out, *p.id);
    if (!p.data.is_null()) append_json(out, p.data);
}

std::string encode(const packet& p) {
    std::string out;
    encode(p, out);
    return out;
}

boost::json::value placeholder(std::size_t n) {
    return boost::json::object{{"_placeholder", true}, {"num", n}};
}

}  // namespace confab::sio
