#pragma once
// The inside of db::store, shared by the files that implement its calls (users.cpp,
// chats.cpp, messages.cpp, message_state.cpp): the open database, its column families and
// the primitives they build on.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <rocksdb/db.h>

#include "db/detail/codec.hpp"
#include "db/detail/key_locks.hpp"
#include "db/detail/made_order.hpp"
#include "db/detail/wal_syncer.hpp"
#include "db/store.hpp"

namespace confab::db::detail {

// One column family per kind of record or index; see keys.hpp for their keys and values.
enum class family : std::size_t {
    meta,
    users,
    usernames,
    emails,
    chats,
    chat_members,
    user_chats,
    direct_chats,
    messages,
    reactions,
    receipts,
    read_markers,
    idempotency,
};
inline constexpr std::size_t family_count = 13;

// Owns every column family handle of the open database, ours and any unknown ones (a newer
// confab's). It is declared after the database, so the handles are destroyed before it.
class column_families {
  public:
    void adopt(rocksdb::ColumnFamilyHandle* handle);
    rocksdb::ColumnFamilyHandle* find(family f) const noexcept;
    std::vector<rocksdb::ColumnFamilyHandle*> all() const;
    void clear() noexcept;

  private:
    std::vector<std::unique_ptr<rocksdb::ColumnFamilyHandle>> owned_;
    std::array<rocksdb::ColumnFamilyHandle*, family_count> ours_{};
};

// The column family's name in the database.
std::string_view name_of(family f) noexcept;

// An iterator over the keys in [lower, upper) of one column family (no upper bound when
// `upper` is empty). It keeps the bounds alive, so it never moves.
class range {
  public:
    range(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, std::string lower, std::string upper,
          const rocksdb::Snapshot* snapshot);
    range(const range&) = delete;
    range& operator=(const range&) = delete;

    rocksdb::Iterator* operator->() const noexcept { return it_.get(); }

  private:
    std::string lower_;
    std::string upper_;
    rocksdb::Slice lower_slice_;
    rocksdb::Slice upper_slice_;
    std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace confab::db::detail

namespace confab::db {

struct store::impl {
    using family = detail::family;

    explicit impl(options o);  // opens; throws std::system_error
    std::error_code close();

    millis now() const { return options_.clock(); }
    rocksdb::ColumnFamilyHandle* cf(family f) const { return families_.find(f); }

    // --- primitives ---

    // Logs RocksDB's reason and returns errc::io_error.
    std::error_code fail(const rocksdb::Status& s) const;
    // Logs which record is damaged and returns errc::corrupt_record.
    std::error_code corrupt(family f, std::string_view key) const;

    // The value of `key`, nullopt when there is none.
    result<std::optional<std::string>> get(family f, std::string_view key,
                                           const rocksdb::Snapshot* snapshot = nullptr) const;

    // The record under `key`: errc::not_found when absent, errc::corrupt_record when it does
    // not decode.
    template <class T>
    result<T> load(family f, std::string_view key,
                   const rocksdb::Snapshot* snapshot = nullptr) const {
        auto value = get(f, key, snapshot);
        if (!value) return value.error();
        if (!*value) return errc::not_found;
        T out;
        if (!detail::decode(**value, out)) return corrupt(f, key);
        return out;
    }

    detail::range scan(family f, std::string lower, std::string upper,
                       const rocksdb::Snapshot* snapshot = nullptr) const;
    detail::range scan_prefix(family f, std::string_view prefix,
                              const rocksdb::Snapshot* snapshot = nullptr) const;
    // How many keys of `f` start with `prefix`.
    result<std::size_t> count_prefix(family f, std::string_view prefix) const;
    // Ends a scan: errc::io_error when the iterator stopped on an error.
    std::error_code finish(const detail::range& r) const;

    // Writes `batch` atomically, without fsync, and returns its sequence number for
    // make_durable. Callers hold the locks of what they read only for this part. Under a
    // deferred_sync, records the first write's position and tells its listener.
    result<std::uint64_t> write(rocksdb::WriteBatch& batch);
    // With durability::sync, returns once the log is on disk through `sequence`; under a
    // deferred_sync, only records `sequence` in it.
    std::error_code make_durable(std::uint64_t sequence);
    std::error_code sync_now(std::uint64_t sequence);  // never deferred
    // The end of every change: writes `batch`, releases `lock` (the records it read), then
    // makes the write durable.
    std::error_code commit(rocksdb::WriteBatch& batch, detail::key_locks::guard& lock);
    // Before answering with something read under a lock: makes whatever may still be
    // waiting for its fsync durable too.
    std::error_code make_visible_durable();

    // --- lookups used by several calls ---

    // The user that a unique index (usernames or emails) names for `value`, ignoring case.
    result<user> find_user(family index, std::string_view value) const;

    result<std::vector<member>> load_members(const object_id& chat_id,
                                             const rocksdb::Snapshot* snapshot = nullptr) const;
    // The chat as `viewer` sees it: its members, last message and the viewer's unread count.
    result<chat_view> load_chat_view(chat c, const object_id& viewer,
                                     const rocksdb::Snapshot* snapshot) const;
    result<message_view> load_message_view(const object_id& chat_id, const object_id& message_id,
                                           const rocksdb::Snapshot* snapshot) const;
    // Fills the reactions and receipts of `views`, which are one chat's messages in id order.
    std::error_code attach_reactions_and_receipts(const object_id& chat_id,
                                                  std::vector<message_view>& views,
                                                  const rocksdb::Snapshot* snapshot) const;
    // errc::not_member unless the user takes part in the chat. Callers that then write hold
    // the chat's lock, so a removal cannot slip between this check and their write.
    std::error_code require_member(const object_id& chat_id, const object_id& user_id) const;
    // Adds to `batch` the records that make `user_id` a member of `c`, or remove them.
    void put_membership(rocksdb::WriteBatch& batch, const chat& c, const object_id& user_id,
                        member_role role, const detail::read_marker& marker) const;
    void delete_membership(rocksdb::WriteBatch& batch, const chat& c,
                           const object_id& user_id) const;
    void set_role(rocksdb::WriteBatch& batch, const chat& c, const object_id& user_id,
                  member_role role) const;
    // Opening a schema 1 store: rewrites it as schema 2 in one synced batch
    // (migrate_schema_1.cpp).
    std::error_code migrate_schema_1(std::string_view version_key);
    // Adds to `batch` the chat with its message count, and its members' markers in schema 2.
    std::error_code count_chat_messages(rocksdb::WriteBatch& batch, chat& c) const;
    // The chat's messages after `after` that `user_id` did not send.
    result<std::uint64_t> count_unread(const object_id& chat_id, const object_id& user_id,
                                       const object_id& after) const;

    options options_;
    std::unique_ptr<rocksdb::DB> db_;
    detail::column_families families_;
    detail::key_locks locks_;
    detail::wal_syncer syncer_;
    detail::made_order made_order_;  // of reactions and read receipts
    // Held from a write until its position is recorded, so that first writes are told to
    // listeners in the order of their positions.
    std::mutex write_order_;
};

}  // namespace confab::db
