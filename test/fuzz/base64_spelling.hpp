#pragma once
// Strict base64 has one spelling per byte string, written with its padding or without (as
// Node reads it): the fuzz targets' round-trip checks accept either.
#include <string_view>

namespace confab::fuzz {

// Whether `text` spells what `canonical` (padded, as we encode) does.
inline bool canonical_spelling(std::string_view canonical, std::string_view text) {
    if (canonical == text) return true;
    const auto unpadded = canonical.substr(0, canonical.find_last_not_of('=') + 1);
    return unpadded.size() < canonical.size() && unpadded == text;
}

}  // namespace confab::fuzz
