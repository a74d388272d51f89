#include "app/transport/websocket.hpp"

#include <algorithm>
#include <exception>
#include <memory>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/write.hpp>

#include "app/transport/websocket_connection.hpp"
#include "app/transport/websocket_handshake.hpp"
#include "core/common/log.hpp"
#include "core/common/log_thrown.hpp"
#include "core/engine/request_check.hpp"

namespace confab::transport {

namespace {

namespace beast = http::beast;
using connection_ptr = std::shared_ptr<websocket_connection>;
using session_ptr = std::shared_ptr<engine::session>;
using read_status = websocket_connection::read_status;
using clock = websocket_connection::clock;

// How long the client has to take the handshake response, or its refusal.
constexpr clock::duration handshake_timeout = std::chrono::seconds(5);

// A peer that takes no bytes for a whole heartbeat period would have missed its ping anyway.
// The floor keeps a test's short heartbeat from cutting off a large write on a slow link.
clock::duration write_timeout(const engine::config& cfg) {
    return std::max<clock::duration>(cfg.ping_interval + cfg.ping_timeout,
                                     std::chrono::seconds(10));
}

// Decodes one client message; false when it is not an Engine.IO packet.
bool decode(bool binary, std::string_view data, eio::packet& out) {
    if (binary) {
        out = eio::decode_binary_frame(data);
        return true;
    }
    return !eio::decode_text(data, out, false);
}

// Hands one client message to the session; one that is not Engine.IO ends the session.
void deliver(engine::session& s, bool binary, std::string_view data) {
    eio::packet p;
    if (!decode(binary, data, p)) {
        s.close(engine::close_reason::parse_error);
        return;
    }
    s.receive(std::move(p));
}

// Lets the other connections run between two full read buffers from one peer.
auto yield(const connection_ptr& c) {
    return net::post(c->get_executor(), use_tuple);
}

// A write the socket refused ends the session and the connection.
void write_failed(const connection_ptr& c, const session_ptr& s) {
    s->close(engine::close_reason::transport_error);
    c->close_socket();
}

// The writer's slow way: the bytes the kernel did not take at once, writes that must wait
// (for the socket, or for a pong in flight), then the session's end: the rest of its output
// and a close frame, unless the peer broke the protocol: that one gets its close code and
// nothing more.
net::awaitable<void> write_loop(connection_ptr c, session_ptr s, std::string rest) {
    auto ec = rest.empty() ? boost::system::error_code{} : co_await c->write_rest(std::move(rest));
    while (!ec && !s->closed() && s->has_output()) {
        const auto frames = s->take_output();
        ec = co_await c->write(frames);
    }
    if (ec) {
        write_failed(c, s);
        co_return;
    }
    if (!s->closed()) {
        c->release_writer();
        co_return;
    }
    std::vector<engine::frame> last;
    if (c->close_code() == ws::close_code::normal) last = s->take_output();
    co_await c->close(last);
}

// The writer: everything queued when it runs goes out in one gather write, again while more
// was queued meanwhile. What the kernel takes at once needs no coroutine; anything else goes
// on in write_loop.
void flush(const connection_ptr& c, const session_ptr& s) {
    std::string rest;
    while (!s->closed() && !c->writing() && s->has_output()) {
        auto sent = c->write_now(s->take_output());
        if (sent.ec == net::error::would_block) {
            rest = std::move(sent.rest);
            break;
        }
        if (sent.ec) {
            write_failed(c, s);
            return;
        }
    }
    if (rest.empty() && !s->closed() && !s->has_output()) {
        c->release_writer();
        return;
    }
    net::co_spawn(c->get_executor(), write_loop(c, s, std::move(rest)),
                  log_thrown{"websocket writer"});
}

// Runs the writer unless it runs already. From the event loop: whatever queued the output
// first queues the rest of its burst (a broadcast, a reply and its ack).
void start_writer(const connection_ptr& c, const session_ptr& s) {
    if (c->claim_writer()) net::post(c->get_executor(), [c, s] { flush(c, s); });
}

void read_more(connection_ptr c, session_ptr s);

// The peer is done, or the socket is: so is the session.
void stop_reading(const connection_ptr& c, const session_ptr& s) {
    s->close(engine::close_reason::transport_close);
    c->reader_done();
}

// Writes the pong a ping asked for (waiting for the writer's turn if need be), then reads on.
// Reading on is posted: the coroutine starts inside read_more and a pong the kernel takes at
// once never suspends it, so a call would nest one read_more (and its read buffer) per ping
// until a client streaming pings overflowed the stack.
net::awaitable<void> answer_ping(connection_ptr c, session_ptr s) {
    const auto ec = co_await c->send_pong();
    if (ec) {
        stop_reading(c, s);
        co_return;
    }
    auto ex = c->get_executor();
    net::post(ex, [c = std::move(c), s = std::move(s)]() mutable {
        read_more(std::move(c), std::move(s));
    });
}

// The reader: hands the client's messages to the session and answers its pings until the peer
// ends the connection, or the socket is closed under it (after the writer's close, or by a
// deadline). Between messages it is nothing but a readiness wait with a plain handler: an idle
// reader coroutine would keep about 1 KiB (its co_spawn entry frame, its own frame, the
// awaitable initiation and operation) on every idle connection. It turns into a coroutine
// only while a pong is being written.
void read_more(connection_ptr c, session_ptr s) {
    const auto on_message = [&s](bool binary, std::string_view data) { deliver(*s, binary, data); };
    auto status = read_status::done;
    try {
        status = c->receive(on_message);
    } catch (const std::exception& e) {
        // A bug in what handles the messages: it costs this connection, not the server, which
        // an exception escaping this handler into the event loop would.
        log::at(log::level::error, "websocket_reader", "{}", e.what());
        s->close(engine::close_reason::transport_error);
        c->close_socket();
        return;
    }
    if (c->closing()) s->close(engine::close_reason::transport_close);
    if (status == read_status::done) {
        stop_reading(c, s);
        return;
    }
    auto ex = c->get_executor();
    if (c->pong_due()) {
        net::co_spawn(ex, answer_ping(std::move(c), std::move(s)), log_thrown{"websocket ping"});
        return;
    }
    auto next = [c, s](boost::system::error_code ec = {}) mutable {
        if (ec)
            stop_reading(c, s);
        else
            read_more(std::move(c), std::move(s));
    };
    if (status == read_status::more)
        net::post(ex, std::move(next));  // let the other connections run first
    else
        c->wait_readable(std::move(next));
}

// Reads and drops what the peer still sends until it ends its side, or until the close
// deadline closes the socket.
net::awaitable<void> drain(connection_ptr c) {
    const auto ignore = [](bool, std::string_view) {};
    for (;;) {
        const auto status = c->receive(ignore);
        if (status == read_status::done) break;
        if (status == read_status::more) {
            co_await yield(c);
        } else {
            const auto [ec] = co_await c->wait_readable(use_tuple);
            if (ec) break;
        }
    }
    c->reader_done();
}

void run(const connection_ptr& c, const session_ptr& s) {
    s->on_dropped([weak = std::weak_ptr(c)] {
        if (auto dropped = weak.lock()) dropped->close_socket();
    });
    s->on_wake([weak_c = std::weak_ptr(c), weak_s = std::weak_ptr(s)] {
        auto conn = weak_c.lock();
        auto session = weak_s.lock();
        if (conn && session) start_writer(conn, session);
    });
    start_writer(c, s);  // output queued before this WebSocket took over, or the session closed
    read_more(c, s);
}

// The upgrade of a polling session: "2probe" is answered "3probe", then "5" hands the session
// to this WebSocket, within the upgrade timeout. Anything else leaves the session on polling.
net::awaitable<void> upgrade(connection_ptr c, session_ptr s) {
    c->set_deadline(clock::now() + s->settings().upgrade_timeout);
    enum class step { probe, upgrade, done, failed };
    auto at = step::probe;
    bool answer_probe = false;
    const auto on_message = [&](bool binary, std::string_view data) {
        eio::packet p;
        const bool valid = decode(binary, data, p) && !s->closed();
        const bool probe = valid && p.type == eio::packet_type::ping && p.data == "probe";
        switch (at) {
            case step::probe:
                // "5" without a probe upgrades too, as the reference server accepts it.
                if (probe) s->probe_received();
                answer_probe = answer_probe || probe;  // "2probe" and "5" may come in one read
                at = probe                                          ? step::upgrade
                     : valid && p.type == eio::packet_type::upgrade ? step::done
                                                                    : step::failed;
                break;
            case step::upgrade:
                // Another probe is answered again, as the reference server does.
                answer_probe = answer_probe || probe;
                at = probe                                          ? step::upgrade
                     : valid && p.type == eio::packet_type::upgrade ? step::done
                                                                    : step::failed;
                break;
            case step::done:  // right behind "5": already the session's
                deliver(*s, binary, data);
                break;
            case step::failed:
                break;
        }
    };
    for (;;) {
        const auto status = c->receive(on_message);
        const bool ended = c->closing() || status == read_status::done;
        // "5" with the peer's close (or end) right behind it in one read: the session is this
        // socket's all the same, and ends with it rather than at its ping timeout on polling.
        if (at == step::done && ended) {
            c->clear_deadline();
            s->finish_upgrade();
            run(c, s);
            co_return;
        }
        if (at == step::failed || ended) break;
        bool wrote = false;
        if (answer_probe) {
            answer_probe = false;
            const auto pong = engine::text_frame(eio::encode_text(eio::packet_type::pong, "probe"));
            const auto ec = co_await c->write({&pong, 1});
            if (ec) break;
            wrote = true;
        }
        if (at == step::done) {
            c->clear_deadline();
            s->finish_upgrade();
            run(c, s);
            co_return;
        }
        if (c->pong_due()) {
            const auto ec = co_await c->send_pong();
            if (ec) break;
            wrote = true;
        }
        if (status == read_status::more) {
            co_await yield(c);
        } else if (!wrote) {
            const auto [ec] = co_await c->wait_readable(use_tuple);
            if (ec) break;
        }
    }
    s->abort_upgrade();
    if (at != step::failed && !c->closing()) {  // the socket failed, or the deadline closed it
        c->close_socket();
        co_return;
    }
    // A packet out of turn, a close from the peer or a protocol violation: a close frame
    // before letting go.
    co_await c->close();
    co_await drain(c);
}

// A WebSocket for a session that has one already (or is not upgradable): the handshake
// completes only for a close frame with 1008, policy violation.
net::awaitable<void> refuse_upgrade(connection_ptr c, std::string_view response) {
    c->set_close_code(ws::close_code::policy_violation);
    c->set_deadline(clock::now() + handshake_timeout);
    const auto ec = co_await c->write({}, response);
    if (ec) {
        c->close_socket();
        co_return;
    }
    co_await c->close();
    co_await drain(c);
}

net::awaitable<void> refuse(beast::tcp_stream& stream, http::response res) {
    stream.expires_after(handshake_timeout);
    co_await http::bhttp::async_write(stream, res, use_tuple);
}

}  // namespace

net::awaitable<void> serve_websocket(beast::tcp_stream stream, http::connection_slot slot,
                                     http::request req, engine::server& srv,
                                     engine::request_info info, std::string early) {
    if (auto e = engine::check_request(srv, req.method_string(), info, true)) {
        auto res = http::make_response(req, http::bhttp::status::bad_request,
                                       engine::error_body(*e), "application/json");
        res.keep_alive(false);
        co_await refuse(stream, std::move(res));
        co_return;
    }
    const auto accept = websocket_accept(req);
    if (!accept) {
        co_await refuse(stream, bad_handshake(req));
        co_return;
    }
    const auto& cfg = srv.settings();
    auto c = std::make_shared<websocket_connection>(stream.release_socket(), std::move(slot),
                                                    cfg.max_payload, write_timeout(cfg));
    c->received_early(early);
    const auto response = switching_protocols(*accept);

    if (const auto sid = engine::session_id(info); !sid.empty()) {
        auto s = srv.find(sid);
        if (!s || !s->begin_upgrade()) {
            co_await refuse_upgrade(c, response);
            co_return;
        }
        c->set_deadline(clock::now() + handshake_timeout);
        const auto ec = co_await c->write({}, response);
        c->clear_deadline();
        if (ec) {
            s->abort_upgrade();
            c->close_socket();
            co_return;
        }
        co_await upgrade(c, s);
        co_return;
    }

    auto s = srv.open(engine::transport_kind::websocket, std::move(info));
    // The open packet goes out with the handshake response, in one write.
    const auto open = engine::text_frame(s->open_packet());
    c->set_deadline(clock::now() + handshake_timeout);
    const auto ec = co_await c->write({&open, 1}, response);
    c->clear_deadline();
    if (ec) {
        s->close(engine::close_reason::transport_error);
        c->close_socket();
        co_return;
    }
    run(c, s);
}

}  // namespace confab::transport
