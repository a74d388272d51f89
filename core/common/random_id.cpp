#include "core/common/random_id.hpp"

#include <array>

#include <sodium.h>

namespace confab {

std::string random_id() {
    std::array<unsigned char, 15> bytes;
    randombytes_buf(bytes.data(), bytes.size());
    std::array<char, 21> text;  // 20 characters and the terminator sodium writes
    sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return std::string(text.data(), 20);
}

}  // namespace confab
