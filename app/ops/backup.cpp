#include "db/file_descriptor.hpp"
#include "app/ops/backup.hpp"

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "app/ops/version.hpp"
#include "core/auth/secret.hpp"
#include "db/backup.hpp"

namespace confab::ops {

namespace {

namespace fs = std::filesystem;

constexpr const char* store_dir_name = "db";  // DATA_DIR/db, as the server opens it
constexpr const char* info_file_name = "confab-backup";

using db::file_descriptor;

std::error_code last_error() {
    return {errno, std::generic_category()};
}

std::optional<std::string> read_small_file(const fs::path& path, std::error_code& ec) {
    const file_descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        ec = last_error();
        return std::nullopt;
    }
    std::string text;
    char chunk[4096];
    for (;;) {
        const ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
        if (n == 0) return text;
        if (n < 0) {
            if (errno == EINTR) continue;
            ec = last_error();
            return std::nullopt;
        }
        text.append(chunk, static_cast<std::size_t>(n));
        if (text.size() > (1 << 20)) {
            ec = std::make_error_code(std::errc::file_too_large);
            return std::nullopt;
        }
    }
}

std::error_code sync_dir(const fs::path& dir) {
    const file_descriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) return last_error();
    return {};
}

// Writes `path` atomically with `mode`: a reader sees the old file or the whole new one.
std::error_code write_file(const fs::path& path, const std::string& text, mode_t mode) {
    fs::path temp = path;
    temp += ".tmp";
    ::unlink(temp.c_str());
    {
        const file_descriptor fd(
            ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
        if (fd.get() < 0) return last_error();
        std::string_view rest = text;
        while (!rest.empty()) {
            const ssize_t n = ::write(fd.get(), rest.data(), rest.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                return last_error();
            }
            rest.remove_prefix(static_cast<std::size_t>(n));
        }
        if (::fsync(fd.get()) != 0) return last_error();
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) return last_error();
    return sync_dir(path.parent_path().empty() ? fs::path(".") : path.parent_path());
}

std::uintmax_t tree_size(const fs::path& dir) {
    std::uintmax_t total = 0;
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
        if (entry.is_regular_file(ec)) total += entry.file_size(ec);
    }
    return total;
}

std::string human_size(std::uintmax_t bytes) {
    if (bytes < 10 * 1024) return fmt::format("{} bytes", bytes);
    if (bytes < 10 * 1024 * 1024) return fmt::format("{} KiB", bytes / 1024);
    return fmt::format("{} MiB", bytes / (1024 * 1024));
}

// Gives `path` (and everything under it) to `uid`:`gid`.
std::error_code chown_tree(const fs::path& path, uid_t uid, gid_t gid) {
    if (::lchown(path.c_str(), uid, gid) != 0) return last_error();
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(path, ec))) return ec;
    for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
        if (::lchown(entry.path().c_str(), uid, gid) != 0) return last_error();
    }
    return ec;
}

}  // namespace

int backup(const config::settings& s, const fs::path& dir, std::ostream& out, std::ostream& err) {
    const fs::path data_dir = s.data_dir;
    const fs::path store = data_dir / store_dir_name;
    std::error_code ec;
    if (!fs::exists(store / "CURRENT", ec)) {
        err << "confab: backup: there is no store in " << store.string()
            << " (is DATA_DIR right? it is " << data_dir.string()
            << "; pass --data-dir or --config)\n";
        return 1;
    }

    // The backup holds password hashes and maybe the JWT secret: only its owner reads it.
    bool created = false;
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec)) {
            err << "confab: backup: " << dir.string()
                << " already exists and is not an empty directory; choose a new one\n";
            return 1;
        }
    } else {
        fs::create_directories(dir, ec);
        if (ec) {
            err << "confab: backup: cannot create " << dir.string() << ": " << ec.message() << "\n";
            return 1;
        }
        created = true;
    }
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    const auto give_up = [&](const std::string& what) {
        err << "confab: backup: " << what << "\n";
        std::error_code ignored;
        if (created) {
            fs::remove_all(dir, ignored);
        } else {
            for (const auto& entry : fs::directory_iterator(dir, ignored))
                fs::remove_all(entry.path(), ignored);
        }
        return 1;
    };

    std::string reason;
    ec = db::backup_store(store, dir / store_dir_name,
                          [&](std::string_view what) { reason = std::string(what); });
    if (ec) {
        return give_up(fmt::format("cannot copy the store {}: {}{}", store.string(), ec.message(),
                                   reason.empty() ? "" : " (" + reason + ")"));
    }

    const fs::path secret = data_dir / auth::secret_file_name;
    bool secret_copied = false;
    if (fs::exists(secret, ec)) {
        const auto text = read_small_file(secret, ec);
        if (!ec) ec = write_file(dir / auth::secret_file_name, *text, 0600);
        if (ec) {
            return give_up(fmt::format("cannot copy {}: {}", secret.string(), ec.message()));
        }
        secret_copied = true;
    }
    ec = write_file(dir / info_file_name,
                    fmt::format("confab {} backup of {} taken {}\n", version(),
                                fs::absolute(store, ec).string(),
                                db::utc_now("%Y-%m-%dT%H:%M:%SZ")),
                    0600);
    if (ec) return give_up(fmt::format("cannot write {}: {}", info_file_name, ec.message()));
    if (const auto synced = sync_dir(dir)) {
        return give_up(fmt::format("cannot sync {}: {}", dir.string(), synced.message()));
    }

    out << "confab: backed up " << store.string() << " to " << (dir / store_dir_name).string()
        << " (" << human_size(tree_size(dir / store_dir_name)) << ")";
    if (secret_copied) out << ", with the JWT secret";
    out << "\n";
    return 0;
}

