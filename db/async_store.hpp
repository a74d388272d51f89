#pragma once
// Runs store calls on a small thread pool of the store's own, so that the blocking RocksDB
// calls never run on an I/O thread, and completes on the caller's executor.
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "db/detail/sync_queue.hpp"
#include "db/store.hpp"

namespace confab::db {

class async_store {
  public:
    // With durability::sync, a call's result waits for the fsync of its writes in a queue
    // (detail/sync_queue.hpp): one pool thread at a time syncs, the others go on writing, and
    // every write made while one fsync runs shares the next. Results of calls that wrote are
    // handed back in the order of their writes, with either durability.
    explicit async_store(store& s, std::size_t threads = 4);
    // Waits for the calls already started or queued to finish.
    ~async_store();
    async_store(const async_store&) = delete;
    async_store& operator=(const async_store&) = delete;

    // Calls f(store&) on the pool and completes with its result, on the executor associated
    // with the completion handler (for use_awaitable, the awaiting coroutine's). Several
    // store calls in one f take one trip to the pool. Not cancellable: once started, f runs
    // to its end. f must not throw (store calls report errors in their result).
    template <class F, class CompletionToken>
    auto async_run(F f, CompletionToken&& token) {
        using result_type = std::invoke_result_t<F&, store&>;
        static_assert(!std::is_void_v<result_type>, "f must return its result");
        return boost::asio::async_initiate<CompletionToken, void(result_type)>(
            [this](auto handler, F f) {
                // Keeps the caller's executor from running out of work while f runs.
                auto home = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                                boost::asio::execution::outstanding_work.tracked);
                boost::asio::post(pool_, [this, f = std::move(f), handler = std::move(handler),
                                          home = std::move(home)]() mutable {
                    deferred_sync deferral(&syncs_);
                    auto release = [handler = std::move(handler), home = std::move(home),
                                    result = f(store_)]() mutable {
                        boost::asio::post(home, [handler = std::move(handler),
                                                 result = std::move(result)]() mutable {
                            std::move(handler)(std::move(result));
                        });
                    };
                    if (deferral.first_write() == 0 && deferral.sequence() == 0) return release();
                    syncs_.wait(deferral.first_write(), deferral.sequence(),
                                std::make_unique<released<decltype(release)>>(std::move(release)));
                });
            },
            token, std::move(f));
    }

    // The coroutine form: `auto r = co_await db.run([&](db::store& s) { return s.get_user(id); });`
    template <class F>
    boost::asio::awaitable<std::invoke_result_t<F&, store&>> run(F f) {
        return async_run(std::move(f), boost::asio::use_awaitable);
    }

  private:
    template <class Release>
    struct released final : detail::sync_queue::waiter {
        explicit released(Release r) : release_(std::move(r)) {}
        void release() override { release_(); }
        Release release_;
    };

    store& store_;
    detail::sync_queue syncs_;  // outlives the pool, whose last calls may still wait in it
    boost::asio::thread_pool pool_;
};

}  // namespace confab::db
