#pragma once
// One Socket.IO v5 client over a direct Engine.IO v4 WebSocket, written straight on a
// non-blocking TCP socket (see poller.hpp) so that an idle connection costs a few hundred
// bytes and a busy one few syscalls:
//  - readiness comes from one shared epoll set; reads drain the socket into ONE buffer shared
//    by all connections; only an incomplete frame tail is kept per connection;
//  - writes go out at once; only what the kernel refuses is queued, until EPOLLOUT;
//  - a `message:received` is not parsed as JSON: the send timestamp and sequence number
//    are found in the content ("t=<ns>;s=<seq>;...") with a string search.
// Everything runs on one single-threaded io_context.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "poller.hpp"

namespace lg {

namespace net = boost::asio;
using tcp = net::ip::tcp;

class ws_conn;

// What a scenario hears from its sockets; one handler serves every socket of a run.
struct ws_events {
    virtual ~ws_events() = default;
    // The Socket.IO CONNECT was answered: the socket is in namespace "/".
    virtual void on_ready(ws_conn&) {}
    // The handshake failed (TCP, HTTP upgrade, Engine.IO open, or CONNECT_ERROR).
    virtual void on_failed(ws_conn&, std::string_view /*why*/) {}
    // A ready socket was closed (by the server, an error, or abort()).
    virtual void on_closed(ws_conn&, std::string_view /*why*/) {}
    // A `message:received` carrying a load-generator timestamp; now_ns is when it was read.
    virtual void on_delivery(ws_conn&, std::int64_t /*sent_ns*/, std::uint64_t /*seq*/,
                             std::int64_t /*now_ns*/) {}
    // An ACK packet: its id and its argument array as raw JSON text ("[{...}]").
    virtual void on_ack(ws_conn&, std::uint64_t /*id*/, std::string_view /*args*/) {}
    // Any other EVENT: its name, and the Socket.IO packet text ("2[\"name\",...]").
    virtual void on_event(ws_conn&, std::string_view /*name*/, std::string_view /*packet*/) {}
};

// Shared by all sockets of a run.
struct ws_shared {
    ws_shared(net::io_context& io, tcp::endpoint server, std::string host_header);

    net::io_context& io;
    poller poll;
    tcp::endpoint server;
    std::string host_header;
    std::vector<net::ip::address> sources;  // local addresses to bind, round robin; empty: none
    ws_events* events = nullptr;            // may be swapped between phases
    std::vector<char> read_buffer;
    std::uint64_t rng;

    // Counters.
    std::uint64_t reads = 0, bytes_in = 0, frames_in = 0, frames_out = 0, bytes_out = 0;
    std::uint64_t queued_writes = 0;  // writes the kernel did not take at once
    std::uint64_t pings = 0;
    std::uint64_t deliveries = 0;  // message:received frames

    std::uint32_t next_random() noexcept {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return static_cast<std::uint32_t>(rng >> 11);
    }
};

class ws_conn final : public pollable {
public:
    enum class state : std::uint8_t { idle, connecting, upgrading, wait_open, wait_connect, ready, closed };

    ws_conn(ws_shared& shared, std::uint32_t index);
    ~ws_conn() override;
    ws_conn(const ws_conn&) = delete;
    ws_conn& operator=(const ws_conn&) = delete;

    // Connects and handshakes; ends in on_ready or on_failed. `token` must outlive the
    // handshake (it goes in the CONNECT packet's auth payload).
    void start(const std::string* token);
    // Sends one Engine.IO packet as a text frame, e.g. "42[\"chat:join\",{...}]".
    void send_text(std::string_view packet);
    // Closes the socket now (on_failed before ready, on_closed after).
    void abort(std::string_view why);

    state current() const noexcept { return st_; }
    bool ready() const noexcept { return st_ == state::ready; }
    std::uint32_t index() const noexcept { return index_; }

    // Scenario tags.
    std::uint32_t user = 0;
    std::uint32_t chat = 0;
    std::int64_t started_ns = 0;

    void on_io(std::uint32_t events) override;
    void on_again() override {
        if (st_ != state::closed) on_readable();
    }

private:
    void on_connected();
    void on_readable();
    bool consume(const char* data, std::size_t n, std::int64_t now);
    bool consume_upgrade(const char* data, std::size_t n, std::int64_t now);
    std::size_t parse_frames(std::string_view in, std::int64_t now);
    void on_frame(std::uint8_t b0, std::string_view payload, std::int64_t now);
    void on_text(std::string_view text, std::int64_t now);
    void on_socketio(std::string_view packet, std::int64_t now);
    void send_frame(std::uint8_t opcode, std::string_view payload);
    void write_raw(std::string_view bytes);
    void flush();
    void fail(std::string_view why);

    ws_shared& shared_;
    std::string rx_;    // an incomplete frame (or HTTP response) carried to the next read
    std::string tx_;    // bytes the kernel has not taken yet
    std::string frag_;  // a fragmented message being reassembled (rare)
    const std::string* token_ = nullptr;
    std::uint32_t index_;
    int fd_ = -1;
    state st_ = state::idle;
    bool write_blocked_ = false;  // waiting for EPOLLOUT
    bool frag_text_ = false;
};

}  // namespace lg
