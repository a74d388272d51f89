// Users, and the unique username and email indexes.
#include <rocksdb/write_batch.h>

#include "db/detail/keys.hpp"
#include "db/detail/store_impl.hpp"

namespace confab::db {

using detail::family;

result<user> store::create_user(const new_user& u) {
    if (u.username.empty() || u.email.empty()) return errc::invalid_argument;
    const std::string username_key = detail::fold_case(u.username);
    const std::string email_key = detail::fold_case(u.email);

    // Two registrations of one name take the same lock, so only one sees it free.
    auto lock = impl_->locks_.lock(username_key, email_key);
    auto by_name = impl_->get(family::usernames, username_key);
    if (!by_name) return by_name.error();
    if (*by_name) return errc::username_taken;
    auto by_email = impl_->get(family::emails, email_key);
    if (!by_email) return by_email.error();
    if (*by_email) return errc::email_taken;

    const millis now = impl_->now();
    user created{
        .id = object_id::generate(),
        .username = u.username,
        .email = u.email,
        .password_hash = u.password_hash,
        .status = user_status::offline,
        .last_seen = now,
        .created_at = now,
    };
    rocksdb::WriteBatch batch;
    batch.Put(impl_->cf(family::users), detail::key_of(created.id), detail::encode(created));
    batch.Put(impl_->cf(family::usernames), username_key, detail::key_of(created.id));
    batch.Put(impl_->cf(family::emails), email_key, detail::key_of(created.id));
    if (auto ec = impl_->commit(batch, lock)) return ec;
    return created;
}

result<user> store::get_user(const object_id& id) const {
    return impl_->load<user>(family::users, detail::key_of(id));
}

result<user> store::impl::find_user(family index, std::string_view value) const {
    const std::string key = detail::fold_case(value);
    auto id_bytes = get(index, key);
    if (!id_bytes) return id_bytes.error();
    if (!*id_bytes) return errc::not_found;
    const auto id = object_id::from_bytes(**id_bytes);
    if (!id) return corrupt(index, key);
    return load<user>(family::users, detail::key_of(*id));
}

result<user> store::find_user_by_username(std::string_view username) const {
    return impl_->find_user(family::usernames, username);
}

result<user> store::find_user_by_email(std::string_view email) const {
    return impl_->find_user(family::emails, email);
}

result<std::vector<user>> store::search_users(std::string_view prefix, std::size_t limit) const {
    if (limit == 0 || limit > max_search_results) return errc::invalid_argument;
    rocksdb::ManagedSnapshot snapshot(impl_->db_.get());
    std::vector<user> found;
    auto names =
        impl_->scan_prefix(family::usernames, detail::fold_case(prefix), snapshot.snapshot());
    for (names->SeekToFirst(); names->Valid() && found.size() < limit; names->Next()) {
        const auto id = object_id::from_bytes(names->value().ToStringView());
        if (!id) return impl_->corrupt(family::usernames, names->key().ToStringView());
        auto u = impl_->load<user>(family::users, detail::key_of(*id), snapshot.snapshot());
        if (!u) return u.error();
        found.push_back(std::move(*u));
    }
    if (auto ec = impl_->finish(names)) return ec;
    return found;
}

result<user> store::set_presence(const object_id& id, user_status status) {
    const std::string key = detail::key_of(id);
    auto lock = impl_->locks_.lock(key);
    auto u = impl_->load<user>(family::users, key);
    if (!u) return u.error();
    u->status = status;
    u->last_seen = impl_->now();
    rocksdb::WriteBatch batch;
    batch.Put(impl_->cf(family::users), key, detail::encode(*u));
    if (auto ec = impl_->commit(batch, lock)) return ec;
    return u;
}

result<std::size_t> store::mark_everyone_offline() {
    rocksdb::WriteBatch batch;
    auto it = impl_->scan_prefix(family::users, {});
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        user u;
        if (!detail::decode(it->value().ToStringView(), u))
            return impl_->corrupt(family::users, it->key().ToStringView());
        if (u.status != user_status::online) continue;
        u.status = user_status::offline;
        batch.Put(impl_->cf(family::users), it->key(), detail::encode(u));
    }
    if (auto ec = impl_->finish(it)) return ec;
    if (batch.Count() == 0) return std::size_t{0};
    auto sequence = impl_->write(batch);
    if (!sequence) return sequence.error();
    if (auto ec = impl_->sync_now(*sequence)) return ec;
    return std::size_t{batch.Count()};
}

}  // namespace confab::db
