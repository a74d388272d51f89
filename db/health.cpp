// The health probe: the store is open and takes writes.
#include <rocksdb/write_batch.h>

#include "db/detail/store_impl.hpp"

namespace confab::db {

std::error_code store::check_writable() {
    // A key of the meta family that nothing reads: written through the log like any change,
    // so a full disk or a read-only file system shows up here.
    rocksdb::WriteBatch batch;
    batch.Put(impl_->cf(detail::family::meta), "health_probe", std::to_string(impl_->now()));
    auto written = impl_->write(batch);
    if (!written) return written.error();
    return {};
}

}  // namespace confab::db
