// Opening a store written by schema 1 (per-member unread counts, activity-ordered chat lists)
// migrates it: every count and order a user saw is the same after, and new writes use schema 2.
#include <algorithm>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <rocksdb/db.h>

#include "db/detail/codec.hpp"
#include "db/detail/keys.hpp"
#include "db_fixture.hpp"

using namespace confab::db;

namespace {

const std::vector<std::string> families{
    "default",  "meta",      "users",    "usernames",    "emails",
    "chats",    "chat_members", "user_chats", "direct_chats", "messages",
    "reactions", "receipts", "read_markers", "idempotency"};

// Writes records the way schema 1 laid them out, straight into RocksDB.
class schema_1_writer {
  public:
    explicit schema_1_writer(const std::string& path) {
        rocksdb::Options o;
        o.create_if_missing = true;
        o.create_missing_column_families = true;
        std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
        for (const auto& name : families) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions{});
        rocksdb::DB* raw = nullptr;
        BOOST_REQUIRE(rocksdb::DB::Open(o, path, descriptors, &handles_, &raw).ok());
        db_.reset(raw);
        put("meta", "schema_version", "1");
    }
    ~schema_1_writer() {
        for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    }

    void put(const std::string& family, const std::string& key, const std::string& value) {
        const auto at = std::find(families.begin(), families.end(), family) - families.begin();
        BOOST_REQUIRE(db_->Put({}, handles_[static_cast<std::size_t>(at)], key, value).ok());
    }

    void chat(const confab::db::chat& c) {
        std::string json = detail::encode(c);
        const std::string count = ",\"message_count\":0";  // schema 1 had no count
        json.erase(json.find(count), count.size());
        put("chats", detail::key_of(c.id), json);
    }

    void member(const confab::db::chat& c, const object_id& user, millis activity,
                const std::string& last_read, std::uint64_t unread) {
        put("chat_members", detail::key_of(c.id, user), detail::encode(member_role::member));
        const auto inverted = ~static_cast<std::uint64_t>(activity);
        put("user_chats", detail::key_of(user) + detail::encode_be64(inverted) + detail::key_of(c.id),
            detail::encode(member_role::member));
        put("read_markers", detail::key_of(c.id, user),
            "{\"last_read\":" + last_read + ",\"unread\":" + std::to_string(unread) + "}");
    }

    message send(const confab::db::chat& c, const object_id& sender) {
        message m;
        m.id = object_id::generate();
        m.chat_id = c.id;
        m.sender_id = sender;
        m.content = "hi";
        put("messages", detail::key_of(c.id, m.id), detail::encode(m));
        return m;
    }

