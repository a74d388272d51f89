#pragma once
// One line per notable event on stderr: plain text, or one JSON object per line. Never pass
// tokens or passwords.
#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace confab::log {

enum class level { debug, info, warn, error };
enum class format { plain, json };

// Both are read on every call; set them once at start-up.
void configure(level min, format f) noexcept;
bool enabled(level l) noexcept;
void write(level l, std::string_view event, std::string_view message);

template <class... Args>
void at(level l, std::string_view event, fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(l)) write(l, event, fmt::format(f, std::forward<Args>(args)...));
}

// "debug", "info", "warn", "error"
std::string_view to_string(level l) noexcept;

inline constexpr std::size_t max_message_bytes = 1024;
// What a plain line shows of a message, which may quote a client: control characters as
// \xNN (no forged lines, no terminal escapes), cut after max_message_bytes.
std::string printable(std::string_view message);

}  // namespace confab::log
