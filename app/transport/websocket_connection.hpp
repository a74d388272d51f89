#pragma once
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/http/connection_limits.hpp"
#include "core/common/net.hpp"
#include "core/engine/frame.hpp"
#include "proto/websocket/frame.hpp"
#include "proto/websocket/parser.hpp"

namespace confab::transport {

// What receive() hands each complete message to: (binary, payload). A non-owning reference,
// so that receive() stays an ordinary out-of-line function: its read buffer then lives on the
// thread's stack, never in the frame of the coroutine that calls it.
class message_sink {
  public:
    // Implicit, so that a lambda is passed as it is.
    template <class F>
    message_sink(const F& f) noexcept
        : target_(&f), call_([](const void* t, bool binary, std::string_view data) {
              (*static_cast<const F*>(t))(binary, data);
          }) {}

    void operator()(bool binary, std::string_view data) const { call_(target_, binary, data); }

  private:
    const void* target_;
    void (*call_)(const void*, bool, std::string_view);
};

// One WebSocket after its opening handshake, over a plain TCP socket, framed by
// proto/websocket. Made for many idle connections: between messages it holds its socket, one
// timer and the parser's small state, and no buffer at all.
//
// One reader (receive, wait_readable, send_pong, reader_done) and one writer coroutine
// (write, close) share it. A frame must go out whole, so their writes never overlap: the
// second waits for the first. A write the kernel takes at once needs no asynchronous
// operation at all.
//
// One timer bounds every wait: the socket is closed when the handshake, the upgrade probe or
// the closing handshake outlast their deadline, or when a write is not taken within
// write_timeout. Closing the socket ends whatever waits on it.
class websocket_connection : public std::enable_shared_from_this<websocket_connection> {
  public:
    using clock = std::chrono::steady_clock;

    // How long the peer has to take our last messages and answer our close frame.
    static constexpr clock::duration close_timeout = std::chrono::seconds(2);

    enum class read_status {
        idle,  // the socket is drained: wait_readable() next
        more,  // a full buffer was read: read again, after letting others run
        done,  // the peer ended its side, or the socket failed
    };

    // `slot` is the connection's place in the server's connection limits, kept until the
    // connection is destroyed.
    websocket_connection(net::ip::tcp::socket socket, http::connection_slot slot,
                         std::size_t max_message, clock::duration write_timeout);

    // Bytes of the connection read along with the upgrade request: the first receive()
    // parses them before reading the socket.
    void received_early(std::string_view bytes);

    net::any_io_executor get_executor() { return socket_.get_executor(); }

    // The socket is closed at `when` unless clear_deadline() comes first; an earlier deadline
    // already set stays.
    void set_deadline(clock::time_point when);
    void clear_deadline();
    // Closes the socket now: every wait on it completes with an error.
    void close_socket();

    // --- The reader ---
    // Reads what has arrived, without waiting, and parses it: each message goes to
    // `on_message`, a ping makes a pong due, a close frame or a protocol violation makes the
    // connection closing().
    read_status receive(message_sink on_message);
    // Completes (with `token`) when the socket has something to read, or with an error once it
    // is closed. Start it only right after receive() returned idle, with nothing run in
    // between: the reactor is edge-triggered, so bytes that arrived meanwhile would raise no
    // readiness. (Which holds because the connection's executor is one thread, as the server
    // runs it.)
    template <class Token>
    auto wait_readable(Token&& token) {
        return socket_.async_wait(net::socket_base::wait_read, std::forward<Token>(token));
    }
    bool pong_due() const noexcept { return pong_due_; }
    // Answers the latest ping, unless our close frame went out first. Completes with the
    // socket's error; only the socket's closing cuts it short.
    net::awaitable<boost::system::error_code> send_pong();
    // The peer sent a close frame or broke the protocol: it is delivered no more messages,
    // and close() answers it with close_code().
    bool closing() const noexcept { return parser_.done(); }
    // The reader has stopped: the peer ended its side, or the socket failed or was closed.
    void reader_done();

    // --- The writer ---
    // The writer runs only while there is something to send: whoever starts it claims it
    // first, and it lets go when it finds nothing more.
    bool claim_writer() noexcept { return !std::exchange(writer_active_, true); }
    void release_writer() noexcept { writer_active_ = false; }
    // Sends `prefix` as it is (the handshake response), then each frame as one message, all
    // in one gather write, the payloads not copied. Completes with the socket's error, which
    // is operation_aborted or bad_descriptor when a deadline closed the socket meanwhile.
    net::awaitable<boost::system::error_code> write(std::span<const engine::frame> frames,
                                                    std::string_view prefix = {});
    // The writer's way without a coroutine: sends `frames` as far as the kernel takes them
    // now. What it does not take is copied into `rest`, with would_block, for write_rest().
    // Only while no write is in flight (writing() false).
    struct attempt {
        boost::system::error_code ec;
        std::string rest;
    };
    attempt write_now(std::span<const engine::frame> frames);
    net::awaitable<boost::system::error_code> write_rest(std::string rest);
    bool writing() const noexcept { return writing_; }
    // Sends `last`, then a close frame with close_code(), and stops sending; completes when
    // that write is done or failed. The socket is closed once the peer has ended its side as
    // well, or after close_timeout. Does nothing when a close frame was already sent.
    net::awaitable<void> close(std::span<const engine::frame> last = {});
    // Normal closure unless the peer's close frame or a protocol violation said otherwise.
    ws::close_code close_code() const noexcept { return close_code_; }
    void set_close_code(ws::close_code code) noexcept { close_code_ = code; }

  private:
    net::awaitable<boost::system::error_code> write_buffers(std::span<net::const_buffer> buffers);
    boost::system::error_code write_at_once(std::span<net::const_buffer>& buffers);
    net::awaitable<boost::system::error_code> write_async(std::span<net::const_buffer> buffers);
    net::awaitable<void> wait_turn();
    void parse(std::span<std::uint8_t> input, message_sink on_message);
    void on_control(const ws::event& ev);
    void watch();
    void on_watchdog();

    http::connection_slot slot_;  // declared first: given back only once the socket is closed
    net::ip::tcp::socket socket_;
    net::steady_timer watchdog_;
    ws::parser parser_;
    std::string pong_;  // the payload of the ping to answer
    std::unique_ptr<std::string> early_;  // see received_early(); rare, so not inline
    clock::time_point deadline_ = clock::time_point::max();
    clock::time_point write_deadline_ = clock::time_point::max();
    clock::duration write_timeout_;
    net::steady_timer* turn_waiter_ = nullptr;  // a write waiting for the one in flight
    ws::close_code close_code_ = ws::close_code::normal;
    bool writing_ = false;   // an asynchronous write is in flight
    bool writer_active_ = false;
    bool watching_ = false;  // the watchdog has a wait pending
    bool pong_due_ = false;
    bool close_sent_ = false;
    bool peer_done_ = false;
};

}  // namespace confab::transport
