#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test twice: a plain build and one with
# AddressSanitizer + UndefinedBehaviorSanitizer; then fuzzes each libFuzzer target for a bounded
# time (FUZZ_SECONDS, default 30) and runs the threaded unit tests under ThreadSanitizer.
# Ends with "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

passed=0
failed=0
# run_suite build-dir label [scripts/build.sh args: cmake args, --target NAME...]
# With CTEST_REGEX set, runs only the tests it matches (ctest -R).
run_suite() {
    local dir=$1 label=$2
    shift 2
    echo "=== $label: build ($dir)"
    if ! bash scripts/build.sh "$dir" "$@"; then
        echo "=== $label: BUILD FAILED"
        failed=$((failed + 1))
        return
    fi
    echo "=== $label: tests"
    local log="$dir/ctest.log"
    local filter=()
    if [ -n "${CTEST_REGEX:-}" ]; then filter=(-R "$CTEST_REGEX"); fi
    ctest --test-dir "$dir" --output-on-failure -j 2 --timeout 900 "${filter[@]}" 2>&1 | tee "$log"
    local line total bad
    line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
    if [ -z "$line" ]; then
        echo "=== $label: ctest printed no summary"
        failed=$((failed + 1))
        return
    fi
    bad=$(sed -E 's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
    passed=$((passed + total - bad))
    failed=$((failed + bad))
}

run_suite build "plain build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite build-asan "ASan+UBSan build" -DCONFAB_SANITIZE=ON

# libFuzzer (with ASan+UBSan, coverage in the code under test): only the fuzz targets and their
# replays are built; fuzz_<target> fuzzes each for FUZZ_SECONDS (test/fuzz/CMakeLists.txt).
rm -f build-fuzz/Testing/Temporary/LastTest.log
CTEST_REGEX='^fuzz_' run_suite build-fuzz "fuzzing (libFuzzer, bounded)" -DCONFAB_FUZZ=ON \
    -DCONFAB_SANITIZE=ON -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link --target fuzz_tests
if [ -f build-fuzz/Testing/Temporary/LastTest.log ]; then
    echo "=== fuzzing: executions per target"
    grep -hE '^[a-z_]+_fuzz: ' build-fuzz/Testing/Temporary/LastTest.log || true
fi

# ThreadSanitizer on the unit tests that share state between threads: the store's pool and the
# I/O thread (db/async_store, db/detail/wal_syncer, key_locks; core's use of them). Debian's
# RocksDB, libstdc++ and the other libraries are not instrumented: ignore_noninstrumented_modules
# and test/tsan.supp, whose entries match symbolized frames, hence the symbolizer (binutils'
# addr2line when there is no llvm-symbolizer).
tsan_symbolizer=$(command -v llvm-symbolizer-19 || command -v llvm-symbolizer || command -v addr2line || true)
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1"
TSAN_OPTIONS+=":suppressions=$PWD/test/tsan.supp${tsan_symbolizer:+:external_symbolizer_path=$tsan_symbolizer}"
# db_crash/acknowledged_messages_survive_sigkill forks a writer from the threaded test process;
# TSan does not support a child that starts threads after such a fork (it dies, or crashes with
# die_after_fork=0), so that one case runs in the other two builds only.
BOOST_TEST_RUN_FILTERS='!db_crash/acknowledged_messages_survive_sigkill' \
    CTEST_REGEX='^unit_(db|core)$' run_suite build-tsan "ThreadSanitizer (unit_db, unit_core)" \
    -DCONFAB_SANITIZE_THREAD=ON --target unit_db --target unit_core

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
