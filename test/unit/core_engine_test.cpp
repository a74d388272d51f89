// Engine.IO session state, driven without sockets: packets in, queued frames out.
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include "core/engine/outbox.hpp"
#include "core/engine/request_check.hpp"
#include "core/engine/server.hpp"

using namespace confab;
using namespace std::chrono_literals;

namespace {

struct recorder : engine::session_handler {
    std::vector<eio::packet>* messages;
    std::optional<engine::close_reason>* closed;
    recorder(std::vector<eio::packet>* m, std::optional<engine::close_reason>* c)
        : messages(m), closed(c) {}
    void on_message(eio::packet&& p) override { messages->push_back(std::move(p)); }
    void on_close(engine::close_reason r) override { *closed = r; }
};

struct fixture {
    boost::asio::io_context ioc;
    engine::config cfg;
    std::unique_ptr<engine::server> srv;
    std::vector<eio::packet> messages;
    std::optional<engine::close_reason> closed;

    fixture() {
        cfg.ping_interval = 50ms;
        cfg.ping_timeout = 30ms;
        cfg.max_outbox_bytes = 100;
        start_server();
    }
    // The server takes its own copy of `cfg`: a test that changes it starts the server anew.
    void start_server() {
        srv = std::make_unique<engine::server>(ioc.get_executor(), cfg);
        srv->on_connection([this](const std::shared_ptr<engine::session>& s) {
            s->set_handler(std::make_unique<recorder>(&messages, &closed));
        });
    }
    std::shared_ptr<engine::session> open(engine::transport_kind t) {
        return srv->open(t, engine::request_info{});
    }
    static std::vector<std::string> texts(engine::session& s) {
        std::vector<std::string> out;
        for (auto& f : s.take_output()) out.push_back(*f.data);
        return out;
    }
};

engine::request_info query(std::initializer_list<std::pair<const char*, const char*>> kv) {
    engine::request_info r;
    for (auto& [k, v] : kv) r.query.emplace(k, v);
    return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(outbox_caps_bytes) {
    engine::outbox box(10);
    BOOST_TEST(box.push(engine::text_frame("12345")));
    BOOST_TEST(box.push(engine::text_frame("12345")));
    BOOST_TEST(!box.push(engine::text_frame("1")));
    BOOST_TEST(box.bytes() == 10u);
    BOOST_TEST(box.take_all().size() == 2u);
    BOOST_TEST(box.bytes() == 0u);
    BOOST_TEST(box.push(engine::text_frame("1")));
}

BOOST_FIXTURE_TEST_CASE(open_packet_has_exactly_the_handshake_keys, fixture) {
    auto polling = open(engine::transport_kind::polling);
    const auto text = polling->open_packet();
    BOOST_TEST(text.front() == '0');
    const auto o = boost::json::parse(text.substr(1)).as_object();
    BOOST_TEST(o.size() == 5u);
    BOOST_TEST(o.at("sid").as_string() == polling->sid());
    BOOST_TEST(o.at("upgrades").as_array().size() == 1u);
    BOOST_TEST(o.at("pingInterval").as_int64() == 50);
    BOOST_TEST(o.at("pingTimeout").as_int64() == 30);
    BOOST_TEST(o.at("maxPayload").as_int64() == 1'000'000);
    auto ws = open(engine::transport_kind::websocket);
    const auto w = boost::json::parse(ws->open_packet().substr(1)).as_object();
    BOOST_TEST(w.at("upgrades").as_array().empty());
    BOOST_TEST(polling->sid() != ws->sid());
    BOOST_TEST(polling->sid().size() == 20u);
}

BOOST_FIXTURE_TEST_CASE(messages_reach_the_handler_and_close_packet_closes, fixture) {
    auto s = open(engine::transport_kind::polling);
    s->receive({eio::packet_type::message, false, "hello"});
    s->receive({eio::packet_type::message, true, "\x01\x02"});
    BOOST_TEST_REQUIRE(messages.size() == 2u);
    BOOST_TEST(messages[0].data == "hello");
    BOOST_TEST(messages[1].binary);
    s->receive({eio::packet_type::close, false, ""});
    BOOST_TEST(s->closed());
    BOOST_TEST((closed == engine::close_reason::transport_close));
    BOOST_TEST(!srv->find(s->sid()));
}

BOOST_FIXTURE_TEST_CASE(full_queue_closes_a_slow_consumer, fixture) {
    auto s = open(engine::transport_kind::websocket);
    int dropped = 0;
    s->on_dropped([&] { ++dropped; });
    BOOST_TEST(s->send(engine::text_frame(std::string(60, 'a'))));
    BOOST_TEST(!s->send(engine::text_frame(std::string(60, 'b'))));
    BOOST_TEST(s->closed());
    BOOST_TEST((closed == engine::close_reason::slow_consumer));
    // The transport is told to let go at once, and the queue's memory is freed.
    BOOST_TEST(dropped == 1);
    BOOST_TEST(s->queued_bytes() == 0u);
}

BOOST_FIXTURE_TEST_CASE(other_closes_leave_the_transport_to_finish, fixture) {
    auto s = open(engine::transport_kind::websocket);
    int dropped = 0;
    s->on_dropped([&] { ++dropped; });
    BOOST_TEST(s->send(engine::text_frame("last words")));
    s->close(engine::close_reason::server_shutdown);
    BOOST_TEST(dropped == 0);
    BOOST_TEST(s->has_output());  // still to be sent before the close frame
}

BOOST_FIXTURE_TEST_CASE(heartbeat_pings_then_times_out_without_pong, fixture) {
    auto s = open(engine::transport_kind::websocket);
    ioc.run_for(60ms);
    BOOST_TEST(texts(*s) == std::vector<std::string>{"2"});
    s->receive({eio::packet_type::pong, false, ""});
    ioc.run_for(60ms);  // the next ping comes one interval after the pong
    BOOST_TEST(texts(*s) == std::vector<std::string>{"2"});
    BOOST_TEST(!s->closed());
    ioc.run_for(100ms);
    BOOST_TEST(s->closed());
    BOOST_TEST((closed == engine::close_reason::ping_timeout));
}

BOOST_FIXTURE_TEST_CASE(a_packet_awaiting_the_pong_extends_the_wait_once_a_ping, fixture) {
    cfg.ping_timeout = 200ms;
    start_server();
    auto s = open(engine::transport_kind::websocket);
    ioc.run_for(60ms);  // pinged at 50 ms: without a pong, closed at 250 ms
    BOOST_TEST(texts(*s) == std::vector<std::string>{"2"});
    ioc.run_for(120ms);
    s->receive({eio::packet_type::message, false, "busy"});  // at 180 ms: now closed at 380 ms
    ioc.run_for(120ms);
    BOOST_TEST(!s->closed());
    s->receive({eio::packet_type::message, false, "still busy"});  // extends nothing more
    ioc.run_for(150ms);
    BOOST_TEST(s->closed());
    BOOST_TEST((closed == engine::close_reason::ping_timeout));
    BOOST_TEST(messages.size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_ping_from_the_client_ends_the_session, fixture) {
    auto s = open(engine::transport_kind::websocket);
    s->receive({eio::packet_type::ping, false, ""});
    BOOST_TEST(s->closed());
    BOOST_TEST((closed == engine::close_reason::transport_error));
}

BOOST_FIXTURE_TEST_CASE(a_session_keeps_a_few_query_parameters_not_all, fixture) {
    engine::request_info r;
    for (int i = 0; i < 1000; ++i) r.query.emplace("k" + std::to_string(1000 + i), "v");
    r.query.emplace("EIO", "4");
    r.query.emplace("sid", "x");
    auto s = srv->open(engine::transport_kind::polling, std::move(r));
    BOOST_REQUIRE(s);
    const auto& kept = s->request().query;
    BOOST_TEST(kept.size() == engine::max_kept_parameters);
    BOOST_TEST(kept.begin()->first == "k1000");  // the first ones in key order
    BOOST_TEST(!kept.contains("EIO"));
    BOOST_TEST(!kept.contains("sid"));
}

BOOST_FIXTURE_TEST_CASE(upgrade_goes_pending_probing_done, fixture) {
    auto s = open(engine::transport_kind::polling);
    BOOST_TEST(s->begin_upgrade());
    BOOST_TEST(!s->begin_upgrade());  // a second WebSocket is refused
    s->probe_received();
    BOOST_TEST((s->upgrade() == engine::session::upgrade_state::probing));
    s->finish_upgrade();
    BOOST_TEST((s->transport() == engine::transport_kind::websocket));
    BOOST_TEST(!s->begin_upgrade());
    auto t = open(engine::transport_kind::websocket);
    BOOST_TEST(!t->begin_upgrade());  // nothing to upgrade from
}

BOOST_FIXTURE_TEST_CASE(aborted_upgrade_allows_another, fixture) {
    auto s = open(engine::transport_kind::polling);
    BOOST_TEST(s->begin_upgrade());
    s->abort_upgrade();
    BOOST_TEST((s->upgrade() == engine::session::upgrade_state::none));
    BOOST_TEST(s->begin_upgrade());
}

BOOST_FIXTURE_TEST_CASE(a_server_close_waits_for_the_final_poll, fixture) {
    using engine::request_error;
    auto s = open(engine::transport_kind::polling);
    const auto sid = s->sid();
    const auto at = [&](const char* transport) {
        return query({{"EIO", "4"}, {"transport", transport}, {"sid", sid.c_str()}});
    };
    s->send_text("41");  // a Socket.IO DISCONNECT, the session's last words
    s->close(engine::close_reason::forced_close);
    // No GET was waiting: the next one still finds the session, to be told its end.
    BOOST_TEST(srv->find(sid) == s);
    BOOST_TEST(!engine::check_request(*srv, "GET", at("polling"), false));
    BOOST_TEST((engine::check_request(*srv, "POST", at("polling"), false) ==
                request_error::unknown_sid));
    BOOST_TEST((engine::check_request(*srv, "GET", at("websocket"), true) ==
                request_error::unknown_sid));
    BOOST_TEST(texts(*s) == std::vector<std::string>{"41"});
    srv->forget(sid);
    BOOST_TEST(!srv->find(sid));

    // Without that GET, it is forgotten after ping_timeout.
    auto later = open(engine::transport_kind::polling);
    later->close(engine::close_reason::server_shutdown);
    BOOST_TEST(srv->find(later->sid()) == later);
    ioc.run_for(60ms);
    BOOST_TEST(!srv->find(later->sid()));
}

BOOST_FIXTURE_TEST_CASE(sessions_ended_otherwise_are_forgotten_at_once, fixture) {
    auto timed_out = open(engine::transport_kind::polling);
    timed_out->close(engine::close_reason::ping_timeout);
    BOOST_TEST(!srv->find(timed_out->sid()));
    auto ws = open(engine::transport_kind::websocket);
    ws->close(engine::close_reason::forced_close);
    BOOST_TEST(!srv->find(ws->sid()));
}

BOOST_FIXTURE_TEST_CASE(request_check_matches_the_reference_server, fixture) {
    using engine::request_error;
    auto check = [&](std::string_view method, const engine::request_info& r, bool ws = false) {
        return engine::check_request(*srv, method, r, ws);
    };
    BOOST_TEST(!check("GET", query({{"EIO", "4"}, {"transport", "polling"}})));
    BOOST_TEST((check("GET", query({{"EIO", "abc"}, {"transport", "polling"}})) ==
                request_error::unsupported_protocol_version));
    BOOST_TEST((check("GET", query({{"transport", "polling"}})) ==
                request_error::unsupported_protocol_version));
    BOOST_TEST((check("GET", query({{"EIO", "4"}, {"transport", "tobi"}})) ==
                request_error::unknown_transport));
    BOOST_TEST((check("GET", query({{"EIO", "4"}})) == request_error::unknown_transport));
    BOOST_TEST((check("POST", query({{"EIO", "4"}, {"transport", "polling"}})) ==
                request_error::bad_handshake_method));
    BOOST_TEST((check("GET", query({{"EIO", "4"}, {"transport", "polling"}, {"sid", "nope"}})) ==
                request_error::unknown_sid));
    BOOST_TEST((check("GET", query({{"EIO", "4"}, {"transport", "websocket"}})) ==
                request_error::bad_request));
    auto s = open(engine::transport_kind::polling);
    const auto sid = s->sid();
    BOOST_TEST(!check("POST", query({{"EIO", "4"}, {"transport", "polling"}, {"sid", sid.c_str()}})));
    BOOST_TEST(!check("GET", query({{"EIO", "4"}, {"transport", "websocket"}, {"sid", sid.c_str()}}),
                      true));
    s->begin_upgrade();
    s->finish_upgrade();
    BOOST_TEST((check("GET", query({{"EIO", "4"}, {"transport", "polling"}, {"sid", sid.c_str()}})) ==
                request_error::bad_request));
    BOOST_TEST(engine::error_body(request_error::unknown_sid) ==
               R"({"code":1,"message":"Session ID unknown"})");
}
