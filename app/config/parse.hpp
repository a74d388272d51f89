#pragma once
// The command line, the environment and the config file of the confab binary.
//
//   confab [serve] [--flag value]...          run the server (the default)
//   confab backup DIR [--flag value]...       copy the running server's store to DIR
//   confab restore DIR [--flag value]...      put a backup in place (server stopped)
//   confab --version | version, confab --help | help
//
// Settings come from, each overriding the one before: their defaults, the config file
// (`--config PATH`, else the CONFAB_CONFIG variable, else none), the environment, the flags.
// The config file holds `KEY=VALUE` lines with the environment variables' names (the format
// of a systemd EnvironmentFile): blank lines and lines starting with # or ; are ignored,
// space around the key and the value is dropped, and so are quotes around the whole value.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "app/config/settings.hpp"

namespace confab::config {

// Looks an environment variable up; std::getenv in the binary, a map in tests.
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

// Reads a whole file; nullopt with `error` set (e.g. "No such file or directory") when it
// cannot. The binary reads the disk; tests pass a map.
using file_reader =
    std::function<std::optional<std::string>(const std::string& path, std::string& error)>;
std::optional<std::string> read_file(const std::string& path, std::string& error);

enum class command { serve, help, version, backup, restore };

struct parse_result {
    settings values;
    config::command command = command::serve;
    std::string directory;    // backup's and restore's DIR
    std::string config_file;  // the config file that was read; empty when none
    // Names the setting (and the file and line, the variable or the flag it came from) and
    // what is wrong with it; empty on success.
    std::string error;
};

parse_result parse(int argc, const char* const* argv, const env_lookup& env,
                   const file_reader& read = read_file);

// Applies the `KEY=VALUE` lines of a config file to `values`. `origin` (the file's path)
// starts every error message, with the line: "/etc/confab/confab.conf:7: ...". Returns the
// first error, or an empty string.
std::string apply_config_text(std::string_view text, std::string_view origin, settings& values);

// The --help text: the commands, and every setting with its variable, flag and default.
std::string usage();

// "3600", "90m", "12h", "7d" (seconds when no unit).
std::optional<std::chrono::seconds> parse_duration(const std::string& text);

}  // namespace confab::config
