// Settings from the config file, the environment and the flags: precedence, the file format,
// the commands, and errors that name the setting (and the file and line).
#include <initializer_list>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "app/config/parse.hpp"

using namespace confab::config;

namespace confab::config {

// Lets BOOST_TEST print a command when a comparison fails.
inline std::ostream& operator<<(std::ostream& os, command c) {
    return os << static_cast<int>(c);
}

}  // namespace confab::config

namespace {

// A fake process: its environment, the files it can read, and how often it read one.
struct world {
    std::map<std::string, std::string> env;
    std::map<std::string, std::string> files;
    int reads = 0;

    parse_result parse(std::initializer_list<const char*> args) {
        std::vector<const char*> argv{"confab"};
        argv.insert(argv.end(), args.begin(), args.end());
        return confab::config::parse(
            static_cast<int>(argv.size()), argv.data(),
            [this](const std::string& name) -> std::optional<std::string> {
                const auto it = env.find(name);
                if (it == env.end()) return std::nullopt;
                return it->second;
            },
            [this](const std::string& path, std::string& error) -> std::optional<std::string> {
                ++reads;
                const auto it = files.find(path);
                if (it == files.end()) {
                    error = "No such file or directory";
                    return std::nullopt;
                }
                return it->second;
            });
    }
};

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config_precedence)

BOOST_AUTO_TEST_CASE(defaults_without_file_environment_or_flags) {
    world w;
    const auto r = w.parse({});
    BOOST_TEST(r.error == "");
    BOOST_TEST(r.command == command::serve);
    BOOST_TEST(r.config_file == "");
    BOOST_TEST(w.reads == 0);
    BOOST_TEST(r.values.port == 5000);
    BOOST_TEST(r.values.host == "0.0.0.0");
    BOOST_TEST(r.values.data_dir == "./data");
    BOOST_TEST(r.values.jwt_secret == "");
    BOOST_TEST(r.values.durability == "sync");
}

BOOST_AUTO_TEST_CASE(file_then_environment_then_flags) {
    world w;
    w.files["/etc/confab.conf"] =
        "PORT=5001\n"
        "HOST=127.0.0.1\n"
        "DATA_DIR=/var/lib/confab\n"
        "LOG_LEVEL=debug\n";
    w.env["PORT"] = "5002";
    w.env["HOST"] = "::1";
    const auto r = w.parse({"--config", "/etc/confab.conf", "--port", "5003"});
    BOOST_TEST(r.error == "");
    BOOST_TEST(r.config_file == "/etc/confab.conf");
    BOOST_TEST(r.values.port == 5003);                   // flag over environment over file
    BOOST_TEST(r.values.host == "::1");                  // environment over file
    BOOST_TEST(r.values.data_dir == "/var/lib/confab");  // file over default
    BOOST_TEST(r.values.log_level == "debug");
    BOOST_TEST(r.values.rate_limit_burst == 40u);  // default
}

BOOST_AUTO_TEST_CASE(config_path_from_flag_or_environment) {
    world w;
    w.files["/a.conf"] = "PORT=1111\n";
    w.files["/b.conf"] = "PORT=2222\n";
    w.env["CONFAB_CONFIG"] = "/a.conf";
    BOOST_TEST(w.parse({}).values.port == 1111);
    BOOST_TEST(w.parse({}).config_file == "/a.conf");
    BOOST_TEST(w.parse({"--config", "/b.conf"}).values.port == 2222);  // the flag wins
    BOOST_TEST(w.parse({"--config=/b.conf"}).values.port == 2222);
    w.env["CONFAB_CONFIG"] = "";  // set but empty: no file
    const auto r = w.parse({});
    BOOST_TEST(r.error == "");
    BOOST_TEST(r.config_file == "");
    BOOST_TEST(r.values.port == 5000);
}

