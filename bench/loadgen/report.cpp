#include "report.hpp"

#include <cmath>
#include <cstdio>

#include <boost/json/serialize.hpp>

namespace lg {

double round_to(double v, int digits) {
    if (!std::isfinite(v)) return 0;
    const double scale = std::pow(10.0, digits);
    return std::round(v * scale) / scale;
}

boost::json::object latency_json(const histogram& h) {
    auto ms = [](std::uint64_t ns) { return round_to(static_cast<double>(ns) / 1e6, 3); };
    return {{"p50", ms(h.quantile(0.5))},  {"p90", ms(h.quantile(0.9))},  {"p99", ms(h.quantile(0.99))},
            {"p999", ms(h.quantile(0.999))}, {"max", ms(h.max())}, {"mean", round_to(h.mean() / 1e6, 3)},
            {"count", h.count()}};
}

std::string latency_line(const histogram& h) {
    auto ms = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e6; };
    return fmt::format("p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  p99.9 {:.3f}  max {:.3f} ms  (n={})",
                       ms(h.quantile(0.5)), ms(h.quantile(0.9)), ms(h.quantile(0.99)), ms(h.quantile(0.999)),
                       ms(h.max()), h.count());
}

boost::json::value optional_json(const std::optional<double>& v) {
    return v ? boost::json::value(round_to(*v, 4)) : boost::json::value(nullptr);
}

boost::json::value optional_json(const std::optional<std::uint64_t>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

boost::json::object counts_json(const std::map<std::string, std::uint64_t, std::less<>>& m) {
    boost::json::object o;
    for (const auto& [k, v] : m) o[k] = v;
    return o;
}

namespace {

// Like boost::json::serialize, but numbers as people write them ("0.091", not "9.1E-2").
void write_json(std::string& out, const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::object: {
            out += '{';
            bool first = true;
            for (const auto& [k, item] : v.get_object()) {
                if (!first) out += ',';
                first = false;
                out += boost::json::serialize(boost::json::value(boost::json::string_view(k)));
                out += ':';
                write_json(out, item);
            }
            out += '}';
            return;
        }
        case boost::json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& item : v.get_array()) {
                if (!first) out += ',';
                first = false;
                write_json(out, item);
            }
            out += ']';
            return;
        }
        case boost::json::kind::double_: {
            const double d = v.get_double();
            out += std::isfinite(d) ? fmt::format("{}", d) : std::string("null");
            return;
        }
        default: out += boost::json::serialize(v); return;
    }
}

}  // namespace

void reporter::result(const boost::json::object& figures) const {
    auto all = figures;
    all["prefix"] = opt_.prefix;
    all["run_id"] = opt_.run_id;
    std::string line = "RESULT ";
    write_json(line, all);
    line += '\n';
    std::fputs(line.c_str(), stdout);
    std::fflush(stdout);
}

}  // namespace lg