  private:
    std::unique_ptr<rocksdb::DB> db_;
    std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

std::string quoted(const object_id& id) {
    return "\"" + id.to_hex() + "\"";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(db_migration)

BOOST_AUTO_TEST_CASE(a_schema_1_store_keeps_its_unread_counts_and_order) {
    test::temp_dir dir;
    const std::string path = (dir.path() / "store").string();
    const object_id ann = object_id::generate(), ben = object_id::generate(),
                    cat = object_id::generate();
    chat direct;
    direct.id = object_id::generate();
    direct.type = chat_type::direct;
    direct.created_by = ann;
    direct.created_at = direct.updated_at = 1000;
    chat group;
    group.id = object_id::generate();
    group.name = "g";
    group.created_by = ann;
    group.created_at = group.updated_at = 2000;
    {
        schema_1_writer w(path);
        const message m1 = w.send(group, ann);
        w.send(group, ann);
        w.send(group, ben);
        const message m4 = w.send(group, ann);
        group.last_message_id = m4.id;
        group.updated_at = 3000;
        w.chat(group);
        w.chat(direct);
        w.member(group, ann, 3000, quoted(m4.id), 0);
        w.member(group, ben, 3000, quoted(m1.id), 2);  // m2 and m4; m3 is his own
        w.member(group, cat, 3000, "null", 4);
        w.member(direct, ann, 1000, "null", 0);
        w.member(direct, ben, 1000, "null", 0);
    }

    options o;
    o.path = path;
    store s(o);
    const auto unread = [&](const chat& c, const object_id& viewer) {
        auto view = s.get_chat(c.id, viewer);
        BOOST_REQUIRE(view);
        return view->unread_count;
    };
    BOOST_TEST(unread(group, ann) == 0u);
    BOOST_TEST(unread(group, ben) == 2u);
    BOOST_TEST(unread(group, cat) == 4u);
    auto listed = s.list_chats(ben, 10);
    BOOST_REQUIRE(listed);
    BOOST_REQUIRE(listed->size() == 2u);
    BOOST_TEST(listed->at(0).info.id == group.id);
    BOOST_TEST(listed->at(1).info.id == direct.id);
    BOOST_TEST(listed->at(0).info.message_count == 4u);

    // New writes count on from the migrated figures.
    new_message m;
    m.chat_id = direct.id;
    m.sender_id = ben;
    m.content = "later";
    BOOST_REQUIRE(s.store_message(m));
    m.chat_id = group.id;
    m.sender_id = cat;
    auto from_cat = s.store_message(m);
    BOOST_REQUIRE(from_cat);
    BOOST_TEST(unread(group, ann) == 1u);
    BOOST_TEST(unread(group, ben) == 3u);
    BOOST_TEST(unread(group, cat) == 4u);
    BOOST_TEST(unread(direct, ann) == 1u);
    BOOST_REQUIRE(s.mark_read(group.id, from_cat->msg.id, ben));
    BOOST_TEST(unread(group, ben) == 0u);
    listed = s.list_chats(ben, 1);
    BOOST_REQUIRE(listed);
    BOOST_REQUIRE(listed->size() == 1u);
    BOOST_TEST(listed->at(0).info.id == group.id);
}

// Reactions and receipts written before they kept when they were made (an empty value, a bare
// read time) still load: receipts in the order of their read times, reactions first, in key
// order, then those made since.
BOOST_AUTO_TEST_CASE(reactions_and_receipts_from_before_stamps_load_first) {
    test::temp_dir dir;
    const std::string path = (dir.path() / "store").string();
    const object_id ann = object_id::generate(), ben = object_id::generate(),
                    cat = object_id::generate();
    chat group;
    group.id = object_id::generate();
    group.name = "g";
    group.created_by = ann;
    group.created_at = group.updated_at = 2000;
    message m;
    {
        schema_1_writer w(path);
        m = w.send(group, ann);
        group.last_message_id = m.id;
        w.chat(group);
        w.member(group, ann, 2000, quoted(m.id), 0);
        w.member(group, ben, 2000, quoted(m.id), 0);
        w.member(group, cat, 2000, quoted(m.id), 0);
        w.put("reactions", detail::reaction_key(group.id, m.id, cat, "x"), "");
        w.put("reactions", detail::reaction_key(group.id, m.id, ann, "y"), "");
        w.put("receipts", detail::key_of(group.id, m.id, ann), detail::encode_be64(5000));
        w.put("receipts", detail::key_of(group.id, m.id, cat), detail::encode_be64(4000));
    }

    options o;
    o.path = path;
    store s(o);
    BOOST_REQUIRE(s.toggle_reaction(group.id, m.id, ben, "z"));
    BOOST_REQUIRE(s.mark_read(group.id, m.id, ben));
    auto view = s.get_message(group.id, m.id);
    BOOST_REQUIRE(view);
    BOOST_REQUIRE(view->reactions.size() == 3u);
    BOOST_TEST(view->reactions[0].user_id == ann);
    BOOST_TEST(view->reactions[1].user_id == cat);
    BOOST_TEST(view->reactions[2].user_id == ben);
    BOOST_REQUIRE(view->read_by.size() == 3u);
    BOOST_TEST(view->read_by[0].user_id == cat);
    BOOST_TEST(view->read_by[0].read_at == 4000);
    BOOST_TEST(view->read_by[1].user_id == ann);
    BOOST_TEST(view->read_by[1].read_at == 5000);
    BOOST_TEST(view->read_by[2].user_id == ben);
}

BOOST_AUTO_TEST_SUITE_END()
