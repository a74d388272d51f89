// How much room the store takes, for /metrics.
#include "db/detail/store_impl.hpp"

namespace confab::db {

std::uint64_t store::size_bytes() const {
    std::uint64_t total = 0;
    for (auto* cf : impl_->families_.all()) {
        std::uint64_t value = 0;
        // Table files on disk, plus what is still only in memtables (and the WAL).
        if (impl_->db_->GetIntProperty(cf, "rocksdb.total-sst-files-size", &value)) total += value;
        if (impl_->db_->GetIntProperty(cf, "rocksdb.size-all-mem-tables", &value)) total += value;
    }
    return total;
}

}  // namespace confab::db
