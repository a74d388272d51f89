#include <algorithm>
#include <atomic>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "db_fixture.hpp"

using namespace confab::db;

namespace {

// Fsync on, so that the writers also exercise the shared log sync.
struct sync_fixture : test::store_fixture {
    sync_fixture() : store_fixture(durability::sync) {}
};

template <class F>
void in_threads(int count, F f) {
    std::vector<std::thread> threads;
    for (int i = 0; i < count; ++i) threads.emplace_back(f, i);
    for (auto& t : threads) t.join();
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(db_concurrency, sync_fixture)

BOOST_AUTO_TEST_CASE(concurrent_writers_lose_nothing) {
    constexpr int writers = 6;
    constexpr int per_writer = 100;
    std::vector<user> people;
    for (int i = 0; i < writers; ++i) people.push_back(add_user("u" + std::to_string(i)));
    std::vector<object_id> ids;
    for (const user& u : people) ids.push_back(u.id);
    const chat shared = *db->create_group_chat(people[0].id, "all", ids);
    std::vector<chat> own;  // each writer's direct chat with the next one
    for (int i = 0; i < writers; ++i) {
        own.push_back(db->create_direct_chat(people[i].id, people[(i + 1) % writers].id)->info);
    }

    std::vector<std::vector<object_id>> acknowledged(writers);
    in_threads(writers, [&](int w) {
        for (int i = 0; i < per_writer; ++i) {
            new_message m;
            m.chat_id = i % 2 ? shared.id : own[w].id;
            m.sender_id = people[w].id;
            m.content = std::to_string(w) + "/" + std::to_string(i);
            auto stored = db->store_message(m);
            if (stored) acknowledged[w].push_back(stored->msg.id);
        }
    });

    std::set<object_id> in_shared;
    std::optional<object_id> before;
    for (;;) {
        auto page = db->messages_before(shared.id, before, max_page_size);
        BOOST_REQUIRE(page);
        // Every page is in id order and continues the previous one.
        BOOST_TEST(std::is_sorted(
            page->messages.begin(), page->messages.end(),
            [](const message_view& a, const message_view& b) { return a.msg.id < b.msg.id; }));
        for (const auto& v : page->messages) in_shared.insert(v.msg.id);
        if (!page->has_more) break;
        before = page->messages.front().msg.id;
    }
    BOOST_TEST(in_shared.size() == std::size_t{writers * per_writer / 2});
    for (int w = 0; w < writers; ++w) {
        BOOST_TEST(acknowledged[w].size() == std::size_t{per_writer});
        for (std::size_t i = 0; i < acknowledged[w].size(); ++i) {
            if (i % 2) BOOST_TEST(in_shared.count(acknowledged[w][i]) == 1u);
        }
    }
    // Each member's unread count in the shared chat is everything the others sent.
    for (const user& u : people) {
        BOOST_TEST(unread(shared, u) == std::uint64_t{(writers - 1) * per_writer / 2});
    }
    // And the chat's last message is its newest.
    auto view = db->get_chat(shared.id, people[0].id);
    BOOST_REQUIRE(view);
    BOOST_TEST(view->last_message.value().msg.id == *in_shared.rbegin());
    auto listed = db->list_chats(people[0].id, 10);
    BOOST_REQUIRE(listed);
    BOOST_TEST(listed->size() == 3u);  // no chat listed twice after all the moves
}

BOOST_AUTO_TEST_CASE(concurrent_retries_store_one_message) {
    const user ann = add_user("ann");
    const user ben = add_user("ben");
    const chat c = db->create_direct_chat(ann.id, ben.id)->info;
    constexpr int retries = 8;
    for (int round = 0; round < 5; ++round) {
        std::vector<result<stored_message>> results(retries, errc::not_found);
        in_threads(retries, [&](int i) {
            new_message m;
            m.chat_id = c.id;
            m.sender_id = ann.id;
            m.content = "once";
            m.client_message_id = "retry-" + std::to_string(round);
            results[i] = db->store_message(m);
        });
        int created = 0;
        for (const auto& r : results) {
            BOOST_REQUIRE(r);
            created += r->created;
            BOOST_TEST(r->msg.id == results[0]->msg.id);
        }
        BOOST_TEST(created == 1);
    }
    auto page = db->messages_before(c.id, std::nullopt, max_page_size);
    BOOST_REQUIRE(page);
    BOOST_TEST(page->messages.size() == 5u);
    BOOST_TEST(unread(c, ben) == 5u);
}

BOOST_AUTO_TEST_CASE(readers_run_beside_writers) {
    const user ann = add_user("ann");
    const user ben = add_user("ben");
    const chat c = db->create_direct_chat(ann.id, ben.id)->info;
    std::atomic<bool> done{false};
    std::atomic<int> failed{0};
    std::thread writer([&] {
        for (int i = 0; i < 200; ++i) {
            new_message m;
            m.chat_id = c.id;
            m.sender_id = ann.id;
            m.content = std::to_string(i);
            if (!db->store_message(m)) ++failed;
        }
        done = true;
    });
    // A page is a snapshot: its messages are consecutive. Ben reads along meanwhile.
    while (!done) {
        auto page = db->messages_before(c.id, std::nullopt, 20);
        BOOST_REQUIRE(page);
        for (std::size_t i = 1; i < page->messages.size(); ++i) {
            BOOST_TEST(std::stoi(page->messages[i].msg.content) ==
                       std::stoi(page->messages[i - 1].msg.content) + 1);
        }
        if (!page->messages.empty()) {
            BOOST_REQUIRE(db->mark_read(c.id, page->messages.back().msg.id, ben.id));
        }
    }
    writer.join();
    BOOST_TEST(failed == 0);
    auto last = db->messages_before(c.id, std::nullopt, 1);
    BOOST_REQUIRE(last);
    BOOST_REQUIRE(db->mark_read(c.id, last->messages.back().msg.id, ben.id));
    BOOST_TEST(unread(c, ben) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
