#include "db/file_descriptor.hpp"
#include "core/auth/secret.hpp"

#include <array>
#include <cerrno>
#include <optional>
#include <system_error>

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include "core/auth/sodium.hpp"
#include "core/common/random_id.hpp"

namespace confab::auth {

namespace {

namespace fs = std::filesystem;

// A secret file bigger than this is not one of ours: better to stop than to sign with it.
constexpr std::size_t max_secret_file_bytes = 4096;

[[noreturn]] void fail(int error, std::string_view what, const fs::path& path) {
    throw std::system_error(error, std::generic_category(),
                            std::string(what) + " " + path.string());
}

using db::file_descriptor;

std::string_view trim(std::string_view s) {
    constexpr std::string_view space = " \t\r\n";
    const std::size_t begin = s.find_first_not_of(space);
    if (begin == s.npos) return {};
    return s.substr(begin, s.find_last_not_of(space) - begin + 1);
}

// nullopt when the file does not exist.
std::optional<std::string> read_secret(const fs::path& file) {
    const file_descriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return std::nullopt;
        fail(errno, "cannot open JWT secret file", file);
    }
    std::string text;
    std::array<char, 1024> chunk;
    for (;;) {
        const ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(errno, "cannot read JWT secret file", file);
        }
        text.append(chunk.data(), static_cast<std::size_t>(n));
        if (text.size() > max_secret_file_bytes) fail(EFBIG, "JWT secret file too large:", file);
    }
    const std::string_view secret = trim(text);
    if (secret.empty()) fail(EINVAL, "JWT secret file is empty:", file);
    return std::string(secret);
}

void write_all(int fd, std::string_view data, const fs::path& file) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(errno, "cannot write", file);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Makes a new directory entry survive a power cut.
void sync_directory(const fs::path& dir) {
    const file_descriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) fail(errno, "cannot sync directory", dir);
}

std::string random_secret() {
    init_sodium();
    std::array<unsigned char, 32> key;
    randombytes_buf(key.data(), key.size());
    std::array<char, 2 * key.size() + 1> hex;
    sodium_bin2hex(hex.data(), hex.size(), key.data(), key.size());
    sodium_memzero(key.data(), key.size());
    return std::string(hex.data(), 2 * key.size());
}

// Removes the temporary file whichever way publish() ends; it holds the secret.
struct remove_on_exit {
    const fs::path& path;
    ~remove_on_exit() { ::unlink(path.c_str()); }
};

// Writes the secret under a unique temporary name, then link()s it into place. Unlike rename(),
// link() never replaces a secret that another process put there meanwhile: false then.
bool publish(const fs::path& file, std::string_view secret) {
    const fs::path temp = fs::path(file).concat("." + random_id() + ".tmp");
    const file_descriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) fail(errno, "cannot create", temp);
    const remove_on_exit cleanup{temp};
    write_all(fd.get(), secret, temp);
    if (::fsync(fd.get()) != 0) fail(errno, "cannot sync", temp);
    if (::link(temp.c_str(), file.c_str()) != 0) {
        if (errno == EEXIST) return false;
        fail(errno, "cannot create JWT secret file", file);
    }
    sync_directory(file.parent_path());
    return true;
}

}  // namespace

std::string load_or_create_secret(const fs::path& data_dir) {
    const fs::path dir = data_dir.empty() ? fs::path(".") : data_dir;
    const fs::path file = dir / secret_file_name;
    if (auto existing = read_secret(file)) return std::move(*existing);

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::system_error(ec, "cannot create data directory " + dir.string());
    std::string secret = random_secret();
    if (publish(file, secret)) return secret;
    if (auto theirs = read_secret(file)) return std::move(*theirs);
    fail(ENOENT, "JWT secret file vanished while being created:", file);
}

}  // namespace confab::auth
