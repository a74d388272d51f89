#pragma once
// Small coroutine helpers over one io_context: a one-shot signal, sleeping, and running N
// jobs with at most K in flight.
#include <algorithm>
#include <exception>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace lg {

namespace net = boost::asio;
template <class T = void>
using task = net::awaitable<T>;
inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// A one-shot event: wait() returns once notify() was called (before or after).
class signal {
public:
    explicit signal(net::io_context& io) : timer_(io, net::steady_timer::time_point::max()) {}
    void notify() {
        fired_ = true;
        timer_.cancel();
    }
    bool fired() const { return fired_; }
    // Waits for notify() or until `limit` passes; true when notified.
    task<bool> wait(std::chrono::steady_clock::duration limit = std::chrono::hours(24 * 365)) {
        if (fired_) co_return true;
        net::steady_timer guard(timer_.get_executor());
        guard.expires_after(limit);
        guard.async_wait([this](boost::system::error_code ec) {
            if (!ec) timer_.cancel();
        });
        timer_.expires_at(net::steady_timer::time_point::max());
        co_await timer_.async_wait(use_tuple);
        guard.cancel();
        co_return fired_;
    }

private:
    net::steady_timer timer_;
    bool fired_ = false;
};

inline task<> sleep_for(std::chrono::steady_clock::duration d) {
    net::steady_timer t(co_await net::this_coro::executor, d);
    co_await t.async_wait(use_tuple);
}

// Runs job(i, worker) for i in [0, n) on `workers` coroutines (at most that many in flight);
// each worker w gets its own state made by make_worker(w) (a REST connection, say).
template <class MakeWorker, class Job>
task<> for_each_bounded(net::io_context& io, std::size_t n, std::size_t workers, MakeWorker make_worker,
                        Job job) {
    if (n == 0) co_return;
    workers = std::max<std::size_t>(1, std::min(workers, n));
    auto next = std::make_shared<std::size_t>(0);
    auto running = std::make_shared<std::size_t>(workers);
    signal done(io);
    for (std::size_t w = 0; w < workers; ++w) {
        net::co_spawn(
            io,
            [&, w, next, running]() -> task<> {
                auto state = make_worker(w);
                while (*next < n) {
                    const auto i = (*next)++;
                    try {
                        co_await job(i, state);
                    } catch (const std::exception&) {
                        // A job reports its own failures; one that throws is simply done.
                    }
                }
                if (--*running == 0) done.notify();
            },
            net::detached);
    }
    co_await done.wait();
}

}  // namespace lg
