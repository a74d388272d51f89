#!/usr/bin/env bash
# Builds the release: confab linked statically (CONFAB_STATIC: only glibc stays shared) in
# build-release/, checks with ldd that it needs nothing else, and packages it:
#   build-release/confab_<version>_amd64.deb
#   build-release/confab-<version>.x86_64.rpm   (when rpmbuild is installed: apt-get install rpm)
# Usage: packaging/build-release.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-release}

bash scripts/setup.sh

cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 \
    -DCMAKE_BUILD_TYPE=Release -DCONFAB_STATIC=ON
cmake --build "$build" --target confab

# Only the C library, its loader and the kernel's vDSO may remain.
binary="$build/app/confab"
shared=$(ldd "$binary" | awk '{print $1}')
unexpected=$(grep -vE '^(linux-vdso\.so\.1|/lib64/ld-linux-x86-64\.so\.2|lib(c|m|pthread|dl|rt)\.so\.[0-9.]+)$' \
    <<<"$shared" || true)
if [ -n "$unexpected" ]; then
    echo "build-release: $binary still needs shared libraries besides glibc:" >&2
    echo "$unexpected" >&2
    exit 1
fi
echo "build-release: $binary needs only glibc:"
ldd "$binary"
"$binary" --version

generators=DEB
if command -v rpmbuild >/dev/null; then
    generators="DEB;RPM"
else
    echo "build-release: rpmbuild not found (apt-get install rpm): building the .deb only" >&2
fi
(cd "$build" && cpack -G "$generators")
ls -l "$build"/confab*.deb "$build"/confab*.rpm 2>/dev/null || true
