#include "proto/engineio/base64.hpp"

#include <algorithm>
#include <utility>

#include <sodium.h>

namespace confab::eio {

namespace {

constexpr int variant = sodium_base64_VARIANT_ORIGINAL;

}  // namespace

void append_base64(std::string& out, std::string_view bytes) {
    // The length counts sodium's terminating NUL, which is written and then dropped.
    const std::size_t encoded_len = sodium_base64_ENCODED_LEN(bytes.size(), variant);
    const std::size_t start = out.size();
    out.resize(start + encoded_len);
    sodium_bin2base64(out.data() + start, encoded_len,
                      reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), variant);
    out.resize(start + encoded_len - 1);
}

namespace {

// libsodium 1.0.18 sign-extends chars and so decodes every byte >= 0x80 as '/': check the
// alphabet ourselves, keeping one accepted spelling per value.
bool in_alphabet(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '+' || c == '/' || c == '=';
    });
}

}  // namespace

bool decode_base64(std::string_view text, std::string& out) {
    if (!in_alphabet(text)) return false;
    // Node's Buffer, which the reference server decodes with, takes base64 without its padding.
    const bool unpadded = text.size() % 4 != 0 && text.find('=') == std::string_view::npos;
    std::string decoded(text.size() / 4 * 3 + 3, '\0');
    std::size_t decoded_len = 0;
    // Without an end pointer, sodium fails unless the whole input is consumed.
    const int rc =
        sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                          text.data(), text.size(), nullptr, &decoded_len, nullptr,
                          unpadded ? sodium_base64_VARIANT_ORIGINAL_NO_PADDING : variant);
    if (rc != 0) return false;
    decoded.resize(decoded_len);
    out = std::move(decoded);
    return true;
}

}  // namespace confab::eio
