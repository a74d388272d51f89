#include "options.hpp"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>

#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

namespace lg {

namespace {

constexpr const char* usage = R"(usage: loadgen <scenario> [options]

scenarios
  connect   N sockets over U users; connects/s, failures, server memory per idle socket
  fanout    C group chats x M members, fixed total send rate R for T seconds; latency, loss
  ramp      fanout at rising rates until loss, p99 over the limit, or a saturated server
  verify    a fanout, then every chat's history read over REST (same as fanout --verify)

common options
  --host H (127.0.0.1)  --port P (5000)  --server-pid PID (/proc sampling; optional)
  --prefix STR          username prefix, unique per run (default: generated)
  --password STR        password of the generated users
  --json-only           print only the RESULT line on stdout
  --reg-concurrency K   REST requests in flight during set-up (16)
  --concurrency C       socket handshakes in flight (200)
  --source-ips K        bind sockets to 127.0.0.2..127.0.0.(K+1) (default: 1 per 25 000 sockets)
  --connect-timeout S   per-socket handshake timeout (20)

connect
  --sockets N (2000)  --users U (200)  --hold S (2: idle wait before reading server memory)

fanout / verify
  --chats C (50)  --members M (20)  --users U (cap; default C*M, users reused across chats)
  --rate R (1000 msgs/s)  --seconds T (20)  --size B (content bytes, 32)
  --drain S (2: after the sends, stop waiting once S s pass with nothing arriving)
  --verify (read all histories back over REST)  --tick-ms X (scheduler period, 1)

ramp (plus the fanout options; --seconds is per step, default 10)
  --start R0 (500)  --step F (2x: multiply; +N or N: add)  --max Rmax
  --p99-limit-ms L (250)  --saturated-cpu X (0.95 cores)  --refine K (bisection steps, 0)
)";

template <class T>
bool parse_number(std::string_view s, T& out) {
    const auto* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc{} && p == end;
}

}  // namespace

std::optional<options> parse_options(int argc, char** argv) {
    options o;
    if (argc < 2) {
        std::fputs(usage, stderr);
        return std::nullopt;
    }
    const std::string_view verb = argv[1];
    if (verb == "connect") o.what = scenario::connect;
    else if (verb == "fanout") o.what = scenario::fanout;
    else if (verb == "ramp") o.what = scenario::ramp;
    else if (verb == "verify") o.what = scenario::verify, o.verify = true;
    else {
        std::fputs(usage, stderr);
        return std::nullopt;
    }
    bool seconds_given = false;
    for (int i = 2; i < argc; ++i) {
        const std::string_view name = argv[i];
        auto bad = [&](std::string_view why) {
            fmt::print(stderr, "loadgen: {} {}\n", name, why);
            return std::nullopt;
        };
        if (name == "--help" || name == "-h") {
            std::fputs(usage, stderr);
            return std::nullopt;
        }
        if (name == "--json-only") {
            o.json_only = true;
            continue;
        }
        if (name == "--verify") {
            o.verify = true;
            continue;
        }
        if (i + 1 >= argc) return bad("needs a value");
        const std::string_view v = argv[++i];
        bool ok = true;
        int n = 0;
        if (name == "--host") o.host = v;
        else if (name == "--port") ok = parse_number(v, o.port) && o.port > 0;
        else if (name == "--server-pid") ok = parse_number(v, o.server_pid) && o.server_pid > 0;
        else if (name == "--prefix") {
            // It starts usernames: letters, digits, '_', '.', '-'; room for "_<index>".
            ok = !v.empty() && v.size() <= 20 && v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                    "0123456789_.-") == std::string_view::npos;
            o.prefix = v;
        }
        else if (name == "--password") ok = v.size() >= 6, o.password = v;
        else if (name == "--reg-concurrency") ok = parse_number(v, o.reg_concurrency) && o.reg_concurrency > 0;
        else if (name == "--concurrency") ok = parse_number(v, o.concurrency) && o.concurrency > 0;
        else if (name == "--source-ips") ok = parse_number(v, o.source_ips) && o.source_ips >= 0 && o.source_ips < 250;
        else if (name == "--connect-timeout") ok = parse_number(v, o.connect_timeout_s) && o.connect_timeout_s > 0;
        else if (name == "--sockets") ok = parse_number(v, o.sockets) && o.sockets > 0;
        else if (name == "--users") ok = parse_number(v, n) && n > 0, o.users = n;
        else if (name == "--hold") ok = parse_number(v, o.hold_s) && o.hold_s >= 0;
        else if (name == "--chats") ok = parse_number(v, o.chats) && o.chats > 0;
        else if (name == "--members") ok = parse_number(v, o.members) && o.members > 0 && o.members < 60000;
        else if (name == "--rate") ok = parse_number(v, o.rate) && o.rate > 0;
        else if (name == "--seconds") ok = parse_number(v, o.seconds) && o.seconds > 0, seconds_given = true;
        else if (name == "--drain") ok = parse_number(v, o.drain_s) && o.drain_s >= 0;
        else if (name == "--size") ok = parse_number(v, o.content_bytes) && o.content_bytes > 0 && o.content_bytes <= 10000;
        else if (name == "--tick-ms") ok = parse_number(v, o.tick_ms) && o.tick_ms >= 0.05 && o.tick_ms <= 100;
        else if (name == "--start") ok = parse_number(v, o.ramp_start) && o.ramp_start > 0;
        else if (name == "--step") {
            std::string_view s = v;
            if (!s.empty() && (s.back() == 'x' || s.back() == 'X')) {
                o.ramp_step_factor = true;
                s.remove_suffix(1);
                ok = parse_number(s, o.ramp_step) && o.ramp_step > 1;
            } else {
                o.ramp_step_factor = false;
                if (!s.empty() && s.front() == '+') s.remove_prefix(1);
                ok = parse_number(s, o.ramp_step) && o.ramp_step > 0;
            }
        } else if (name == "--max") ok = parse_number(v, o.ramp_max) && o.ramp_max > 0;
        else if (name == "--p99-limit-ms") ok = parse_number(v, o.p99_limit_ms) && o.p99_limit_ms > 0;
        else if (name == "--saturated-cpu") ok = parse_number(v, o.saturated_cpu) && o.saturated_cpu > 0;
        else if (name == "--refine") ok = parse_number(v, o.refine) && o.refine >= 0 && o.refine <= 10;
        else return bad("is not an option (see --help)");
        if (!ok) return bad(fmt::format("has a bad value '{}'", v));
    }
    if (o.what == scenario::ramp && !seconds_given) o.seconds = 10;
    // Unique per run. Users may be reused across runs (--prefix), but a clientMessageId must
    // never repeat for a user: the server would answer with the earlier message and store
    // and broadcast nothing.
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    const auto mix = (static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'007ull + static_cast<std::uint64_t>(ts.tv_nsec)) *
                         0x9E3779B97F4A7C15ull ^
                     static_cast<std::uint64_t>(::getpid());
    o.run_id = fmt::format("{:012x}", mix >> 16);
    if (o.prefix.empty()) o.prefix = "lg" + o.run_id.substr(0, 8);
    if (o.what == scenario::connect && !o.users) o.users = 200;
    if (o.what != scenario::connect && o.users && *o.users < o.members) {
        fmt::print(stderr, "loadgen: --users must be at least --members\n");
        return std::nullopt;
    }
    return o;
}

}  // namespace lg
