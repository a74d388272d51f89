#!/usr/bin/env bash
# Configures and builds one tree: scripts/build.sh <build-dir> [extra cmake args...]
# `--target NAME` (repeatable) builds only those targets instead of everything; the other
# arguments go to cmake when the directory is configured (the first time only).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1
shift
cmake_args=()
targets=()
while [ $# -gt 0 ]; do
    case $1 in
        --target) targets+=("$2"); shift 2 ;;
        --target=*) targets+=("${1#--target=}"); shift ;;
        *) cmake_args+=("$1"); shift ;;
    esac
done
export CCACHE_DIR=${CCACHE_DIR:-$PWD/.cache/ccache}
if [ ! -f "$dir/build.ninja" ]; then
    cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 "${cmake_args[@]}"
fi
if [ ${#targets[@]} -eq 0 ]; then
    cmake --build "$dir" -j "$(nproc)"
else
    cmake --build "$dir" -j "$(nproc)" --target "${targets[@]}"
fi
