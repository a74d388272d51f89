#include "app/transport/polling.hpp"

#include <sys/socket.h>

#include "core/engine/request_check.hpp"
#include "proto/text/utf8.hpp"

namespace confab::transport {

namespace {

using http::bhttp::status;

http::response text(const http::cors_policy& cors, const http::request& req, std::string body,
                    std::string_view type = "text/plain; charset=UTF-8") {
    auto res = http::make_response(req, status::ok, std::move(body), type);
    cors.apply(req, res);
    return res;
}

http::response refuse(const http::cors_policy& cors, const http::request& req,
                      engine::request_error e) {
    const auto code = e == engine::request_error::too_many_sessions ? status::too_many_requests
                                                                    : status::bad_request;
    auto res = http::make_response(req, code, engine::error_body(e), "application/json");
    cors.apply(req, res);
    return res;
}

std::string drain(engine::session& s) {
    std::string body;
    for (const auto& f : s.take_output()) {
        if (f.binary)
            eio::append_payload_binary(body, *f.data);
        else
            eio::append_payload_text(body, *f.data);
    }
    return body;
}

struct poll_answer {
    std::string body;
    bool told_end = false;  // the body ends the session for the client
};

// What a waiting GET answers: queued output, or the session's end once nothing is left. A
// client that closed gets a noop; a session the server closed gets a close packet, after a GET
// of its own when the server had last words: a client acts on a close at once but on messages
// a tick later, and would see the transport close before the words otherwise.
poll_answer poll_body(engine::session& s) {
    // Probing or upgraded: the output is the WebSocket's now.
    const auto upgrade = s.upgrade();
    if (upgrade == engine::session::upgrade_state::probing ||
        upgrade == engine::session::upgrade_state::done)
        return {"6"};
    auto body = drain(s);
    if (!s.closed() || (!body.empty() && s.awaits_final_poll())) return {std::move(body)};
    const bool client_closed = s.reason() == engine::close_reason::transport_close;
    eio::append_payload_text(body, client_closed ? "6" : "1");
    return {std::move(body), true};
}

// Closes `s` if `client` hangs up before `waiting` turns false. A client sends nothing more on
// a connection with a GET pending, so readable means the end (or a reset).
void watch_for_hang_up(net::ip::tcp::socket& client, const std::shared_ptr<engine::session>& s,
                       std::shared_ptr<bool> waiting) {
    client.async_wait(net::socket_base::wait_read, [&client, weak = std::weak_ptr(s),
                                                    waiting](boost::system::error_code ec) {
        // Once the GET is answered, the socket may be gone: touch nothing.
        if (ec || !*waiting) return;
        char byte = 0;
        const auto n = client.receive(net::buffer(&byte, 1),
                                      net::socket_base::message_peek | MSG_DONTWAIT, ec);
        const auto s = weak.lock();
        if (s && (ec || n == 0)) s->close(engine::close_reason::transport_close);
    });
}

net::awaitable<http::response> get(engine::server& srv, const std::shared_ptr<engine::session>& s,
                                   const http::cors_policy& cors, const http::request& req,
                                   net::ip::tcp::socket& client) {
    if (s->poll_active()) {
        // Two GETs at once break the protocol: the reference server drops the session.
        s->close(engine::close_reason::forced_close);
        co_return refuse(cors, req, engine::request_error::bad_request);
    }
    s->set_poll_active(true);
    const auto waiting = std::make_shared<bool>(true);
    watch_for_hang_up(client, s, waiting);
    co_await s->wait();
    *waiting = false;
    boost::system::error_code ignored;
    client.cancel(ignored);
    s->set_poll_active(false);
    auto answer = poll_body(*s);
    if (answer.told_end) srv.forget(s->sid());
    co_return text(cors, req, std::move(answer.body));
}

http::response post(engine::session& s, const http::cors_policy& cors, const http::request& req) {
    // Engine.IO v4 polling carries binary as base64 text; the reference server takes a binary
    // body for a v3 client's and drops a v4 session that sends one.
    if (req[http::bhttp::field::content_type] == "application/octet-stream") {
        s.close(engine::close_reason::transport_error);
        return refuse(cors, req, engine::request_error::bad_request);
    }
    // Node reads a polling body as UTF-8, ill-formed bytes becoming U+FFFD; so does this, so a
    // namespace or an event name is never echoed back as bytes a client cannot decode.
    std::string_view body = req.body();
    std::string repaired;
    if (!utf8::is_valid(body)) body = repaired = utf8::repaired(body);
    std::vector<eio::packet> packets;
    if (eio::decode_payload(body, packets, s.settings().max_payload)) {
        s.close(engine::close_reason::parse_error);
        return refuse(cors, req, engine::request_error::bad_request);
    }
    for (auto& p : packets) {
        if (s.closed()) break;
        s.receive(std::move(p));
    }
    return text(cors, req, "ok", "text/html");
}

}  // namespace

net::awaitable<http::response> handle_polling(engine::server& srv, const http::cors_policy& cors,
                                              const http::request& req,
                                              const engine::request_info& info,
                                              net::ip::tcp::socket& client) {
    if (req.method() == http::bhttp::verb::options) co_return cors.preflight(req);
    if (auto e = engine::check_request(srv, req.method_string(), info, false))
        co_return refuse(cors, req, *e);
    const auto sid = engine::session_id(info);
    if (sid.empty()) {
        auto s = srv.open(engine::transport_kind::polling, info);
        if (!s) co_return refuse(cors, req, engine::request_error::too_many_sessions);
        co_return text(cors, req, s->open_packet());
    }
    auto s = srv.find(sid);
    if (req.method() == http::bhttp::verb::get) co_return co_await get(srv, s, cors, req, client);
    if (req.method() == http::bhttp::verb::post) co_return post(*s, cors, req);
    co_return refuse(cors, req, engine::request_error::bad_request);
}

}  // namespace confab::transport
