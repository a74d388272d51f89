#include "db/detail/sync_queue.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace confab::db::detail {

sync_queue::sync_queue(store& s) : store_(s), thread_([this] { run(); }) {}

sync_queue::~sync_queue() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void sync_queue::wait(std::uint64_t sequence, std::unique_ptr<waiter> w) {
    bool idle = false;
    {
        std::lock_guard lock(mutex_);
        waiting_.push_back({sequence, std::move(w)});
        idle = idle_;
    }
    // A thread in the middle of an fsync looks at the queue again when it is done: waking it
    // would only cost a system call per write.
    if (idle) wake_.notify_one();
}

void sync_queue::run() {
    std::vector<entry> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            idle_ = true;
            wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
            idle_ = false;
            if (waiting_.empty()) return;  // stopping, nothing left
            batch.swap(waiting_);
        }
        std::uint64_t through = 0;
        for (const entry& e : batch) through = std::max(through, e.sequence);
        if (const std::error_code ec = store_.sync_through(through)) {
            // The writes may not be on disk, and they are visible to readers already: going
            // on would tell someone of a message a crash could take back. Stop, as PostgreSQL
            // does on a failed fsync; a restart recovers what the log really holds.
            std::fprintf(stderr, "confab: fsync of the store's log failed (%s); stopping\n",
                         ec.message().c_str());
            std::abort();
        }
        for (entry& e : batch) e.w->release();
        batch.clear();
    }
}

}  // namespace confab::db::detail
