#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test twice: a plain build and one with
# AddressSanitizer + UndefinedBehaviorSanitizer. Ends with "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

passed=0
failed=0
run_suite() {  # build-dir label [cmake args...]
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
    ctest --test-dir "$dir" --output-on-failure -j 2 --timeout 900 2>&1 | tee "$log"
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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
