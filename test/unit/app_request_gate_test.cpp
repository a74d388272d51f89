// The REST gates: slots, a bounded queue served in order, and patience.
#include <chrono>
#include <optional>
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
                           std::vector<int>& order, int who) {
    got.emplace(co_await gate.enter());
    order.push_back(*got ? who : -who);
}

struct gate_fixture {
    net::io_context io;
    std::vector<int> order;
    std::vector<std::optional<request_gate::pass>> passes =
        std::vector<std::optional<request_gate::pass>>(8);

    void spawn(request_gate& gate, int who) {
        net::co_spawn(io, enter(gate, passes[who], order, who), net::detached);
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

BOOST_AUTO_TEST_SUITE_END()
