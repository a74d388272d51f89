#pragma once
// The waiting half of async_store's group commit: results of store calls that wrote wait here
// until one fsync covers their writes. The first pool thread to arrive while no fsync runs
// syncs the log through the highest position waiting, releases every result it covered, and
// goes on while more have arrived meanwhile; the others only queue and go back to writing.
// No thread of its own: waking one per lone message would cost more than its fsync's wait.
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "db/store.hpp"

namespace confab::db::detail {

class sync_queue {
  public:
    // What to do once the log is on disk: hand a result to its caller.
    struct waiter {
        virtual ~waiter() = default;
        virtual void release() = 0;
    };

    explicit sync_queue(store& s) : store_(s) {}
    sync_queue(const sync_queue&) = delete;
    sync_queue& operator=(const sync_queue&) = delete;

    // Returns once w is queued behind an fsync already running, or once this thread has
    // synced and released everything queued, w included.
    void wait(std::uint64_t sequence, std::unique_ptr<waiter> w);

  private:
    struct entry {
        std::uint64_t sequence;
        std::unique_ptr<waiter> w;
    };

    void sync_and_release(std::vector<entry>& batch);

    store& store_;
    std::mutex mutex_;
    std::vector<entry> waiting_;
    bool syncing_ = false;  // a thread is in wait()'s loop, and will take what is queued
};

}  // namespace confab::db::detail
