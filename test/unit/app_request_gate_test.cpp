// The REST gates: slots, a bounded queue served by client in turn, and patience.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include "app/rest/request_gate.hpp"

using confab::rest::request_gate;
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

// Enters the gate and keeps the pass (or records the refusal) in `got`.
net::awaitable<void> enter(request_gate& gate, std::optional<request_gate::pass>& got,
                           std::vector<int>& order, int who, std::string client) {
    got.emplace(co_await gate.enter(std::move(client)));
    order.push_back(*got ? who : -who);
}

struct gate_fixture {
    net::io_context io;
    std::vector<int> order;
    std::vector<std::optional<request_gate::pass>> passes =
        std::vector<std::optional<request_gate::pass>>(16);

    void spawn(request_gate& gate, int who, std::string client = {}) {
        net::co_spawn(io, enter(gate, passes[who], order, who, std::move(client)), net::detached);
        settle();
    }
    // Runs what is ready; the context stops whenever it runs out of work.
    void settle() {
        io.restart();
        io.poll();
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(request_gate_ration, gate_fixture)

BOOST_AUTO_TEST_CASE(slots_then_a_queue_served_in_order_then_refusals) {
    request_gate gate({.slots = 2, .queue = 2, .patience = 10s});
    for (int who = 1; who <= 5; ++who) spawn(gate, who);
    BOOST_TEST(order == (std::vector<int>{1, 2, -5}));  // 3 and 4 wait; 5 finds the queue full
    passes[2].reset();  // a pass ends: the first waiter gets its slot
    settle();
    BOOST_TEST(order == (std::vector<int>{1, 2, -5, 3}));
    passes[1].reset();
    settle();
    BOOST_TEST(order == (std::vector<int>{1, 2, -5, 3, 4}));
    passes[3].reset();
    passes[4].reset();
    spawn(gate, 6);  // both slots free again
    spawn(gate, 7);
    BOOST_TEST(order == (std::vector<int>{1, 2, -5, 3, 4, 6, 7}));
}

BOOST_AUTO_TEST_CASE(a_waiter_out_of_patience_is_refused_and_leaves_the_queue) {
    request_gate gate({.slots = 1, .queue = 1, .patience = 20ms});
    spawn(gate, 1);
    spawn(gate, 2);
    io.restart();
    io.run_for(200ms);
    BOOST_TEST(order == (std::vector<int>{1, -2}));
    spawn(gate, 3);  // the queue has room again
    passes[1].reset();
    settle();
    BOOST_TEST(order == (std::vector<int>{1, -2, 3}));
}

BOOST_AUTO_TEST_CASE(waiters_are_served_by_client_in_turn) {
    request_gate gate({.slots = 1, .queue = 16, .patience = 10s});
    spawn(gate, 1, "flood");
    for (int who = 2; who <= 6; ++who) spawn(gate, who, "flood");  // 5 of one client wait
    spawn(gate, 7, "ann");
    spawn(gate, 8, "ben");
    spawn(gate, 9, "ann");
    for (int turn = 1; turn < 9; ++turn) {
        passes[order.back()].reset();  // the one slot goes round
        settle();
    }
    // The flood's next, then each other client's first, then round again.
    BOOST_TEST(order == (std::vector<int>{1, 2, 7, 8, 3, 9, 4, 5, 6}));
}

BOOST_AUTO_TEST_CASE(a_client_whose_only_waiter_gave_up_loses_its_turn) {
    request_gate gate({.slots = 1, .queue = 4, .patience = 20ms});
    spawn(gate, 1, "a");
    spawn(gate, 2, "b");
    io.restart();
    io.run_for(200ms);  // b runs out of patience
    spawn(gate, 3, "c");
    passes[1].reset();
    settle();
    BOOST_TEST(order == (std::vector<int>{1, -2, 3}));
}

BOOST_AUTO_TEST_SUITE_END()
