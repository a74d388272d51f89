#include "app/transport/websocket_connection.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include <boost/asio/write.hpp>

namespace confab::transport {

namespace {

// Big enough that a large message takes few reads; on the stack only while one is parsed.
constexpr std::size_t read_chunk_size = 64 * 1024;

// The buffers of one gather write: each frame's header beside its payload, the payloads
// shared with the session's queue, not copied.
class gather {
  public:
    explicit gather(std::size_t frames) : heads_(frames) { buffers_.reserve(2 * frames + 1); }

    void raw(std::string_view bytes) {
        if (!bytes.empty()) buffers_.push_back(net::buffer(bytes));
    }
    void frame(ws::opcode op, const void* data, std::size_t size) {
        auto& head = heads_.at(used_++);
        buffers_.push_back(net::buffer(head.data(), ws::encode_header(head, op, size)));
        if (size != 0) buffers_.push_back(net::buffer(data, size));
    }
    void message(const engine::frame& f) {
        frame(f.binary ? ws::opcode::binary : ws::opcode::text, f.data->data(), f.size());
    }
    std::span<net::const_buffer> buffers() { return buffers_; }

  private:
    // Sized up front: the buffers point into it.
    std::vector<std::array<std::uint8_t, ws::max_header_size>> heads_;
    std::vector<net::const_buffer> buffers_;
    std::size_t used_ = 0;
};

// Drops the first `n` bytes from `buffers`.
void consume(std::span<net::const_buffer>& buffers, std::size_t n) {
    while (!buffers.empty() && n >= buffers.front().size()) {
        n -= buffers.front().size();
        buffers = buffers.subspan(1);
    }
    if (n != 0) buffers.front() += n;
}

}  // namespace

websocket_connection::websocket_connection(net::ip::tcp::socket socket, http::connection_slot slot,
                                           std::size_t max_message, clock::duration write_timeout)
    : slot_(std::move(slot)),
      socket_(std::move(socket)),
      watchdog_(socket_.get_executor()),
      parser_(max_message),
      write_timeout_(write_timeout) {
    // receive() and write_buffers() try the socket first; they must never block on it.
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);
    if (ec) socket_.close(ec);
}

void websocket_connection::set_deadline(clock::time_point when) {
    if (when >= deadline_) return;
    deadline_ = when;
    watch();
}

void websocket_connection::clear_deadline() {
    deadline_ = clock::time_point::max();
    // Nothing else due: cancel now rather than keep the pending wait until it expires.
    if (watching_ && write_deadline_ == clock::time_point::max()) watchdog_.cancel();
}

void websocket_connection::close_socket() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    deadline_ = write_deadline_ = clock::time_point::max();
    if (watching_) watchdog_.cancel();
}

// The watchdog keeps one wait, never later than the nearest deadline. A deadline moving later
// costs no timer operation: the wait then finds nothing due yet and waits again. That is what
// keeps a write watched for the price of reading the clock.
void websocket_connection::watch() {
    const auto due = std::min(deadline_, write_deadline_);
    if (watching_) {
        // Cancelled, the wait completes at once and on_watchdog() waits again for `due`.
        if (due < watchdog_.expiry()) watchdog_.cancel();
        return;
    }
    if (due == clock::time_point::max()) return;
    watching_ = true;
    watchdog_.expires_at(due);
    watchdog_.async_wait([weak = weak_from_this()](boost::system::error_code) {
        if (auto self = weak.lock()) self->on_watchdog();
    });
}

void websocket_connection::on_watchdog() {
    watching_ = false;
    if (!socket_.is_open()) return;
    if (clock::now() >= std::min(deadline_, write_deadline_)) {
        close_socket();
        return;
    }
    watch();
}

void websocket_connection::received_early(std::string_view bytes) {
    if (!bytes.empty()) early_ = std::make_unique<std::string>(bytes);
}

websocket_connection::read_status websocket_connection::receive(message_sink on_message) {
    if (early_) {
        const auto early = std::move(early_);
        parse({reinterpret_cast<std::uint8_t*>(early->data()), early->size()}, on_message);
        return read_status::more;  // the socket is yet to be read
    }
    std::array<std::uint8_t, read_chunk_size> chunk;
    boost::system::error_code ec;
    const std::size_t n = socket_.read_some(net::buffer(chunk), ec);
    if (ec == net::error::would_block) return read_status::idle;
    if (ec) return read_status::done;
    parse({chunk.data(), n}, on_message);
    // A short read drained the socket: the next bytes will raise a new readiness.
    return n == chunk.size() ? read_status::more : read_status::idle;
}

void websocket_connection::parse(std::span<std::uint8_t> input, message_sink on_message) {
    for (;;) {
        const auto [used, ev] = parser_.feed(input);
        input = input.subspan(used);
        if (ev.type == ws::event_type::none) break;
        if (ev.type == ws::event_type::text || ev.type == ws::event_type::binary)
            on_message(ev.type == ws::event_type::binary, ev.payload);
        else
            on_control(ev);
    }
}

