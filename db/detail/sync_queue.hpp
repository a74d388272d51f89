#pragma once
// The waiting half of async_store's group commit: results of store calls that wrote wait here
// until one fsync covers their writes. The first pool thread to arrive while no fsync runs
// syncs the log through the highest position waiting, releases every result it covered, and
// goes on while more have arrived meanwhile; the others only queue and go back to writing.
// No thread of its own: waking one per lone message would cost more than its fsync's wait.
//
// Results are released in the order of their calls' first writes, so that two messages sent
// to one chat at once reach its room in the order of their ids (the history's order): a
// result waits while a call that wrote before it has not queued its own yet.
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "db/store.hpp"

namespace confab::db::detail {

class sync_queue final : public deferred_sync::write_listener {
  public:
    // What to do once the log is on disk: hand a result to its caller.
    struct waiter {
        virtual ~waiter() = default;
        virtual void release() = 0;
    };

    explicit sync_queue(store& s) : store_(s) {}
    sync_queue(const sync_queue&) = delete;
    sync_queue& operator=(const sync_queue&) = delete;

    // A call under a deferred_sync listening here made its first write: its result, queued
    // later by wait(), holds back the results of the writes that follow.
    void first_write(std::uint64_t first) override;

    // Queues w, the result of the call whose first write was at `first` and whose writes
    // must be synced through `through`. Returns once w is queued behind an fsync already
    // running, or once this thread has synced and released everything it may, w included
    // unless an earlier write's result is still on its way.
    void wait(std::uint64_t first, std::uint64_t through, std::unique_ptr<waiter> w);

  private:
    struct entry {
        std::uint64_t first;
        std::uint64_t through;
        std::unique_ptr<waiter> w;
    };

    // Syncs `batch`, releases its entries in first-write order up to the first at or after
    // `limit`, and leaves the rest in `batch`.
    void sync_and_release(std::vector<entry>& batch, std::uint64_t limit);

    store& store_;
    std::mutex mutex_;
    std::multiset<std::uint64_t> unqueued_;  // first writes whose results are not queued yet
    std::vector<entry> waiting_;
    std::vector<entry> held_;  // synced, waiting for an earlier write's result
    bool syncing_ = false;     // a thread is in wait()'s loop, and will take what is queued
};

}  // namespace confab::db::detail
