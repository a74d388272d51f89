#pragma once
// Standard base64 (RFC 4648 section 4), as Engine.IO polling carries binary messages.
#include <string>
#include <string_view>

namespace confab::eio {

// Appends the base64 encoding of `bytes` to `out`.
void append_base64(std::string& out, std::string_view bytes);

// Decodes strictly but for the padding, which may be left off altogether: no whitespace, no
// stray bits, no partial padding. On failure returns false and leaves `out` unchanged.
bool decode_base64(std::string_view text, std::string& out);

}  // namespace confab::eio
