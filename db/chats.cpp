// Chats, their members in both directions, and the direct-chat index.
#include <algorithm>

#include <rocksdb/write_batch.h>

#include "db/detail/keys.hpp"
#include "db/detail/store_impl.hpp"

namespace confab::db {

using detail::family;

namespace {

std::uint64_t unread_count(const chat& c, const detail::read_marker& m) {
    const std::uint64_t read = m.sent + m.others_read;
    // Only a damaged store counts more read than stored; nothing is unread then.
    return c.message_count > read ? c.message_count - read : 0;
}

// A chat created now, with no message yet.
chat new_chat(chat_type type, std::string name, const object_id& creator, millis now) {
    chat c;
    c.id = object_id::generate();
    c.type = type;
    c.name = std::move(name);
    c.created_by = creator;
    c.created_at = c.updated_at = now;
    return c;
}

// Latest activity first; within one millisecond, the newer chat first.
bool more_recent(const chat& a, const chat& b) {
    if (a.updated_at != b.updated_at) return a.updated_at > b.updated_at;
    return a.id > b.id;
}

// A group whose last admin leaves would have nobody left to add members: the first
// remaining member (in id order, as the chat lists them) becomes its admin.
std::optional<object_id> heir_of_last_admin(const std::vector<member>& members,
                                            const object_id& leaving) {
    const member* heir = nullptr;
    bool leaving_admin = false;
    for (const member& m : members) {
        if (m.user_id == leaving) {
            leaving_admin = m.role == member_role::admin;
            continue;
        }
        if (m.role == member_role::admin) return std::nullopt;
        if (!heir) heir = &m;
    }
    if (!leaving_admin || !heir) return std::nullopt;
    return heir->user_id;
}

}  // namespace

void store::impl::set_role(rocksdb::WriteBatch& batch, const chat& c, const object_id& user_id,
                           member_role role) const {
    const std::string encoded_role = detail::encode(role);
    batch.Put(cf(family::chat_members), detail::key_of(c.id, user_id), encoded_role);
    batch.Put(cf(family::user_chats), detail::key_of(user_id, c.id), encoded_role);
}

std::error_code store::impl::require_member(const object_id& chat_id,
                                            const object_id& user_id) const {
    auto membership = get(family::chat_members, detail::key_of(chat_id, user_id));
    if (!membership) return membership.error();
    return *membership ? std::error_code{} : make_error_code(errc::not_member);
}

void store::impl::put_membership(rocksdb::WriteBatch& batch, const chat& c,
                                 const object_id& user_id, member_role role,
                                 const detail::read_marker& marker) const {
    set_role(batch, c, user_id, role);
    batch.Put(cf(family::read_markers), detail::key_of(c.id, user_id), detail::encode(marker));
}

void store::impl::delete_membership(rocksdb::WriteBatch& batch, const chat& c,
                                    const object_id& user_id) const {
    batch.Delete(cf(family::chat_members), detail::key_of(c.id, user_id));
    batch.Delete(cf(family::user_chats), detail::key_of(user_id, c.id));
    batch.Delete(cf(family::read_markers), detail::key_of(c.id, user_id));
}

result<std::vector<member>> store::impl::load_members(const object_id& chat_id,
                                                      const rocksdb::Snapshot* snapshot) const {
    std::vector<member> members;
    auto it = scan_prefix(family::chat_members, detail::key_of(chat_id), snapshot);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const auto key = it->key().ToStringView();
        const auto user_id = detail::id_at(key, object_id::size);
        member_role role{};
        if (!user_id || !detail::decode(it->value().ToStringView(), role)) {
            return corrupt(family::chat_members, key);
        }
        members.push_back({*user_id, role});
    }
    if (auto ec = finish(it)) return ec;
    return members;
}

