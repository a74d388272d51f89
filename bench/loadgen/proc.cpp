#include "proc.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <string>

namespace lg {

namespace {

// Reads a small /proc file in one read, without iostreams.
std::optional<std::string> slurp(const char* path) {
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string out(8192, '\0');
    std::size_t used = 0;
    for (;;) {
        const auto n = ::read(fd, out.data() + used, out.size() - used);
        if (n <= 0) break;
        used += static_cast<std::size_t>(n);
        if (used == out.size()) out.resize(out.size() * 2);
    }
    ::close(fd);
    out.resize(used);
    return out;
}

}  // namespace

std::uint64_t raise_open_files_limit() {
    rlimit r{};
    if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return 0;
    if (r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &r);
        ::getrlimit(RLIMIT_NOFILE, &r);
    }
    return r.rlim_cur;
}

std::optional<double> process_cpu_seconds(int pid) {
    if (pid <= 0) return std::nullopt;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    const auto text = slurp(path);
    if (!text) return std::nullopt;
    // The command name (field 2) may hold spaces: count fields after its closing ')'.
    const auto close = text->rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::string_view rest(*text);
    rest.remove_prefix(close + 1);
    // Fields from 3 on; utime is field 14, stime field 15.
    std::uint64_t values[2] = {0, 0};
    int field = 2;
    std::size_t i = 0;
    while (i < rest.size() && field < 15) {
        while (i < rest.size() && rest[i] == ' ') ++i;
        const auto start = i;
        while (i < rest.size() && rest[i] != ' ') ++i;
        ++field;
        if (field == 14 || field == 15) {
            std::from_chars(rest.data() + start, rest.data() + i, values[field - 14]);
        }
    }
    if (field < 15) return std::nullopt;
    static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    return static_cast<double>(values[0] + values[1]) / ticks;
}

std::optional<std::uint64_t> process_status_kib(int pid, std::string_view key) {
    if (pid <= 0) return std::nullopt;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", pid);
    const auto text = slurp(path);
    if (!text) return std::nullopt;
    std::string_view s(*text);
    std::size_t pos = 0;
    while (pos < s.size()) {
        auto eol = s.find('\n', pos);
        if (eol == std::string_view::npos) eol = s.size();
        auto line = s.substr(pos, eol - pos);
        pos = eol + 1;
        if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ':') {
            line.remove_prefix(key.size() + 1);
            while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
            std::uint64_t v = 0;
            auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), v);
            if (ec != std::errc{}) return std::nullopt;
            return v;
        }
    }
    return std::nullopt;
}

double self_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return sec(u.ru_utime) + sec(u.ru_stime);
}

void cpu_window::start(int server_pid) {
    pid_ = server_pid;
    t0_ = now_ns();
    self0_ = self_cpu_seconds();
    server0_ = process_cpu_seconds(pid_);
}

void cpu_window::stop() {
    wall_s_ = static_cast<double>(now_ns() - t0_) / 1e9;
    self_s_ = self_cpu_seconds() - self0_;
    const auto server1 = process_cpu_seconds(pid_);
    server_s_ = server0_ && server1 ? std::optional<double>(*server1 - *server0_) : std::nullopt;
}

void rss_sampler::start() {
    if (pid_ <= 0) return;
    running_ = true;
    sample();
}

void rss_sampler::sample() {
    if (!running_) return;
    if (auto v = process_status_kib(pid_, "VmRSS"); v && (!peak_ || *v > *peak_)) peak_ = v;
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) sample();
    });
}

}  // namespace lg
