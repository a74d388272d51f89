// Messages: storing (idempotent per client message id), history pages, edit and soft delete.
#include <algorithm>
#include <chrono>
#include <numeric>
#include <thread>
#include <utility>

#include <rocksdb/write_batch.h>

#include "db/detail/keys.hpp"
#include "db/detail/store_impl.hpp"

namespace confab::db {

using detail::family;

namespace {

// Finds the view of each message id in turn, for ids that come in order, like the views.
class view_cursor {
  public:
    explicit view_cursor(std::vector<message_view>& views) : views_(views) {}

    message_view* find(const object_id& id) {
        while (next_ < views_.size() && views_[next_].msg.id < id) ++next_;
        return next_ < views_.size() && views_[next_].msg.id == id ? &views_[next_] : nullptr;
    }

  private:
    std::vector<message_view>& views_;
    std::size_t next_ = 0;
};

// Reactions or receipts of one message with the stamps of when they were made.
template <class T>
using stamped = std::vector<std::pair<std::uint64_t, T>>;

// The items in the order they were made; ties (from before stamps) keep their key order.
template <class T>
std::vector<T> in_made_order(stamped<T>& items) {
    std::vector<std::size_t> order(items.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&items](std::size_t a, std::size_t b) {
        return std::pair(items[a].first, a) < std::pair(items[b].first, b);
    });
    std::vector<T> out;
    out.reserve(items.size());
    for (const std::size_t i : order) out.push_back(std::move(items[i].second));
    return out;
}

// A chat's messages come back in id order, which must be the order they were stored in.
// Within one second, ids of one process ascend, but those of a process that ran before a
// restart may sort after ours, and the 24-bit counter may wrap. Then an id of the next
// second sorts right: worth waiting for (under the chat's lock, at most a second, and at
// most once per chat after a restart) so that history never shows a reply before its cause.
object_id next_message_id(const std::optional<object_id>& last) {
    object_id id = object_id::generate();
    while (last && id <= *last && id.seconds() == last->seconds()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        id = object_id::generate();
    }
    return id;
}

}  // namespace

result<stored_message> store::store_message(const new_message& m) {
    if (m.client_message_id.size() > max_client_message_id_size) return errc::invalid_argument;
    const std::string chat_key = detail::key_of(m.chat_id);
    const std::string retry_key = m.client_message_id.empty()
                                      ? std::string{}
                                      : detail::idempotency_key(m.sender_id, m.chat_id, m.client_message_id);

    // The chat's lock orders its messages and guards the chat record and the sender's read
    // marker, which every message updates; the retry key's lock makes concurrent retries find
    // each other's message.
    auto lock =
        retry_key.empty() ? impl_->locks_.lock(chat_key) : impl_->locks_.lock(chat_key, retry_key);
    // Rights first: a retry answers only to a current member of the chat it was sent to.
    auto c = impl_->load<chat>(family::chats, chat_key);
    if (!c) return c.error();
    // Every member has a marker, and only members do.
    const std::string marker_key = detail::key_of(m.chat_id, m.sender_id);
    auto marker = impl_->load<detail::read_marker>(family::read_markers, marker_key);
    if (!marker) return marker.error() == errc::not_found ? errc::not_member : marker.error();
    if (!retry_key.empty()) {
        auto earlier = impl_->get(family::idempotency, retry_key);
        if (!earlier) return earlier.error();
        if (*earlier) {
            const auto chat_id = detail::id_at(**earlier, 0);
            const auto message_id = detail::id_at(**earlier, object_id::size);
            if (!chat_id || !message_id) return impl_->corrupt(family::idempotency, retry_key);
            auto found =
                impl_->load<message>(family::messages, detail::key_of(*chat_id, *message_id));
            if (!found) return found.error();
            lock.unlock();
            if (auto ec = impl_->make_visible_durable()) return ec;
            return stored_message{.msg = std::move(*found), .created = false};
        }
    }

    const millis now = impl_->now();
    message created;
    created.id = next_message_id(c->last_message_id);
    created.chat_id = m.chat_id;
    created.sender_id = m.sender_id;
    created.content = m.content;
    created.type = m.type;
    created.attachments = m.attachments;
    created.reply_to = m.reply_to;
    created.client_message_id = m.client_message_id;
    created.created_at = now;
    created.updated_at = now;
    rocksdb::WriteBatch batch;
    batch.Put(impl_->cf(family::messages), detail::key_of(m.chat_id, created.id),
              detail::encode(created));
    // Only a clock set back makes an id older than the last one: the newest stays last.
    if (!c->last_message_id || *c->last_message_id < created.id) c->last_message_id = created.id;
    c->updated_at = now;
    ++c->message_count;
    batch.Put(impl_->cf(family::chats), chat_key, detail::encode(*c));
    // The others' unread counts grow with the chat's count; the sender's must not.
    ++marker->sent;
    batch.Put(impl_->cf(family::read_markers), marker_key, detail::encode(*marker));
    if (!retry_key.empty()) {
        batch.Put(impl_->cf(family::idempotency), retry_key, detail::key_of(m.chat_id, created.id));
    }
    if (auto ec = impl_->commit(batch, lock)) return ec;
    return stored_message{.msg = created, .created = true};
}

