#pragma once
// /proc sampling of the server under test, and the generator's own resource use.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace lg {

// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the new soft limit.
std::uint64_t raise_open_files_limit();

// utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat).
std::optional<double> process_cpu_seconds(int pid);
// A "Vm...:" line of /proc/<pid>/status, in KiB (key such as "VmRSS" or "VmHWM").
std::optional<std::uint64_t> process_status_kib(int pid, std::string_view key);

// This process's user + system CPU seconds (getrusage).
double self_cpu_seconds();

inline std::int64_t now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// A window of measurement: wall time, the generator's CPU and (with a pid) the server's CPU.
struct cpu_window {
    void start(int server_pid);
    void stop();
    double wall_s() const { return wall_s_; }
    double self_cpu_s() const { return self_s_; }
    std::optional<double> server_cpu_s() const { return server_s_; }

private:
    int pid_ = 0;
    std::int64_t t0_ = 0;
    double self0_ = 0;
    std::optional<double> server0_;
    double wall_s_ = 0, self_s_ = 0;
    std::optional<double> server_s_;
};

// Samples the server's VmRSS every 100 ms while running; keeps the peak.
class rss_sampler {
public:
    rss_sampler(boost::asio::io_context& io, int pid) : timer_(io), pid_(pid) {}
    void start();
    void stop() { running_ = false; timer_.cancel(); }
    std::optional<std::uint64_t> peak_kib() const { return peak_; }

private:
    void sample();
    boost::asio::steady_timer timer_;
    int pid_;
    bool running_ = false;
    std::optional<std::uint64_t> peak_;
};

}  // namespace lg
