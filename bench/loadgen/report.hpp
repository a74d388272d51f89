#pragma once
// Output: readable summary lines on stdout (unless --json-only), progress on stderr, and one
// final `RESULT {json}` line on stdout.
#include <map>
#include <optional>
#include <string>

#include <boost/json/object.hpp>
#include <fmt/format.h>

#include "histogram.hpp"
#include "options.hpp"

namespace lg {

// {"p50":..,"p90":..,"p99":..,"p999":..,"max":..,"mean":..} in milliseconds.
boost::json::object latency_json(const histogram& h);
// "p50 0.41  p90 0.62  p99 1.20  p99.9 3.10  max 5.02 ms"
std::string latency_line(const histogram& h);

boost::json::value optional_json(const std::optional<double>& v);
boost::json::value optional_json(const std::optional<std::uint64_t>& v);
boost::json::object counts_json(const std::map<std::string, std::uint64_t, std::less<>>& m);

// Rounds to `digits` decimals, so the JSON line stays readable.
double round_to(double v, int digits = 3);

class reporter {
public:
    explicit reporter(const options& o) : opt_(o) {}
    template <class... Args>
    void say(fmt::format_string<Args...> f, Args&&... args) const {
        if (opt_.json_only) return;
        fmt::print(stdout, f, std::forward<Args>(args)...);
        std::fputc('\n', stdout);
    }
    void result(const boost::json::object& figures) const;

private:
    const options& opt_;
};

}  // namespace lg
