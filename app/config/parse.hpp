#pragma once
#include <functional>
#include <optional>
#include <string>

#include "app/config/settings.hpp"

namespace confab::config {

// Looks an environment variable up; std::getenv in the binary, a map in tests.
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

struct parse_result {
    settings values;
    bool help = false;
    std::string error;  // names the setting and the bad value; empty on success
};

// Environment first, then flags (`--port 5000` or `--port=5000`), each overriding the one
// before.
parse_result parse(int argc, const char* const* argv, const env_lookup& env);
// The --help text: every setting, its variable, flag and default.
std::string usage();

// "3600", "90m", "12h", "7d" (seconds when no unit).
std::optional<std::chrono::seconds> parse_duration(const std::string& text);

}  // namespace confab::config
