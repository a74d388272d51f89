#include <algorithm>
#include <thread>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include "db/async_store.hpp"
#include "db_fixture.hpp"

using namespace confab::db;
namespace net = boost::asio;

namespace {

// Stores n messages from n coroutines on one I/O thread, as the server's sessions run (no
// strands: a result that comes back while its strand is still busy would wait in the strand and
// run after a later one, an order the server never sees); returns how
// many were stored, and their ids in the order their results came back.
int store_concurrently(async_store& async, const chat& c, const user& from, int n,
                       std::vector<object_id>* ids = nullptr) {
    net::io_context io;
    int stored = 0;
    for (int i = 0; i < n; ++i) {
        net::co_spawn(
            io,
            [&, i]() -> net::awaitable<void> {
                new_message m;
                m.chat_id = c.id;
                m.sender_id = from.id;
                m.content = std::to_string(i);
                auto r = co_await async.run([m](store& s) { return s.store_message(m); });
                if (!r) co_return;
                ++stored;  // every completion runs on the io_context's one thread
                if (ids) ids->push_back(r->msg.id);
            },
            net::detached);
    }
    io.run();
    return stored;
}

// Stores 300 messages to one chat at once through 4 threads and checks that all were stored and
// that their results came back in id order, the order the room must hear of them (the
// history's). Says where the order broke, if it did.
void check_results_in_write_order(test::store_fixture& f) {
    async_store async(*f.db, 4);
    const user ann = f.add_user("ann");
    const user ben = f.add_user("ben");
    const chat c = f.db->create_direct_chat(ann.id, ben.id)->info;
    std::vector<object_id> ids;
    BOOST_TEST(store_concurrently(async, c, ann, 300, &ids) == 300);
    const auto broken = std::is_sorted_until(ids.begin(), ids.end());
    BOOST_TEST((broken == ids.end()), "result " << (broken - ids.begin()) << " of " << ids.size()
                                                << " came back before an earlier write's");
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(db_async, test::store_fixture)

BOOST_AUTO_TEST_CASE(runs_on_the_pool_and_resumes_on_the_callers_executor) {
    net::io_context io;
    async_store async(*db, 2);
    const auto io_thread = std::this_thread::get_id();
    bool finished = false;

    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
            std::thread::id ran_on;
            auto created = co_await async.run([&](store& s) {
                ran_on = std::this_thread::get_id();
                return s.create_user({"ann", "ann@example.com", "h"});
            });
            BOOST_TEST(ran_on != io_thread);
            BOOST_TEST(std::this_thread::get_id() == io_thread);
            BOOST_REQUIRE(created);

            // Several calls in one trip, and errors come back as values.
            auto both = co_await async.run([&](store& s) {
                auto missing = s.get_user(object_id::generate());
                auto found = s.find_user_by_username("ANN");
                return std::pair(missing.has_error(), found.has_value());
            });
            BOOST_TEST(both.first);
            BOOST_TEST(both.second);
            finished = true;
        },
        net::detached);
    // Nothing but the pending store call keeps run() going while the pool works.
    io.run();
    BOOST_TEST(finished);
}

BOOST_AUTO_TEST_CASE(many_coroutines_share_the_pool) {
    async_store async(*db, 4);
    const user ann = add_user("ann");
    const user ben = add_user("ben");
    const chat c = db->create_direct_chat(ann.id, ben.id)->info;
    BOOST_TEST(store_concurrently(async, c, ann, 50) == 50);
    BOOST_TEST(unread(c, ben) == 50u);
}

BOOST_AUTO_TEST_CASE(results_come_back_in_the_order_of_their_writes) {
    check_results_in_write_order(*this);
}

BOOST_AUTO_TEST_CASE(completes_plain_callbacks_too) {
    net::io_context io;
    async_store async(*db, 1);
    bool called = false;
    async.async_run([](store& s) { return s.get_user(object_id::generate()); },
                    net::bind_executor(io, [&](result<user> r) {
                        called = true;
                        BOOST_TEST(r.error() == test::code(errc::not_found));
                    }));
    io.run();
    BOOST_TEST(called);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

struct sync_store_fixture : test::store_fixture {
    sync_store_fixture() : store_fixture(durability::sync) {}
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(db_deferred_sync, sync_store_fixture)

BOOST_AUTO_TEST_CASE(records_what_must_be_synced_instead_of_waiting) {
    const user ann = add_user("ann");
    const user ben = add_user("ben");
    const chat c = db->create_direct_chat(ann.id, ben.id)->info;
    {
        deferred_sync outer;
        {
            deferred_sync reads;
            BOOST_REQUIRE(db->get_chat(c.id, ann.id));
            BOOST_TEST(reads.sequence() == 0u);  // nothing written, nothing to wait for
        }
        send(c, ann, "hello");
        const auto first = outer.sequence();
        BOOST_TEST(first > 0u);
        send(c, ben, "hi");
        BOOST_TEST(outer.sequence() > first);
        BOOST_TEST(!db->sync_through(outer.sequence()));
    }
    // Without a guard, calls sync before returning, as always.
    send(c, ann, "bye");
    BOOST_TEST(unread(c, ben) == 2u);
}

BOOST_AUTO_TEST_CASE(concurrent_synced_writes_through_one_thread_all_complete) {
    async_store async(*db, 1);  // one thread, which must not wait in each fsync for all to end
    const user ann = add_user("ann");
    const user ben = add_user("ben");
    const chat c = db->create_direct_chat(ann.id, ben.id)->info;
    BOOST_TEST(store_concurrently(async, c, ann, 100) == 100);
    BOOST_TEST(unread(c, ben) == 100u);
}

BOOST_AUTO_TEST_CASE(synced_results_come_back_in_the_order_of_their_writes) {
    check_results_in_write_order(*this);
}

BOOST_AUTO_TEST_SUITE_END()
