#include <fstream>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <boost/test/unit_test.hpp>

#include "db_fixture.hpp"

using namespace confab::db;
using confab::db::test::code;
using confab::db::test::error_of;

BOOST_AUTO_TEST_SUITE(db_lifecycle)

BOOST_AUTO_TEST_CASE(durability_setting_names) {
    BOOST_TEST((parse_durability("sync") == durability::sync));
    BOOST_TEST((parse_durability("async") == durability::async));
    BOOST_TEST(!parse_durability("SYNC").has_value());
    BOOST_TEST(!parse_durability("").has_value());
}

BOOST_FIXTURE_TEST_CASE(everything_written_is_there_after_reopen, test::store_fixture) {
    const user ann = add_user("Ann");
    const user ben = add_user("ben");
    auto direct = db->create_direct_chat(ann.id, ben.id);
    BOOST_REQUIRE(direct);
    const chat group = add_group(ben, {ann.id});
    const message hello = send(direct->info, ann, "hello", "c1");
    tick();
    const message reply = send(direct->info, ben, "hi ann");
    BOOST_REQUIRE(db->toggle_reaction(direct->info.id, hello.id, ben.id, "❤"));
    BOOST_REQUIRE(db->mark_read(direct->info.id, hello.id, ben.id));
    BOOST_REQUIRE(db->edit_message(direct->info.id, reply.id, ben.id, "hi Ann"));
    BOOST_REQUIRE(db->set_presence(ann.id, user_status::online));

    reopen();

    auto found = db->find_user_by_username("ann");
    BOOST_REQUIRE(found);
    BOOST_TEST(found->id == ann.id);
    BOOST_TEST((found->status == user_status::online));
    BOOST_TEST(error_of(db->create_user({"ANN", "new@example.com", "h"})) ==
               code(errc::username_taken));
    auto again = db->create_direct_chat(ben.id, ann.id);
    BOOST_REQUIRE(again);
    BOOST_TEST(!again->created);
    BOOST_TEST(again->info.id == direct->info.id);

    auto page = db->messages_before(direct->info.id, std::nullopt, 10);
    BOOST_REQUIRE(page);
    BOOST_REQUIRE(page->messages.size() == 2u);
    BOOST_TEST(page->messages[0].msg.content == "hello");
    BOOST_TEST(page->messages[0].reactions.size() == 1u);
    BOOST_TEST(page->messages[0].read_by.size() == 1u);
    BOOST_TEST(page->messages[1].msg.content == "hi Ann");
    BOOST_TEST(page->messages[1].msg.is_edited);

    auto chats = db->list_chats(ann.id, 10);
    BOOST_REQUIRE(chats);
    BOOST_REQUIRE(chats->size() == 2u);
    BOOST_TEST(chats->at(0).info.id == direct->info.id);
    BOOST_TEST(chats->at(0).unread_count == 1u);
    BOOST_TEST(chats->at(1).info.id == group.id);

    // The idempotency key survived too.
    new_message retry;
    retry.chat_id = direct->info.id;
    retry.sender_id = ann.id;
    retry.content = "hello";
    retry.client_message_id = "c1";
    auto stored = db->store_message(retry);
    BOOST_REQUIRE(stored);
    BOOST_TEST(!stored->created);
    BOOST_TEST(stored->msg.id == hello.id);
}

BOOST_AUTO_TEST_CASE(a_newer_schema_is_refused_with_a_clear_message) {
    test::temp_dir dir;
    const std::string path = (dir.path() / "store").string();
    {
        // What a future confab might leave: a meta family with a higher version.
        rocksdb::Options o;
        o.create_if_missing = true;
        o.create_missing_column_families = true;
        std::vector<rocksdb::ColumnFamilyDescriptor> families{
            {rocksdb::kDefaultColumnFamilyName, {}}, {"meta", {}}, {"from_the_future", {}}};
        std::vector<rocksdb::ColumnFamilyHandle*> handles;
        rocksdb::DB* raw = nullptr;
        BOOST_REQUIRE(rocksdb::DB::Open(o, path, families, &handles, &raw).ok());
        BOOST_REQUIRE(raw->Put({}, handles[1], "schema_version", "3").ok());
        for (auto* h : handles) BOOST_REQUIRE(raw->DestroyColumnFamilyHandle(h).ok());
        delete raw;
    }
    options o;
    o.path = path;
    try {
        store s(o);
        BOOST_FAIL("opened a store of a newer schema");
    } catch (const std::system_error& e) {
        BOOST_TEST(e.code() == code(errc::newer_schema));
        const std::string what = e.what();
        BOOST_TEST(what.find("schema version 3") != std::string::npos, what);
        BOOST_TEST(what.find(path) != std::string::npos, what);
    }
    // And it was left as it was: none of this version's families were added.
    std::vector<std::string> names;
    BOOST_REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions{}, path, &names).ok());
    BOOST_TEST(names.size() == 3u);
}

BOOST_AUTO_TEST_CASE(an_unopenable_path_is_an_io_error) {
    test::temp_dir dir;
    options o;
    o.path = dir.path() / "not-a-directory";
    { std::ofstream(o.path) << "x"; }
    try {
        store s(o);
        BOOST_FAIL("opened a store in a file");
    } catch (const std::system_error& e) {
        BOOST_TEST(e.code() == code(errc::io_error));
    }
}

BOOST_FIXTURE_TEST_CASE(close_reports_and_is_idempotent, test::store_fixture) {
    add_user("ann");
    BOOST_TEST(!db->close());
    BOOST_TEST(!db->close());
    db = open();
    BOOST_TEST(db->find_user_by_username("ann").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
