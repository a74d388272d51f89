#pragma once
// Online backup and offline restore of the store's RocksDB directory (DATA_DIR/db).
//
// A backup works while a confab server has the store open: two processes cannot open one
// RocksDB database for writing, so backup_store opens it as a *secondary* instance (read
// only, no lock), catches up with the primary's MANIFEST and write-ahead log, and takes a
// RocksDB checkpoint of that state: table files hard-linked (copied across file systems),
// the MANIFEST and the live log copied. The result is a complete database directory that a
// store opens as is, consistent at one point in the write stream (a WriteBatch is in it
// entirely or not at all).
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

namespace confab::db {

// Told the details of a failure (RocksDB's reason, the path) that the error_code cannot carry.
using log_fn = std::function<void(std::string_view)>;

// Writes a consistent copy of the store in `db_dir` to `out_dir`, which must not exist
// (its parent must). Works whether or not a server has the store open. The copy is verified
// by opening it read-only, and retaken when the server changed files under it.
// Errors: std::errc::no_such_file_or_directory (no store in db_dir), std::errc::file_exists
// (out_dir exists), db::errc::io_error (RocksDB failed; `log` has the reason).
std::error_code backup_store(const std::filesystem::path& db_dir,
                             const std::filesystem::path& out_dir, const log_fn& log = {});

// Whether a process holds the lock of the store in `db_dir` (i.e. a server has it open).
// False when there is no store there. Throws std::system_error when the lock file exists but
// cannot be opened. Not for a process that has the store open itself: POSIX locks belong to
// the process, so the check would succeed, and closing its descriptor would drop the lock.
bool store_in_use(const std::filesystem::path& db_dir);

// Puts the store backed up in `backup_db_dir` (a directory written by backup_store) in place
// as `db_dir`, which need not exist (its parent must). The backup is copied beside db_dir
// and the copy checked by opening it (the backup stays usable); a store already in db_dir is
// renamed to `<db_dir>.before-restore-<UTC time>`, its new name stored in `*set_aside` (left
// empty when there was none). Same caveat as store_in_use.
// Errors: std::errc::device_or_resource_busy when a server has db_dir open (its lock is
// checked, and held while the old store is moved aside), std::errc::no_such_file_or_directory
// when backup_db_dir has no store, db::errc::io_error when the copy does not open (`log`
// says why) or a copy or rename fails.
std::error_code restore_store(const std::filesystem::path& backup_db_dir,
                              const std::filesystem::path& db_dir,
                              std::filesystem::path* set_aside = nullptr, const log_fn& log = {});

// The current UTC time as strftime writes it with `format`: what backups note and restores
// name set-aside copies with (e.g. "%Y%m%dT%H%M%SZ").
std::string utc_now(const char* format);

// "7.8.3": the RocksDB this binary is linked with (for `confab --version`).
std::string rocksdb_version();

}  // namespace confab::db
