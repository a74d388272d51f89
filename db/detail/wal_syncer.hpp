#pragma once
// Group commit for durability::sync. Writers write without fsync (holding their record locks
// only for that), then ask for the log to be synced through their write. One fsync covers
// every write made before it started, so writers that queue behind a running fsync usually
// find their write already covered when their turn comes, and return without one.
#include <cstdint>
#include <mutex>

namespace rocksdb {
class DB;
class Status;
}  // namespace rocksdb

namespace confab::db::detail {

class wal_syncer {
  public:
    // Returns once the log is synced through sequence number `sequence`.
    rocksdb::Status sync_through(rocksdb::DB& db, std::uint64_t sequence);

  private:
    std::mutex mutex_;
    std::uint64_t synced_ = 0;  // every write up to this sequence number is on disk
};

}  // namespace confab::db::detail
