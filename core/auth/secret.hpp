#pragma once
// The HS256 key when JWT_SECRET is not set: generated on first start and kept in the data
// directory, so tokens survive restarts.
#include <filesystem>
#include <string>
#include <string_view>

namespace confab::auth {

inline constexpr std::string_view secret_file_name = "jwt_secret";

// Returns the secret in <data_dir>/jwt_secret, surrounding whitespace trimmed. When the file does
// not exist, creates data_dir if needed and the file (mode 0600) holding 32 random bytes as 64
// hex characters, atomically: a reader never sees a partial file, and of two processes starting
// at once both end up with the same secret. Throws std::system_error naming the path when the
// file cannot be read or written or is empty.
std::string load_or_create_secret(const std::filesystem::path& data_dir);

}  // namespace confab::auth
