#include "core/common/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace confab::log {

namespace {

level min_level = level::info;
format output = format::plain;

std::string timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
    const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                       ms.count() % 1000);
}

std::string quoted(std::string_view s) { return boost::json::serialize(boost::json::string(s)); }

}  // namespace

void configure(level min, format f) noexcept {
    min_level = min;
    output = f;
}

bool enabled(level l) noexcept { return l >= min_level; }

std::string_view to_string(level l) noexcept {
    switch (l) {
        case level::debug: return "debug";
        case level::info: return "info";
        case level::warn: return "warn";
        case level::error: return "error";
    }
    return "info";
}

std::string printable(std::string_view message) {
    const auto shown = message.substr(0, max_message_bytes);
    std::string out;
    out.reserve(shown.size());
    for (const char c : shown) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
            out += fmt::format("\\x{:02x}", byte);
        } else {
            out += c;
        }
    }
    if (shown.size() < message.size()) out += fmt::format("... ({} bytes)", message.size());
    return out;
}

void write(level l, std::string_view event, std::string_view message) {
    if (!enabled(l)) return;
    // One fputs per line: lines from the store's threads do not interleave mid-line.
    const auto line =
        output == format::json
            ? fmt::format(R"({{"time":"{}","level":"{}","event":{},"msg":{}}})"
                          "\n",
                          timestamp(), to_string(l), quoted(event),
                          quoted(message.substr(0, max_message_bytes)))
            : fmt::format("{} {:<5} {} {}\n", timestamp(), to_string(l), event, printable(message));
    std::fputs(line.c_str(), stderr);
}

}  // namespace confab::log
