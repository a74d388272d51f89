#include "app/config/parse.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace confab::config {

namespace {

// One setting: its environment variables (first is canonical; they are also its config file
// keys), flag, help, what a valid value looks like, and how to store a textual value
// (returns false when the value is invalid).
struct option {
    std::vector<std::string> env;
    std::string flag;
    std::string help;
    std::string expect;
    std::function<bool(settings&, const std::string&)> set;
    std::function<std::string(const settings&)> show;
    bool secret = false;  // its value never appears in a message
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

// A count where 0 turns the limit off.
bool parse_limit(const std::string& text, std::size_t& out) {
    return parse_number<std::size_t>(text, out, 0, 10'000'000);
}

constexpr std::string_view limit_expect = "a whole number, 0 (no limit) to 10000000";

// A setting that is one of a few words, kept as written: how to store it and how to show it.
std::function<bool(settings&, const std::string&)> set_word(std::string settings::*field,
                                                            std::vector<std::string> words) {
    return [field, words = std::move(words)](settings& s, const std::string& v) {
        s.*field = v;
        return std::find(words.begin(), words.end(), v) != words.end();
    };
}

std::function<std::string(const settings&)> show_word(std::string settings::*field) {
    return [field](const settings& s) { return s.*field; };
}

std::string show_duration(std::chrono::seconds d) {
    const auto s = d.count();
    if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
    if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
    if (s % 60 == 0) return std::to_string(s / 60) + "m";
    return std::to_string(s);
}

const std::vector<option>& options() {
    static const std::vector<option> all = {
        {{"PORT", "SOCKET_IO_PORT"},
         "port",
         "listening port (0: any free port)",
         "a port number, 0 to 65535",
         [](settings& s, const std::string& v) {
             return parse_number<unsigned short>(v, s.port, 0, 65535);
         },
         [](const settings& s) { return std::to_string(s.port); }},
        {{"HOST"},
         "host",
         "listening address",
         "an IP address or host name",
         [](settings& s, const std::string& v) {
             s.host = v;
             return !v.empty();
         },
         [](const settings& s) { return s.host; }},
        {{"DATA_DIR"},
         "data-dir",
         "RocksDB store and generated secret",
         "a directory",
         [](settings& s, const std::string& v) {
             s.data_dir = v;
             return !v.empty();
         },
         [](const settings& s) { return s.data_dir; }},
        {{"JWT_SECRET"},
         "jwt-secret",
         "HS256 key",
         "a non-empty string",
         [](settings& s, const std::string& v) {
             s.jwt_secret = v;
             return !v.empty();
         },
         [](const settings&) { return std::string("generated, kept in DATA_DIR/jwt_secret"); },
         true},
        {{"JWT_EXPIRES_IN"},
         "jwt-expires-in",
         "token lifetime",
         "seconds, or a number with s, m, h or d (3600, 90m, 12h, 7d), at most 10 years",
         [](settings& s, const std::string& v) {
             auto d = parse_duration(v);
             if (d) s.jwt_expires_in = *d;
             return d.has_value();
         },
         [](const settings& s) { return show_duration(s.jwt_expires_in); }},
        {{"CORS_ORIGIN"},
         "cors-origin",
         "allowed origins, comma-separated, or *",
         "origins like https://chat.example.com, comma-separated, or *",
         [](settings& s, const std::string& v) {
             s.cors_origin = v;
             return !v.empty();
         },
         [](const settings& s) { return s.cors_origin; }},
        {{"PING_INTERVAL"},
         "ping-interval",
         "heartbeat interval, ms",
         "milliseconds, 1 to 86400000",
         [](settings& s, const std::string& v) { return parse_ms(v, s.ping_interval); },
         [](const settings& s) { return std::to_string(s.ping_interval.count()); }},
        {{"PING_TIMEOUT"},
         "ping-timeout",
         "heartbeat timeout, ms",
         "milliseconds, 1 to 86400000",
         [](settings& s, const std::string& v) { return parse_ms(v, s.ping_timeout); },
         [](const settings& s) { return std::to_string(s.ping_timeout.count()); }},
        {{"MAX_PAYLOAD"},
         "max-payload",
         "largest message or polling body, bytes",
         "bytes, 1024 to 100000000",
         [](settings& s, const std::string& v) {
             return parse_number<std::size_t>(v, s.max_payload, 1024, 100'000'000);
         },
         [](const settings& s) { return std::to_string(s.max_payload); }},
        {{"HEADER_TIMEOUT"},
         "header-timeout",
         "time a client has to send a whole request, ms",
         "milliseconds, 1 to 86400000",
         [](settings& s, const std::string& v) { return parse_ms(v, s.header_timeout); },
         [](const settings& s) { return std::to_string(s.header_timeout.count()); }},
        {{"MAX_CONNECTIONS"},
         "max-connections",
         "open TCP connections (0: no limit)",
         std::string(limit_expect),
         [](settings& s, const std::string& v) { return parse_limit(v, s.max_connections); },
         [](const settings& s) { return std::to_string(s.max_connections); }},
        {{"MAX_CONNECTIONS_PER_IP"},
         "max-connections-per-ip",
         "open TCP connections per client address (0: no limit)",
         std::string(limit_expect),
         [](settings& s, const std::string& v) { return parse_limit(v, s.max_connections_per_ip); },
         [](const settings& s) { return std::to_string(s.max_connections_per_ip); }},
        {{"MAX_POLLING_SESSIONS_PER_IP"},
         "max-polling-sessions-per-ip",
         "live sessions opened by polling per client address (0: no limit)",
         std::string(limit_expect),
         [](settings& s, const std::string& v) {
             return parse_limit(v, s.max_polling_sessions_per_ip);
         },
         [](const settings& s) { return std::to_string(s.max_polling_sessions_per_ip); }},
        {{"LOOPBACK_LIMITS"},
         "loopback-limits",
         "whether the per-IP limits count loopback clients (a local proxy)",
         "exempt or apply",
         set_word(&settings::loopback_limits, {"exempt", "apply"}),
         show_word(&settings::loopback_limits)},
        {{"RATE_LIMIT_PER_SEC"},
         "rate-limit-per-sec",
         "per-socket events per second",
         "a whole number, 1 to 1000000",
         [](settings& s, const std::string& v) { return parse_rate(v, s.rate_limit_per_sec); },
         [](const settings& s) { return std::to_string(s.rate_limit_per_sec); }},
        {{"RATE_LIMIT_BURST"},
         "rate-limit-burst",
         "per-socket event burst",
         "a whole number, 1 to 1000000",
         [](settings& s, const std::string& v) { return parse_rate(v, s.rate_limit_burst); },
         [](const settings& s) { return std::to_string(s.rate_limit_burst); }},
        {{"DURABILITY"},
         "durability",
         "sync (fsync, grouped) or async (WAL, no fsync)",
         "sync or async",
         set_word(&settings::durability, {"sync", "async"}),
         show_word(&settings::durability)},
        {{"LOG_LEVEL"},
         "log-level",
         "least severe log level shown",
         "debug, info, warn or error",
         set_word(&settings::log_level, {"debug", "info", "warn", "error"}),
         show_word(&settings::log_level)},
        {{"LOG_FORMAT"},
         "log-format",
         "log line format",
         "plain or json",
         set_word(&settings::log_format, {"plain", "json"}),
         show_word(&settings::log_format)},
    };
    return all;
}

constexpr std::string_view config_variable = "CONFAB_CONFIG";
constexpr std::string_view config_flag = "config";

// "invalid value 'abc' for PORT: expected a port number, 0 to 65535"
std::string bad_value(const option& o, const std::string& name, const std::string& value) {
    if (o.secret) return fmt::format("invalid value for {}: expected {}", name, o.expect);
    return fmt::format("invalid value '{}' for {}: expected {}", value, name, o.expect);
}

const option* find_flag(std::string_view flag) {
    for (const auto& o : options())
        if (o.flag == flag) return &o;
    return nullptr;
}

const option* find_variable(std::string_view name) {
    for (const auto& o : options())
        for (const auto& e : o.env)
            if (e == name) return &o;
    return nullptr;
}

std::string_view trim(std::string_view s) {
    constexpr std::string_view space = " \t\r\n\f\v";
    const auto begin = s.find_first_not_of(space);
    if (begin == std::string_view::npos) return {};
    return s.substr(begin, s.find_last_not_of(space) - begin + 1);
}

// One flag of the command line, applied after the config file and the environment.
struct flag_value {
    const option* opt;
    std::string name;  // "--port"
    std::string value;
};

std::optional<command> command_named(std::string_view word) {
    if (word == "serve") return command::serve;
    if (word == "backup") return command::backup;
    if (word == "restore") return command::restore;
    if (word == "help") return command::help;
    if (word == "version") return command::version;
    return std::nullopt;
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

std::optional<std::string> read_file(const std::string& path, std::string& error) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = std::strerror(errno);
        return std::nullopt;
    }
    std::string text;
    char chunk[4096];
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            error = std::strerror(errno);  // e.g. "Is a directory"
            ::close(fd);
            return std::nullopt;
        }
        text.append(chunk, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return text;
}

std::string apply_config_text(std::string_view text, std::string_view origin, settings& values) {
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const auto end = text.find('\n');
        const std::string_view line = trim(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;

        const auto where = fmt::format("{}:{}", origin, line_number);
        const auto eq = line.find('=');
        const std::string_view key = trim(line.substr(0, eq));
        if (eq == std::string_view::npos || key.empty()) {
            return fmt::format("{}: expected KEY=VALUE (or a # comment), got '{}'", where, line);
        }
        if (key == config_variable) {
            return fmt::format("{}: {} cannot be set in a config file: it names the file", where,
                               key);
        }
        const option* o = find_variable(key);
        if (!o) return fmt::format("{}: unknown setting '{}' (see confab --help)", where, key);
        std::string_view value = trim(line.substr(eq + 1));
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front()) {
            value = value.substr(1, value.size() - 2);
        }
        if (!o->set(values, std::string(value))) {
            return fmt::format("{}: {}", where,
                               bad_value(*o, std::string(key), std::string(value)));
        }
    }
    return {};
}

