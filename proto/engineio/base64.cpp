#include "proto/engineio/base64.hpp"

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

bool decode_base64(std::string_view text, std::string& out) {
    std::string decoded(text.size() / 4 * 3 + 3, '\0');
    std::size_t decoded_len = 0;
    // Without an end pointer, sodium fails unless the whole input is consumed.
    const int rc =
        sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                          text.data(), text.size(), nullptr, &decoded_len, nullptr, variant);
    if (rc != 0) return false;
    decoded.resize(decoded_len);
    out = std::move(decoded);
    return true;
}

}  // namespace confab::eio
