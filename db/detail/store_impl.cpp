#include "db/detail/store_impl.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>
#include <utility>

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "db/detail/keys.hpp"

namespace confab::db {

namespace detail {

constexpr std::array<std::string_view, family_count> family_names{
    "meta",         "users",        "usernames",    "emails",   "chats",
    "chat_members", "user_chats",   "direct_chats", "messages", "reactions",
    "receipts",     "read_markers", "idempotency",
};

namespace {

// Version 2 is the layout described in keys.hpp (1 differed in user_chats and read_markers).
// A confab that changes it bumps this and migrates older stores when it opens them; an older
// confab refuses a newer store.
constexpr std::uint32_t schema_version = 2;
constexpr std::string_view schema_version_key = "schema_version";

}  // namespace

std::string_view name_of(family f) noexcept {
    return family_names[static_cast<std::size_t>(f)];
}

void column_families::adopt(rocksdb::ColumnFamilyHandle* handle) {
    owned_.emplace_back(handle);
    for (std::size_t i = 0; i < family_count; ++i) {
        if (handle->GetName() == family_names[i]) ours_[i] = handle;
    }
}

rocksdb::ColumnFamilyHandle* column_families::find(family f) const noexcept {
    return ours_[static_cast<std::size_t>(f)];
}

std::vector<rocksdb::ColumnFamilyHandle*> column_families::all() const {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    for (const auto& h : owned_) handles.push_back(h.get());
    return handles;
}

void column_families::clear() noexcept {
    ours_.fill(nullptr);
    owned_.clear();
}

range::range(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, std::string lower, std::string upper,
             const rocksdb::Snapshot* snapshot)
    : lower_(std::move(lower)),
      upper_(std::move(upper)),
      lower_slice_(lower_),
      upper_slice_(upper_) {
    rocksdb::ReadOptions read;
    read.snapshot = snapshot;
    read.iterate_lower_bound = &lower_slice_;
    if (!upper_.empty()) read.iterate_upper_bound = &upper_slice_;
    it_.reset(db.NewIterator(read, cf));
}

}  // namespace detail

namespace {

using detail::family;

[[noreturn]] void fail_open(errc code, const std::string& what) {
    throw std::system_error(make_error_code(code), what);
}

rocksdb::DBOptions database_options() {
    rocksdb::DBOptions o;
    o.create_if_missing = true;
    // All column families share one memtable budget, and the log is recycled once it holds
    // more than this, so memory and disk use stay bounded for a small self-hosted server.
    o.db_write_buffer_size = 64 << 20;
    o.max_total_wal_size = 256 << 20;
    o.keep_log_file_num = 5;
    o.max_log_file_size = 16 << 20;
    return o;
}

rocksdb::ColumnFamilyOptions family_options() {
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = rocksdb::NewLRUCache(32 << 20);  // one cache for all families
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    rocksdb::ColumnFamilyOptions o;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    o.write_buffer_size = 16 << 20;
    return o;
}

}  // namespace

store::impl::impl(options o) : options_(std::move(o)) {
    if (!options_.clock) {
        options_.clock = [] {
            return std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                .count();
        };
    }
    const std::string path = options_.path.string();
    std::error_code ec;
    std::filesystem::create_directories(options_.path, ec);
    if (ec) {
        fail_open(errc::io_error,
                  "cannot create the store directory " + path + ": " + ec.message());
    }

    const rocksdb::DBOptions db_options = database_options();
    const rocksdb::ColumnFamilyOptions cf_options = family_options();

    // RocksDB wants every existing family opened. Ours that are missing (all of them in a new
    // store) are created after the schema check, so that an older confab never changes a
    // newer store; and in one call, which syncs the options file once, not per family.
    std::vector<std::string> names;
    if (!rocksdb::DB::ListColumnFamilies(db_options, path, &names).ok()) {
        names = {rocksdb::kDefaultColumnFamilyName};  // a new store
    }
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names) descriptors.emplace_back(name, cf_options);
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status opened = rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw);
    if (!opened.ok()) {
        fail_open(errc::io_error, "cannot open the store " + path + ": " + opened.ToString());
    }
    db_.reset(raw);
    for (rocksdb::ColumnFamilyHandle* h : handles) families_.adopt(h);

    std::optional<std::uint32_t> version;
    if (cf(family::meta)) {
        auto stored = get(family::meta, detail::schema_version_key);
        if (!stored) fail_open(errc::io_error, "cannot read the schema version of " + path);
        if (*stored) {
            std::uint32_t v = 0;
            const std::string& text = **stored;
            const auto [end, parse_ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (parse_ec != std::errc{} || end != text.data() + text.size()) {
                fail_open(errc::corrupt_record,
                          "the schema version of " + path + " is unreadable: " + text);
            }
            version = v;
        }
    }
    if (version && *version > detail::schema_version) {
        fail_open(errc::newer_schema, "the store " + path + " has schema version " +
                                          std::to_string(*version) + ", newer than this confab's " +
                                          std::to_string(detail::schema_version) +
                                          ": run a newer confab, or point DATA_DIR elsewhere");
    }

    std::vector<std::string> missing;
    for (std::size_t i = 0; i < detail::family_count; ++i) {
        if (!cf(static_cast<family>(i))) missing.emplace_back(detail::family_names[i]);
    }
    if (!missing.empty()) {
        handles.clear();
        const rocksdb::Status created = db_->CreateColumnFamilies(cf_options, missing, &handles);
        for (rocksdb::ColumnFamilyHandle* h : handles) families_.adopt(h);
        if (!created.ok()) {
            fail_open(errc::io_error,
                      "cannot create column families in " + path + ": " + created.ToString());
        }
    }
    if (version == 1u) {
        if (migrate_schema_1(detail::schema_version_key)) {
            fail_open(errc::io_error, "cannot migrate the store " + path + " to schema version " +
                                          std::to_string(detail::schema_version));
        }
    }
    if (!version) {
        rocksdb::WriteOptions sync;
        sync.sync = true;
        const rocksdb::Status put = db_->Put(sync, cf(family::meta), detail::schema_version_key,
                                             std::to_string(detail::schema_version));
        if (!put.ok()) {
            fail_open(errc::io_error,
                      "cannot write the schema version of " + path + ": " + put.ToString());
        }
    }
}

