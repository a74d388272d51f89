#include "db/file_descriptor.hpp"
#include "db/backup.hpp"

#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/version.h>

#include "db/error.hpp"

namespace confab::db {

namespace {

namespace fs = std::filesystem;

void tell(const log_fn& log, const std::string& what) {
    if (log) log(what);
}

std::error_code rocksdb_failed(const log_fn& log, const std::string& what,
                               const rocksdb::Status& s) {
    tell(log, what + ": " + s.ToString());
    return make_error_code(errc::io_error);
}

// A database with every one of its column families open, closed in the right order: the
// handles before the database.
struct open_db {
    std::unique_ptr<rocksdb::DB> db;
    std::vector<std::unique_ptr<rocksdb::ColumnFamilyHandle>> handles;

    open_db() = default;
    open_db(const open_db&) = delete;
    open_db& operator=(const open_db&) = delete;
    ~open_db() {
        handles.clear();
        if (db) db->Close().PermitUncheckedError();
    }
};

rocksdb::Status list_families(const fs::path& dir,
                              std::vector<rocksdb::ColumnFamilyDescriptor>& out) {
    std::vector<std::string> names;
    const rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions{}, dir, &names);
    if (!s.ok()) return s;
    out.clear();
    for (const std::string& name : names) out.emplace_back(name, rocksdb::ColumnFamilyOptions{});
    return s;
}

void adopt(open_db& into, rocksdb::DB* raw,
           const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
    into.db.reset(raw);
    for (auto* h : handles) into.handles.emplace_back(h);
}

// RocksDB's info log, discarded: without one, opening a directory writes a LOG file into it,
// and neither a backup nor the store it came from should change by being looked at.
class no_info_log final : public rocksdb::Logger {
  public:
    using rocksdb::Logger::Logv;
    void Logv(const char*, va_list) override {}
};

rocksdb::DBOptions quiet_options() {
    rocksdb::DBOptions options;
    options.info_log = std::make_shared<no_info_log>();
    // Opens every table file at once (and keeps it open): a missing one shows now, and a
    // secondary can still read a file the primary deletes after a compaction (RocksDB
    // requires this of secondaries).
    options.max_open_files = -1;
    return options;
}

// Opens `dir` read-only, replaying its log, which is what a store will do with it: this fails
// when a file the MANIFEST names is missing.
rocksdb::Status verify_openable(const fs::path& dir) {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    rocksdb::Status s = list_families(dir, families);
    if (!s.ok()) return s;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    s = rocksdb::DB::OpenForReadOnly(quiet_options(), dir, families, &handles, &raw);
    if (!s.ok()) return s;
    open_db db;
    adopt(db, raw, handles);
    return rocksdb::Status::OK();
}

// A private temporary directory, removed when this goes away.
class temp_dir {
  public:
    explicit temp_dir(std::error_code& ec) {
        std::string pattern = (fs::temp_directory_path(ec) / "confab-backup-XXXXXX").string();
        if (ec) return;
        if (::mkdtemp(pattern.data()) == nullptr) {
            ec.assign(errno, std::generic_category());
            return;
        }
        path_ = pattern;
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ignored;
        if (!path_.empty()) fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

// One attempt: a checkpoint of what the secondary sees now.
rocksdb::Status checkpoint_once(rocksdb::DB& secondary, const fs::path& out_dir) {
    rocksdb::Status s = secondary.TryCatchUpWithPrimary();
    if (!s.ok()) return s;
    rocksdb::Checkpoint* raw = nullptr;
    s = rocksdb::Checkpoint::Create(&secondary, &raw);
    if (!s.ok()) return s;
    const std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    // A secondary cannot flush its memtables: the checkpoint takes the log instead (a
    // log_size_for_flush of "never"). With 0, RocksDB waits for a flush that never comes.
    return checkpoint->CreateCheckpoint(out_dir, std::numeric_limits<std::uint64_t>::max());
}

// Holds the store's LOCK the way RocksDB does (a POSIX write lock on the whole file), so no
// server opens the store while it is replaced. busy() when another process has it.
class store_lock {
  public:
    store_lock(const fs::path& db_dir, std::error_code& ec)
        : fd_(::open((db_dir / "LOCK").c_str(), O_RDWR | O_CLOEXEC)) {
        if (fd_.get() < 0) {
            if (errno != ENOENT) ec.assign(errno, std::generic_category());
            return;  // no lock file: no store, or one no process ever opened
        }
        struct flock f {};
        f.l_type = F_WRLCK;
        f.l_whence = SEEK_SET;
        if (::fcntl(fd_.get(), F_SETLK, &f) == 0) return;
        if (errno == EACCES || errno == EAGAIN) {
            busy_ = true;
        } else {
            ec.assign(errno, std::generic_category());
        }
    }
    bool busy() const { return busy_; }
    // Closing the descriptor releases the lock.

  private:
    file_descriptor fd_;
    bool busy_ = false;
};

std::error_code sync_path(const fs::path& path, int flags) {
    const file_descriptor fd(::open(path.c_str(), flags | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) return {errno, std::generic_category()};
    return {};
}

// Copies the directory tree `from` to `to` (which must not exist), syncing every file and
// directory so that the copy is on disk before it replaces anything.
std::error_code copy_synced(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::create_directory(to, ec);
    if (ec) return ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(from, ec)) {
        const fs::path target = to / entry.path().filename();
        if (entry.is_directory(ec)) {
            ec = copy_synced(entry.path(), target);
        } else if (!ec) {
            fs::copy_file(entry.path(), target, ec);
            if (!ec) ec = sync_path(target, O_RDONLY);
        }
        if (ec) return ec;
    }
    if (ec) return ec;
    return sync_path(to, O_RDONLY | O_DIRECTORY);
}

}  // namespace

std::error_code backup_store(const fs::path& db_dir, const fs::path& out_dir, const log_fn& log) {
    std::error_code ec;
    if (!fs::exists(db_dir / "CURRENT", ec)) {
        tell(log, "no store in " + db_dir.string());
        return ec ? ec : std::make_error_code(std::errc::no_such_file_or_directory);
    }
    if (fs::exists(out_dir, ec) || ec) {
        return ec ? ec : std::make_error_code(std::errc::file_exists);
    }
    if (const fs::path parent = out_dir.parent_path();
        !parent.empty() && !fs::is_directory(parent, ec)) {
        tell(log, "no directory " + parent.string());
        return ec ? ec : std::make_error_code(std::errc::no_such_file_or_directory);
    }
    // A secondary instance needs a directory of its own (for its info log, here discarded).
    temp_dir scratch(ec);
    if (ec) {
        tell(log, "cannot create a temporary directory: " + ec.message());
        return ec;
    }

    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    rocksdb::Status s = list_families(db_dir, families);
    if (!s.ok()) return rocksdb_failed(log, "cannot read the store " + db_dir.string(), s);
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    s = rocksdb::DB::OpenAsSecondary(quiet_options(), db_dir, scratch.path(), families, &handles,
                                     &raw);
    if (!s.ok()) return rocksdb_failed(log, "cannot open the store " + db_dir.string(), s);
    open_db secondary;
    adopt(secondary, raw, handles);

    // The primary keeps flushing and compacting: between the catch-up and the copy it can
    // delete a table file the secondary lists (the link fails) or add one to the MANIFEST
    // that the copy lacks (the copy does not open). Either way the copy is thrown away and
    // taken again from a fresh catch-up; a quiet moment of a few milliseconds is enough.
    constexpr int attempts = 10;
    for (int attempt = 1;; ++attempt) {
        s = checkpoint_once(*secondary.db, out_dir);
        if (s.ok()) s = verify_openable(out_dir);
        if (s.ok()) return {};
        fs::remove_all(out_dir, ec);
        if (attempt == attempts) {
            return rocksdb_failed(log,
                                  "cannot take a consistent copy of " + db_dir.string() + " in " +
                                      std::to_string(attempts) + " attempts",
                                  s);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt));
    }
}

bool store_in_use(const fs::path& db_dir) {
    std::error_code ec;
    const store_lock lock(db_dir, ec);
    if (ec) throw std::system_error(ec, "cannot check the lock of " + db_dir.string());
    return lock.busy();
}

std::error_code restore_store(const fs::path& backup_db_dir, const fs::path& db_dir,
                              fs::path* set_aside, const log_fn& log) {
    if (set_aside) set_aside->clear();
    std::error_code ec;
    const store_lock lock(db_dir, ec);
    if (ec) {
        tell(log, "cannot check the lock of " + db_dir.string() + ": " + ec.message());
        return ec;
    }
    if (lock.busy()) {
        tell(log, "the store " + db_dir.string() + " is open in another process");
        return std::make_error_code(std::errc::device_or_resource_busy);
    }
    if (!fs::exists(backup_db_dir / "CURRENT", ec)) {
        tell(log, "no backup in " + backup_db_dir.string());
        return ec ? ec : std::make_error_code(std::errc::no_such_file_or_directory);
    }
    // Copy beside the target (same file system, so the final step is a rename), then swap.
    fs::path staging = db_dir;
    staging += ".restoring";
    fs::remove_all(staging, ec);
    if (!ec) ec = copy_synced(backup_db_dir, staging);
    if (ec) {
        tell(log, "cannot copy " + backup_db_dir.string() + " to " + staging.string() + ": " +
                      ec.message());
        std::error_code ignored;
        fs::remove_all(staging, ignored);
        return make_error_code(errc::io_error);
    }
    if (const rocksdb::Status s = verify_openable(staging); !s.ok()) {
        fs::remove_all(staging, ec);
        return rocksdb_failed(log, "the backup " + backup_db_dir.string() + " does not open", s);
    }
    if (fs::exists(db_dir, ec)) {
        fs::path old = db_dir;
        old += ".before-restore-" + utc_now("%Y%m%dT%H%M%SZ");
        fs::rename(db_dir, old, ec);
        if (ec) {
            tell(log, "cannot move " + db_dir.string() + " aside: " + ec.message());
            return make_error_code(errc::io_error);
        }
        if (set_aside) *set_aside = old;
    }
    fs::rename(staging, db_dir, ec);
    if (!ec)
        ec = sync_path(db_dir.parent_path().empty() ? "." : db_dir.parent_path(),
                       O_RDONLY | O_DIRECTORY);
    if (ec) {
        tell(log,
             "cannot move " + staging.string() + " to " + db_dir.string() + ": " + ec.message());
        return make_error_code(errc::io_error);
    }
    return {};
}

std::string utc_now(const char* format) {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char text[64];
    const std::size_t n = std::strftime(text, sizeof text, format, &tm);
    return std::string(text, n);
}

std::string rocksdb_version() {
    return rocksdb::GetRocksVersionAsString(true);
}

}  // namespace confab::db