parse_result parse(int argc, const char* const* argv, const env_lookup& env,
                   const file_reader& read) {
    parse_result r;
    int i = 1;
    if (argc > 1 && argv[1][0] != '-') {
        const auto c = command_named(argv[1]);
        if (!c) {
            r.error = fmt::format("unknown command '{}' (see --help)", argv[1]);
            return r;
        }
        r.command = *c;
        i = 2;
    }
    if (r.command == command::help || r.command == command::version) return r;

    // The command line first, so that a mistake in it is reported before the file is read,
    // and --help works whatever the file and the environment hold.
    std::vector<flag_value> flags;
    std::optional<std::string> config_path;
    for (; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            r.command = command::help;
            return r;
        }
        if (arg == "--version" || arg == "-V") {
            r.command = command::version;
            return r;
        }
        if (!arg.starts_with("--")) {
            if ((r.command == command::backup || r.command == command::restore) &&
                r.directory.empty() && !arg.empty()) {
                r.directory = std::string(arg);
                continue;
            }
            r.error = fmt::format("unexpected argument '{}' (see --help)", arg);
            return r;
        }
        arg.remove_prefix(2);
        const auto eq = arg.find('=');
        const auto name = arg.substr(0, eq);
        const option* o = find_flag(name);
        if (!o && name != config_flag) {
            r.error = fmt::format("unknown option '--{}' (see --help)", name);
            return r;
        }
        std::string value;
        if (eq != std::string_view::npos) {
            value = std::string(arg.substr(eq + 1));
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            r.error = fmt::format("--{} needs a value", name);
            return r;
        }
        if (o) {
            flags.push_back({o, "--" + std::string(name), std::move(value)});
        } else if (value.empty()) {
            r.error = "--config needs the path of a config file";
            return r;
        } else {
            config_path = std::move(value);
        }
    }
    if ((r.command == command::backup || r.command == command::restore) && r.directory.empty()) {
        const char* word = r.command == command::backup ? "backup" : "restore";
        r.error = fmt::format("confab {} needs a directory: confab {} DIR [options]", word, word);
        return r;
    }

    if (!config_path) {
        auto from_env = env(std::string(config_variable));
        if (from_env && !from_env->empty()) config_path = std::move(from_env);
    }
    if (config_path) {
        std::string why;
        const auto text = read(*config_path, why);
        if (!text) {
            r.error = fmt::format("cannot read the config file {}: {}", *config_path, why);
            return r;
        }
        r.error = apply_config_text(*text, *config_path, r.values);
        if (!r.error.empty()) return r;
        r.config_file = *config_path;
    }

    for (const auto& o : options()) {
        for (auto it = o.env.rbegin(); it != o.env.rend(); ++it) {  // canonical name wins
            auto value = env(*it);
            if (value && !o.set(r.values, *value)) {
                r.error = bad_value(o, "the environment variable " + *it, *value);
                return r;
            }
        }
    }

    for (const auto& f : flags) {
        if (!f.opt->set(r.values, f.value)) {
            r.error = bad_value(*f.opt, f.name, f.value);
            return r;
        }
    }
    return r;
}

