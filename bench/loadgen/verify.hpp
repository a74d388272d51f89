#pragma once
// verify: after a fanout, every chat's full history read back over REST; every acknowledged
// message must be stored exactly once.
#include <cstdint>
#include <string>

#include "fanout.hpp"

namespace lg {

struct verify_figures {
    std::uint64_t chats_read = 0, chats_failed = 0, pages = 0;
    std::uint64_t stored = 0;          // messages of this run found in the histories
    std::uint64_t acked = 0;           // messages acknowledged ok
    std::uint64_t missing = 0;         // acked, not stored
    std::uint64_t duplicates = 0;      // acked or not, stored more than once (extra copies)
    std::uint64_t id_mismatch = 0;     // stored, but not under the messageId its ack gave
    std::uint64_t wrong_chat = 0;      // stored in a chat other than the one it was sent to
    std::uint64_t stored_unacked = 0;  // stored, though its ack was an error or never came
    std::uint64_t repeated_ids = 0;    // one _id listed twice while paging
    std::string first_error;
    double seconds = 0;
    bool clean() const {
        return chats_failed == 0 && missing == 0 && duplicates == 0 && id_mismatch == 0 && wrong_chat == 0 &&
               repeated_ids == 0;
    }
};

task<verify_figures> verify_histories(world& w, const fanout_runner& run);

}  // namespace lg
