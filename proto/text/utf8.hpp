#pragma once
#include <string>
#include <string_view>

namespace confab::utf8 {

// Whether `text` is well-formed UTF-8 (Unicode 15, table 3-7): no overlong forms, no
// surrogates, nothing above U+10FFFF, no truncated sequence at the end.
bool is_valid(std::string_view text) noexcept;

// `text` with each maximal ill-formed subpart replaced by U+FFFD, as Node's (and the WHATWG)
// UTF-8 decoder does: what the reference server makes of the bytes of a polling body.
std::string repaired(std::string_view text);

}  // namespace confab::utf8
