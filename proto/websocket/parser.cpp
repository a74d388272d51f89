#include "proto/websocket/parser.hpp"

#include <algorithm>
#include <cstring>

#include "proto/text/utf8.hpp"

namespace confab::ws {

namespace {

constexpr std::uint8_t fin_bit = 0x80;
constexpr std::uint8_t rsv_bits = 0x70;
constexpr std::uint8_t mask_bit = 0x80;

constexpr std::uint8_t op(opcode o) {
    return static_cast<std::uint8_t>(o);
}

// Frees the buffer, not just its contents: an idle connection keeps no capacity around.
void release(std::string& s) noexcept {
    std::string().swap(s);
}

}  // namespace

feed_result parser::feed(std::span<std::uint8_t> input) {
    if (release_message_) release(message_);
    if (release_control_) release(control_);
    release_message_ = release_control_ = false;
    if (state_ == state::done) return {input.size(), {}};

    std::size_t used = 0;
    while (used < input.size()) {
        if (state_ == state::header) {
            const std::size_t take =
                std::min<std::size_t>(head_need_ - head_size_, input.size() - used);
            std::memcpy(head_ + head_size_, input.data() + used, take);
            head_size_ = static_cast<std::uint8_t>(head_size_ + take);
            used += take;
            if (head_size_ < head_need_) break;
            const event ev = on_header();
            if (ev.type != event_type::none) return {used, ev};
            continue;
        }
        const auto take =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size() - used));
        const event ev = on_payload(input.subspan(used, take));
        used += take;
        if (ev.type != event_type::none) return {used, ev};
    }
    return {used, {}};
}

event parser::on_header() {
    if (head_size_ == 2) {
        // The first two bytes settle most violations: fail before waiting for the rest.
        if ((head_[0] & rsv_bits) != 0) return fail(close_code::protocol_error);
        fin_ = (head_[0] & fin_bit) != 0;
        op_ = head_[0] & 0x0F;
        switch (static_cast<opcode>(op_)) {
            case opcode::continuation:
                if (message_op_ == 0) return fail(close_code::protocol_error);
                break;
            case opcode::text:
            case opcode::binary:
                if (message_op_ != 0) return fail(close_code::protocol_error);
                break;
            case opcode::close:
            case opcode::ping:
            case opcode::pong:
                if (!fin_) return fail(close_code::protocol_error);
                break;
            default:
                return fail(close_code::protocol_error);
        }
        if ((head_[1] & mask_bit) == 0) return fail(close_code::protocol_error);
        const std::uint8_t length = head_[1] & 0x7F;
        if (is_control() && length > max_control_payload) return fail(close_code::protocol_error);
        const std::uint8_t extended = length == 126 ? 2 : length == 127 ? 8 : 0;
        head_need_ = static_cast<std::uint8_t>(2 + extended + 4);
        return {};
    }

    // The whole header is here. Lengths must use their shortest encoding (RFC 6455 5.2).
    std::uint64_t size = head_[1] & 0x7F;
    std::size_t key_at = 2;
    if (size == 126) {
        size = static_cast<std::uint64_t>(head_[2]) << 8 | head_[3];
        if (size < 126) return fail(close_code::protocol_error);
        key_at = 4;
    } else if (size == 127) {
        size = 0;
        for (std::size_t i = 2; i < 10; ++i) size = size << 8 | head_[i];
        if (size >> 63 != 0 || size <= 0xFFFF) return fail(close_code::protocol_error);
        key_at = 10;
    }
    // Refused on the header alone: a peer announcing too much never gets to send it.
    if (!is_control() && size > max_message_ - message_.size())
        return fail(close_code::message_too_big);
    std::memcpy(mask_, head_ + key_at, sizeof mask_);
    head_size_ = 0;
    head_need_ = 2;
    if (op_ == op(opcode::text) || op_ == op(opcode::binary)) message_op_ = op_;
    frame_size_ = remaining_ = size;
    state_ = state::payload;
    if (size == 0) return on_payload({});
    return {};
}

event parser::on_payload(std::span<std::uint8_t> chunk) {
    unmask(chunk);
    const bool whole_frame = chunk.size() == frame_size_;
    remaining_ -= chunk.size();
    const std::string_view bytes(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    if (remaining_ == 0) state_ = state::header;

    if (is_control()) {
        if (whole_frame) return on_control(bytes);
        control_.append(bytes);
        if (remaining_ != 0) return {};
        release_control_ = true;
        return on_control(control_);
    }
    if (whole_frame && fin_ && op_ != op(opcode::continuation)) return on_message(bytes);
    message_.append(bytes);
    if (remaining_ != 0 || !fin_) return {};
    release_message_ = true;
    return on_message(message_);
}

event parser::on_control(std::string_view payload) {
    if (op_ == op(opcode::ping)) return {event_type::ping, close_code::no_status, payload};
    if (op_ == op(opcode::pong)) return {event_type::pong, close_code::no_status, payload};
    if (payload.size() == 1) return fail(close_code::protocol_error);
    auto code = close_code::no_status;
    std::string_view reason;
    if (!payload.empty()) {
        const auto value = static_cast<std::uint16_t>(static_cast<std::uint8_t>(payload[0]) << 8 |
                                                      static_cast<std::uint8_t>(payload[1]));
        if (!is_valid_close_code(value)) return fail(close_code::protocol_error);
        code = static_cast<close_code>(value);
        reason = payload.substr(2);
        if (!utf8::is_valid(reason)) return fail(close_code::invalid_payload);
    }
    state_ = state::done;
    return {event_type::close, code, reason};
}

event parser::on_message(std::string_view payload) {
    const bool text = message_op_ == op(opcode::text);
    message_op_ = 0;
    if (text && !utf8::is_valid(payload)) return fail(close_code::invalid_payload);
    return {text ? event_type::text : event_type::binary, close_code::no_status, payload};
}

event parser::fail(close_code code) {
    state_ = state::done;
    release(message_);
    release(control_);
    return {event_type::error, code, {}};
}

void parser::unmask(std::span<std::uint8_t> bytes) const noexcept {
    // The key byte for bytes[i] is mask_[(offset + i) % 4]; lay eight of them out in a word
    // so that the bulk is one XOR per eight bytes.
    const auto offset = static_cast<std::size_t>((frame_size_ - remaining_) & 3);
    std::uint8_t key[8];
    for (std::size_t i = 0; i < 8; ++i) key[i] = mask_[(offset + i) & 3];
    std::uint64_t key_word;
    std::memcpy(&key_word, key, sizeof key_word);
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, bytes.data() + i, sizeof word);
        word ^= key_word;
        std::memcpy(bytes.data() + i, &word, sizeof word);
    }
    for (; i < bytes.size(); ++i) bytes[i] ^= key[i & 7];
}

}  // namespace confab::ws
