#include "ws_conn.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "proc.hpp"
#include "proto/engineio/base64.hpp"
#include "proto/engineio/packet.hpp"
#include "proto/socketio/packet.hpp"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace lg {

namespace {

constexpr std::size_t read_buffer_bytes = 256 * 1024;
constexpr std::uint64_t max_frame_bytes = 64u << 20;
constexpr std::size_t max_http_response = 16 * 1024;
constexpr int reads_per_turn = 8;  // then yield to other sockets
constexpr std::string_view received_prefix = "2[\"message:received\",";

bool parse_u64(std::string_view s, std::size_t& i, std::uint64_t& out) {
    const auto start = i;
    std::uint64_t v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') v = v * 10 + static_cast<unsigned>(s[i++] - '0');
    out = v;
    return i > start;
}

// Bytes of a frame header before the mask key: 2, 4 or 10 (2 while unknown).
std::size_t header_bytes(std::string_view h) {
    if (h.size() < 2) return 2;
    const auto len7 = static_cast<std::uint8_t>(h[1]) & 0x7f;
    return len7 < 126 ? 2 : len7 == 126 ? 4 : 10;
}

// Frame size from a header prefix: 0 while the header (up to its length) is incomplete.
std::uint64_t frame_size(std::string_view h) {
    if (h.size() < header_bytes(h)) return 0;
    const auto b1 = static_cast<std::uint8_t>(h[1]);
    const std::uint64_t mask = (b1 & 0x80) ? 4 : 0;
    const std::uint64_t len7 = b1 & 0x7f;
    if (len7 < 126) return 2 + mask + len7;
    if (len7 == 126)
        return 4 + mask + ((std::uint64_t{static_cast<std::uint8_t>(h[2])} << 8) | static_cast<std::uint8_t>(h[3]));
    std::uint64_t len = 0;
    for (int i = 2; i < 10; ++i) len = (len << 8) | static_cast<std::uint8_t>(h[i]);
    return 10 + mask + len;
}

}  // namespace

ws_shared::ws_shared(net::io_context& io_, tcp::endpoint server_, std::string host_header_)
    : io(io_), poll(io_), server(server_), host_header(std::move(host_header_)), read_buffer(read_buffer_bytes),
      rng(static_cast<std::uint64_t>(now_ns()) | 1) {}

ws_conn::ws_conn(ws_shared& shared, std::uint32_t index) : shared_(shared), index_(index) {}

ws_conn::~ws_conn() {
    if (fd_ >= 0) ::close(fd_);
}

void ws_conn::start(const std::string* token) {
    token_ = token;
    st_ = state::connecting;
    started_ns = now_ns();
    fd_ = ::socket(shared_.server.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return fail(fmt::format("socket: {}", std::strerror(errno)));
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!shared_.sources.empty()) {
        // Without a port, bind() only picks the address; connect() then picks a port that is
        // unique for the 4-tuple, so each source address gives its own ephemeral range.
        ::setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(shared_.sources[index_ % shared_.sources.size()].to_v4().to_uint());
        if (::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0)
            return fail(fmt::format("bind: {}", std::strerror(errno)));
    }
    if (!shared_.poll.add(fd_, this)) return fail(fmt::format("epoll_ctl: {}", std::strerror(errno)));
    const auto* remote = shared_.server.data();
    if (::connect(fd_, remote, static_cast<socklen_t>(shared_.server.size())) != 0 && errno != EINPROGRESS)
        return fail(fmt::format("connect: {}", std::strerror(errno)));
    // Completion (or an immediate success) shows as EPOLLOUT.
}

void ws_conn::on_io(std::uint32_t events) {
    if (st_ == state::closed) return;
    if (st_ == state::connecting) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) return fail(fmt::format("connect: {}", std::strerror(err)));
        on_connected();
        if (st_ == state::closed) return;
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        on_readable();
        if (st_ == state::closed) return;
    }
    if ((events & EPOLLOUT) && write_blocked_) {
        write_blocked_ = false;
        flush();
    }
}

void ws_conn::on_connected() {
    std::string key_bytes(16, '\0');
    for (std::size_t i = 0; i < 16; i += 4) {
        const auto r = shared_.next_random();
        std::memcpy(key_bytes.data() + i, &r, 4);
    }
    std::string key;
    confab::eio::append_base64(key, key_bytes);
    st_ = state::upgrading;
    write_raw(fmt::format("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {}\r\n"
                          "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {}\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n",
                          shared_.host_header, key));
}

void ws_conn::on_readable() {
    auto& buf = shared_.read_buffer;
    for (int round = 0; round < reads_per_turn; ++round) {
        const auto n = ::recv(fd_, buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EINTR) continue;
            return fail(fmt::format("read: {}", std::strerror(errno)));
        }
        if (n == 0) return fail("closed by the server");
        const auto now = now_ns();
        ++shared_.reads;
        shared_.bytes_in += static_cast<std::uint64_t>(n);
        if (!consume(buf.data(), static_cast<std::size_t>(n), now)) return;
        // A short read drained the socket: the next data brings a new edge.
        if (static_cast<std::size_t>(n) < buf.size()) return;
    }
    // Still more to read: let the other sockets have a turn, then carry on.
    shared_.poll.again(this);
}