result<chat_view> store::impl::load_chat_view(chat c, const object_id& viewer,
                                              const rocksdb::Snapshot* snapshot) const {
    const object_id chat_id = c.id;
    auto members = load_members(chat_id, snapshot);
    if (!members) return members.error();
    chat_view view;
    view.info = std::move(c);
    view.members = std::move(*members);
    if (view.info.last_message_id) {
        auto last = load_message_view(chat_id, *view.info.last_message_id, snapshot);
        if (!last) return last.error();
        view.last_message = std::move(*last);
    }
    auto marker =
        load<detail::read_marker>(family::read_markers, detail::key_of(chat_id, viewer), snapshot);
    if (marker) {
        view.unread_count = unread_count(view.info, *marker);
    } else if (marker.error() != errc::not_found) {
        return marker.error();
    }
    return view;
}

result<direct_chat> store::create_direct_chat(const object_id& creator, const object_id& other) {
    if (creator == other) return errc::invalid_argument;
    const std::string pair = detail::direct_chat_key(creator, other);
    // Two users creating their chat at the same moment take the same lock: one creates it,
    // the other finds it.
    auto lock = impl_->locks_.lock(pair);
    auto existing = impl_->get(family::direct_chats, pair);
    if (!existing) return existing.error();
    if (*existing) {
        const auto id = object_id::from_bytes(**existing);
        if (!id) return impl_->corrupt(family::direct_chats, pair);
        auto c = impl_->load<chat>(family::chats, detail::key_of(*id));
        if (!c) return c.error();
        lock.unlock();
        if (auto ec = impl_->make_visible_durable()) return ec;
        return direct_chat{.info = std::move(*c), .created = false};
    }
    for (const object_id& id : {creator, other}) {
        auto u = impl_->load<user>(family::users, detail::key_of(id));
        if (!u) return u.error();
    }

    const chat c = new_chat(chat_type::direct, {}, creator, impl_->now());
    rocksdb::WriteBatch batch;
    batch.Put(impl_->cf(family::chats), detail::key_of(c.id), detail::encode(c));
    batch.Put(impl_->cf(family::direct_chats), pair, detail::key_of(c.id));
    impl_->put_membership(batch, c, creator, member_role::member, {});
    impl_->put_membership(batch, c, other, member_role::member, {});
    if (auto ec = impl_->commit(batch, lock)) return ec;
    return direct_chat{.info = c, .created = true};
}

result<chat> store::create_group_chat(const object_id& creator, std::string name,
                                      std::span<const object_id> members) {
    std::vector<object_id> ids(members.begin(), members.end());
    ids.push_back(creator);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (const object_id& id : ids) {
        auto u = impl_->load<user>(family::users, detail::key_of(id));
        if (!u) return u.error();
    }

    // No lock: nobody else can reach the chat before this call returns its id.
    const chat c = new_chat(chat_type::group, std::move(name), creator, impl_->now());
    rocksdb::WriteBatch batch;
    batch.Put(impl_->cf(family::chats), detail::key_of(c.id), detail::encode(c));
    for (const object_id& id : ids) {
        impl_->put_membership(batch, c, id,
                              id == creator ? member_role::admin : member_role::member, {});
    }
    detail::key_locks::guard no_lock;
    if (auto ec = impl_->commit(batch, no_lock)) return ec;
    return c;
}

result<chat_view> store::get_chat(const object_id& chat_id, const object_id& viewer) const {
    rocksdb::ManagedSnapshot snapshot(impl_->db_.get());
    auto c = impl_->load<chat>(family::chats, detail::key_of(chat_id), snapshot.snapshot());
    if (!c) return c.error();
    return impl_->load_chat_view(std::move(*c), viewer, snapshot.snapshot());
}

result<chat> store::find_direct_chat(const object_id& a, const object_id& b) const {
    const std::string pair = detail::direct_chat_key(a, b);
    auto existing = impl_->get(family::direct_chats, pair);
    if (!existing) return existing.error();
    if (!*existing) return errc::not_found;
    const auto id = object_id::from_bytes(**existing);
    if (!id) return impl_->corrupt(family::direct_chats, pair);
    return impl_->load<chat>(family::chats, detail::key_of(*id));
}

