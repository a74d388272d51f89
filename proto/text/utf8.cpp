#include "proto/text/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace confab::utf8 {

namespace {

using byte = unsigned char;

// The bytes at `p` that start a well-formed sequence: all of it when `whole`, else the
// maximal subpart (at least one byte) that a decoder replaces with one U+FFFD.
std::size_t sequence_at(const byte* p, const byte* end, bool& whole) noexcept {
    const byte lead = *p;
    whole = lead < 0x80;
    if (whole) return 1;
    // The range of the second byte depends on the lead byte; the others are 80..BF.
    std::size_t length = 0;
    byte low = 0x80;
    byte high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;   // overlong
        if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;   // overlong
        if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
        return 1;
    }
    std::size_t n = 1;
    while (n < length && p + n != end && p[n] >= low && p[n] <= high) {
        low = 0x80;
        high = 0xBF;
        ++n;
    }
    whole = n == length;
    return n;
}

// Engine.IO text is mostly ASCII: the length of the run of it at `p`, eight bytes at a time.
std::size_t ascii_words_at(const byte* p, const byte* end) noexcept {
    std::size_t n = 0;
    while (end - (p + n) >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p + n, sizeof word);
        if ((word & 0x8080808080808080ull) != 0) break;
        n += 8;
    }
    return n;
}

}  // namespace

bool is_valid(std::string_view text) noexcept {
    const auto* p = reinterpret_cast<const byte*>(text.data());
    const auto* const end = p + text.size();
    while (p != end) {
        p += ascii_words_at(p, end);
        if (p == end) break;
        bool whole = false;
        p += sequence_at(p, end, whole);
        if (!whole) return false;
    }
    return true;
}

std::string repaired(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const auto* const begin = reinterpret_cast<const byte*>(text.data());
    const auto* const end = begin + text.size();
    for (const auto* p = begin; p != end;) {
        bool whole = false;
        const auto n = sequence_at(p, end, whole);
        if (whole) {
            out.append(text.substr(static_cast<std::size_t>(p - begin), n));
        } else {
            out.append("\xEF\xBF\xBD");
        }
        p += n;
    }
    return out;
}

}  // namespace confab::utf8
