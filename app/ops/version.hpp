#pragma once
// `confab --version`.
#include <string>

namespace confab::ops {

// "0.1.0", the CMake project version.
const char* version();

// The --version text: the version, then the commit, the build and the libraries, e.g.
//   confab 0.1.0
//   commit:    3f2a1b9c0d1e
//   build:     Release, Clang 19.1.7, static (only glibc is shared)
//   libraries: Boost 1.81.0, RocksDB 7.8.3, fmt 9.1.0 (header-only), libsodium 1.0.18,
//              OpenSSL 3.0.19
std::string version_text();

}  // namespace confab::ops
