// The TCP connection limits: counting in total and per address, refusals and what they
// answer, and places given back when a slot goes.
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "app/http/connection_limits.hpp"

using namespace confab::http;
namespace ip = boost::asio::ip;

namespace {

const auto alice = ip::make_address("10.0.0.1");
const auto bob = ip::make_address("10.0.0.2");
const auto carol6 = ip::make_address("2001:db8::1");

std::shared_ptr<connection_limits> limits(std::size_t total, std::size_t per_address) {
    return std::make_shared<connection_limits>(connection_limits::config{total, per_address});
}

// Admits and keeps the slot in `held`; returns the refusal, if any.
std::optional<refusal> admit(connection_limits& l, const ip::address& a,
                             std::vector<connection_slot>& held) {
    auto r = l.admit(a);
    if (const auto* why = std::get_if<refusal>(&r)) return *why;
    held.push_back(std::get<connection_slot>(std::move(r)));
    return std::nullopt;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(connection_limits_counts)

BOOST_AUTO_TEST_CASE(counts_in_total_and_per_address) {
    auto l = limits(10, 10);
    std::vector<connection_slot> held;
    BOOST_TEST(!admit(*l, alice, held));
    BOOST_TEST(!admit(*l, alice, held));
    BOOST_TEST(!admit(*l, carol6, held));
    BOOST_TEST(l->open() == 3u);
    BOOST_TEST(l->open_from(alice) == 2u);
    BOOST_TEST(l->open_from(carol6) == 1u);
    BOOST_TEST(l->open_from(bob) == 0u);
}

BOOST_AUTO_TEST_CASE(over_the_per_address_limit_only_that_address_is_refused) {
    auto l = limits(10, 2);
    std::vector<connection_slot> held;
    BOOST_TEST(!admit(*l, alice, held));
    BOOST_TEST(!admit(*l, alice, held));
    BOOST_TEST((admit(*l, alice, held) == refusal::per_address));
    BOOST_TEST(!admit(*l, bob, held));
    BOOST_TEST(l->open() == 3u);
    BOOST_TEST(l->refused(refusal::per_address) == 1u);
    BOOST_TEST(l->refused(refusal::max_connections) == 0u);
}

BOOST_AUTO_TEST_CASE(over_the_total_limit_every_address_is_refused) {
    auto l = limits(2, 5);
    std::vector<connection_slot> held;
    BOOST_TEST(!admit(*l, alice, held));
    BOOST_TEST(!admit(*l, bob, held));
    BOOST_TEST((admit(*l, carol6, held) == refusal::max_connections));
    BOOST_TEST((admit(*l, alice, held) == refusal::max_connections));
    BOOST_TEST(l->refused(refusal::max_connections) == 2u);
    BOOST_TEST(l->open_from(carol6) == 0u);  // a refusal takes no place
}

BOOST_AUTO_TEST_CASE(zero_means_no_limit) {
    auto l = limits(0, 0);
    std::vector<connection_slot> held;
    for (int i = 0; i < 5000; ++i) BOOST_REQUIRE(!admit(*l, alice, held));
    BOOST_TEST(l->open() == 5000u);
    BOOST_TEST(l->refused(refusal::max_connections) + l->refused(refusal::per_address) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(connection_limits_slots)

BOOST_AUTO_TEST_CASE(a_destroyed_slot_gives_its_place_back) {
    auto l = limits(1, 1);
    {
        std::vector<connection_slot> held;
        BOOST_TEST(!admit(*l, alice, held));
        BOOST_TEST((admit(*l, bob, held) == refusal::max_connections));
    }
    BOOST_TEST(l->open() == 0u);
    BOOST_TEST(l->open_from(alice) == 0u);
    std::vector<connection_slot> held;
    BOOST_TEST(!admit(*l, bob, held));
}

BOOST_AUTO_TEST_CASE(a_moved_slot_gives_its_place_back_once) {
    auto l = limits(10, 10);
    std::vector<connection_slot> held;
    BOOST_TEST(!admit(*l, alice, held));
    {
        connection_slot moved(std::move(held.front()));
        held.clear();  // the moved-from slot goes: nothing given back yet
        BOOST_TEST(l->open() == 1u);
    }
    BOOST_TEST(l->open() == 0u);
}

BOOST_AUTO_TEST_CASE(move_assignment_gives_the_old_place_back) {
    auto l = limits(10, 10);
    std::vector<connection_slot> held;
    BOOST_TEST(!admit(*l, alice, held));
    BOOST_TEST(!admit(*l, bob, held));
    held[0] = std::move(held[1]);
    BOOST_TEST(l->open() == 1u);
    BOOST_TEST(l->open_from(alice) == 0u);
    BOOST_TEST(l->open_from(bob) == 1u);
    held.clear();
    BOOST_TEST(l->open() == 0u);
}

BOOST_AUTO_TEST_CASE(a_slot_keeps_the_counts_alive) {
    std::vector<connection_slot> held;
    {
        auto l = limits(10, 10);
        BOOST_TEST(!admit(*l, alice, held));
    }
    held.clear();  // gives back to counts nobody else holds: no use after free (ASan)
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(connection_limits_answers)

// The status line, and a Content-Length that matches the body.
void check_answer(std::string_view text, std::string_view status, std::string_view code) {
    BOOST_TEST(text.starts_with(status));
    BOOST_TEST(text.find("\r\nConnection: close\r\n") != std::string_view::npos);
    BOOST_TEST(text.find("\r\nContent-Type: application/json\r\n") != std::string_view::npos);
    const auto split = text.find("\r\n\r\n");
    BOOST_REQUIRE(split != std::string_view::npos);
    const auto body = text.substr(split + 4);
    const auto length = "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    BOOST_TEST(text.find(length) != std::string_view::npos, length);
    BOOST_TEST(body.starts_with(R"({"error":{"code":")" + std::string(code) + R"(","message":")"));
    BOOST_TEST(body.ends_with(R"("}})"));
}

BOOST_AUTO_TEST_CASE(loopback_is_exempt_per_address_unless_told_otherwise) {
    const auto loopback = {ip::make_address("127.0.0.1"), ip::make_address("127.0.0.9"),
                           ip::make_address("::1"), ip::make_address("::ffff:127.0.0.1")};
    auto exempt = limits(20, 1);
    std::vector<connection_slot> held;
    for (const auto& a : loopback) {
        BOOST_TEST(!admit(*exempt, a, held));
        BOOST_TEST(!admit(*exempt, a, held));
        BOOST_TEST(exempt->open_from(a) == 0u);
    }
    BOOST_TEST(exempt->open() == 8u);
    BOOST_TEST((admit(*exempt, ip::make_address("127.0.0.1"), held) == std::nullopt));
    BOOST_TEST(!admit(*exempt, alice, held));
    BOOST_TEST((admit(*exempt, alice, held) == refusal::per_address));  // others are counted
    held.clear();
    BOOST_TEST(exempt->open() == 0u);

    auto applied = std::make_shared<connection_limits>(connection_limits::config{10, 1, false});
    BOOST_TEST(!admit(*applied, ip::make_address("127.0.0.1"), held));
    BOOST_TEST((admit(*applied, ip::make_address("127.0.0.1"), held) == refusal::per_address));
}

BOOST_AUTO_TEST_CASE(server_busy_is_503) {
    check_answer(refusal_response(refusal::max_connections), "HTTP/1.1 503 Service Unavailable\r\n",
                 "SERVER_BUSY");
}

BOOST_AUTO_TEST_CASE(too_many_from_one_address_is_429) {
    check_answer(refusal_response(refusal::per_address), "HTTP/1.1 429 Too Many Requests\r\n",
                 "TOO_MANY_CONNECTIONS");
}

BOOST_AUTO_TEST_SUITE_END()