std::string usage() {
    std::string out =
        "Usage: confab [serve] [options]       run the chat server (the default)\n"
        "       confab backup DIR [options]    copy the store of DATA_DIR, running or not, to DIR\n"
        "       confab restore DIR [options]   put the backup in DIR in place as DATA_DIR's store\n"
        "                                      (the server must be stopped)\n"
        "       confab --version               version and build information\n"
        "       confab --help                  this text\n\n"
        "confab: a self-hosted chat server (Socket.IO v5 over Engine.IO v4, REST under /api/).\n\n"
        "Settings come from the config file, then the environment, then the flags, each\n"
        "overriding the one before. The config file holds KEY=VALUE lines with the variables'\n"
        "names below (# starts a comment line).\n\n";
    out += fmt::format("  --{:<18} {}\n  {:<20} the config file; default: none\n", config_flag,
                       config_variable, "");
    const settings defaults;
    for (const auto& o : options()) {
        std::string vars = o.env.front();
        for (std::size_t i = 1; i < o.env.size(); ++i) vars += " (alias " + o.env[i] + ")";
        out += fmt::format("  --{:<18} {}\n  {:<20} {}; default: {}\n", o.flag, vars, "", o.help,
                           o.show(defaults));
    }
    return out;
}

}  // namespace confab::config
