#pragma once
// `confab backup DIR` and `confab restore DIR`.
//
// A backup directory holds:
//   DIR/db/            a RocksDB checkpoint of DATA_DIR/db (db/backup.hpp)
//   DIR/jwt_secret     a copy of DATA_DIR/jwt_secret, when the server generated one, so that
//                      the tokens it signed stay valid after a restore
//   DIR/confab-backup  what made it and when (informative)
#include <filesystem>
#include <ostream>

#include "app/config/settings.hpp"

namespace confab::ops {

// Copies the store of s.data_dir (the server may be running) to `dir`, which must not exist
// or be empty, and the generated JWT secret. Reports to `out`, errors to `err`; returns the
// process exit status (0 on success).
int backup(const config::settings& s, const std::filesystem::path& dir, std::ostream& out,
           std::ostream& err);

// Puts the backup in `dir` in place as s.data_dir's store (and JWT secret), keeping the
// store it replaces beside it. Refuses while a server has the store open. When run as root,
// the restored files are given to the owner of s.data_dir (the service's user). Returns the
// process exit status.
int restore(const config::settings& s, const std::filesystem::path& dir, std::ostream& out,
            std::ostream& err);

}  // namespace confab::ops
