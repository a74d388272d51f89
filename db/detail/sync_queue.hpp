#pragma once
// The waiting half of async_store's group commit: results of store calls that wrote wait here,
// not on a pool thread, until one fsync covers their writes. One thread syncs the log through
// the highest position waiting, then releases every result it covered, while the pool goes on
// writing the next ones.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
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

    explicit sync_queue(store& s);
    // Releases everything still waiting (after syncing it), then stops the thread.
    ~sync_queue();
    sync_queue(const sync_queue&) = delete;
    sync_queue& operator=(const sync_queue&) = delete;

    void wait(std::uint64_t sequence, std::unique_ptr<waiter> w);

  private:
    struct entry {
        std::uint64_t sequence;
        std::unique_ptr<waiter> w;
    };

    void run();

    store& store_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<entry> waiting_;
    bool stopping_ = false;
    bool idle_ = false;  // the thread waits for work, rather than syncing
    std::thread thread_;  // last: starts once the rest is ready
};

}  // namespace confab::db::detail