std::error_code store::impl::close() {
    rocksdb::Status s = db_->Flush(rocksdb::FlushOptions{}, families_.all());
    if (s.ok()) s = db_->SyncWAL();
    families_.clear();
    const rocksdb::Status closed = db_->Close();
    if (s.ok()) s = closed;
    db_.reset();
    return s.ok() ? std::error_code{} : fail(s);
}

std::error_code store::impl::fail(const rocksdb::Status& s) const {
    if (options_.log_error) options_.log_error("RocksDB: " + s.ToString());
    return errc::io_error;
}

std::error_code store::impl::corrupt(family f, std::string_view key) const {
    if (options_.log_error) {
        std::string hex;
        for (unsigned char c : key) {
            static constexpr char digits[] = "0123456789abcdef";
            hex += digits[c >> 4];
            hex += digits[c & 0xf];
        }
        options_.log_error("undecodable record in " + std::string(detail::name_of(f)) +
                           " under key " + hex);
    }
    return errc::corrupt_record;
}

result<std::optional<std::string>> store::impl::get(family f, std::string_view key,
                                                    const rocksdb::Snapshot* snapshot) const {
    rocksdb::ReadOptions read;
    read.snapshot = snapshot;
    std::string value;
    const rocksdb::Status s = db_->Get(read, cf(f), key, &value);
    if (s.IsNotFound()) return std::optional<std::string>{};
    if (!s.ok()) return fail(s);
    return std::optional<std::string>{std::move(value)};
}

detail::range store::impl::scan(family f, std::string lower, std::string upper,
                                const rocksdb::Snapshot* snapshot) const {
    return detail::range(*db_, cf(f), std::move(lower), std::move(upper), snapshot);
}

detail::range store::impl::scan_prefix(family f, std::string_view prefix,
                                       const rocksdb::Snapshot* snapshot) const {
    return scan(f, std::string(prefix), detail::prefix_end(prefix), snapshot);
}

result<std::size_t> store::impl::count_prefix(family f, std::string_view prefix) const {
    auto it = scan_prefix(f, prefix);
    std::size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    if (auto ec = finish(it)) return ec;
    return n;
}

std::error_code store::impl::finish(const detail::range& r) const {
    const rocksdb::Status s = r->status();
    return s.ok() ? std::error_code{} : fail(s);
}

namespace {

// Where calls on this thread record what must be synced, when a deferred_sync is alive.
thread_local deferred_sync::positions* deferred = nullptr;

}  // namespace

result<std::uint64_t> store::impl::write(rocksdb::WriteBatch& batch) {
    // Never fsync here: the caller still holds its locks. make_durable syncs after.
    const std::lock_guard in_log_order(write_order_);
    const rocksdb::Status s = db_->Write(rocksdb::WriteOptions{}, &batch);
    if (!s.ok()) return fail(s);
    const std::uint64_t sequence = db_->GetLatestSequenceNumber();
    if (deferred && deferred->first == 0) {
        deferred->first = sequence;
        if (deferred->listener) deferred->listener->first_write(sequence);
    }
    return sequence;
}

deferred_sync::deferred_sync(write_listener* listener) noexcept : previous_(deferred) {
    at_.listener = listener;
    deferred = &at_;
}

deferred_sync::~deferred_sync() {
    deferred = previous_;
}

std::error_code store::sync_through(std::uint64_t sequence) {
    return impl_->sync_now(sequence);
}

std::error_code store::impl::make_durable(std::uint64_t sequence) {
    if (options_.durability == durability::async) return {};
    if (deferred) {
        deferred->through = std::max(deferred->through, sequence);
        return {};
    }
    return sync_now(sequence);
}

std::error_code store::impl::sync_now(std::uint64_t sequence) {
    if (options_.durability == durability::async) return {};
    const rocksdb::Status s = syncer_.sync_through(*db_, sequence);
    return s.ok() ? std::error_code{} : fail(s);
}

std::error_code store::impl::commit(rocksdb::WriteBatch& batch, detail::key_locks::guard& lock) {
    auto sequence = write(batch);
    if (!sequence) return sequence.error();
    lock.unlock();
    return make_durable(*sequence);
}

std::error_code store::impl::make_visible_durable() {
    return make_durable(db_->GetLatestSequenceNumber());
}

std::optional<durability> parse_durability(std::string_view s) noexcept {
    if (s == "sync") return durability::sync;
    if (s == "async") return durability::async;
    return std::nullopt;
}

store::store(options o) : impl_(std::make_unique<impl>(std::move(o))) {}

store::~store() {
    if (impl_) impl_->close();
}

std::error_code store::close() {
    if (!impl_) return {};
    const std::error_code ec = impl_->close();
    impl_.reset();
    return ec;
}

}  // namespace confab::db
