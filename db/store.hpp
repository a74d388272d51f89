#pragma once
// The chat store: RocksDB behind a synchronous, thread-safe interface. Every call may block on
// the disk; from an I/O thread, go through async_store (db/async_store.hpp).
//
// Durability. A call that changes something returns only once the change is in RocksDB's
// write-ahead log. With durability::sync (the default) the log is also fsynced before the
// call returns, and concurrent writers share one fsync: a change that was acknowledged
// survives a power cut. With durability::async the change sits in the OS page cache: it
// survives a crash or kill of the process but not of the machine, where the last moments of
// writes (up to the kernel's writeback interval, typically 5-30 s) can be lost; writes are
// then several times faster. Either way a multi-record change is all or nothing.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "db/error.hpp"
#include "db/object_id.hpp"
#include "db/records.hpp"

namespace confab::db {

enum class durability { sync, async };

// "sync" or "async" (the DURABILITY setting); nullopt for anything else.
std::optional<durability> parse_durability(std::string_view s) noexcept;

struct options {
    std::filesystem::path path;  // a directory; created when missing
    db::durability durability = db::durability::sync;
    // Milliseconds since the epoch for the records' times; the system clock when empty.
    std::function<millis()> clock;
    // Told the details of RocksDB failures, which callers only see as errc::io_error.
    std::function<void(std::string_view)> log_error;
};

inline constexpr std::size_t max_page_size = 100;               // messages_before
inline constexpr std::size_t max_search_results = 100;          // search_users
inline constexpr std::size_t max_client_message_id_size = 128;  // bytes
inline constexpr std::size_t max_emoji_size = 32;               // bytes
// Distinct emojis one user may put on one message: without a bound, one member could grow a
// message (and every broadcast and page that carries it) without end.
inline constexpr std::size_t max_reactions_per_user = 20;

// Group commit without a waiting thread per writer. While a deferred_sync lives on a thread,
// with durability::sync the store's calls made on that thread return as soon as their change
// is written to the log, without waiting for its fsync; sequence() is then the log position
// that store::sync_through must reach before anyone may be told of their results. async_store
// runs every call this way, so its threads never sit in an fsync.
class deferred_sync {
  public:
    // Told of a call's first write while the store still holds its write lock, so in log
    // order: async_store uses it to hand out results in the order their writes were made.
    struct write_listener {
        virtual void first_write(std::uint64_t sequence) = 0;

      protected:
        ~write_listener() = default;
    };

    // What the store records in the guard of the calling thread.
    struct positions {
        std::uint64_t through = 0;  // the log position to sync through
        std::uint64_t first = 0;    // the log position right after the first write
        write_listener* listener = nullptr;
    };

    explicit deferred_sync(write_listener* listener = nullptr) noexcept;
    ~deferred_sync();
    deferred_sync(const deferred_sync&) = delete;
    deferred_sync& operator=(const deferred_sync&) = delete;

    std::uint64_t sequence() const noexcept { return at_.through; }   // 0: nothing to wait for
    std::uint64_t first_write() const noexcept { return at_.first; }  // 0: wrote nothing

  private:
    positions at_;
    positions* previous_;
};

class store {
  public:
    // Opens the store in o.path, creating it when missing. Throws std::system_error: with
    // errc::newer_schema when a newer confab wrote it (what() names both versions), with
    // errc::io_error when RocksDB cannot open it (what() has RocksDB's reason).
    explicit store(options o);
    // Closes, ignoring errors; call close() first to see them.
    ~store();
    store(const store&) = delete;
    store& operator=(const store&) = delete;

    // Flushes memtables to table files, syncs the log and releases the database. No call may
    // be in progress or follow.
    std::error_code close();

    // Writes a probe record through the log (not fsynced): fails when the disk does not take
    // writes (full, read-only, I/O errors).
    std::error_code check_writable();

    // Returns once the log is fsynced through `sequence` (a deferred_sync's); at once with
    // durability::async.
    std::error_code sync_through(std::uint64_t sequence);

    // Bytes in table files and memtables, all column families together.
    std::uint64_t size_bytes() const;

    // --- users ---