std::error_code store::impl::attach_reactions_and_receipts(
    const object_id& chat_id, std::vector<message_view>& views,
    const rocksdb::Snapshot* snapshot) const {
    if (views.empty()) return {};
    // Both families are keyed chat + message + user..., so the page's entries are one range.
    const std::string lower = detail::key_of(chat_id, views.front().msg.id);
    const std::string upper = detail::prefix_end(detail::key_of(chat_id, views.back().msg.id));
    constexpr std::size_t user_offset = 2 * object_id::size;
    constexpr std::size_t key_size = 3 * object_id::size;

    {
        std::vector<stamped<reaction>> reactions(views.size());
        view_cursor views_by_id(views);
        auto it = scan(family::reactions, lower, upper, snapshot);
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
            const auto key = it->key().ToStringView();
            const auto message_id = detail::id_at(key, object_id::size);
            const auto user_id = detail::id_at(key, user_offset);
            const auto stamp = detail::decode_reaction(it->value().ToStringView());
            if (!message_id || !user_id || !stamp || key.size() == key_size) {
                return corrupt(family::reactions, key);
            }
            if (message_view* v = views_by_id.find(*message_id)) {
                reactions[v - views.data()].push_back(
                    {*stamp, {*user_id, std::string(key.substr(key_size))}});
            }
        }
        if (auto ec = finish(it)) return ec;
        for (std::size_t i = 0; i < views.size(); ++i) {
            views[i].reactions = in_made_order(reactions[i]);
        }
    }
    std::vector<stamped<read_receipt>> receipts(views.size());
    view_cursor views_by_id(views);
    auto it = scan(family::receipts, lower, upper, snapshot);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const auto key = it->key().ToStringView();
        const auto message_id = detail::id_at(key, object_id::size);
        const auto user_id = detail::id_at(key, user_offset);
        const auto value = detail::decode_receipt(it->value().ToStringView());
        if (!message_id || !user_id || !value) return corrupt(family::receipts, key);
        if (message_view* v = views_by_id.find(*message_id)) {
            receipts[v - views.data()].push_back({value->stamp, {*user_id, value->read_at}});
        }
    }
    if (auto ec = finish(it)) return ec;
    for (std::size_t i = 0; i < views.size(); ++i) views[i].read_by = in_made_order(receipts[i]);
    return {};
}

result<message_view> store::impl::load_message_view(const object_id& chat_id,
                                                    const object_id& message_id,
                                                    const rocksdb::Snapshot* snapshot) const {
    auto m = load<message>(family::messages, detail::key_of(chat_id, message_id), snapshot);
    if (!m) return m.error();
    std::vector<message_view> views(1);
    views.front().msg = std::move(*m);
    if (auto ec = attach_reactions_and_receipts(chat_id, views, snapshot)) return ec;
    return std::move(views.front());
}

