#pragma once
// Command line of the load generator: `loadgen <scenario> [--option value ...]`.
#include <cstdint>
#include <optional>
#include <string>

namespace lg {

enum class scenario { connect, fanout, ramp, verify };

struct options {
    scenario what = scenario::fanout;

    // Common.
    std::string host = "127.0.0.1";
    std::uint16_t port = 5000;
    int server_pid = 0;  // 0: no /proc sampling of the server
    std::string prefix;  // username prefix; generated when empty
    std::string run_id;  // unique per run, always generated: clientMessageIds must never repeat
    std::string password = "loadgen-password";
    bool json_only = false;
    int reg_concurrency = 16;      // registrations / REST calls in flight
    int concurrency = 200;         // socket handshakes in flight
    int source_ips = -1;           // loopback source addresses 127.0.0.2..; -1: automatic
    double connect_timeout_s = 20;

    // connect
    int sockets = 2000;
    std::optional<int> users;  // connect: users (default 200); fanout: cap on users (default C*M)
    double hold_s = 2;         // idle wait before reading the server's memory

    // fanout / ramp / verify
    int chats = 50;
    int members = 20;
    double rate = 1000;  // messages/s, all senders together
    double seconds = 20;
    double drain_s = 2;
    int content_bytes = 32;  // message content length (timestamp + padding)
    bool verify = false;
    double tick_ms = 1;  // send scheduler period

    // ramp
    double ramp_start = 500;
    double ramp_step = 2;        // factor (when step_factor) or increment
    bool ramp_step_factor = true;
    double ramp_max = 1e9;
    double p99_limit_ms = 250;
    double saturated_cpu = 0.95;  // server cores busy over a step that count as saturated
    int refine = 0;               // bisection steps between the last good and first bad rate
};

// Parses argv; on error or --help prints usage to stderr and returns nullopt.
std::optional<options> parse_options(int argc, char** argv);

}  // namespace lg
