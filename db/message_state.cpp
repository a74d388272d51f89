// What members do to a message besides writing it: reactions and read receipts, and the
// last-read markers that unread counts come from.
#include <algorithm>

#include <rocksdb/write_batch.h>

#include "db/detail/keys.hpp"
#include "db/detail/store_impl.hpp"

namespace confab::db {

using detail::family;

result<std::vector<reaction>> store::toggle_reaction(const object_id& chat_id,
                                                     const object_id& message_id,
                                                     const object_id& user_id,
                                                     std::string_view emoji) {
    if (emoji.empty() || emoji.size() > max_emoji_size) return errc::invalid_argument;
    auto lock = impl_->locks_.lock(detail::key_of(chat_id));
    auto m = impl_->load<message>(family::messages, detail::key_of(chat_id, message_id));
    if (!m) return m.error();
    if (m->is_deleted) return errc::message_deleted;
    if (auto ec = impl_->require_member(chat_id, user_id)) return ec;

    const std::string key = detail::reaction_key(chat_id, message_id, user_id, emoji);
    auto existing = impl_->get(family::reactions, key);
    if (!existing) return existing.error();
    rocksdb::WriteBatch batch;
    if (*existing) {
        batch.Delete(impl_->cf(family::reactions), key);
    } else {
        auto mine =
            impl_->count_prefix(family::reactions, detail::key_of(chat_id, message_id, user_id));
        if (!mine) return mine.error();
        if (*mine >= max_reactions_per_user) return errc::reaction_limit;
        batch.Put(impl_->cf(family::reactions), key,
                  detail::encode_reaction(impl_->made_order_.next(impl_->now())));
    }
    auto sequence = impl_->write(batch);
    if (!sequence) return sequence.error();
    // Read under the lock, so the list is the one this toggle produced.
    std::vector<message_view> views(1);
    views.front().msg = std::move(*m);
    if (auto ec = impl_->attach_reactions_and_receipts(chat_id, views, nullptr)) return ec;
    lock.unlock();
    if (auto ec = impl_->make_durable(*sequence)) return ec;
    return std::move(views.front().reactions);
}

result<std::uint64_t> store::impl::count_unread(const object_id& chat_id, const object_id& user_id,
                                                const object_id& after) const {
    // Keys are exactly chat + message, so appending a zero byte gives the next possible key.
    std::string lower = detail::key_of(chat_id, after);
    lower.push_back('\0');
    auto it = scan(family::messages, std::move(lower), detail::prefix_end(detail::key_of(chat_id)));
    std::uint64_t unread = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        message m;
        if (!detail::decode(it->value().ToStringView(), m)) {
            return corrupt(family::messages, it->key().ToStringView());
        }
        if (m.sender_id != user_id) ++unread;
    }
    if (auto ec = finish(it)) return ec;
    return unread;
}

result<read_receipt> store::mark_read(const object_id& chat_id, const object_id& message_id,
                                      const object_id& user_id) {
    auto lock = impl_->locks_.lock(detail::key_of(chat_id));
    auto m = impl_->get(family::messages, detail::key_of(chat_id, message_id));
    if (!m) return m.error();
    if (!*m) return errc::not_found;
    // Every member has a marker, and only members do.
    const std::string marker_key = detail::key_of(chat_id, user_id);
    auto marker = impl_->load<detail::read_marker>(family::read_markers, marker_key);
    if (!marker) return marker.error() == errc::not_found ? errc::not_member : marker.error();

    read_receipt receipt{.user_id = user_id, .read_at = impl_->now()};
    rocksdb::WriteBatch batch;
    const std::string receipt_key = detail::key_of(chat_id, message_id, user_id);
    auto existing = impl_->get(family::receipts, receipt_key);
    if (!existing) return existing.error();
    if (*existing) {
        const auto first_read = detail::decode_receipt(**existing);
        if (!first_read) return impl_->corrupt(family::receipts, receipt_key);
        receipt.read_at = first_read->read_at;
    } else {
        const detail::receipt_value value{.read_at = receipt.read_at,
                                          .stamp = impl_->made_order_.next(receipt.read_at)};
        batch.Put(impl_->cf(family::receipts), receipt_key, detail::encode_receipt(value));
    }
    if (!marker->last_read || *marker->last_read < message_id) {
        auto c = impl_->load<chat>(family::chats, detail::key_of(chat_id));
        if (!c) return c.error();
        // Recounted rather than decremented: reading the newest message, the usual case,
        // then scans nothing, and a count can never drift.
        auto unread = impl_->count_unread(chat_id, user_id, message_id);
        if (!unread) return unread.error();
        marker->last_read = message_id;
        const std::uint64_t others = c->message_count - std::min(c->message_count, marker->sent);
        marker->others_read = others - std::min(others, *unread);
        batch.Put(impl_->cf(family::read_markers), marker_key, detail::encode(*marker));
    }
    if (batch.Count() == 0) {
        lock.unlock();
        if (auto ec = impl_->make_visible_durable()) return ec;
        return receipt;
    }
    if (auto ec = impl_->commit(batch, lock)) return ec;
    return receipt;
}

}  // namespace confab::db
