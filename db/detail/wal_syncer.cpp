#include "db/detail/wal_syncer.hpp"

#include <rocksdb/db.h>

namespace confab::db::detail {

rocksdb::Status wal_syncer::sync_through(rocksdb::DB& db, std::uint64_t sequence) {
    std::lock_guard lock(mutex_);
    if (synced_ >= sequence) return rocksdb::Status::OK();
    // A published sequence number means its log record was already handed to the OS, so
    // this sync covers every write up to `target`, not only ours.
    const std::uint64_t target = db.GetLatestSequenceNumber();
    rocksdb::Status s = db.SyncWAL();
    if (s.ok()) synced_ = target;
    return s;
}

}  // namespace confab::db::detail