BOOST_AUTO_TEST_CASE(canonical_variable_wins_over_its_alias) {
    world w;
    w.env["SOCKET_IO_PORT"] = "6000";
    BOOST_TEST(w.parse({}).values.port == 6000);
    w.env["PORT"] = "7000";
    BOOST_TEST(w.parse({}).values.port == 7000);
    w.files["/c"] = "SOCKET_IO_PORT=8000\n";  // an alias is a valid file key too
    w.env.clear();
    BOOST_TEST(w.parse({"--config", "/c"}).values.port == 8000);
}

BOOST_AUTO_TEST_CASE(every_setting_from_the_file) {
    world w;
    w.files["/all"] =
        "PORT=0\nHOST=localhost\nDATA_DIR=d\nJWT_SECRET=s3cret\nJWT_EXPIRES_IN=12h\n"
        "CORS_ORIGIN=*\nPING_INTERVAL=25000\nPING_TIMEOUT=20000\nMAX_PAYLOAD=2048\n"
        "RATE_LIMIT_PER_SEC=5\nRATE_LIMIT_BURST=6\nDURABILITY=async\nLOG_LEVEL=warn\n";
    const auto r = w.parse({"--config", "/all"});
    BOOST_TEST(r.error == "");
    BOOST_TEST(r.values.port == 0);
    BOOST_TEST(r.values.host == "localhost");
    BOOST_TEST(r.values.data_dir == "d");
    BOOST_TEST(r.values.jwt_secret == "s3cret");
    BOOST_TEST(r.values.jwt_expires_in.count() == 12 * 3600);
    BOOST_TEST(r.values.cors_origin == "*");
    BOOST_TEST(r.values.ping_interval.count() == 25000);
    BOOST_TEST(r.values.ping_timeout.count() == 20000);
    BOOST_TEST(r.values.max_payload == 2048u);
    BOOST_TEST(r.values.rate_limit_per_sec == 5u);
    BOOST_TEST(r.values.rate_limit_burst == 6u);
    BOOST_TEST(r.values.durability == "async");
    BOOST_TEST(r.values.log_level == "warn");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_file_format)

BOOST_AUTO_TEST_CASE(comments_blank_lines_spaces_quotes_and_crlf) {
    settings s;
    const auto error = apply_config_text(
        "# a comment\n"
        "\n"
        "   \t\n"
        "; also a comment\n"
        "  PORT = 5005  \n"
        "HOST=\"127.0.0.1\"\n"
        "CORS_ORIGIN='https://a.example, https://b.example'\r\n"
        "DATA_DIR=/srv/confab # not a comment: part of the value\n"
        "JWT_SECRET=a=b=c\n"
        "LOG_LEVEL=warn",  // no final newline
        "f", s);
    BOOST_TEST(error == "");
    BOOST_TEST(s.port == 5005);
    BOOST_TEST(s.host == "127.0.0.1");
    BOOST_TEST(s.cors_origin == "https://a.example, https://b.example");
    BOOST_TEST(s.data_dir == "/srv/confab # not a comment: part of the value");
    BOOST_TEST(s.jwt_secret == "a=b=c");
    BOOST_TEST(s.log_level == "warn");
}

BOOST_AUTO_TEST_CASE(a_later_line_wins) {
    settings s;
    BOOST_TEST(apply_config_text("PORT=1\nPORT=2\n", "f", s) == "");
    BOOST_TEST(s.port == 2);
}

BOOST_AUTO_TEST_CASE(an_empty_file_changes_nothing) {
    settings s;
    BOOST_TEST(apply_config_text("", "f", s) == "");
    BOOST_TEST(apply_config_text("\n\n# only comments\n", "f", s) == "");
    BOOST_TEST(s.port == 5000);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_errors)

BOOST_AUTO_TEST_CASE(unknown_key_names_file_line_and_key) {
    world w;
    w.files["/etc/confab/confab.conf"] = "# settings\nPORT=5000\n\nPROT=5001\n";
    const auto r = w.parse({"--config", "/etc/confab/confab.conf"});
    BOOST_TEST(r.error == "/etc/confab/confab.conf:4: unknown setting 'PROT' (see confab --help)");
}

