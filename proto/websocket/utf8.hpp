#pragma once
#include <string_view>

namespace confab::ws {

// Whether `text` is well-formed UTF-8 (Unicode 15, table 3-7): no overlong forms, no
// surrogates, nothing above U+10FFFF, no truncated sequence at the end.
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace confab::ws
