// fanout, verify and ramp: the set-up they share (users, group chats, one socket per
// member, joins), one or more fan-out steps, and the histories read back.
#include <cmath>

#include "fanout.hpp"
#include "proc.hpp"
#include "scenarios.hpp"
#include "verify.hpp"

namespace lg {

namespace {

// Users, chats, sockets and joins; an error text, or empty when all is ready.
task<std::string> set_up_chats(world& w) {
    const auto& o = w.opt;
    const auto c_n = static_cast<std::size_t>(o.chats);
    const auto m_n = static_cast<std::size_t>(o.members);
    const auto u_n = std::min(c_n * m_n, static_cast<std::size_t>(o.users.value_or(static_cast<int>(c_n * m_n))));
    if (!co_await w.make_users(u_n)) co_return "user set-up failed";
    w.chats.resize(c_n);
    for (std::size_t c = 0; c < c_n; ++c) {
        for (std::size_t j = 0; j < m_n; ++j) {
            const auto user = static_cast<std::uint32_t>((c * m_n + j) % u_n);
            const auto index = static_cast<std::uint32_t>(w.conns.size());
            w.chats[c].users.push_back(user);
            w.chats[c].conns.push_back(index);
            w.conns.push_back(std::make_unique<ws_conn>(w.shared, index));
            w.conns.back()->user = user;
            w.conns.back()->chat = static_cast<std::uint32_t>(c);
        }
    }
    if (!co_await w.make_chats()) co_return "chat set-up failed";
    const auto f = co_await w.connect_all(static_cast<std::size_t>(o.concurrency));
    if (f.failed) co_return fmt::format("{} sockets failed to connect", f.failed);
    if (const auto bad = co_await w.join_all(static_cast<std::size_t>(o.concurrency)))
        co_return fmt::format("{} joins failed", bad);
    co_return "";
}

boost::json::object step_json(const step_figures& s) {
    return {{"rate_target", round_to(s.rate, 1)},
            {"seconds", round_to(s.send_seconds)},
            {"drain_seconds", round_to(s.drain_seconds)},
            {"sent", s.sent},
            {"acked", s.acked},
            {"ack_errors", s.ack_errors},
            {"ack_error_codes", counts_json(s.ack_error_codes)},
            {"unacked", s.unacked},
            {"unsendable", s.unsendable},
            {"expected", s.expected},
            {"delivered", s.delivered},
            {"lost", s.lost},
            {"lost_acked", s.lost_acked},
            {"short_sockets", s.short_sockets},
            {"worst_socket_shortfall", s.worst_shortfall},
            {"duplicates", s.duplicates},
            {"stale", s.stale},
            {"sent_per_s", round_to(s.sent_per_s, 1)},
            {"delivered_per_s", round_to(s.delivered_per_s, 1)},
            {"latency_ms", latency_json(s.latency)},
            {"ack_latency_ms", latency_json(s.ack_latency)},
            {"server_cpu_s", optional_json(s.server_cpu_s)},
            {"server_cpu_s_per_100k", optional_json(s.server_cpu_per_100k)},
            {"server_busy_cores", optional_json(s.server_busy)},
            {"server_peak_rss_kib", optional_json(s.server_peak_rss_kib)},
            {"server_hwm_kib", optional_json(s.server_hwm_kib)},
            {"gen_cpu_s", round_to(s.gen_cpu_s)},
            {"gen_cpu_pct", round_to(100 * s.gen_busy_total, 1)},
            {"gen_cpu_pct_sending", round_to(100 * s.gen_busy_send, 1)},
            {"gen_reads", s.gen_reads},
            {"gen_frames_per_read", round_to(s.gen_reads ? double(s.gen_frames_in) / s.gen_reads : 0, 2)},
            {"gen_poll_wakeups", s.gen_wakeups},
            {"gen_queued_writes", s.gen_queued_writes},
            {"sched_max_lag_ms", round_to(s.sched_max_lag_ms)},
            {"sched_late_sends", s.sched_late},
            {"generator_limited", s.generator_limited},
            {"disconnects", s.closed}};
}

void say_step(const reporter& out, const step_figures& s, std::size_t members) {
    out.say("  sent        {} of {} planned at {:.0f} msgs/s target ({:.1f} msgs/s achieved over {:.2f} s){}", s.sent,
            s.planned, s.rate, s.sent_per_s, s.send_seconds,
            s.unsendable ? fmt::format(", {} UNSENDABLE (no open socket)", s.unsendable) : "");
    out.say("  acked       {} ok, {} refused, {} unanswered; ack {}", s.acked, s.ack_errors, s.unacked,
            latency_line(s.ack_latency));
    for (const auto& [code, n] : s.ack_error_codes) out.say("    refused x{}: {}", n, code);
    out.say("  delivered   {} of {} expected (sent x {}), lost {} ({} of acked messages), duplicates {}: {:.0f} "
            "deliveries/s; drained {:.2f} s",
            s.delivered, s.expected, members, s.lost, s.lost_acked, s.duplicates, s.delivered_per_s, s.drain_seconds);
    if (s.short_sockets)
        out.say("              {} sockets missed deliveries of their room (the worst missed {})", s.short_sockets,
                s.worst_shortfall);
    out.say("  latency     {}", latency_line(s.latency));
    if (s.server_cpu_s)
        out.say("  server      CPU {:.3f} s = {:.3f} s per 100k deliveries; {:.0f}% of a core while sending; peak RSS "
                "{} KiB (VmHWM {} KiB)",
                *s.server_cpu_s, s.server_cpu_per_100k.value_or(0), 100 * s.server_busy.value_or(0),
                s.server_peak_rss_kib.value_or(0), s.server_hwm_kib.value_or(0));
    else
        out.say("  server      (no --server-pid: no CPU or memory figures)");
    out.say("  generator   CPU {:.3f} s: {:.0f}% of a core while sending, {:.0f}% overall; schedule lag max {:.2f} ms, "
            "{} sends >10 ms late{}",
            s.gen_cpu_s, 100 * s.gen_busy_send, 100 * s.gen_busy_total, s.sched_max_lag_ms, s.sched_late,
            s.generator_limited ? "  ** GENERATOR-LIMITED: figures understate the server **" : "");
    out.say("              {} reads ({:.2f} frames each), {} poll wake-ups, {} writes queued by a full socket",
            s.gen_reads, s.gen_reads ? double(s.gen_frames_in) / s.gen_reads : 0.0, s.gen_wakeups,
            s.gen_queued_writes);
    if (s.closed) out.say("  ** {} sockets closed during the run **", s.closed);
}

boost::json::object run_header(const world& w, std::string_view scenario) {
    const auto& o = w.opt;
    return {{"scenario", scenario},
            {"chats", o.chats},
            {"members", o.members},
            {"users", w.users.size()},
            {"sockets", w.conns.size()},
            {"content_bytes", o.content_bytes}};
}

boost::json::object verify_json(const verify_figures& v) {
    return {{"clean", v.clean()},         {"chats_read", v.chats_read},       {"chats_failed", v.chats_failed},
            {"pages", v.pages},           {"stored", v.stored},               {"acked", v.acked},
            {"missing", v.missing},       {"duplicates", v.duplicates},       {"id_mismatch", v.id_mismatch},
            {"wrong_chat", v.wrong_chat}, {"stored_unacked", v.stored_unacked}, {"repeated_ids", v.repeated_ids},
            {"seconds", round_to(v.seconds)}, {"first_error", v.first_error}};
}

}  // namespace

task<int> run_fanout(world& w, const reporter& out) {
    const auto& o = w.opt;
    auto r = run_header(w, o.verify ? "verify" : "fanout");
    if (auto err = co_await set_up_chats(w); !err.empty()) {
        r["error"] = err;
        out.result(r);
        co_return 1;
    }
    r["users"] = w.users.size();
    r["sockets"] = w.conns.size();
    fanout_runner run(w);
    co_await run.settle(std::chrono::milliseconds(300), std::chrono::seconds(10));
    w.log(fmt::format("fanout: {} msgs/s for {} s over {} chats x {} members", o.rate, o.seconds, o.chats, o.members));
    const auto s = co_await run.run_step(o.rate, o.seconds);
    out.say("fanout: {} chats x {} members ({} users, {} sockets), {:.0f} msgs/s for {:.0f} s, content {} bytes", o.chats,
            o.members, w.users.size(), w.conns.size(), o.rate, o.seconds, o.content_bytes);
    say_step(out, s, static_cast<std::size_t>(o.members));
    for (const auto& [code, n] : w.tally.error_codes) out.say("  error events x{}: {}", n, code);
    for (const auto& [why, n] : w.tally.closes) out.say("  sockets closed x{}: {}", n, why);
    for (const auto& [k, v] : step_json(s)) r[k] = v;
    r["error_events"] = counts_json(w.tally.error_codes);
    r["close_reasons"] = counts_json(w.tally.closes);
    bool good = s.lost == 0 && s.ack_errors == 0 && s.unacked == 0 && s.closed == 0;
    if (o.verify) {
        w.log("verify: reading every chat's history");
        const auto v = co_await verify_histories(w, run);
        out.say("verify: {} chats read ({} pages, {} failed) in {:.1f} s: {} stored, {} acked; missing {}, duplicates "
                "{}, id mismatches {}, wrong chat {}, repeated ids {}, stored but not acked {}: {}",
                v.chats_read, v.pages, v.chats_failed, v.seconds, v.stored, v.acked, v.missing, v.duplicates,
                v.id_mismatch, v.wrong_chat, v.repeated_ids, v.stored_unacked, v.clean() ? "CLEAN" : "NOT CLEAN");
        if (!v.first_error.empty()) out.say("  first error: {}", v.first_error);
        r["verify"] = verify_json(v);
        good = good && v.clean();
    }
    out.result(r);
    co_return good ? 0 : 2;
}

task<int> run_ramp(world& w, const reporter& out) {
    const auto& o = w.opt;
    auto r = run_header(w, "ramp");
    if (auto err = co_await set_up_chats(w); !err.empty()) {
        r["error"] = err;
        out.result(r);
        co_return 1;
    }
    r["users"] = w.users.size();
    r["sockets"] = w.conns.size();
    r["step_seconds"] = o.seconds;
    r["p99_limit_ms"] = o.p99_limit_ms;
    fanout_runner run(w);
    co_await run.settle(std::chrono::milliseconds(300), std::chrono::seconds(10));
    out.say("ramp: {} chats x {} members ({} users, {} sockets), {} s per step, from {:.0f} msgs/s, step {}{}", o.chats,
            o.members, w.users.size(), w.conns.size(), o.seconds, o.ramp_start, o.ramp_step_factor ? "x" : "+",
            o.ramp_step);

    boost::json::array steps;
    std::optional<step_figures> best;
    std::string stopped_by = "max";
    double rate = std::min(o.ramp_start, o.ramp_max);
    double failed_rate = 0;
    auto judge = [&](const step_figures& s, std::string& why) {
        const double p99_ms = static_cast<double>(s.latency.quantile(0.99)) / 1e6;
        if (s.generator_limited) why = "generator";
        else if (s.lost || s.unacked || s.unsendable || s.closed) why = "loss";
        else if (s.ack_errors) why = "errors";
        else if (p99_ms > o.p99_limit_ms) why = "p99";
        else why.clear();
        return why.empty();
    };
    auto run_one = [&](double at) -> task<std::pair<bool, step_figures>> {
        w.log(fmt::format("ramp step: {:.0f} msgs/s for {} s", at, o.seconds));
        auto s = co_await run.run_step(at, o.seconds);
        std::string why;
        const bool held = judge(s, why);
        out.say("step {:.0f} msgs/s: {}", at, held ? "held" : "FAILED (" + why + ")");
        say_step(out, s, static_cast<std::size_t>(o.members));
        auto j = step_json(s);
        j["held"] = held;
        if (!held) j["failed_by"] = why;
        steps.push_back(j);
        co_await run.settle(std::chrono::milliseconds(500), std::chrono::seconds(30));
        co_return std::pair{held, std::move(s)};
    };
    for (;;) {
        auto [held, s] = co_await run_one(rate);
        std::string why;
        judge(s, why);
        if (held) best = s;
        if (!held) {
            stopped_by = why;
            failed_rate = rate;
            break;
        }
        if (s.server_busy && *s.server_busy >= o.saturated_cpu) {
            stopped_by = "saturated";
            break;
        }
        if (rate >= o.ramp_max) break;
        rate = o.ramp_step_factor ? rate * o.ramp_step : rate + o.ramp_step;
        rate = std::min(rate, o.ramp_max);
    }
    // Optional bisection between the last rate that held and the first that did not.
    if (failed_rate > 0 && best && stopped_by != "generator") {
        double good = best->rate, bad = failed_rate;
        for (int k = 0; k < o.refine; ++k) {
            const double mid = std::round((good + bad) / 2);
            if (mid <= good || mid >= bad) break;
            auto [held, s] = co_await run_one(mid);
            if (held) {
                good = mid;
                best = s;
            } else {
                bad = mid;
            }
        }
    }
    r["steps"] = std::move(steps);
    r["stopped_by"] = stopped_by;
    if (best) {
        const double p99_ms = static_cast<double>(best->latency.quantile(0.99)) / 1e6;
        r["best"] = {{"rate_target", round_to(best->rate, 1)},
                     {"msgs_per_s", round_to(best->sent_per_s, 1)},
                     {"deliveries_per_s", round_to(best->delivered_per_s, 1)},
                     {"p99_ms", round_to(p99_ms)},
                     {"server_busy_cores", optional_json(best->server_busy)},
                     {"server_cpu_s_per_100k", optional_json(best->server_cpu_per_100k)},
                     {"gen_cpu_pct_sending", round_to(100 * best->gen_busy_send, 1)}};
        out.say("ramp: highest rate that held: {:.0f} msgs/s = {:.0f} deliveries/s (p99 {:.2f} ms); stopped by {}",
                best->sent_per_s, best->delivered_per_s, p99_ms, stopped_by);
    } else {
        r["best"] = nullptr;
        out.say("ramp: no rate held (stopped by {})", stopped_by);
    }
    r["error_events"] = counts_json(w.tally.error_codes);
    r["close_reasons"] = counts_json(w.tally.closes);
    for (const auto& [why, n] : w.tally.closes) out.say("  sockets closed x{}: {}", n, why);
    out.result(r);
    co_return best ? 0 : 2;
}

}  // namespace lg
