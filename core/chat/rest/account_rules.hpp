#pragma once
// What registration accepts. Mongoose-backed Express apps usually trim these fields and ask
// for passwords of at least 6 characters; confab does the same.
#include <cstddef>
#include <optional>
#include <string_view>

#include "core/chat/failure.hpp"

namespace confab::chat::rest {

inline constexpr std::size_t min_username_length = 3;
// Room for generated test names such as "user_" + a UUID (41).
inline constexpr std::size_t max_username_length = 64;
inline constexpr std::size_t max_email_bytes = 254;    // RFC 5321's path limit
inline constexpr std::size_t min_password_length = 6;  // characters (code points)

// Leading and trailing ASCII whitespace removed.
std::string_view trimmed(std::string_view s);

// 3..64 of A-Z a-z 0-9 _ . - (so never an '@': login tells usernames from emails by it).
std::optional<failure> check_username(std::string_view username);
// One '@' with something before it, a dot inside the domain, no spaces, at most 254 bytes.
std::optional<failure> check_email(std::string_view email);
// 6 characters to auth::max_password_bytes bytes.
std::optional<failure> check_password(std::string_view password);

}  // namespace confab::chat::rest
