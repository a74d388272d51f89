#include "app/transport/websocket.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "core/engine/request_check.hpp"

namespace confab::transport {

namespace {

namespace beast = http::beast;
namespace ws = beast::websocket;
using ws_stream = ws::stream<beast::tcp_stream>;
using std::chrono::seconds;

// The reader and the writer share the stream; the last one out destroys it.
struct connection {
    explicit connection(beast::tcp_stream s) : stream(std::move(s)) {}
    ws_stream stream;
};
using connection_ptr = std::shared_ptr<connection>;

net::awaitable<bool> write_text(ws_stream& stream, std::string_view text) {
    stream.text(true);
    auto [ec, n] = co_await stream.async_write(net::buffer(text), use_tuple);
    co_return !ec;
}

// Drains the session's queue onto the socket until the session ends, then closes the socket.
net::awaitable<void> write_loop(connection_ptr c, std::shared_ptr<engine::session> s) {
    auto& stream = c->stream;
    bool ok = true;
    while (ok) {
        co_await s->wait();
        for (const auto& f : s->take_output()) {
            stream.text(!f.binary);
            auto [ec, n] = co_await stream.async_write(net::buffer(*f.data), use_tuple);
            if (ec) {
                s->close(engine::close_reason::transport_error);
                ok = false;
                break;
            }
        }
        if (s->closed()) break;
    }
    // A peer that ignores our close frame must not hold the socket: bound the handshake.
    beast::get_lowest_layer(stream).expires_after(seconds(2));
    if (ok) co_await stream.async_close(ws::close_code::normal, use_tuple);
    beast::get_lowest_layer(stream).close();
}

enum class read_result { ok, closed, bad };

net::awaitable<read_result> read_packet(ws_stream& stream, beast::flat_buffer& buffer,
                                        eio::packet& out) {
    buffer.clear();
    auto [ec, n] = co_await stream.async_read(buffer, use_tuple);
    if (ec) co_return read_result::closed;
    const std::string_view data(static_cast<const char*>(buffer.cdata().data()), n);
    if (!stream.got_text()) {
        out = eio::decode_binary_frame(data);
        co_return read_result::ok;
    }
    const auto bad = eio::decode_text(data, out, false);
    co_return bad ? read_result::bad : read_result::ok;
}

// Reads packets into the session until either side ends it.
net::awaitable<void> read_loop(connection_ptr c, std::shared_ptr<engine::session> s) {
    beast::flat_buffer buffer;
    eio::packet p;
    while (!s->closed()) {
        const auto r = co_await read_packet(c->stream, buffer, p);
        if (r != read_result::ok) {
            s->close(r == read_result::bad ? engine::close_reason::parse_error
                                           : engine::close_reason::transport_close);
            break;
        }
        s->receive(std::move(p));
        // A large message must not pin its buffer for the life of an idle connection.
        if (buffer.capacity() > 16 * 1024) buffer.shrink_to_fit();
    }
}

void run(const connection_ptr& c, const std::shared_ptr<engine::session>& s) {
    net::co_spawn(c->stream.get_executor(), write_loop(c, s), net::detached);
    net::co_spawn(c->stream.get_executor(), read_loop(c, s), net::detached);
}

// The upgrade of a polling session: "2probe" answered "3probe", then "5" switches transports.
net::awaitable<void> upgrade(connection_ptr c, std::shared_ptr<engine::session> s) {
    auto& stream = c->stream;
    if (!s || !s->begin_upgrade()) {  // another WebSocket has this session already
        beast::get_lowest_layer(stream).expires_after(seconds(2));
        co_await stream.async_close(ws::close_code::policy_error, use_tuple);
        co_return;
    }
    stream.set_option(ws::stream_base::timeout{seconds(5), s->settings().upgrade_timeout, false});
    beast::flat_buffer buffer;
    eio::packet p;
    auto r = co_await read_packet(stream, buffer, p);
    const bool probe = r == read_result::ok && p.type == eio::packet_type::ping &&
                       p.data == "probe" && !s->closed();
    bool answered = false;
    if (probe) {
        s->probe_received();
        answered = co_await write_text(stream, "3probe");
    }
    r = read_result::closed;
    if (answered) r = co_await read_packet(stream, buffer, p);
    if (r != read_result::ok || p.type != eio::packet_type::upgrade || s->closed()) {
        s->abort_upgrade();
        beast::get_lowest_layer(stream).close();
        co_return;
    }
    stream.set_option(ws::stream_base::timeout{seconds(5), ws::stream_base::none(), false});
    s->finish_upgrade();
    run(c, s);
}

}  // namespace

net::awaitable<void> serve_websocket(beast::tcp_stream stream, http::request req,
                                     engine::server& srv, engine::request_info info) {
    if (auto e = engine::check_request(srv, req.method_string(), info, true)) {
        auto res = http::make_response(req, http::bhttp::status::bad_request,
                                       engine::error_body(*e), "application/json");
        res.keep_alive(false);
        co_await http::bhttp::async_write(stream, res, use_tuple);
        co_return;
    }
    auto c = std::make_shared<connection>(std::move(stream));
    c->stream.read_message_max(srv.settings().max_payload);
    c->stream.set_option(ws::stream_base::timeout{seconds(5), ws::stream_base::none(), false});
    auto [ec] = co_await c->stream.async_accept(req, use_tuple);
    if (ec) co_return;
    const auto sid = info.query.find("sid");
    if (sid != info.query.end()) {
        co_await upgrade(c, srv.find(sid->second));
        co_return;
    }
    auto s = srv.open(engine::transport_kind::websocket, std::move(info));
    const bool opened = co_await write_text(c->stream, s->open_packet());
    if (!opened) {
        s->close(engine::close_reason::transport_error);
        co_return;
    }
    run(c, s);
}

}  // namespace confab::transport
