#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "db_fixture.hpp"

using namespace confab::db;
using confab::db::test::code;
using confab::db::test::error_of;

BOOST_FIXTURE_TEST_SUITE(db_users, test::store_fixture)

BOOST_AUTO_TEST_CASE(create_and_find_by_id_username_and_email) {
    auto created = db->create_user({"Alice", "Alice@Example.com", "argon2-hash"});
    BOOST_REQUIRE(created);
    BOOST_TEST(created->username == "Alice");
    BOOST_TEST(created->email == "Alice@Example.com");
    BOOST_TEST(created->password_hash == "argon2-hash");
    BOOST_TEST((created->status == user_status::offline));
    BOOST_TEST(created->created_at == now.load());

    auto by_id = db->get_user(created->id);
    BOOST_REQUIRE(by_id);
    BOOST_TEST(by_id->username == "Alice");
    // Lookups ignore ASCII case; the stored spelling is kept.
    auto by_name = db->find_user_by_username("aLICE");
    BOOST_REQUIRE(by_name);
    BOOST_TEST(by_name->id == created->id);
    auto by_email = db->find_user_by_email("alice@EXAMPLE.COM");
    BOOST_REQUIRE(by_email);
    BOOST_TEST(by_email->id == created->id);
}

BOOST_AUTO_TEST_CASE(unknown_users_are_not_found) {
    BOOST_TEST(error_of(db->get_user(object_id::generate())) == code(errc::not_found));
    BOOST_TEST(error_of(db->find_user_by_username("nobody")) == code(errc::not_found));
    BOOST_TEST(error_of(db->find_user_by_email("nobody@example.com")) == code(errc::not_found));
}

BOOST_AUTO_TEST_CASE(username_and_email_are_unique_ignoring_case) {
    add_user("bob");
    BOOST_TEST(error_of(db->create_user({"BOB", "other@example.com", "h"})) ==
               code(errc::username_taken));
    BOOST_TEST(error_of(db->create_user({"bobby", "Bob@Example.COM", "h"})) ==
               code(errc::email_taken));
    BOOST_TEST(error_of(db->create_user({"", "x@example.com", "h"})) ==
               code(errc::invalid_argument));
    BOOST_TEST(error_of(db->create_user({"x", "", "h"})) == code(errc::invalid_argument));
    // The failed attempts left nothing behind.
    BOOST_TEST(error_of(db->find_user_by_username("bobby")) == code(errc::not_found));
    BOOST_TEST(error_of(db->find_user_by_email("other@example.com")) == code(errc::not_found));
}

BOOST_AUTO_TEST_CASE(concurrent_registrations_of_one_name_admit_one) {
    constexpr int threads = 8;
    std::vector<result<user>> results(threads, errc::not_found);
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i) {
        workers.emplace_back([&, i] {
            // Different case and email each time: only the folded username collides.
            results[i] = db->create_user(
                {i % 2 ? "Carol" : "carol", "carol" + std::to_string(i) + "@example.com", "h"});
        });
    }
    for (auto& w : workers) w.join();
    int created = 0;
    for (const auto& r : results) {
        if (r) {
            ++created;
        } else {
            BOOST_TEST(r.error() == code(errc::username_taken));
        }
    }
    BOOST_TEST(created == 1);
}

BOOST_AUTO_TEST_CASE(search_by_username_prefix) {
    for (const char* name : {"dave", "Dana", "daniel", "dan", "erin", "DAX"}) add_user(name);
    auto found = db->search_users("Da", 10);
    BOOST_REQUIRE(found);
    std::vector<std::string> names;
    for (const user& u : *found) names.push_back(u.username);
    // Ordered by the folded username; the stored spelling comes back.
    const std::vector<std::string> expected{"dan", "Dana", "daniel", "dave", "DAX"};
    BOOST_TEST(names == expected, boost::test_tools::per_element());

    auto limited = db->search_users("da", 2);
    BOOST_REQUIRE(limited);
    BOOST_TEST(limited->size() == 2u);
    BOOST_TEST(limited->at(1).username == "Dana");

    auto none = db->search_users("zz", 10);
    BOOST_REQUIRE(none);
    BOOST_TEST(none->empty());
    auto everyone = db->search_users("", max_search_results);
    BOOST_REQUIRE(everyone);
    BOOST_TEST(everyone->size() == 6u);

    BOOST_TEST(error_of(db->search_users("da", 0)) == code(errc::invalid_argument));
    BOOST_TEST(error_of(db->search_users("da", max_search_results + 1)) ==
               code(errc::invalid_argument));
}

BOOST_AUTO_TEST_CASE(presence_sets_status_and_last_seen) {
    const user u = add_user("frank");
    tick(5000);
    auto online = db->set_presence(u.id, user_status::online);
    BOOST_REQUIRE(online);
    BOOST_TEST((online->status == user_status::online));
    BOOST_TEST(online->last_seen == now.load());
    tick(1000);
    auto offline = db->set_presence(u.id, user_status::offline);
    BOOST_REQUIRE(offline);
    auto stored = db->get_user(u.id);
    BOOST_REQUIRE(stored);
    BOOST_TEST((stored->status == user_status::offline));
    BOOST_TEST(stored->last_seen == now.load());
    BOOST_TEST(error_of(db->set_presence(object_id::generate(), user_status::online)) ==
               code(errc::not_found));
}

BOOST_AUTO_TEST_CASE(everyone_still_online_is_marked_offline_keeping_last_seen) {
    const user ann = add_user("ann");
    const user bob = add_user("bob");
    const user cid = add_user("cid");
    tick(1000);
    BOOST_REQUIRE(db->set_presence(ann.id, user_status::online));
    const auto ann_seen = now.load();
    tick(1000);
    BOOST_REQUIRE(db->set_presence(bob.id, user_status::online));
    BOOST_REQUIRE(db->set_presence(cid.id, user_status::offline));
    tick(1000);
    auto reset = db->mark_everyone_offline();
    BOOST_REQUIRE(reset);
    BOOST_TEST(*reset == 2u);
    for (const auto& id : {ann.id, bob.id, cid.id}) {
        auto u = db->get_user(id);
        BOOST_REQUIRE(u);
        BOOST_TEST((u->status == user_status::offline));
    }
    BOOST_TEST(db->get_user(ann.id)->last_seen == ann_seen);
    auto again = db->mark_everyone_offline();
    BOOST_REQUIRE(again);
    BOOST_TEST(*again == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