bool ws_conn::consume(const char* data, std::size_t n, std::int64_t now) {
    if (st_ == state::upgrading) return consume_upgrade(data, n, now);
    std::string_view in(data, n);
    // First complete the frame carried over from the last read, copying only its bytes:
    // its header first (the length may be split), then the rest of it.
    while (!rx_.empty() && !in.empty()) {
        const auto need = frame_size(rx_);
        if (need > max_frame_bytes) {
            fail("frame too large");
            return false;
        }
        const auto want = need == 0 ? header_bytes(rx_) - rx_.size() : need - rx_.size();
        const auto take = std::min<std::size_t>(in.size(), want);
        rx_.append(in.substr(0, take));
        in.remove_prefix(take);
        if (need == 0) continue;
        if (rx_.size() == need) {
            std::string frame;
            frame.swap(rx_);
            parse_frames(frame, now);
            if (st_ == state::closed) return false;
            if (frame.capacity() <= 4096) {  // keep a small buffer for the next tail
                frame.clear();
                rx_.swap(frame);
            }
        }
    }
    if (in.empty()) return st_ != state::closed;
    const auto used = parse_frames(in, now);
    if (st_ == state::closed) return false;
    if (used < in.size()) rx_.assign(in.substr(used));
    return true;
}

bool ws_conn::consume_upgrade(const char* data, std::size_t n, std::int64_t now) {
    rx_.append(data, n);
    const auto end = rx_.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (rx_.size() > max_http_response) fail("HTTP response too large");
        return st_ != state::closed;
    }
    const std::string_view head(rx_.data(), end);
    if (head.substr(0, 13) != "HTTP/1.1 101 ") {
        fail(fmt::format("upgrade refused: {}", head.substr(0, head.find('\r'))));
        return false;
    }
    st_ = state::wait_open;
    std::string rest = rx_.substr(end + 4);
    std::string().swap(rx_);
    return rest.empty() || consume(rest.data(), rest.size(), now);
}

std::size_t ws_conn::parse_frames(std::string_view in, std::int64_t now) {
    std::size_t pos = 0;
    while (st_ != state::closed) {
        const auto avail = in.size() - pos;
        const auto size = frame_size(in.substr(pos, std::min<std::size_t>(avail, 10)));
        if (size == 0 || size > avail) {
            if (size > max_frame_bytes) fail("frame too large");
            break;
        }
        const auto b0 = static_cast<std::uint8_t>(in[pos]);
        const auto b1 = static_cast<std::uint8_t>(in[pos + 1]);
        if (b1 & 0x80) {
            fail("masked frame from the server");
            break;
        }
        const auto len7 = b1 & 0x7f;
        const std::size_t header = len7 < 126 ? 2 : len7 == 126 ? 4 : 10;
        ++shared_.frames_in;
        on_frame(b0, in.substr(pos + header, size - header), now);
        pos += size;
    }
    return pos;
}

void ws_conn::on_frame(std::uint8_t b0, std::string_view payload, std::int64_t now) {
    const bool fin = b0 & 0x80;
    switch (b0 & 0x0f) {
        case 0x1:  // text
            if (fin) return on_text(payload, now);
            frag_.assign(payload);
            frag_text_ = true;
            return;
        case 0x2:  // binary: Socket.IO attachments, not used by this API
            if (!fin) {
                frag_.assign(payload);
                frag_text_ = false;
            }
            return;
        case 0x0: {  // continuation
            frag_.append(payload);
            if (!fin) return;
            std::string whole;
            whole.swap(frag_);
            if (frag_text_) on_text(whole, now);
            return;
        }
        case 0x8: {  // close: answer with the same code, then drop the socket
            std::string code = payload.size() >= 2 ? std::string(payload.substr(0, 2)) : std::string();
            send_frame(0x8, code);
            unsigned c = payload.size() >= 2
                             ? (static_cast<unsigned>(static_cast<std::uint8_t>(payload[0])) << 8) |
                                   static_cast<std::uint8_t>(payload[1])
                             : 1005;
            return fail(fmt::format("websocket close {}", c));
        }
        case 0x9: return send_frame(0xA, payload);  // ping
        default: return;                             // pong, reserved
    }
}

void ws_conn::on_text(std::string_view text, std::int64_t now) {
    if (text.empty()) return;
    switch (text[0]) {
        case '4': return on_socketio(text.substr(1), now);
        case '2':  // Engine.IO ping: answer pong with the same data
            ++shared_.pings;
            if (text.size() == 1) return send_text("3");
            return send_text(std::string("3").append(text.substr(1)));
        case '0': {  // open
            if (st_ != state::wait_open) return;
            confab::eio::packet p;
            if (confab::eio::decode_text(text, p, false)) return fail("bad Engine.IO open packet");
            confab::sio::packet connect;
            connect.type = confab::sio::packet_type::connect;
            connect.data = boost::json::object{{"token", token_ ? *token_ : std::string()}};
            std::string out = "4";
            confab::sio::encode(connect, out);
            st_ = state::wait_connect;
            return send_text(out);
        }
        case '1': return fail("Engine.IO close from the server");
        default: return;  // noop, pong
    }
}