int restore(const config::settings& s, const fs::path& dir, std::ostream& out, std::ostream& err) {
    const fs::path data_dir = s.data_dir;
    const fs::path store = data_dir / store_dir_name;
    const fs::path backup_store = dir / store_dir_name;
    std::error_code ec;
    if (!fs::exists(backup_store / "CURRENT", ec)) {
        err << "confab: restore: " << dir.string()
            << " is not a confab backup (it has no db/ directory with a store)\n";
        return 1;
    }
    try {
        if (db::store_in_use(store)) {
            err << "confab: restore: a confab server has the store " << store.string()
                << " open: stop it first (systemctl stop confab), then restore\n";
            return 1;
        }
    } catch (const std::system_error& e) {
        err << "confab: restore: " << e.what() << "\n";
        return 1;
    }
    if (!fs::exists(data_dir, ec)) {
        fs::create_directories(data_dir, ec);
        if (!ec) {
            fs::permissions(data_dir,
                            fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec,
                            fs::perm_options::replace, ec);
        }
        if (ec) {
            err << "confab: restore: cannot create " << data_dir.string() << ": " << ec.message()
                << "\n";
            return 1;
        }
    }

    std::string reason;
    fs::path set_aside;
    ec = db::restore_store(backup_store, store, &set_aside,
                           [&](std::string_view what) { reason = std::string(what); });
    if (ec == std::errc::device_or_resource_busy) {
        err << "confab: restore: a confab server has the store " << store.string()
            << " open: stop it first (systemctl stop confab), then restore\n";
        return 1;
    }
    if (ec) {
        err << "confab: restore: cannot restore " << backup_store.string() << " to "
            << store.string() << ": " << ec.message() << (reason.empty() ? "" : " (" + reason + ")")
            << "\n";
        return 1;
    }

    // The generated JWT secret comes back with the store, so that tokens stay valid.
    const fs::path backup_secret = dir / auth::secret_file_name;
    const fs::path secret = data_dir / auth::secret_file_name;
    fs::path old_secret;
    bool secret_restored = false;
    if (fs::exists(backup_secret, ec)) {
        const auto text = read_small_file(backup_secret, ec);
        if (!ec && fs::exists(secret)) {
            std::error_code read_ec;
            const auto current = read_small_file(secret, read_ec);
            if (read_ec || current != text) {
                old_secret = secret;
                old_secret += ".before-restore-" + db::utc_now("%Y%m%dT%H%M%SZ");
                fs::rename(secret, old_secret, ec);
            }
        }
        if (!ec) ec = write_file(secret, *text, 0600);
        if (ec) {
            err << "confab: restore: the store is restored, but not the JWT secret: cannot copy "
                << backup_secret.string() << " to " << secret.string() << ": " << ec.message()
                << "\n";
            return 1;
        }
        secret_restored = true;
    }

    // Restored by root for a service running as its own user: hand the files over.
    struct stat owner {};
    if (::geteuid() == 0 && ::stat(data_dir.c_str(), &owner) == 0 && owner.st_uid != 0) {
        ec = chown_tree(store, owner.st_uid, owner.st_gid);
        if (!ec && secret_restored) ec = chown_tree(secret, owner.st_uid, owner.st_gid);
        if (ec) {
            err << "confab: restore: cannot give the restored files to the owner of "
                << data_dir.string() << ": " << ec.message() << "\n";
            return 1;
        }
    }

    out << "confab: restored " << backup_store.string() << " to " << store.string();
    if (secret_restored) out << ", with the JWT secret";
    out << "\n";
    if (!set_aside.empty()) {
        out << "confab: the store it replaced is now " << set_aside.string()
            << ": delete it once the restored server works\n";
    }
    if (!old_secret.empty()) {
        out << "confab: the JWT secret it replaced is now " << old_secret.string() << "\n";
    }
    if (!secret_restored && !fs::exists(secret, ec)) {
        out << "confab: the backup has no generated JWT secret (the server had JWT_SECRET set): "
               "keep the same JWT_SECRET for existing tokens to stay valid\n";
    }
    return 0;
}

}  // namespace confab::ops
