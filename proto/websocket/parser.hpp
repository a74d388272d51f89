#pragma once
// Reads what a WebSocket client sends (RFC 6455 section 5), incrementally, from whatever
// pieces the socket delivers. Sans-I/O: bytes in, events out; a protocol violation is an
// event carrying the close code to answer with, never a throw.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "proto/websocket/frame.hpp"

namespace confab::ws {

enum class event_type : std::uint8_t {
    none,    // the input is used up; the next event needs more bytes
    text,    // a complete text message, valid UTF-8
    binary,  // a complete binary message
    ping,    // to be answered with a pong carrying the same payload
    pong,
    close,  // the peer's close frame: `code` (no_status if it sent none) and the reason
    error,  // a protocol violation: close with `code` and read no further
};

struct event {
    event_type type = event_type::none;
    close_code code = close_code::no_status;  // close and error only
    // The message, ping payload or close reason. Points into the caller's input or into the
    // parser; valid until the next call to feed().
    std::string_view payload;
};

struct feed_result {
    std::size_t consumed = 0;  // bytes of the input used, up to and including the event's
    event ev;
};

// Client frames must be masked and use no RSV bit (no extension is negotiated). Fragmented
// messages are reassembled, with control frames allowed between their fragments. Limits:
// `max_message` bytes per message (1009 beyond), 125 bytes per control frame (1002).
//
// An unfragmented message that arrives whole in one input is handed out in place, without a
// copy; only a message spread over several inputs or frames is assembled in the parser, and
// that buffer is released once its message was handed out, so an idle connection holds none.
// After a close frame or an error the parser is done: it consumes and ignores everything.
class parser {
  public:
    explicit parser(std::size_t max_message) noexcept : max_message_(max_message) {}

    // Consumes `input` up to and including the next event, or all of it when it holds none
    // (ev.type == none). Payload bytes are unmasked in place, hence a mutable span.
    feed_result feed(std::span<std::uint8_t> input);

    bool done() const noexcept { return state_ == state::done; }

  private:
    enum class state : std::uint8_t { header, payload, done };

    event on_header();
    event on_payload(std::span<std::uint8_t> chunk);
    event on_control(std::string_view payload);
    event on_message(std::string_view payload);
    event fail(close_code code);
    void unmask(std::span<std::uint8_t> bytes) const noexcept;
    bool is_control() const noexcept { return (op_ & 0x8) != 0; }

    std::size_t max_message_;
    std::string message_;  // the fragments received so far of a message in progress
    std::string control_;  // a control frame's payload that arrived in pieces
    std::uint64_t frame_size_ = 0;
    std::uint64_t remaining_ = 0;  // payload bytes of the current frame still to come
    std::uint8_t head_[14] = {};   // 2 bytes, up to 8 of length, 4 of masking key
    std::uint8_t mask_[4] = {};
    std::uint8_t head_size_ = 0;
    std::uint8_t head_need_ = 2;
    std::uint8_t op_ = 0;          // opcode of the current frame
    std::uint8_t message_op_ = 0;  // text or binary from a message's first frame to its last
    bool fin_ = false;
    // The last event pointed into message_ / control_: free it on the next call.
    bool release_message_ = false;
    bool release_control_ = false;
    state state_ = state::header;
};

}  // namespace confab::ws
