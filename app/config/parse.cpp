#include "app/config/parse.hpp"

#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace confab::config {

namespace {

// One setting: its environment variables (first is canonical), flag, help, and how to store
// a textual value (returns false when the value is invalid).
struct option {
    std::vector<std::string> env;
    std::string flag;
    std::string help;
    std::function<bool(settings&, const std::string&)> set;
    std::function<std::string(const settings&)> show;
};

template <class T>
bool parse_number(const std::string& text, T& out, T min, T max) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
        return false;
    out = value;
    return true;
}

bool parse_ms(const std::string& text, std::chrono::milliseconds& out) {
    long long v = 0;
    if (!parse_number<long long>(text, v, 1, 24LL * 3600 * 1000)) return false;
    out = std::chrono::milliseconds(v);
    return true;
}

bool parse_rate(const std::string& text, std::uint32_t& out) {
    return parse_number<std::uint32_t>(text, out, 1, 1'000'000);
}

const std::vector<option>& options() {
    static const std::vector<option> all = {
        {{"PORT", "SOCKET_IO_PORT"}, "port", "listening port",
         [](settings& s, const std::string& v) {
             return parse_number<unsigned short>(v, s.port, 0, 65535);
         },
         [](const settings& s) { return std::to_string(s.port); }},
        {{"HOST"}, "host", "listening address",
         [](settings& s, const std::string& v) { s.host = v; return !v.empty(); },
         [](const settings& s) { return s.host; }},
        {{"DATA_DIR"}, "data-dir", "RocksDB store and generated secret",
         [](settings& s, const std::string& v) { s.data_dir = v; return !v.empty(); },
         [](const settings& s) { return s.data_dir; }},
        {{"JWT_SECRET"}, "jwt-secret", "HS256 key (default: generated, kept in the data dir)",
         [](settings& s, const std::string& v) { s.jwt_secret = v; return !v.empty(); },
         [](const settings&) { return std::string("(generated)"); }},
        {{"JWT_EXPIRES_IN"}, "jwt-expires-in", "token lifetime: 3600, 90m, 12h, 7d",
         [](settings& s, const std::string& v) {
             auto d = parse_duration(v);
             if (d) s.jwt_expires_in = *d;
             return d.has_value();
         },
         [](const settings& s) { return std::to_string(s.jwt_expires_in.count()) + "s"; }},
        {{"CORS_ORIGIN"}, "cors-origin", "allowed origins, comma-separated, or *",
         [](settings& s, const std::string& v) { s.cors_origin = v; return !v.empty(); },
         [](const settings& s) { return s.cors_origin; }},
        {{"PING_INTERVAL"}, "ping-interval", "heartbeat interval, ms",
         [](settings& s, const std::string& v) { return parse_ms(v, s.ping_interval); },
         [](const settings& s) { return std::to_string(s.ping_interval.count()); }},
        {{"PING_TIMEOUT"}, "ping-timeout", "heartbeat timeout, ms",
         [](settings& s, const std::string& v) { return parse_ms(v, s.ping_timeout); },
         [](const settings& s) { return std::to_string(s.ping_timeout.count()); }},
        {{"MAX_PAYLOAD"}, "max-payload", "largest message or polling body, bytes",
         [](settings& s, const std::string& v) {
             return parse_number<std::size_t>(v, s.max_payload, 1024, 100'000'000);
         },
         [](const settings& s) { return std::to_string(s.max_payload); }},
        {{"RATE_LIMIT_PER_SEC"}, "rate-limit-per-sec", "per-socket events per second",
         [](settings& s, const std::string& v) { return parse_rate(v, s.rate_limit_per_sec); },
         [](const settings& s) { return std::to_string(s.rate_limit_per_sec); }},
        {{"RATE_LIMIT_BURST"}, "rate-limit-burst", "per-socket event burst",
         [](settings& s, const std::string& v) { return parse_rate(v, s.rate_limit_burst); },
         [](const settings& s) { return std::to_string(s.rate_limit_burst); }},
        {{"DURABILITY"}, "durability", "sync (fsync, grouped) or async (WAL, no fsync)",
         [](settings& s, const std::string& v) {
             s.durability = v;
             return v == "sync" || v == "async";
         },
         [](const settings& s) { return s.durability; }},
        {{"LOG_LEVEL"}, "log-level", "debug, info, warn or error",
         [](settings& s, const std::string& v) {
             s.log_level = v;
             return v == "debug" || v == "info" || v == "warn" || v == "error";
         },
         [](const settings& s) { return s.log_level; }},
    };
    return all;
}

std::string bad_value(const std::string& name, const std::string& value) {
    return fmt::format("invalid value '{}' for {}", value, name);
}

const option* find_flag(std::string_view flag) {
    for (const auto& o : options())
        if (o.flag == flag) return &o;
    return nullptr;
}

}  // namespace

std::optional<std::chrono::seconds> parse_duration(const std::string& text) {
    if (text.empty()) return std::nullopt;
    long long unit = 1;
    std::string digits = text;
    const char suffix = text.back();
    if (suffix == 's' || suffix == 'm' || suffix == 'h' || suffix == 'd') {
        unit = suffix == 'm' ? 60 : suffix == 'h' ? 3600 : suffix == 'd' ? 86400 : 1;
        digits.pop_back();
    }
    long long n = 0;
    if (!parse_number<long long>(digits, n, 1, 10LL * 365 * 86400 / unit)) return std::nullopt;
    return std::chrono::seconds(n * unit);
}

parse_result parse(int argc, const char* const* argv, const env_lookup& env) {
    parse_result r;
    for (const auto& o : options()) {
        for (auto it = o.env.rbegin(); it != o.env.rend(); ++it) {  // canonical name wins
            auto value = env(*it);
            if (value && !o.set(r.values, *value)) {
                r.error = bad_value(*it, *value);
                return r;
            }
        }
    }
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            r.help = true;
            return r;
        }
        if (!arg.starts_with("--")) {
            r.error = fmt::format("unexpected argument '{}' (see --help)", arg);
            return r;
        }
        arg.remove_prefix(2);
        std::string value;
        const auto eq = arg.find('=');
        const auto name = arg.substr(0, eq);
        const auto* o = find_flag(name);
        if (!o) {
            r.error = fmt::format("unknown option '--{}' (see --help)", name);
            return r;
        }
        if (eq != std::string_view::npos) {
            value = std::string(arg.substr(eq + 1));
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            r.error = fmt::format("--{} needs a value", name);
            return r;
        }
        if (!o->set(r.values, value)) {
            r.error = bad_value("--" + std::string(name), value);
            return r;
        }
    }
    return r;
}

std::string usage() {
    std::string out =
        "Usage: confab [options]\n\n"
        "confab: a self-hosted chat server (Socket.IO v5 over Engine.IO v4, REST under /api/).\n"
        "Each setting is an environment variable and a flag; flags win.\n\n";
    const settings defaults;
    for (const auto& o : options()) {
        std::string vars = o.env.front();
        for (std::size_t i = 1; i < o.env.size(); ++i) vars += " (alias " + o.env[i] + ")";
        out += fmt::format("  --{:<20} {:<34} {} [default: {}]\n", o.flag, vars, o.help,
                           o.show(defaults));
    }
    return out;
}

}  // namespace confab::config
