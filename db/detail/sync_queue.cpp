#include "db/detail/sync_queue.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <utility>

namespace confab::db::detail {

void sync_queue::first_write(std::uint64_t first) {
    const std::lock_guard lock(mutex_);
    unqueued_.insert(first);
}

void sync_queue::wait(std::uint64_t first, std::uint64_t through, std::unique_ptr<waiter> w) {
    std::unique_lock lock(mutex_);
    if (const auto it = unqueued_.find(first); it != unqueued_.end()) unqueued_.erase(it);
    waiting_.push_back({first, through, std::move(w)});
    if (syncing_) return;
    syncing_ = true;
    while (!waiting_.empty()) {
        // Every write at or after `limit` was made after those taken here: a result can only
        // be held back by one taken later.
        auto batch = std::exchange(held_, {});
        std::move(waiting_.begin(), waiting_.end(), std::back_inserter(batch));
        waiting_.clear();
        const std::uint64_t limit =
            unqueued_.empty() ? std::numeric_limits<std::uint64_t>::max() : *unqueued_.begin();
        lock.unlock();
        sync_and_release(batch, limit);
        lock.lock();
        held_ = std::move(batch);
    }
    syncing_ = false;
}

void sync_queue::sync_and_release(std::vector<entry>& batch, std::uint64_t limit) {
    std::uint64_t through = 0;
    for (const entry& e : batch) through = std::max(through, e.through);
    if (const std::error_code ec = store_.sync_through(through)) {
        // The writes may not be on disk, and they are visible to readers already: going on
        // would tell someone of a message a crash could take back. Stop, as PostgreSQL does
        // on a failed fsync; a restart recovers what the log really holds.
        std::fprintf(stderr, "confab: fsync of the store's log failed (%s); stopping\n",
                     ec.message().c_str());
        std::abort();
    }
    std::sort(batch.begin(), batch.end(),
              [](const entry& a, const entry& b) { return a.first < b.first; });
    const auto held = std::find_if(batch.begin(), batch.end(),
                                   [limit](const entry& e) { return e.first >= limit; });
    for (auto it = batch.begin(); it != held; ++it) it->w->release();
    batch.erase(batch.begin(), held);
}

}  // namespace confab::db::detail