result<member_role> store::get_role(const object_id& chat_id, const object_id& user_id) const {
    auto role = impl_->load<member_role>(family::chat_members, detail::key_of(chat_id, user_id));
    if (role || role.error() != errc::not_found) return role;
    auto c = impl_->get(family::chats, detail::key_of(chat_id));
    if (!c) return c.error();
    return *c ? errc::not_member : errc::not_found;
}

result<void> store::add_member(const object_id& chat_id, const object_id& user_id,
                               member_role role) {
    const std::string key = detail::key_of(chat_id);
    auto lock = impl_->locks_.lock(key);
    auto c = impl_->load<chat>(family::chats, key);
    if (!c) return c.error();
    if (c->type != chat_type::group) return errc::invalid_argument;
    auto u = impl_->load<user>(family::users, detail::key_of(user_id));
    if (!u) return u.error();
    auto existing = impl_->get(family::chat_members, detail::key_of(chat_id, user_id));
    if (!existing) return existing.error();
    if (*existing) return errc::already_member;

    c->updated_at = impl_->now();
    rocksdb::WriteBatch batch;
    batch.Put(impl_->cf(family::chats), key, detail::encode(*c));
    // What was sent before joining does not count as unread.
    impl_->put_membership(batch, *c, user_id, role,
                          {.last_read = c->last_message_id, .sent = 0, .others_read = c->message_count});
    if (auto ec = impl_->commit(batch, lock)) return ec;
    return {};
}

result<void> store::remove_member(const object_id& chat_id, const object_id& user_id) {
    const std::string key = detail::key_of(chat_id);
    auto lock = impl_->locks_.lock(key);
    auto c = impl_->load<chat>(family::chats, key);
    if (!c) return c.error();
    if (c->type != chat_type::group) return errc::invalid_argument;
    auto members = impl_->load_members(chat_id);
    if (!members) return members.error();
    const auto is_leaving = [&](const member& m) { return m.user_id == user_id; };
    if (std::none_of(members->begin(), members->end(), is_leaving)) return errc::not_member;

    c->updated_at = impl_->now();
    rocksdb::WriteBatch batch;
    batch.Put(impl_->cf(family::chats), key, detail::encode(*c));
    impl_->delete_membership(batch, *c, user_id);
    if (const auto heir = heir_of_last_admin(*members, user_id)) {
        impl_->set_role(batch, *c, *heir, member_role::admin);
    }
    if (auto ec = impl_->commit(batch, lock)) return ec;
    return {};
}

result<std::vector<chat_view>> store::list_chats(const object_id& user_id,
                                                 std::size_t limit) const {
    rocksdb::ManagedSnapshot snapshot(impl_->db_.get());
    // Ordered here, not by the index: keeping an activity-ordered index would rewrite every
    // member's entry on every message.
    std::vector<chat> chats;
    auto it = impl_->scan_prefix(family::user_chats, detail::key_of(user_id), snapshot.snapshot());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const auto key = it->key().ToStringView();
        const auto chat_id = detail::id_at(key, object_id::size);
        if (!chat_id) return impl_->corrupt(family::user_chats, key);
        auto c = impl_->load<chat>(family::chats, detail::key_of(*chat_id), snapshot.snapshot());
        if (!c) return c.error();
        chats.push_back(std::move(*c));
    }
    if (auto ec = impl_->finish(it)) return ec;
    const std::size_t n = std::min(limit, chats.size());
    std::partial_sort(chats.begin(), chats.begin() + static_cast<std::ptrdiff_t>(n), chats.end(),
                      more_recent);
    std::vector<chat_view> views;
    views.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto view = impl_->load_chat_view(std::move(chats[i]), user_id, snapshot.snapshot());
        if (!view) return view.error();
        views.push_back(std::move(*view));
    }
    return views;
}

}  // namespace confab::db
