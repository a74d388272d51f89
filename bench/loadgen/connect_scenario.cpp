// connect: N sockets over U users at bounded concurrency; connects/s, failures, and the
// server's resident memory per idle connection.
#include <unistd.h>

#include "proc.hpp"
#include "scenarios.hpp"

namespace lg {

task<int> run_connect(world& w, const reporter& out) {
    const auto& o = w.opt;
    const auto n_users = static_cast<std::size_t>(*o.users);
    const auto n = static_cast<std::size_t>(o.sockets);
    boost::json::object r{{"scenario", "connect"}, {"sockets", n}, {"users", n_users},
                          {"concurrency", o.concurrency}, {"source_ips", w.shared.sources.size()}};
    if (!co_await w.make_users(n_users)) {
        r["error"] = "user set-up failed";
        out.result(r);
        co_return 1;
    }
    // Baselines after the users exist (their hashing may grow the heap), before any socket.
    const auto rss0 = process_status_kib(o.server_pid, "VmRSS");
    const auto self0 = process_status_kib(::getpid(), "VmRSS");
    w.conns.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        w.conns.push_back(std::make_unique<ws_conn>(w.shared, static_cast<std::uint32_t>(i)));
        w.conns.back()->user = static_cast<std::uint32_t>(i % n_users);
    }
    cpu_window win;
    win.start(o.server_pid);
    const auto f = co_await w.connect_all(static_cast<std::size_t>(o.concurrency));
    win.stop();
    const auto closed_before_hold = w.tally.closed;
    w.log(fmt::format("holding {} idle sockets for {:.1f} s", f.ok, o.hold_s));
    co_await sleep_for(std::chrono::milliseconds(static_cast<std::int64_t>(o.hold_s * 1000)));
    const auto rss1 = process_status_kib(o.server_pid, "VmRSS");
    const auto hwm = process_status_kib(o.server_pid, "VmHWM");
    const auto self1 = process_status_kib(::getpid(), "VmRSS");
    const auto dropped = w.tally.closed - closed_before_hold;
    std::size_t open = 0;
    for (const auto& c : w.conns) open += c->ready();

    std::optional<double> per_conn_bytes;
    if (rss0 && rss1 && f.ok) per_conn_bytes = (static_cast<double>(*rss1) - static_cast<double>(*rss0)) * 1024.0 / f.ok;
    std::optional<double> self_per_conn;
    if (self0 && self1 && f.ok) self_per_conn = (static_cast<double>(*self1) - static_cast<double>(*self0)) * 1024.0 / f.ok;
    const double rate = f.ok / std::max(f.seconds, 1e-9);

    out.say("connect: {} sockets over {} users, {} handshakes in flight, {} source addresses", n, n_users,
            o.concurrency, w.shared.sources.size());
    out.say("  connected   {} ok, {} failed in {:.2f} s: {:.0f} connects/s", f.ok, f.failed, f.seconds, rate);
    for (const auto& [why, count] : f.reasons) out.say("    failure x{}: {}", count, why);
    out.say("  handshake   {}", latency_line(f.latency));
    out.say("  after {:.1f} s idle: {} still open, {} dropped; {} Engine.IO pings answered", o.hold_s, open, dropped,
            w.shared.pings);
    if (per_conn_bytes)
        out.say("  server RSS  {} KiB -> {} KiB: {:.0f} bytes ({:.2f} KiB) per connection; VmHWM {} KiB", *rss0,
                *rss1, *per_conn_bytes, *per_conn_bytes / 1024, hwm.value_or(0));
    else
        out.say("  server RSS  (no --server-pid)");
    if (win.server_cpu_s()) out.say("  server CPU  {:.2f} s during the connects", *win.server_cpu_s());
    out.say("  generator   CPU {:.2f} s over {:.2f} s ({:.0f}% of a core); RSS {} KiB ({:.0f} bytes per socket)",
            win.self_cpu_s(), win.wall_s(), 100 * win.self_cpu_s() / std::max(win.wall_s(), 1e-9), self1.value_or(0),
            self_per_conn.value_or(0));
    for (const auto& [why, count] : w.tally.closes) out.say("    closed x{}: {}", count, why);
    if (!w.tally.events.empty()) {
        std::string events;
        for (const auto& [name, count] : w.tally.events) events += fmt::format(" {}={}", name, count);
        out.say("  events heard:{}", events);
    }

    r["connected"] = f.ok;
    r["failed"] = f.failed;
    r["failure_reasons"] = counts_json(f.reasons);
    r["connect_seconds"] = round_to(f.seconds);
    r["connects_per_s"] = round_to(rate, 1);
    r["handshake_ms"] = latency_json(f.latency);
    r["hold_seconds"] = o.hold_s;
    r["open_after_hold"] = open;
    r["dropped_during_hold"] = dropped;
    r["pings_answered"] = w.shared.pings;
    r["server_rss_baseline_kib"] = optional_json(rss0);
    r["server_rss_after_kib"] = optional_json(rss1);
    r["server_hwm_kib"] = optional_json(hwm);
    r["server_rss_per_conn_bytes"] = per_conn_bytes ? boost::json::value(round_to(*per_conn_bytes, 1)) : nullptr;
    r["server_rss_per_conn_kib"] = per_conn_bytes ? boost::json::value(round_to(*per_conn_bytes / 1024, 3)) : nullptr;
    r["server_cpu_s"] = optional_json(win.server_cpu_s());
    r["gen_cpu_s"] = round_to(win.self_cpu_s());
    r["gen_cpu_pct"] = round_to(100 * win.self_cpu_s() / std::max(win.wall_s(), 1e-9), 1);
    r["gen_rss_kib"] = optional_json(self1);
    r["gen_rss_per_socket_bytes"] = self_per_conn ? boost::json::value(round_to(*self_per_conn, 1)) : nullptr;
    r["events"] = counts_json(w.tally.events);
    r["error_events"] = counts_json(w.tally.error_codes);
    r["close_reasons"] = counts_json(w.tally.closes);
    out.result(r);
    co_return f.failed == 0 && dropped == 0 ? 0 : 2;
}

}  // namespace lg
