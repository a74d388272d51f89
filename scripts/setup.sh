#!/usr/bin/env bash
# Installs everything a fresh Debian 12 machine lacks to build, run and test confab.
# Idempotent: re-running it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    clang-19 lld-19 libclang-rt-19-dev          # g++ 12 miscompiles Asio coroutines
    cmake ninja-build ccache mold pkg-config
    libboost1.81-dev libboost-json1.81-dev libboost-test1.81-dev  # -all-dev lacks json
    librocksdb-dev libfmt-dev libsodium-dev
    libssl-dev                                  # SHA-1 for the WebSocket handshake
    # The static release build (CONFAB_STATIC) links RocksDB's compression libraries'
    # archives; the packaging test unpacks the .deb (dpkg-deb) and cpack computes its Depends.
    libsnappy-dev zlib1g-dev libbz2-dev liblz4-dev libzstd-dev dpkg-dev file
)
# The e2e tests need node and npm; an image with NodeSource's nodejs already has npm
# (and conflicts with Debian's npm package).
command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ -f test/e2e/package-lock.json ]; then
    (cd test/e2e && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; })
fi
