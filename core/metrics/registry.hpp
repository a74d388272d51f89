#pragma once
// What /metrics reports that is counted as it happens (the rest is read at scrape time).
// Counters are touched only on the I/O thread; the latency histogram also from the store's
// threads, so its buckets are atomic.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace confab::metrics {

class latency_histogram {
public:
    // Upper bounds in seconds, Prometheus style (the last bucket is +Inf).
    static constexpr std::array<double, 12> bounds{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02,
                                                   0.05,   0.1,   0.25,  0.5,   1.0,  2.5};
    void observe(std::chrono::nanoseconds d) noexcept;
    // Appends the histogram in Prometheus text format.
    void render(std::string& out, std::string_view name, std::string_view help) const;

private:
    std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_ns_{0};
};

struct registry {
    std::map<std::string, std::uint64_t, std::less<>> events_received;  // by event name
    std::map<std::string, std::uint64_t, std::less<>> errors;           // by API error code
    std::uint64_t messages_stored = 0;
    std::uint64_t rate_limited = 0;
    latency_histogram store_write_latency;

    void count_event(std::string_view name) { ++find_or_add(events_received, name); }
    void count_error(std::string_view code) { ++find_or_add(errors, code); }

private:
    static std::uint64_t& find_or_add(std::map<std::string, std::uint64_t, std::less<>>& m,
                                      std::string_view key);
};

// One sample line: name{labels} value
void append_sample(std::string& out, std::string_view name, std::string_view labels, double value);
// The # HELP and # TYPE lines of a metric.
void append_header(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help);

}  // namespace confab::metrics