BOOST_AUTO_TEST_CASE(bad_value_in_file_names_file_line_setting_and_what_is_valid) {
    world w;
    w.files["/c.conf"] = "HOST=0.0.0.0\nPORT=70000\n";
    BOOST_TEST(w.parse({"--config", "/c.conf"}).error ==
               "/c.conf:2: invalid value '70000' for PORT: expected a port number, 0 to 65535");
    w.files["/c.conf"] = "DURABILITY=fast\n";
    BOOST_TEST(w.parse({"--config", "/c.conf"}).error ==
               "/c.conf:1: invalid value 'fast' for DURABILITY: expected sync or async");
    w.files["/c.conf"] = "\nJWT_EXPIRES_IN=soon\n";
    const auto error = w.parse({"--config", "/c.conf"}).error;
    BOOST_TEST(error.starts_with("/c.conf:2: invalid value 'soon' for JWT_EXPIRES_IN: expected"));
}

BOOST_AUTO_TEST_CASE(a_line_without_equals_sign) {
    settings s;
    BOOST_TEST(apply_config_text("PORT 5000\n", "x.conf", s) ==
               "x.conf:1: expected KEY=VALUE (or a # comment), got 'PORT 5000'");
    BOOST_TEST(apply_config_text("=5000\n", "x.conf", s) ==
               "x.conf:1: expected KEY=VALUE (or a # comment), got '=5000'");
}

BOOST_AUTO_TEST_CASE(the_file_cannot_name_another_file) {
    settings s;
    BOOST_TEST(contains(apply_config_text("CONFAB_CONFIG=/other\n", "x.conf", s),
                        "x.conf:1: CONFAB_CONFIG cannot be set in a config file"));
}

BOOST_AUTO_TEST_CASE(an_empty_value_is_invalid) {
    settings s;
    BOOST_TEST(apply_config_text("HOST=\n", "x.conf", s) ==
               "x.conf:1: invalid value '' for HOST: expected an IP address or host name");
}

BOOST_AUTO_TEST_CASE(a_secret_is_never_repeated_in_a_message) {
    settings s;
    const auto error = apply_config_text("JWT_SECRET=''\n", "x.conf", s);
    BOOST_TEST(error == "x.conf:1: invalid value for JWT_SECRET: expected a non-empty string");
}

BOOST_AUTO_TEST_CASE(missing_file_names_the_path) {
    world w;
    BOOST_TEST(w.parse({"--config", "/nope.conf"}).error ==
               "cannot read the config file /nope.conf: No such file or directory");
    w.env["CONFAB_CONFIG"] = "/nope2.conf";
    BOOST_TEST(w.parse({}).error ==
               "cannot read the config file /nope2.conf: No such file or directory");
    BOOST_TEST(w.parse({"--config", ""}).error == "--config needs the path of a config file");
}

BOOST_AUTO_TEST_CASE(bad_environment_value_names_the_variable) {
    world w;
    w.env["PING_INTERVAL"] = "0";
    BOOST_TEST(w.parse({}).error ==
               "invalid value '0' for the environment variable PING_INTERVAL: expected "
               "milliseconds, 1 to 86400000");
    // ... even when a flag sets the same setting: every source must be valid.
    BOOST_TEST(w.parse({"--ping-interval", "100"}).error != "");
}

BOOST_AUTO_TEST_CASE(bad_flag_names_the_flag) {
    world w;
    BOOST_TEST(w.parse({"--rate-limit-burst", "0"}).error ==
               "invalid value '0' for --rate-limit-burst: expected a whole number, 1 to 1000000");
    BOOST_TEST(w.parse({"--max-payload=12"}).error ==
               "invalid value '12' for --max-payload: expected bytes, 1024 to 100000000");
    BOOST_TEST(w.parse({"--prot", "1"}).error == "unknown option '--prot' (see --help)");
    BOOST_TEST(w.parse({"--port"}).error == "--port needs a value");
    BOOST_TEST(w.parse({"5000"}).error == "unknown command '5000' (see --help)");
    BOOST_TEST(w.parse({"serve", "extra"}).error == "unexpected argument 'extra' (see --help)");
}

