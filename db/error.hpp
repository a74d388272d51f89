#pragma once
// Errors of the store: an error_code enum, and result<T> for values that may fail.
#include <system_error>

#include <boost/system/result.hpp>

namespace confab::db {

enum class errc {
    not_found = 1,     // no such user, chat or message
    username_taken,    // another user has this username, ignoring ASCII case
    email_taken,       // another user has this email, ignoring ASCII case
    already_member,    // the user already takes part in the chat
    not_member,        // the user does not take part in the chat
    not_permitted,     // e.g. editing someone else's message
    message_deleted,   // the message was deleted: it can no longer change
    reaction_limit,    // the user has max_reactions_per_user emojis on the message already
    invalid_argument,  // a limit out of range, a direct chat with oneself, ...
    newer_schema,      // the store was written by a newer confab
    corrupt_record,    // a stored value could not be decoded
    io_error,          // RocksDB failed (disk full, I/O error, ...)
};

const std::error_category& error_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

// A value or the error_code saying why there is none. `return errc::not_found;` works.
template <class T>
using result = boost::system::result<T, std::error_code>;

}  // namespace confab::db

template <>
struct std::is_error_code_enum<confab::db::errc> : std::true_type {};
