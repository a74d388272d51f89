#include "app/http/listener.hpp"

#include <array>
#include <variant>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "app/http/connection_limits.hpp"
#include "app/http/query.hpp"
#include "app/transport/polling.hpp"
#include "app/transport/websocket.hpp"
#include "core/common/log_thrown.hpp"

namespace confab::http {

namespace {

using request_parser = bhttp::request_parser<bhttp::string_body>;

response plain_error(const request& req, bhttp::status status, std::string_view text) {
    auto res = make_response(req, status, std::string(text), "text/plain");
    res.keep_alive(false);
    return res;
}

net::awaitable<response> dispatch(const router& routes, request& req,
                                  const engine::request_info& info, const target& t,
                                  net::ip::tcp::socket& client) {
    if (const auto* mount = routes.mount_for(t.path))
        co_return co_await transport::handle_polling(*mount->server, routes.cors, req, info,
                                                     client);
    if (routes.rest) co_return co_await routes.rest(req);
    auto res = make_response(req, bhttp::status::not_found, "Not Found", "text/plain");
    routes.cors.apply(req, res);
    co_return res;
}

engine::request_info request_info_of(const request& req, const target& t,
                                     const beast::tcp_stream& stream) {
    engine::request_info info;
    info.query = t.query;
    info.authorization = std::string(req[bhttp::field::authorization]);
    info.origin = std::string(req[bhttp::field::origin]);
    boost::system::error_code ec;
    const auto remote = stream.socket().remote_endpoint(ec);
    if (!ec) info.remote_address = remote.address().to_string();
    return info;
}

// Ends our side after a refusal and reads what the client still sends, up to `max_bytes` or
// `timeout`: closing on unread data makes the kernel reset the connection, and the client
// would never see the answer.
net::awaitable<void> drain_before_close(beast::tcp_stream& stream, std::size_t max_bytes,
                                        std::chrono::milliseconds timeout) {
    boost::system::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    std::array<char, 4096> sink;
    std::size_t drained = 0;
    stream.expires_after(timeout);
    while (drained < max_bytes) {
        auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), use_tuple);
        if (ec) break;
        drained += n;
    }
}

// Answers 413/431 and closes.
net::awaitable<void> refuse_too_large(beast::tcp_stream& stream, const router& routes,
                                      const request_parser& parser, bool body) {
    const request& req = body ? parser.get() : request{};
    auto res = make_response(
        req, body ? bhttp::status::payload_too_large : bhttp::status::request_header_fields_too_large,
        R"({"error":{"code":"PAYLOAD_TOO_LARGE","message":"Request too large"}})",
        "application/json");
    res.keep_alive(false);
    routes.cors.apply(req, res);
    stream.expires_after(std::chrono::seconds(5));
    auto [wec, written] = co_await bhttp::async_write(stream, res, use_tuple);
    if (wec) co_return;
    co_await drain_before_close(stream, 64 * 1024 * 1024, std::chrono::seconds(2));
}

// A request that is not HTTP/1.x gets what Node answers it before closing, so the client
// learns why rather than seeing the connection drop.
net::awaitable<void> refuse_malformed(beast::tcp_stream& stream) {
    static constexpr std::string_view answer =
        "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
    stream.expires_after(std::chrono::seconds(1));
    auto [ec, written] = co_await net::async_write(stream, net::buffer(answer), use_tuple);
    if (ec) co_return;
    co_await drain_before_close(stream, 64 * 1024, std::chrono::seconds(1));
}

