// Turns bench/run.sh's raw RESULT lines (bench/results/*.json) into bench/RESULTS.md.
// Usage: node bench/report.mjs bench/results > bench/RESULTS.md
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const dir = process.argv[2];
const load = (name) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), "utf8").trim());
  } catch {
    return null;
  }
};
const command = (name) => {
  try {
    return fs.readFileSync(path.join(dir, `${name}.cmd`), "utf8").trim();
  } catch {
    return "";
  }
};

const get = (o, keys) => keys.split(".").reduce((v, k) => (v == null ? v : v[k]), o);
const rounds = Number(process.env.ROUNDS || 1);
const median = (xs) => {
  const s = xs.filter((x) => typeof x === "number").sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : undefined;
};
// A figure of one server: fanout's is the median over its rounds, except that the checks of
// verify count the worst round.
const figure = (server, file, field) => {
  if (file !== "fanout") return get(load(`${server}-${file}`), field);
  const runs = Array.from({ length: rounds }, (_, i) => get(load(`${server}-fanout-${i + 1}`), field));
  if (field.startsWith("verify.")) return runs.some((x) => typeof x !== "number") ? undefined : Math.max(...runs);
  return median(runs);
};
const num = (v, digits = 2) => (typeof v === "number" ? v.toFixed(digits) : "n/a");

// Each row: label, scenario file, field path, digits, and whether lower is better.
const rows = [
  ["connect (small): connects/s", "connect-small", "connects_per_s", 0, false],
  ["connect (small): failures", "connect-small", "failed", 0, true],
  ["connect (small): server RSS per idle socket (KiB)", "connect-small", "server_rss_per_conn_kib", 1, true],
  ["fanout: deliveries/s", "fanout", "delivered_per_s", 0, false],
  ["fanout: lost deliveries", "fanout", "lost", 0, true],
  ["fanout: latency p50 (ms)", "fanout", "latency_ms.p50", 2, true],
  ["fanout: latency p90 (ms)", "fanout", "latency_ms.p90", 2, true],
  ["fanout: latency p99 (ms)", "fanout", "latency_ms.p99", 2, true],
  ["fanout: latency p99.9 (ms)", "fanout", "latency_ms.p999", 2, true],
  ["fanout: latency max (ms)", "fanout", "latency_ms.max", 2, true],
  ["fanout: server CPU s per 100k deliveries", "fanout", "server_cpu_s_per_100k", 3, true],
  ["fanout: server peak RSS (KiB)", "fanout", "server_peak_rss_kib", 0, true],
  ["fanout: generator CPU % while sending", "fanout", "gen_cpu_pct_sending", 1, true],
  ["verify: acked messages missing", "fanout", "verify.missing", 0, true],
  ["verify: duplicates", "fanout", "verify.duplicates", 0, true],
  ["ramp: highest loss-free msgs/s (p99 ≤ 250 ms)", "ramp", "best.msgs_per_s", 0, false],
  ["ramp: highest loss-free deliveries/s", "ramp", "best.deliveries_per_s", 0, false],
  ["ramp: stopped by", "ramp", "stopped_by", null, null],
  ["connect (idle, big): connected", "connect-big", "connected", 0, false],
  ["connect (idle, big): failures", "connect-big", "failed", 0, true],
  ["connect (idle, big): server RSS per idle socket (KiB)", "connect-big", "server_rss_per_conn_kib", 2, true],
];

const out = [];
out.push("# Benchmark: confab vs the reference Node socket.io server", "");
out.push(`Date: ${new Date().toISOString()}  `);
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
out.push(`Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}  `);
if (process.env.QUICK) out.push("**QUICK smoke run: smaller scenarios than the standard ones (see Commands).**", "");
if (process.env.BIG_NOTE) out.push(`**${process.env.BIG_NOTE}**`, "");
out.push("Each server pinned to CPU 0 (`taskset -c 0`), the generator to CPU 1, a fresh server per scenario; confab with `--durability sync`. Ratio = confab / Node.", "");
if (rounds > 1)
  out.push(`The servers alternate within each scenario. fanout ran ${rounds} times each way (confab, Node, confab, ...): its figures are each the median of the ${rounds}, and verify counts the worst run.`, "");
out.push("| figure | confab | Node | ratio |", "| --- | --- | --- | --- |");
for (const [label, file, field, digits, lowerBetter] of rows) {
  const c = figure("confab", file, field);
  const n = figure("node", file, field);
  if (digits === null) {
    out.push(`| ${label} | ${c ?? "n/a"} | ${n ?? "n/a"} | |`);
    continue;
  }
  const ratio = typeof c === "number" && typeof n === "number" && n !== 0 ? `${(c / n).toFixed(3)}` : "";
  const better = lowerBetter === null ? "" : lowerBetter ? " (lower is better)" : "";
  out.push(`| ${label}${better} | ${num(c, digits)} | ${num(n, digits)} | ${ratio} |`);
}
if (rounds > 1) {
  out.push("", "fanout, each run in order (server CPU s per 100k deliveries / latency p99 ms):", "");
  out.push("| run | confab | Node |", "| --- | --- | --- |");
  for (let i = 1; i <= rounds; ++i) {
    const cell = (server) => {
      const r = load(`${server}-fanout-${i}`);
      return `${num(get(r, "server_cpu_s_per_100k"), 3)} / ${num(get(r, "latency_ms.p99"))}`;
    };
    out.push(`| ${i} | ${cell("confab")} | ${cell("node")} |`);
  }
}
out.push("", "## Commands", "", "```sh", "bash bench/run.sh");
for (const server of ["confab", "node"])
  for (const file of ["connect-small", "fanout-1", "ramp", "connect-big"]) {
    const cmd = command(`${server}-${file}`);
    if (cmd) out.push(`# ${server}: ${cmd}`);
  }
out.push("```", "");
process.stdout.write(out.join("\n") + "\n");
