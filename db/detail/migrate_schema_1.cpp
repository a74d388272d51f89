// Schema 1 to 2. Schema 1 kept every member's unread count and an activity-ordered chat list
// per user, so each message rewrote O(members) records; schema 2 keeps a message count per
// chat and per-member counts in the read markers (codec.hpp), and lists chats by user + chat.
#include <algorithm>
#include <map>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <rocksdb/write_batch.h>

#include "db/detail/keys.hpp"
#include "db/detail/store_impl.hpp"

namespace confab::db {

using detail::family;

namespace {

// Schema 1's marker: {"last_read": id|null, "unread": n}.
struct marker_v1 {
    std::optional<object_id> last_read;
    std::uint64_t unread = 0;
};

std::optional<marker_v1> decode_marker_v1(std::string_view text) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.get_object();
    marker_v1 m;
    const auto* unread = o.if_contains("unread");
    if (!unread) return std::nullopt;
    m.unread = unread->to_number<std::uint64_t>(ec);
    if (ec) return std::nullopt;
    if (const auto* last = o.if_contains("last_read"); last && last->is_string()) {
        m.last_read = object_id::parse(last->get_string());
        if (!m.last_read) return std::nullopt;
    }
    return m;
}

}  // namespace

std::error_code store::impl::count_chat_messages(rocksdb::WriteBatch& batch, chat& c) const {
    std::map<object_id, std::uint64_t> sent;
    c.message_count = 0;
    auto messages = scan_prefix(family::messages, detail::key_of(c.id));
    for (messages->SeekToFirst(); messages->Valid(); messages->Next()) {
        message m;
        if (!detail::decode(messages->value().ToStringView(), m)) {
            return corrupt(family::messages, messages->key().ToStringView());
        }
        ++c.message_count;
        ++sent[m.sender_id];
    }
    if (auto ec = finish(messages)) return ec;
    batch.Put(cf(family::chats), detail::key_of(c.id), detail::encode(c));

    auto markers = scan_prefix(family::read_markers, detail::key_of(c.id));
    for (markers->SeekToFirst(); markers->Valid(); markers->Next()) {
        const auto key = markers->key().ToStringView();
        const auto user_id = detail::id_at(key, object_id::size);
        const auto old = decode_marker_v1(markers->value().ToStringView());
        if (!user_id || !old) return corrupt(family::read_markers, key);
        // Keeps each member's unread count exactly what schema 1 had stored.
        detail::read_marker m{.last_read = old->last_read, .sent = sent[*user_id]};
        const std::uint64_t others = c.message_count - std::min(c.message_count, m.sent);
        m.others_read = others - std::min(others, old->unread);
        batch.Put(cf(family::read_markers), key, detail::encode(m));
    }
    return finish(markers);
}

std::error_code store::impl::migrate_schema_1(std::string_view version_key) {
    rocksdb::WriteBatch batch;
    auto chats = scan(family::chats, {}, {});
    for (chats->SeekToFirst(); chats->Valid(); chats->Next()) {
        chat c;
        if (!detail::decode(chats->value().ToStringView(), c)) {
            return corrupt(family::chats, chats->key().ToStringView());
        }
        if (auto ec = count_chat_messages(batch, c)) return ec;
    }
    if (auto ec = finish(chats)) return ec;

    // user + inverted activity (8 bytes) + chat becomes user + chat.
    auto entries = scan(family::user_chats, {}, {});
    for (entries->SeekToFirst(); entries->Valid(); entries->Next()) {
        const auto key = entries->key().ToStringView();
        const auto user_id = detail::id_at(key, 0);
        const auto chat_id = detail::id_at(key, object_id::size + 8);
        if (!user_id || !chat_id) return corrupt(family::user_chats, key);
        batch.Delete(cf(family::user_chats), key);
        batch.Put(cf(family::user_chats), detail::key_of(*user_id, *chat_id),
                  entries->value().ToStringView());
    }
    if (auto ec = finish(entries)) return ec;

    batch.Put(cf(family::meta), version_key, "2");
    rocksdb::WriteOptions sync;
    sync.sync = true;  // all of it or none, and on disk before anything else is written
    const rocksdb::Status s = db_->Write(sync, &batch);
    return s.ok() ? std::error_code{} : fail(s);
}

}  // namespace confab::db