    // errc::username_taken / errc::email_taken when either is in use ignoring ASCII case;
    // errc::invalid_argument when either is empty.
    result<user> create_user(const new_user& u);
    result<user> get_user(const object_id& id) const;
    result<user> find_user_by_username(std::string_view username) const;  // ignoring case
    result<user> find_user_by_email(std::string_view email) const;        // ignoring case
    // Users whose username starts with `prefix` (ignoring case), by username; limit must be
    // 1..max_search_results.
    result<std::vector<user>> search_users(std::string_view prefix, std::size_t limit) const;
    // Sets the status and makes last_seen now.
    result<user> set_presence(const object_id& id, user_status status);
    // At start, before serving: whoever the store still shows online (the server stopped
    // without seeing them go, e.g. killed) is offline, lastSeen kept. Returns how many.
    result<std::size_t> mark_everyone_offline();

    // --- chats ---

    // The direct chat of the two users: the existing one (created == false), or a new one.
    // errc::invalid_argument when both are the same user; errc::not_found for unknown users.
    result<direct_chat> create_direct_chat(const object_id& creator, const object_id& other);
    // A group of the creator (admin) and the other users (members; duplicates and the
    // creator ignored). errc::not_found when a user is unknown.
    result<chat> create_group_chat(const object_id& creator, std::string name,
                                   std::span<const object_id> members);
    // The chat as `viewer` sees it (unread_count is 0 for a non-member).
    result<chat_view> get_chat(const object_id& chat_id, const object_id& viewer) const;
    result<chat> find_direct_chat(const object_id& a, const object_id& b) const;
    // errc::not_found when the chat does not exist, errc::not_member when the user is not in it.
    result<member_role> get_role(const object_id& chat_id, const object_id& user_id) const;
    // Group chats only (errc::invalid_argument otherwise). The new member's unread count
    // starts at 0. errc::already_member / errc::not_member.
    result<void> add_member(const object_id& chat_id, const object_id& user_id, member_role role);
    result<void> remove_member(const object_id& chat_id, const object_id& user_id);
    // The user's chats, latest updatedAt (creation, last message, member change) first, at most
    // `limit`.
    result<std::vector<chat_view>> list_chats(const object_id& user_id, std::size_t limit) const;

    // --- messages ---

    // Stores a message from a member of the chat. When the sender already sent a message
    // with this client_message_id, returns that one (created == false) and stores nothing.
    // errc::not_found (chat), errc::not_member, errc::invalid_argument (client_message_id
    // longer than max_client_message_id_size).
    result<stored_message> store_message(const new_message& m);
    result<message_view> get_message(const object_id& chat_id, const object_id& message_id) const;
    // The newest `limit` (1..max_page_size) messages older than `before` (any id: it is a
    // position, not necessarily a message), or the newest ones without it; oldest first.
    result<message_page> messages_before(const object_id& chat_id,
                                         const std::optional<object_id>& before,
                                         std::size_t limit) const;
    // Sender only (errc::not_permitted), while a member (errc::not_member); errc::message_deleted
    // once deleted.
    result<message> edit_message(const object_id& chat_id, const object_id& message_id,
                                 const object_id& editor, std::string content);
    // Soft delete: empties content and attachments. The sender while a member (errc::not_member
    // after), or an admin of a group chat (errc::not_permitted otherwise);
    // errc::message_deleted when already deleted.
    result<message> delete_message(const object_id& chat_id, const object_id& message_id,
                                   const object_id& actor);
    // Adds the user's emoji (1..max_emoji_size bytes) to the message, or removes it when
    // present; returns the message's reactions after the change. Members only;
    // errc::reaction_limit when adding one more than max_reactions_per_user.
    result<std::vector<reaction>> toggle_reaction(const object_id& chat_id,
                                                  const object_id& message_id,
                                                  const object_id& user_id, std::string_view emoji);
    // Records that the member read the message (the first read time is kept) and moves their
    // last-read marker there when it is newer, which recounts their unread messages.
    result<read_receipt> mark_read(const object_id& chat_id, const object_id& message_id,
                                   const object_id& user_id);

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace confab::db
