// The cap on live sessions that one address opens by polling handshakes
// (max_polling_sessions_per_address), driven without sockets.
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include "core/engine/request_check.hpp"
#include "core/engine/server.hpp"

using namespace confab;

namespace {

struct capped_server {
    boost::asio::io_context ioc;
    engine::server srv;

    explicit capped_server(std::size_t cap) : srv(ioc.get_executor(), config(cap)) {}

    static engine::config config(std::size_t cap) {
        engine::config c;
        c.max_polling_sessions_per_address = cap;
        return c;
    }
    std::shared_ptr<engine::session> open(engine::transport_kind t, const std::string& from) {
        engine::request_info info;
        info.remote_address = from;
        return srv.open(t, std::move(info));
    }
    std::shared_ptr<engine::session> poll(const std::string& from) {
        return open(engine::transport_kind::polling, from);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_polling_cap)

BOOST_AUTO_TEST_CASE(a_polling_handshake_over_the_cap_is_refused_per_address) {
    capped_server c(2);
    std::vector<std::shared_ptr<engine::session>> open{c.poll("10.0.0.1"), c.poll("10.0.0.1")};
    BOOST_TEST(!c.poll("10.0.0.1"));
    BOOST_TEST(c.srv.refused_polling() == 1u);
    BOOST_TEST(c.poll("10.0.0.2"));  // another address has its own count
    BOOST_TEST(c.srv.size() == 3u);
}

BOOST_AUTO_TEST_CASE(loopback_is_exempt_unless_told_otherwise) {
    capped_server c(1);
    std::vector<std::shared_ptr<engine::session>> open{c.poll("127.0.0.1"), c.poll("127.0.0.1"),
                                                       c.poll("::1"), c.poll("::1")};
    for (const auto& s : open) BOOST_TEST(s);
    engine::config applies = capped_server::config(1);
    applies.exempt_loopback = false;
    engine::server strict(c.ioc.get_executor(), applies);
    engine::request_info local;
    local.remote_address = "127.0.0.1";
    auto first = strict.open(engine::transport_kind::polling, local);
    BOOST_TEST(first);
    BOOST_TEST(!strict.open(engine::transport_kind::polling, local));
}

BOOST_AUTO_TEST_CASE(websocket_handshakes_are_not_counted) {
    capped_server c(1);
    auto polling = c.poll("10.0.0.1");
    BOOST_TEST(c.open(engine::transport_kind::websocket, "10.0.0.1"));
    BOOST_TEST(c.open(engine::transport_kind::websocket, "10.0.0.1"));
    BOOST_TEST(!c.poll("10.0.0.1"));
}

BOOST_AUTO_TEST_CASE(a_closed_session_gives_its_place_back) {
    capped_server c(1);
    auto first = c.poll("10.0.0.1");
    BOOST_TEST(!c.poll("10.0.0.1"));
    first->close(engine::close_reason::transport_close);
    BOOST_TEST(c.poll("10.0.0.1"));
}

BOOST_AUTO_TEST_CASE(an_upgraded_session_stays_counted_until_it_closes) {
    capped_server c(1);
    auto s = c.poll("10.0.0.1");
    BOOST_TEST(s->begin_upgrade());
    s->probe_received();
    s->finish_upgrade();
    BOOST_TEST((s->transport() == engine::transport_kind::websocket));
    BOOST_TEST(!c.poll("10.0.0.1"));
    s->close(engine::close_reason::transport_close);
    BOOST_TEST(c.poll("10.0.0.1"));
}

BOOST_AUTO_TEST_CASE(zero_is_no_cap) {
    capped_server c(0);
    std::vector<std::shared_ptr<engine::session>> open;
    for (int i = 0; i < 1000; ++i) open.push_back(c.poll("10.0.0.1"));
    BOOST_TEST(c.srv.size() == 1000u);
    BOOST_TEST(c.srv.refused_polling() == 0u);
}

BOOST_AUTO_TEST_CASE(the_refusal_has_an_engine_io_body) {
    BOOST_TEST(engine::error_body(engine::request_error::too_many_sessions) ==
               R"({"code":6,"message":"Too many sessions from this address"})");
}

BOOST_AUTO_TEST_SUITE_END()
