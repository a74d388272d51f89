#include "app/ops/version.hpp"

#include <fmt/core.h>
#include <sodium/version.h>
#ifdef CONFAB_WITH_OPENSSL
#include <openssl/opensslv.h>
#endif
#include <boost/version.hpp>

#include "app/ops/build_info.hpp"
#include "app/ops/git_commit.hpp"
#include "db/backup.hpp"

namespace confab::ops {

const char* version() {
    return build::version;
}

std::string version_text() {
    std::string linking = build::static_link ? "static (only glibc is shared)" : "dynamic";
    if (build::sanitized) linking += ", AddressSanitizer + UndefinedBehaviorSanitizer";
#ifdef FMT_HEADER_ONLY
    constexpr const char* fmt_kind = " (header-only)";
#else
    constexpr const char* fmt_kind = "";
#endif
#ifdef CONFAB_WITH_OPENSSL
    const std::string openssl = std::string(", OpenSSL ") + OPENSSL_VERSION_STR;
#else
    const std::string openssl;
#endif
    return fmt::format(
        "confab {}\n"
        "commit:    {}\n"
        "build:     {}, {}, {}\n"
        "libraries: Boost {}.{}.{}, RocksDB {}, fmt {}.{}.{}{}, libsodium {}{}\n",
        build::version, CONFAB_GIT_COMMIT, build::build_type, build::compiler, linking,
        BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100,
        db::rocksdb_version(), FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100,
        fmt_kind, SODIUM_VERSION_STRING, openssl);
}

}  // namespace confab::ops
