#include "app/rest/request_gate.hpp"

#include <list>
#include <unordered_map>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

namespace confab::rest {

namespace {

struct waiter {
    net::steady_timer timer;
    bool admitted = false;  // handed a slot by a pass that ended
};

// One client's waiters, in the order they came.
struct line {
    std::string client;
    std::list<waiter*> waiters;  // each lives in its coroutine's frame, which unlists it
};

}  // namespace

struct request_gate::state {
    limits bounds;
    std::size_t active = 0;
    std::size_t waiting = 0;
    std::list<line> turns;  // clients with waiters: the front one is served next
    std::unordered_map<std::string, std::list<line>::iterator> lines;

    void leave() {
        if (turns.empty()) {
            --active;
            return;
        }
        auto& served = turns.front();
        waiter* next = served.waiters.front();
        served.waiters.pop_front();
        --waiting;
        if (served.waiters.empty()) {
            lines.erase(served.client);
            turns.pop_front();
        } else {
            turns.splice(turns.end(), turns, turns.begin());  // its next waits for the others
        }
        next->admitted = true;
        next->timer.cancel();
    }

    std::pair<std::list<line>::iterator, std::list<waiter*>::iterator> queue(std::string client,
                                                                             waiter& w) {
        auto [found, added] = lines.try_emplace(client);
        if (added) found->second = turns.insert(turns.end(), line{std::move(client), {}});
        ++waiting;
        auto& waiters = found->second->waiters;
        return {found->second, waiters.insert(waiters.end(), &w)};
    }

    void unqueue(std::list<line>::iterator l, std::list<waiter*>::iterator at) {
        l->waiters.erase(at);
        --waiting;
        if (!l->waiters.empty()) return;
        lines.erase(l->client);
        turns.erase(l);
    }
};

request_gate::pass::~pass() {
    if (state_) state_->leave();
}

request_gate::request_gate(limits l) : state_(std::make_shared<state>()) {
    state_->bounds = l;
}

net::awaitable<request_gate::pass> request_gate::enter(std::string client) {
    auto s = state_;
    if (s->active < s->bounds.slots) {
        ++s->active;
        co_return pass(s);
    }
    if (s->waiting >= s->bounds.queue) co_return pass{};
    waiter w{net::steady_timer(co_await net::this_coro::executor, s->bounds.patience)};
    const auto [l, at] = s->queue(std::move(client), w);
    struct unlist {
        state& s;
        std::list<line>::iterator l;
        std::list<waiter*>::iterator at;
        const waiter& w;
        ~unlist() {
            if (!w.admitted) s.unqueue(l, at);
        }
    } guard{*s, l, at, w};
    co_await w.timer.async_wait(use_tuple);
    // Whether the timer ran out or was cancelled, a slot handed over counts: it is ours.
    if (!w.admitted) co_return pass{};
    co_return pass(s);
}

}  // namespace confab::rest
