#pragma once
// Socket.IO v5 packets: https://github.com/socketio/socket.io-protocol (v5).
// Sans-I/O. A binary packet keeps its placeholders ({"_placeholder":true,"num":N}) in `data`
// and its attachments, in `num` order, in `attachments`.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/json/value.hpp>

namespace confab::sio {

enum class packet_type : std::uint8_t {
    connect = 0,
    disconnect = 1,
    event = 2,
    ack = 3,
    connect_error = 4,
    binary_event = 5,
    binary_ack = 6,
};

struct packet {
    packet_type type = packet_type::event;
    std::string nsp = "/";
    std::optional<std::uint64_t> id;       // ack id
    boost::json::value data;               // null when the packet carries no payload
    std::vector<std::string> attachments;  // binary attachments of binary_event / binary_ack
};

struct limits {
    std::size_t max_attachments = 10;  // socket.io-parser's default (maxAttachments)
    std::size_t max_json_depth = 32;
    std::size_t max_namespace_length = 256;
};

enum class error {
    empty_packet = 1,
    unknown_packet_type,
    bad_attachment_count,
    too_many_attachments,
    bad_namespace,
    bad_ack_id,
    bad_json,
    json_too_deep,
    bad_payload,           // payload of the wrong shape for the packet type
    unexpected_binary,     // a binary frame when no attachment is awaited
    unexpected_text,       // a text packet while attachments are still awaited
    bad_placeholder,       // a placeholder whose num is not below the attachment count
};
const std::error_category& error_category() noexcept;
std::error_code make_error_code(error e) noexcept;

// Turns Engine.IO messages into Socket.IO packets, reassembling binary packets from their
// attachments. Payload shape is checked: CONNECT data absent or an object; DISCONNECT none;
// EVENT a non-empty array starting with a string or a number (its name); ACK an array;
// CONNECT_ERROR an object.
class decoder {
public:
    explicit decoder(limits l = {}) : limits_(l) {}

    // Feeds the data of a text message. On success, ready() may be true.
    std::error_code feed_text(std::string_view text);
    // Feeds a binary message: the next attachment of the packet being reassembled.
    std::error_code feed_binary(std::string_view bytes);

    bool ready() const noexcept { return ready_; }
    // After feed_text failed with bad_json on a plain EVENT: that event's namespace and ack
    // id, its payload empty, so that a receiver may answer it with an error rather than close.
    const std::optional<packet>& unreadable_event() const noexcept { return unreadable_; }
    bool awaiting_attachments() const noexcept;
    // The namespace of the packet whose attachments are awaited.
    const std::string& awaited_namespace() const noexcept { return pending_.nsp; }
    // Moves the completed packet out; requires ready().
    packet take();
    // Drops any partial packet (after an error, or when the connection resets).
    void reset() noexcept;

private:
    limits limits_;
    packet pending_;
    std::string awaited_text_;  // of the packet whose attachments are awaited
    std::optional<packet> unreadable_;
    std::size_t expected_attachments_ = 0;
    bool ready_ = false;
};

// Encodes the text part of a packet, appending to `out` (so a caller can put the Engine.IO
// type digit in front without a copy). Packets with attachments are written as
// binary_event / binary_ack with their attachment count. JSON is compact, keys in insertion
// order. The default namespace "/" is omitted.
void encode(const packet& p, std::string& out);
std::string encode(const packet& p);

// {"_placeholder":true,"num":n}
boost::json::value placeholder(std::size_t n);

}  // namespace confab::sio

template <>
struct std::is_error_code_enum<confab::sio::error> : std::true_type {};
