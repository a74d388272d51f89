// Socket.IO connections driven through an Engine.IO session without sockets.
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include "core/socketio/server.hpp"

using namespace confab;
using namespace std::chrono_literals;

namespace {

struct fixture {
    boost::asio::io_context ioc;
    engine::server eng{ioc.get_executor(), engine::config{}};
    socketio::server sio{eng, socketio::config{.connect_timeout = 50ms, .limits = {}}};
    std::vector<std::string> disconnects;

    fixture() {
        auto& main = sio.of("/");
        main.on_connection([](const socketio::socket_ptr& s) { s->join("room"); });
        main.on("echo", [](const socketio::socket_ptr& s, socketio::event& e) {
            s->emit("echoed", std::move(e.args), std::move(e.attachments));
        });
        main.on("ack-me", [](const socketio::socket_ptr&, socketio::event& e) {
            e.ack(std::move(e.args));
        });
        main.on_disconnect([this](const socketio::socket_ptr&, std::string_view reason) {
            disconnects.emplace_back(reason);
        });
        auto& secured = sio.of("/secured");
        secured.use([](const socketio::socket_ptr& s, socketio::socket_namespace::next_fn next) {
            if (s->auth().as_object().contains("token")) return next(std::nullopt);
            boost::json::object error;
            error["message"] = "Authentication error";
            next(std::move(error));
        });
    }
    std::shared_ptr<engine::session> open() {
        return eng.open(engine::transport_kind::websocket, engine::request_info{});
    }
    static void send(engine::session& s, std::string text) {
        s.receive({eio::packet_type::message, false, std::move(text)});
    }
    static std::vector<std::string> output(engine::session& s) {
        std::vector<std::string> out;
        for (auto& f : s.take_output()) out.push_back(f.binary ? "<bin>" + *f.data : *f.data);
        return out;
    }
    static std::string sid_of(const std::string& connect_reply, std::size_t prefix) {
        return std::string(boost::json::parse(connect_reply.substr(prefix)).at("sid").as_string());
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(connect_replies_with_only_a_sid, fixture) {
    auto s = open();
    send(*s, "0");
    const auto out = output(*s);
    BOOST_TEST_REQUIRE(out.size() == 1u);
    BOOST_TEST(out[0].starts_with("40{\"sid\":\""));
    const auto reply = boost::json::parse(out[0].substr(2)).as_object();
    BOOST_TEST(reply.size() == 1u);
    BOOST_TEST(sio.of("/").size() == 1u);
    BOOST_TEST(sio.of("/").room("room")->size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(unknown_namespace_gets_connect_error_and_stays_open, fixture) {
    auto s = open();
    send(*s, "0/random,");
    BOOST_TEST(output(*s) ==
               std::vector<std::string>{R"(44/random,{"message":"Invalid namespace"})"});
    BOOST_TEST(!s->closed());
}

BOOST_FIXTURE_TEST_CASE(events_and_acks_round_trip, fixture) {
    auto s = open();
    send(*s, "0");
    output(*s);
    send(*s, R"(2["echo",{"a":[1,2]},"x"])");
    send(*s, R"(27["ack-me",1,"two"])");
    BOOST_TEST(output(*s) ==
               (std::vector<std::string>{R"(42["echoed",{"a":[1,2]},"x"])", R"(437[1,"two"])"}));
}

BOOST_FIXTURE_TEST_CASE(binary_events_keep_their_attachments, fixture) {
    auto s = open();
    send(*s, "0");
    output(*s);
    send(*s, R"(51-["echo",{"_placeholder":true,"num":0}])");
    BOOST_TEST(output(*s).empty());  // waits for the attachment
    s->receive({eio::packet_type::message, true, "\x01\x02\x03"});
    BOOST_TEST(output(*s) == (std::vector<std::string>{
                                 R"(451-["echoed",{"_placeholder":true,"num":0}])",
                                 "<bin>\x01\x02\x03"}));
}

BOOST_FIXTURE_TEST_CASE(protocol_violations_close_the_connection, fixture) {
    for (const std::string bad : {"2{}", "9", "2abc[\"x\"]", "2[\"echo\"]", "garbage"}) {
        auto s = open();
        send(*s, "0");
        if (bad == "2[\"echo\"]") {
            send(*s, "0");  // a second CONNECT to a connected namespace
        } else {
            send(*s, bad);
        }
        BOOST_TEST(s->closed(), "not closed by " << bad);
    }
    BOOST_TEST(disconnects.size() == 5u);
}

BOOST_FIXTURE_TEST_CASE(event_for_a_namespace_not_joined_closes, fixture) {
    auto s = open();
    send(*s, "2/other,[\"x\"]");
    BOOST_TEST(s->closed());
}

BOOST_FIXTURE_TEST_CASE(client_disconnect_leaves_the_session_open, fixture) {
    auto s = open();
    send(*s, "0");
    output(*s);
    send(*s, "1");
    BOOST_TEST(!s->closed());
    BOOST_TEST(disconnects == std::vector<std::string>{"client namespace disconnect"});
    BOOST_TEST(sio.of("/").size() == 0u);
    BOOST_TEST(!sio.of("/").room("room"));
}

BOOST_FIXTURE_TEST_CASE(middleware_refuses_without_token, fixture) {
    auto s = open();
    send(*s, "0/secured,{}");
    BOOST_TEST(output(*s) ==
               std::vector<std::string>{R"(44/secured,{"message":"Authentication error"})"});
    send(*s, R"(0/secured,{"token":"t"})");
    const auto out = output(*s);
    BOOST_TEST_REQUIRE(out.size() == 1u);
    BOOST_TEST(out[0].starts_with("40/secured,{\"sid\":"));
}

BOOST_FIXTURE_TEST_CASE(connect_timeout_closes_idle_connection, fixture) {
    auto s = open();
    ioc.run_for(80ms);
    BOOST_TEST(s->closed());
    auto t = open();
    send(*t, "0");
    ioc.run_for(80ms);
    BOOST_TEST(!t->closed());
}

BOOST_FIXTURE_TEST_CASE(server_emit_with_ack_answers_or_times_out, fixture) {
    auto s = open();
    send(*s, "0");
    const auto sid = sid_of(output(*s)[0], 2);
    auto* sock = sio.of("/").find(sid);
    BOOST_TEST_REQUIRE(sock);
    std::vector<std::string> results;
    auto record = [&](bool timed_out, boost::json::array args, std::vector<std::string>) {
        results.push_back(timed_out ? "timeout" : boost::json::serialize(args));
    };
    sock->emit_with_ack("q", {1}, 1s, record);
    sock->emit_with_ack("q", {2}, 20ms, record);
    BOOST_TEST(output(*s) ==
               (std::vector<std::string>{R"(420["q",1])", R"(421["q",2])"}));
    send(*s, R"(30["yes"])");
    send(*s, R"(399["unknown id"])");
    ioc.run_for(50ms);
    BOOST_TEST(results == (std::vector<std::string>{R"(["yes"])", "timeout"}));
    BOOST_TEST(!s->closed());
    sock->emit_with_ack("q", {3}, 1s, record);
    s->close(engine::close_reason::transport_close);  // the answer will never come
    ioc.run_for(10ms);
    BOOST_TEST(results.back() == "timeout");
    BOOST_TEST(results.size() == 3u);
}

BOOST_FIXTURE_TEST_CASE(room_broadcast_shares_one_encoding, fixture) {
    auto a = open();
    auto b = open();
    send(*a, "0");
    send(*b, "0");
    output(*a);
    output(*b);
    sio.of("/").emit_to("room", "news", {"hi"});
    auto fa = a->take_output();
    auto fb = b->take_output();
    BOOST_TEST_REQUIRE(fa.size() == 1u);
    BOOST_TEST_REQUIRE(fb.size() == 1u);
    BOOST_TEST(fa[0].data.get() == fb[0].data.get());
    BOOST_TEST(*fa[0].data == R"(42["news","hi"])");
}