bool malformed(const boost::system::error_code& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
           ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

// Answers a connection over the limits without reading its request, and closes it. The drain
// is short and small: under a flood, refused connections must not pile up.
net::awaitable<void> refuse_connection(beast::tcp_stream stream, refusal why) {
    stream.expires_after(std::chrono::seconds(1));
    auto [ec, written] =
        co_await net::async_write(stream, net::buffer(refusal_response(why)), use_tuple);
    if (ec) co_return;
    co_await drain_before_close(stream, 64 * 1024, std::chrono::seconds(1));
}

// Headers that Node's parser refuses with 400: Transfer-Encoding that does not end in chunked,
// or beside Content-Length, leaves where the body ends to interpretation, so a proxy in front
// could read another request into it than we do (request smuggling; RFC 9112 6.1, 6.3); and
// HTTP/1.1 without Host (RFC 9112 3.2).
boost::system::error_code header_error(const request_parser& parser) {
    const auto& h = parser.get();
    if (h.find(bhttp::field::transfer_encoding) != h.end() &&
        (!parser.chunked() || h.find(bhttp::field::content_length) != h.end()))
        return bhttp::error::bad_transfer_encoding;
    if (h.version() == 11 && h.find(bhttp::field::host) == h.end()) return bhttp::error::bad_field;
    return {};
}

// Reads a whole request. A client that waits to be told to send its body (Expect:
// 100-continue, as curl does for bodies over 1 KiB) is told at once, as Node tells it.
net::awaitable<boost::system::error_code> read_request(beast::tcp_stream& stream,
                                                       beast::flat_buffer& buffer,
                                                       request_parser& parser) {
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
    if (!ec) ec = header_error(parser);
    if (ec || parser.is_done()) co_return ec;
    if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
        static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [wec, written] = co_await net::async_write(stream, net::buffer(go_on), use_tuple);
        if (wec) co_return wec;
    }
    auto [bec, m] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
    co_return bec;
}

// `slot` holds the connection's place in the limits for as long as its socket is open.
net::awaitable<void> serve_connection(beast::tcp_stream stream, connection_slot slot,
                                      const router& routes) {
    beast::flat_buffer buffer;
    for (;;) {
        request_parser parser;
        parser.header_limit(static_cast<std::uint32_t>(routes.header_limit));
        parser.body_limit(routes.body_limit);
        stream.expires_after(routes.header_timeout);
        const auto ec = co_await read_request(stream, buffer, parser);
        if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
            co_await refuse_too_large(stream, routes, parser, ec == bhttp::error::body_limit);
            co_return;
        }
        if (malformed(ec)) {
            co_await refuse_malformed(stream);
            co_return;
        }
        if (ec) break;
        stream.expires_never();
        auto req = parser.release();
        const auto t = parse_target(req.target());
        auto info = request_info_of(req, t, stream);
        if (beast::websocket::is_upgrade(req)) {
            if (const auto* mount = routes.mount_for(t.path)) {
                co_await transport::serve_websocket(std::move(stream), std::move(slot),
                                                    std::move(req), *mount->server, std::move(info),
                                                    beast::buffers_to_string(buffer.data()));
                co_return;
            }
            auto res = plain_error(req, bhttp::status::bad_request, "Bad Request");
            co_await bhttp::async_write(stream, res, use_tuple);
            break;
        }
        // HEAD is answered as GET without the body, as Express does; but not on the Engine.IO
        // mount (refused there), where a GET would take a session's queued packets for a body
        // never sent.
        const bool head = req.method() == bhttp::verb::head;
        if (head && !routes.mount_for(t.path)) req.method(bhttp::verb::get);
        auto res = co_await dispatch(routes, req, info, t, stream.socket());
        if (head) {
            const auto length = res.body().size();
            res.body().clear();
            res.content_length(length);
        }
        stream.expires_after(routes.write_timeout);
        auto [wec, written] = co_await bhttp::async_write(stream, res, use_tuple);
        if (wec || !res.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
}

// Serves an accepted connection, or refuses it when it is over the limits.
void start_connection(net::ip::tcp::socket socket, const router& routes) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return;  // reset already: closing the socket is all there is to do
    const auto ex = socket.get_executor();
    beast::tcp_stream stream(std::move(socket));
    auto admitted = routes.connections->admit(remote.address());
    if (const auto* why = std::get_if<refusal>(&admitted)) {
        net::co_spawn(ex, refuse_connection(std::move(stream), *why),
                      log_thrown{"connection refusal"});
        return;
    }
    net::co_spawn(
        ex,
        serve_connection(std::move(stream), std::get<connection_slot>(std::move(admitted)), routes),
        log_thrown{"connection"});
}

}  // namespace

net::awaitable<void> accept_loop(net::ip::tcp::acceptor& acceptor, const router& routes) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
        if (ec) {
            // Out of file descriptors, say: back off instead of spinning, keep serving the rest.
            net::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
            co_await pause.async_wait(use_tuple);
            continue;
        }
        socket.set_option(net::ip::tcp::no_delay(true), ec);
        start_connection(std::move(socket), routes);
    }
}

}  // namespace confab::http