result<message_view> store::get_message(const object_id& chat_id,
                                        const object_id& message_id) const {
    rocksdb::ManagedSnapshot snapshot(impl_->db_.get());
    return impl_->load_message_view(chat_id, message_id, snapshot.snapshot());
}

result<message_page> store::messages_before(const object_id& chat_id,
                                            const std::optional<object_id>& before,
                                            std::size_t limit) const {
    if (limit == 0 || limit > max_page_size) return errc::invalid_argument;
    rocksdb::ManagedSnapshot snapshot(impl_->db_.get());
    const std::string prefix = detail::key_of(chat_id);
    auto c = impl_->get(family::chats, prefix, snapshot.snapshot());
    if (!c) return c.error();
    if (!*c) return errc::not_found;

    // Walks back from `before`; one message more than asked says whether there are more.
    message_page page;
    auto it = impl_->scan(family::messages, prefix,
                          before ? detail::key_of(chat_id, *before) : detail::prefix_end(prefix),
                          snapshot.snapshot());
    for (it->SeekToLast(); it->Valid() && page.messages.size() <= limit; it->Prev()) {
        message_view v;
        if (!detail::decode(it->value().ToStringView(), v.msg)) {
            return impl_->corrupt(family::messages, it->key().ToStringView());
        }
        page.messages.push_back(std::move(v));
    }
    if (auto ec = impl_->finish(it)) return ec;
    page.has_more = page.messages.size() > limit;
    if (page.has_more) page.messages.pop_back();
    std::reverse(page.messages.begin(), page.messages.end());
    if (auto ec =
            impl_->attach_reactions_and_receipts(chat_id, page.messages, snapshot.snapshot())) {
        return ec;
    }
    return page;
}

result<message> store::edit_message(const object_id& chat_id, const object_id& message_id,
                                    const object_id& editor, std::string content) {
    auto lock = impl_->locks_.lock(detail::key_of(chat_id));
    const std::string key = detail::key_of(chat_id, message_id);
    auto m = impl_->load<message>(family::messages, key);
    if (!m) return m.error();
    if (m->sender_id != editor) return errc::not_permitted;
    if (m->is_deleted) return errc::message_deleted;
    if (auto ec = impl_->require_member(chat_id, editor)) return ec;

    const millis now = impl_->now();
    m->content = std::move(content);
    m->is_edited = true;
    m->edited_at = now;
    m->updated_at = now;
    rocksdb::WriteBatch batch;
    batch.Put(impl_->cf(family::messages), key, detail::encode(*m));
    if (auto ec = impl_->commit(batch, lock)) return ec;
    return m;
}

result<message> store::delete_message(const object_id& chat_id, const object_id& message_id,
                                      const object_id& actor) {
    auto lock = impl_->locks_.lock(detail::key_of(chat_id));
    const std::string key = detail::key_of(chat_id, message_id);
    auto m = impl_->load<message>(family::messages, key);
    if (!m) return m.error();
    if (m->is_deleted) return errc::message_deleted;
    // Under the chat's lock, so a removal cannot slip between these checks and the write.
    if (m->sender_id == actor) {
        if (auto ec = impl_->require_member(chat_id, actor)) return ec;
    } else {
        auto c = impl_->load<chat>(family::chats, detail::key_of(chat_id));
        if (!c) return c.error();
        auto role = impl_->load<member_role>(family::chat_members, detail::key_of(chat_id, actor));
        if (!role && role.error() != errc::not_found) return role.error();
        const bool group_admin = c->type == chat_type::group && role && *role == member_role::admin;
        if (!group_admin) return errc::not_permitted;
    }

    const millis now = impl_->now();
    m->content.clear();
    m->attachments.clear();
    m->is_deleted = true;
    m->deleted_at = now;
    m->updated_at = now;
    rocksdb::WriteBatch batch;
    batch.Put(impl_->cf(family::messages), key, detail::encode(*m));
    if (auto ec = impl_->commit(batch, lock)) return ec;
    return m;
}

}  // namespace confab::db