void ws_conn::on_socketio(std::string_view s, std::int64_t now) {
    if (s.empty()) return;
    auto* events = shared_.events;
    if (s.size() > received_prefix.size() && s.compare(0, received_prefix.size(), received_prefix) == 0) {
        // The hot path: only the timestamp and sequence number are read.
        ++shared_.deliveries;
        const auto t = s.find("\"t=", received_prefix.size());
        if (t != std::string_view::npos) {
            std::size_t i = t + 3;
            std::uint64_t sent = 0, seq = 0;
            if (parse_u64(s, i, sent) && s.substr(i, 3) == ";s=" && (i += 3, parse_u64(s, i, seq))) {
                if (events) events->on_delivery(*this, static_cast<std::int64_t>(sent), seq, now);
                return;
            }
        }
        if (events) events->on_event(*this, "message:received", s);
        return;
    }
    switch (s[0]) {
        case '3': {  // ACK: 3<id>[...]
            std::size_t i = 1;
            std::uint64_t id = 0;
            if (!parse_u64(s, i, id)) return;
            if (events && st_ == state::ready) events->on_ack(*this, id, s.substr(i));
            return;
        }
        case '2': {  // EVENT: 2["name",...]
            if (s.size() < 4 || s[1] != '[' || s[2] != '"') return;
            const auto close = s.find('"', 3);
            if (close == std::string_view::npos) return;
            if (events) events->on_event(*this, s.substr(3, close - 3), s);
            return;
        }
        case '0': {  // CONNECT answered
            if (st_ != state::wait_connect) return;
            confab::sio::decoder d;
            if (d.feed_text(s) || !d.ready()) return fail("bad Socket.IO CONNECT packet");
            st_ = state::ready;
            token_ = nullptr;
            if (tx_.empty() && tx_.capacity() > 0) std::string().swap(tx_);
            if (events) events->on_ready(*this);
            return;
        }
        case '4': {  // CONNECT_ERROR
            confab::sio::decoder d;
            std::string why = "connect error";
            if (!d.feed_text(s) && d.ready()) why = "connect error " + boost::json::serialize(d.take().data);
            return fail(why);
        }
        case '1': return fail("Socket.IO disconnect from the server");
        default: return;
    }
}

void ws_conn::send_text(std::string_view packet) { send_frame(0x1, packet); }

void ws_conn::send_frame(std::uint8_t opcode, std::string_view payload) {
    if (st_ == state::closed) return;
    char header[14];
    std::size_t h = 0;
    header[h++] = static_cast<char>(0x80 | opcode);
    const auto len = payload.size();
    if (len < 126) {
        header[h++] = static_cast<char>(0x80 | len);
    } else if (len < 65536) {
        header[h++] = static_cast<char>(0x80 | 126);
        header[h++] = static_cast<char>(len >> 8);
        header[h++] = static_cast<char>(len);
    } else {
        header[h++] = static_cast<char>(0x80 | 127);
        for (int i = 7; i >= 0; --i) header[h++] = static_cast<char>(static_cast<std::uint64_t>(len) >> (8 * i));
    }
    const auto key = shared_.next_random();
    std::memcpy(header + h, &key, 4);
    h += 4;
    const auto at = tx_.size();
    tx_.append(header, h);
    tx_.append(payload);
    unsigned char k[4];
    std::memcpy(k, &key, 4);
    auto* p = reinterpret_cast<unsigned char*>(tx_.data() + at + h);
    for (std::size_t i = 0; i < len; ++i) p[i] ^= k[i & 3];
    ++shared_.frames_out;
    flush();
}

void ws_conn::write_raw(std::string_view bytes) {
    tx_.append(bytes);
    flush();
}

void ws_conn::flush() {
    if (write_blocked_ || tx_.empty() || st_ == state::closed || st_ == state::connecting) return;
    const auto n = ::send(fd_, tx_.data(), tx_.size(), MSG_NOSIGNAL);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return fail(fmt::format("write: {}", std::strerror(errno)));
        write_blocked_ = true;
        ++shared_.queued_writes;
        return;
    }
    shared_.bytes_out += static_cast<std::uint64_t>(n);
    if (static_cast<std::size_t>(n) == tx_.size()) {
        tx_.clear();
        return;
    }
    // The kernel took part: the rest waits for EPOLLOUT.
    tx_.erase(0, static_cast<std::size_t>(n));
    write_blocked_ = true;
    ++shared_.queued_writes;
}

void ws_conn::abort(std::string_view why) { fail(why); }

void ws_conn::fail(std::string_view why) {
    if (st_ == state::closed) return;
    const auto was = st_;
    st_ = state::closed;
    if (fd_ >= 0) ::close(fd_);  // also leaves the epoll set
    fd_ = -1;
    std::string().swap(rx_);
    std::string().swap(tx_);
    std::string().swap(frag_);
    if (auto* events = shared_.events) {
        if (was == state::ready) events->on_closed(*this, why);
        else events->on_failed(*this, why);
    }
}

}  // namespace lg