void websocket_connection::on_control(const ws::event& ev) {
    switch (ev.type) {
        case ws::event_type::ping:
            // Only the latest ping needs its pong (RFC 6455 5.5.3), and none after our close.
            if (close_sent_) break;
            pong_.assign(ev.payload);
            pong_due_ = true;
            break;
        case ws::event_type::close:
            // Echo the peer's code (RFC 6455 5.5.1); a close frame without one gets 1000.
            if (ev.code != ws::close_code::no_status) close_code_ = ev.code;
            break;
        case ws::event_type::error:
            close_code_ = ev.code;
            break;
        default:  // a pong answers nothing we asked
            break;
    }
}

net::awaitable<boost::system::error_code> websocket_connection::send_pong() {
    pong_due_ = false;
    while (writing_) co_await wait_turn();
    if (close_sent_) co_return boost::system::error_code{};
    gather g(1);
    g.frame(ws::opcode::pong, pong_.data(), pong_.size());
    const auto ec = co_await write_buffers(g.buffers());
    std::string().swap(pong_);
    co_return ec;
}

void websocket_connection::reader_done() {
    peer_done_ = true;
    if (!socket_.is_open()) return;
    if (close_sent_ && !writing_) {
        close_socket();
        return;
    }
    // The writer still owes the close frame (or is sending it): it closes the socket after.
    set_deadline(clock::now() + close_timeout);
}

net::awaitable<boost::system::error_code> websocket_connection::write(
    std::span<const engine::frame> frames, std::string_view prefix) {
    gather g(frames.size());
    g.raw(prefix);
    for (const auto& f : frames) g.message(f);
    const auto ec = co_await write_buffers(g.buffers());
    co_return ec;
}

net::awaitable<void> websocket_connection::close(std::span<const engine::frame> last) {
    if (close_sent_ || !socket_.is_open()) co_return;
    close_sent_ = true;
    set_deadline(clock::now() + close_timeout);
    // The close frame goes out in the same write as the last messages.
    gather g(last.size() + 1);
    for (const auto& f : last) g.message(f);
    const auto code = ws::close_payload(close_code_);
    g.frame(ws::opcode::close, code.data(), code.size());
    const auto ec = co_await write_buffers(g.buffers());
    if (ec || peer_done_) {
        close_socket();
        co_return;
    }
    // Half-closed, the reader still takes the peer's close frame and end of stream, so that
    // the socket is closed with nothing unread (which would reset it, losing our close frame).
    boost::system::error_code ignored;
    socket_.shutdown(net::socket_base::shutdown_send, ignored);
}

websocket_connection::attempt websocket_connection::write_now(
    std::span<const engine::frame> frames) {
    gather g(frames.size());
    for (const auto& f : frames) g.message(f);
    auto buffers = g.buffers();
    attempt out{.ec = write_at_once(buffers), .rest = {}};
    if (out.ec == net::error::would_block) {
        out.rest.resize(net::buffer_size(buffers));
        net::buffer_copy(net::buffer(out.rest), buffers);
    }
    return out;
}

net::awaitable<boost::system::error_code> websocket_connection::write_rest(std::string rest) {
    while (writing_) co_await wait_turn();
    net::const_buffer buffer(rest.data(), rest.size());
    const auto ec = co_await write_async({&buffer, 1});
    co_return ec;
}

net::awaitable<boost::system::error_code> websocket_connection::write_buffers(
    std::span<net::const_buffer> buffers) {
    while (writing_) co_await wait_turn();
    const auto ec = write_at_once(buffers);
    if (ec != net::error::would_block) co_return ec;
    const auto async_ec = co_await write_async(buffers);
    co_return async_ec;
}

// Usually the kernel takes it all at once: no asynchronous operation, no watchdog. Consumes
// what it took from `buffers`.
boost::system::error_code websocket_connection::write_at_once(std::span<net::const_buffer>& buffers) {
    boost::system::error_code ec;
    while (!buffers.empty()) {
        const std::size_t n = socket_.write_some(buffers, ec);
        if (ec) break;
        consume(buffers, n);
    }
    return ec;
}

net::awaitable<boost::system::error_code> websocket_connection::write_async(
    std::span<net::const_buffer> buffers) {
    writing_ = true;
    write_deadline_ = clock::now() + write_timeout_;
    watch();
    auto [ec, n] = co_await net::async_write(socket_, buffers, use_tuple);
    write_deadline_ = clock::time_point::max();
    writing_ = false;
    if (turn_waiter_) turn_waiter_->cancel();
    co_return ec;
}

// Only the reader and the writer write, so at most one coroutine ever waits here.
net::awaitable<void> websocket_connection::wait_turn() {
    net::steady_timer turn(socket_.get_executor(), clock::time_point::max());
    turn_waiter_ = &turn;
    co_await turn.async_wait(use_tuple);
    turn_waiter_ = nullptr;
}

}  // namespace confab::transport
