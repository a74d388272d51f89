#!/usr/bin/env bash
# Builds the libFuzzer targets (in their own build directory, configured when missing) and runs
# each for a bounded time, printing how many inputs each executed.
#
#   test/fuzz/run.sh [target...]          # default: every target
#
# Environment:
#   FUZZ_SECONDS    time per target in seconds (default 60)
#   FUZZ_BUILD_DIR  build directory (default <repo>/build-fuzz)
#   FUZZ_CXX        compiler for a new build directory (default clang++-19)
#
# Each target's growing corpus lives in $FUZZ_BUILD_DIR/fuzz-work/<target>/corpus (the checked-in
# seeds in test/fuzz/corpus/<target> are read, never written), so repeated runs build on each
# other. A crash leaves crash-<sha1> in $FUZZ_BUILD_DIR/fuzz-work/<target>/ and makes the script
# exit 1 after the other targets ran; copy it to test/fuzz/regressions/<target>-<n>.bin.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD_DIR:-$repo/build-fuzz}
cxx=${FUZZ_CXX:-clang++-19}

all_targets=(eio_packet_fuzz eio_payload_fuzz sio_decoder_fuzz ws_frame_fuzz jwt_fuzz
    event_payload_fuzz)
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then targets=("${all_targets[@]}"); fi

if [[ ! -f "$build/CMakeCache.txt" ]]; then
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCONFAB_FUZZ=ON \
        -DCONFAB_SANITIZE=ON -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link
fi
cmake --build "$build" --target "${targets[@]}"

# Leaks are reported at exit by the replay tests' ASan build; here they would only stop a run
# on the store's process-wide objects.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]]; then
    symbolizer=$(command -v llvm-symbolizer-19 || command -v llvm-symbolizer || true)
    if [[ -n $symbolizer ]]; then export ASAN_SYMBOLIZER_PATH=$symbolizer; fi
fi

failed=()
summary=()
for target in "${targets[@]}"; do
    work="$build/fuzz-work/$target"
    mkdir -p "$work/corpus"
    log="$work/last-run.log"
    echo "== $target: fuzzing for ${seconds}s (log: $log)"
    status=0
    "$build/test/fuzz/$target" "$work/corpus" "$here/corpus/$target" \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$work/" >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    runs=${runs:-?}
    if [[ $status -eq 0 ]]; then
        summary+=("$target: $runs executions in ${seconds}s, clean")
    else
        failed+=("$target")
        summary+=("$target: FAILED after $runs executions (exit $status)")
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*fuzz invariant failed|.*runtime error|    #[0-9]+ )' \
            "$log" || tail -n 30 "$log"
        # CI may not keep the files: the input itself goes into the log.
        sed -n 's/.*Test unit written to //p' "$log" | while read -r artifact; do
            echo "input $artifact (base64):"
            { base64 -w0 "$artifact" | head -c 20000; } || true
            echo
        done
    fi
    echo "${summary[-1]}"
done

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -ne 0 ]]; then
    echo "crashes in: ${failed[*]} (inputs in $build/fuzz-work/<target>/crash-*)"
    exit 1
fi