BOOST_AUTO_TEST_CASE(command_line_mistakes_come_before_reading_the_file) {
    world w;
    w.files["/c"] = "BROKEN\n";
    BOOST_TEST(w.parse({"--config", "/c", "--nope", "1"}).error ==
               "unknown option '--nope' (see --help)");
    BOOST_TEST(w.reads == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_commands)

BOOST_AUTO_TEST_CASE(help_and_version_ignore_a_broken_configuration) {
    world w;
    w.env["CONFAB_CONFIG"] = "/missing";
    w.env["PORT"] = "bad";
    for (auto args : {std::initializer_list<const char*>{"--help"},
                      {"-h"},
                      {"help"},
                      {"--port", "1", "--help"},
                      {"backup", "--help"}}) {
        const auto r = w.parse(args);
        BOOST_TEST(r.error == "");
        BOOST_TEST(r.command == command::help);
    }
    for (auto args : {std::initializer_list<const char*>{"--version"}, {"-V"}, {"version"}}) {
        const auto r = w.parse(args);
        BOOST_TEST(r.error == "");
        BOOST_TEST(r.command == command::version);
    }
    BOOST_TEST(w.reads == 0);
}

BOOST_AUTO_TEST_CASE(backup_and_restore_take_a_directory_and_the_settings) {
    world w;
    w.files["/etc/confab/confab.conf"] = "DATA_DIR=/var/lib/confab\n";
    auto r = w.parse({"backup", "/srv/backups/today", "--config", "/etc/confab/confab.conf"});
    BOOST_TEST(r.error == "");
    BOOST_TEST(r.command == command::backup);
    BOOST_TEST(r.directory == "/srv/backups/today");
    BOOST_TEST(r.values.data_dir == "/var/lib/confab");

    r = w.parse({"restore", "--data-dir", "/tmp/d", "/srv/backups/today"});
    BOOST_TEST(r.error == "");
    BOOST_TEST(r.command == command::restore);
    BOOST_TEST(r.directory == "/srv/backups/today");
    BOOST_TEST(r.values.data_dir == "/tmp/d");

    BOOST_TEST(w.parse({"backup"}).error ==
               "confab backup needs a directory: confab backup DIR [options]");
    BOOST_TEST(w.parse({"restore", "a", "b"}).error == "unexpected argument 'b' (see --help)");
    BOOST_TEST(w.parse({"serve", "--port", "1"}).command == command::serve);
}

BOOST_AUTO_TEST_CASE(help_lists_every_setting) {
    const std::string text = usage();
    for (const char* name : {"CONFAB_CONFIG",
                             "--config",
                             "PORT",
                             "SOCKET_IO_PORT",
                             "--port",
                             "HOST",
                             "--host",
                             "DATA_DIR",
                             "--data-dir",
                             "JWT_SECRET",
                             "--jwt-secret",
                             "JWT_EXPIRES_IN",
                             "--jwt-expires-in",
                             "CORS_ORIGIN",
                             "--cors-origin",
                             "PING_INTERVAL",
                             "--ping-interval",
                             "PING_TIMEOUT",
                             "--ping-timeout",
                             "MAX_PAYLOAD",
                             "--max-payload",
                             "RATE_LIMIT_PER_SEC",
                             "--rate-limit-per-sec",
                             "RATE_LIMIT_BURST",
                             "--rate-limit-burst",
                             "DURABILITY",
                             "--durability",
                             "LOG_LEVEL",
                             "--log-level",
                             "HEADER_TIMEOUT",
                             "--header-timeout",
                             "MAX_CONNECTIONS",
                             "--max-connections",
                             "MAX_CONNECTIONS_PER_IP",
                             "--max-connections-per-ip",
                             "MAX_POLLING_SESSIONS_PER_IP",
                             "--max-polling-sessions-per-ip",
                             "LOOPBACK_LIMITS",
                             "--loopback-limits",
                             "backup DIR",
                             "restore DIR",
                             "--version"}) {
        BOOST_TEST(contains(text, name), name);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_connection_limits)

BOOST_AUTO_TEST_CASE(defaults) {
    const auto r = world{}.parse({});
    BOOST_TEST(r.values.header_timeout.count() == 20000);
    BOOST_TEST(r.values.max_connections == 200000u);
    BOOST_TEST(r.values.max_connections_per_ip == 1000u);
    BOOST_TEST(r.values.max_polling_sessions_per_ip == 250u);
    BOOST_TEST(r.values.loopback_limits == "exempt");
}

BOOST_AUTO_TEST_CASE(loopback_limits_is_exempt_or_apply) {
    world w;
    w.env["LOOPBACK_LIMITS"] = "apply";
    BOOST_TEST(w.parse({}).values.loopback_limits == "apply");
    BOOST_TEST(w.parse({"--loopback-limits", "exempt"}).values.loopback_limits == "exempt");
    BOOST_TEST(w.parse({"--loopback-limits", "never"}).error ==
               "invalid value 'never' for --loopback-limits: expected exempt or apply");
}

BOOST_AUTO_TEST_CASE(from_the_file_the_environment_and_flags) {
    world w;
    w.files["/l"] = "HEADER_TIMEOUT=5000\nMAX_CONNECTIONS=20\n";
    w.env["MAX_CONNECTIONS_PER_IP"] = "5";
    w.env["MAX_POLLING_SESSIONS_PER_IP"] = "7";
    const auto r =
        w.parse({"--config", "/l", "--max-polling-sessions-per-ip", "3", "--header-timeout=1000"});
    BOOST_TEST(r.error == "");
    BOOST_TEST(r.values.header_timeout.count() == 1000);
    BOOST_TEST(r.values.max_connections == 20u);
    BOOST_TEST(r.values.max_connections_per_ip == 5u);
    BOOST_TEST(r.values.max_polling_sessions_per_ip == 3u);
}

BOOST_AUTO_TEST_CASE(zero_turns_a_limit_off) {
    const auto r = world{}.parse({"--max-connections", "0", "--max-connections-per-ip", "0",
                                  "--max-polling-sessions-per-ip", "0"});
    BOOST_TEST(r.error == "");
    BOOST_TEST(r.values.max_connections == 0u);
    BOOST_TEST(r.values.max_connections_per_ip == 0u);
    BOOST_TEST(r.values.max_polling_sessions_per_ip == 0u);
}

BOOST_AUTO_TEST_CASE(bad_values_name_the_setting_and_what_is_valid) {
    world w;
    BOOST_TEST(w.parse({"--max-connections", "-1"}).error ==
               "invalid value '-1' for --max-connections: expected a whole number, 0 (no limit) "
               "to 10000000");
    BOOST_TEST(w.parse({"--max-connections-per-ip", "many"}).error ==
               "invalid value 'many' for --max-connections-per-ip: expected a whole number, 0 (no "
               "limit) to 10000000");
    BOOST_TEST(w.parse({"--header-timeout", "0"}).error ==
               "invalid value '0' for --header-timeout: expected milliseconds, 1 to 86400000");
    w.env["MAX_POLLING_SESSIONS_PER_IP"] = "10000001";
    BOOST_TEST(w.parse({}).error ==
               "invalid value '10000001' for the environment variable "
               "MAX_POLLING_SESSIONS_PER_IP: expected a whole number, 0 (no limit) to 10000000");
}

BOOST_AUTO_TEST_SUITE_END()
