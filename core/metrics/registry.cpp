#include "core/metrics/registry.hpp"

#include <fmt/format.h>

namespace confab::metrics {

void latency_histogram::observe(std::chrono::nanoseconds d) noexcept {
    const double seconds = std::chrono::duration<double>(d).count();
    std::size_t i = 0;
    while (i < bounds.size() && seconds > bounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(d.count()), std::memory_order_relaxed);
}

void latency_histogram::render(std::string& out, std::string_view name,
                               std::string_view help) const {
    append_header(out, name, "histogram", help);
    std::uint64_t cumulative = 0;
    const std::string bucket = std::string(name) + "_bucket";
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        const auto le = i < bounds.size() ? fmt::format("le=\"{}\"", bounds[i]) : "le=\"+Inf\"";
        append_sample(out, bucket, le, static_cast<double>(cumulative));
    }
    append_sample(out, std::string(name) + "_sum", "",
                  static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9);
    append_sample(out, std::string(name) + "_count", "",
                  static_cast<double>(count_.load(std::memory_order_relaxed)));
}

std::uint64_t& registry::find_or_add(std::map<std::string, std::uint64_t, std::less<>>& m,
                                     std::string_view key) {
    auto it = m.find(key);
    if (it == m.end()) it = m.emplace(std::string(key), 0).first;
    return it->second;
}

void append_sample(std::string& out, std::string_view name, std::string_view labels,
                   double value) {
    if (labels.empty())
        fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
    else
        fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", name, labels, value);
}

void append_header(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace confab::metrics
