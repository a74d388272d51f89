#!/usr/bin/env bash
# The benchmark: confab and the reference Node server (bench/reference) side by side on this
# machine. Each server runs pinned to CPU 0, the load generator pinned to CPU 1; every
# scenario starts a fresh server. Writes bench/RESULTS.md (and the raw RESULT lines in
# bench/results/).
#
#   bash bench/run.sh              # all standard scenarios
#   QUICK=1 bash bench/run.sh      # smaller numbers, for a smoke run
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/setup.sh
bash scripts/build.sh build >/dev/null
cmake --build build --target loadgen confab >/dev/null
(cd bench/reference && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })

# 50 000 sockets need that many descriptors in each process.
ulimit -Hn 1048576 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"

loadgen=$root/build/bench/loadgen/loadgen
out=$root/bench/results
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.txt "$out"/*.cmd

if [ -n "${QUICK:-}" ]; then
    connect_small=(--sockets 200 --users 20)
    fanout=(--chats 10 --members 10 --rate 200 --seconds 5)
    ramp=(--chats 10 --members 10 --start 500 --step 2x --seconds 3 --max 8000)
    connect_big=(--sockets 2000 --users 200)
else
    connect_small=(--sockets 2000 --users 200)
    fanout=(--chats 50 --members 20 --rate 1000 --seconds 20)
    ramp=(--chats 50 --members 20 --start 1000 --step 2x --seconds 10 --refine 2)
    # Each socket is a descriptor in the server and one in the generator.
    big=50000
    limit=$(ulimit -Hn)
    if [ "$limit" != unlimited ] && [ "$limit" -lt $((big + 1024)) ]; then
        big=$(((limit - 1024) / 1000 * 1000))
        export BIG_NOTE="connect (idle, big) ran $big sockets, not 50 000: the hard open-files limit on this machine is $limit and cannot be raised here."
    fi
    connect_big=(--sockets "$big" --users 500 --source-ips 4)
fi

port=5400
start_server() {  # name -> sets pid
    local name=$1 data
    port=$((port + 1))
    case $name in
        confab)
            data=$(mktemp -d)
            taskset -c 0 "$root/build/app/confab" --port "$port" --data-dir "$data" \
                --durability sync --log-level warn \
                --rate-limit-per-sec 1000000 --rate-limit-burst 1000000 \
                --max-connections-per-ip 0 --max-polling-sessions-per-ip 0 >"$out/$name.log" 2>&1 &
            ;;
        node)
            (cd bench/reference && PORT=$port RATE_LIMIT_PER_SEC=1000000 RATE_LIMIT_BURST=1000000 \
                exec taskset -c 0 node server.js) >"$out/$name.log" 2>&1 &
            ;;
    esac
    pid=$!
    for _ in $(seq 100); do
        grep -q "listening on" "$out/$name.log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$name did not start" >&2
    exit 1
}

stop_server() {
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

scenario() {  # server scenario args...
    local name=$1 scenario=$2
    shift 2
    start_server "$name"
    echo "=== $name: $scenario $*" >&2
    echo "taskset -c 1 loadgen $scenario --port PORT --server-pid PID $*" >"$out/$name-$scenario.cmd"
    taskset -c 1 "$loadgen" "$scenario" --port "$port" --server-pid "$pid" "$@" \
        | tee -a "$out/$name-$scenario.txt" | grep '^RESULT ' | cut -c8- >"$out/$name-$scenario.json" || true
    stop_server
}

# Servers alternate within each scenario, so that a machine whose speed drifts (a shared VM)
# does not favour the one measured first; fanout, the CPU and latency figures, runs
# $rounds times each way and the report takes each figure's median.
rounds=${ROUNDS:-3}
[ -n "${QUICK:-}" ] && rounds=1
rename() {  # server from to
    mv "$out/$1-$2.json" "$out/$1-$3.json"
    mv "$out/$1-$2.cmd" "$out/$1-$3.cmd"
}
for server in confab node; do
    scenario "$server" connect "${connect_small[@]}"
    rename "$server" connect connect-small
done
for round in $(seq "$rounds"); do
    for server in confab node; do
        scenario "$server" fanout "${fanout[@]}" --verify
        rename "$server" fanout "fanout-$round"
    done
done
for server in confab node; do
    scenario "$server" ramp "${ramp[@]}"
done
for server in confab node; do
    scenario "$server" connect "${connect_big[@]}"
    rename "$server" connect connect-big
done

QUICK=${QUICK:-} ROUNDS=$rounds node bench/report.mjs "$out" >bench/RESULTS.md
cat bench/RESULTS.md
