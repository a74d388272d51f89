#include "app/rest/request_gate.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

namespace confab::rest {

namespace {

struct waiter {
    net::steady_timer timer;
    bool admitted = false;  // handed a slot by a pass that ended
};

}  // namespace

struct request_gate::state {
    limits bounds;
    std::size_t active = 0;
    std::list<waiter*> waiting;  // each lives in its coroutine's frame, which unlists it

    void leave() {
        if (waiting.empty()) {
            --active;
            return;
        }
        waiter* next = waiting.front();
        waiting.pop_front();
        next->admitted = true;
        next->timer.cancel();
    }
};

request_gate::pass::~pass() {
    if (state_) state_->leave();
}

request_gate::request_gate(limits l)
    : state_(std::make_shared<state>(state{.bounds = l, .active = 0, .waiting = {}})) {}

net::awaitable<request_gate::pass> request_gate::enter() {
    auto s = state_;
    if (s->active < s->bounds.slots) {
        ++s->active;
        co_return pass(s);
    }
    if (s->waiting.size() >= s->bounds.queue) co_return pass{};
    waiter w{net::steady_timer(co_await net::this_coro::executor, s->bounds.patience)};
    const auto listed = s->waiting.insert(s->waiting.end(), &w);
    struct unlist {
        state& s;
        std::list<waiter*>::iterator at;
        const waiter& w;
        ~unlist() {
            if (!w.admitted) s.waiting.erase(at);
        }
    } guard{*s, listed, w};
    co_await w.timer.async_wait(use_tuple);
    // Whether the timer ran out or was cancelled, a slot handed over counts: it is ours.
    if (!w.admitted) co_return pass{};
    co_return pass(s);
}

}  // namespace confab::rest
