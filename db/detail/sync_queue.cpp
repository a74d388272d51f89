#include "db/detail/sync_queue.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace confab::db::detail {

void sync_queue::wait(std::uint64_t sequence, std::unique_ptr<waiter> w) {
    std::unique_lock lock(mutex_);
    waiting_.push_back({sequence, std::move(w)});
    if (syncing_) return;
    syncing_ = true;
    std::vector<entry> batch;
    while (!waiting_.empty()) {
        batch.swap(waiting_);
        lock.unlock();
        sync_and_release(batch);
        batch.clear();
        lock.lock();
    }
    syncing_ = false;
}

void sync_queue::sync_and_release(std::vector<entry>& batch) {
    std::uint64_t through = 0;
    for (const entry& e : batch) through = std::max(through, e.sequence);
    if (const std::error_code ec = store_.sync_through(through)) {
        // The writes may not be on disk, and they are visible to readers already: going on
        // would tell someone of a message a crash could take back. Stop, as PostgreSQL does
        // on a failed fsync; a restart recovers what the log really holds.
        std::fprintf(stderr, "confab: fsync of the store's log failed (%s); stopping\n",
                     ec.message().c_str());
        std::abort();
    }
    for (entry& e : batch) e.w->release();
}

}  // namespace confab::db::detail
