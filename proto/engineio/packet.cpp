#include "proto/engineio/packet.hpp"

#include <algorithm>
#include <utility>

#include "proto/engineio/base64.hpp"

namespace confab::eio {

namespace {

class error_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "confab.engineio"; }

    std::string message(int code) const override {
        switch (static_cast<error>(code)) {
            case error::empty_packet:
                return "empty Engine.IO packet";
            case error::unknown_packet_type:
                return "unknown Engine.IO packet type";
            case error::bad_base64:
                return "invalid base64 in Engine.IO binary packet";
            case error::payload_too_large:
                return "Engine.IO payload exceeds the size limit";
            case error::too_many_packets:
                return "Engine.IO payload holds too many packets";
        }
        return "unknown Engine.IO error";
    }
};

constexpr char binary_prefix = 'b';

}  // namespace

const std::error_category& error_category() noexcept {
    static const error_category_impl category;
    return category;
}

std::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), error_category()};
}

std::error_code decode_text(std::string_view text, packet& out, bool allow_base64) {
    if (text.empty()) return error::empty_packet;
    if (allow_base64 && text.front() == binary_prefix) {
        std::string bytes;
        if (!decode_base64(text.substr(1), bytes)) return error::bad_base64;
        out = {packet_type::message, true, std::move(bytes)};
        return {};
    }
    const char digit = text.front();
    if (digit < '0' || digit > '6') return error::unknown_packet_type;
    out = {static_cast<packet_type>(digit - '0'), false, std::string(text.substr(1))};
    return {};
}

packet decode_binary_frame(std::string_view bytes) {
    return {packet_type::message, true, std::string(bytes)};
}

std::string encode_text(packet_type type, std::string_view data) {
    std::string text;
    text.reserve(1 + data.size());
    text.push_back(static_cast<char>('0' + static_cast<int>(type)));
    text.append(data);
    return text;
}

std::error_code decode_payload(std::string_view body, std::vector<packet>& out,
                               std::size_t max_bytes, std::size_t max_packets) {
    if (body.size() > max_bytes) return error::payload_too_large;
    // Counting first rejects a flood of tiny packets before any of them is allocated.
    const auto count =
        static_cast<std::size_t>(std::count(body.begin(), body.end(), payload_separator)) + 1;
    if (count > max_packets) return error::too_many_packets;

    const std::size_t original_size = out.size();
    out.reserve(original_size + count);
    while (true) {
        const std::size_t end = std::min(body.find(payload_separator), body.size());
        std::error_code ec = decode_text(body.substr(0, end), out.emplace_back(), true);
        if (ec) {
            out.resize(original_size);
            return ec;
        }
        if (end == body.size()) return {};
        body.remove_prefix(end + 1);
    }
}

void append_payload_text(std::string& body, std::string_view encoded) {
    if (!body.empty()) body.push_back(payload_separator);
    body.append(encoded);
}

void append_payload_binary(std::string& body, std::string_view bytes) {
    if (!body.empty()) body.push_back(payload_separator);
    body.push_back(binary_prefix);
    append_base64(body, bytes);
}

}  // namespace confab::eio
