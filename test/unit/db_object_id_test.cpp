#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "db/object_id.hpp"
#include "db_fixture.hpp"

using confab::db::object_id;

BOOST_AUTO_TEST_SUITE(db_object_id)

BOOST_AUTO_TEST_CASE(hex_round_trip) {
    const object_id id = object_id::generate();
    const std::string hex = id.to_hex();
    BOOST_TEST(hex.size() == 24u);
    BOOST_TEST(std::all_of(hex.begin(), hex.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }));
    BOOST_TEST(object_id::parse(hex).value() == id);
    BOOST_TEST(object_id::from_bytes(id.bytes()).value() == id);
}

BOOST_AUTO_TEST_CASE(parse_accepts_only_24_lowercase_hex_digits) {
    BOOST_TEST(object_id::parse("65a1b2c3d4e5f60718293a4b").has_value());
    BOOST_TEST(!object_id::parse("65A1B2C3D4E5F60718293A4B").has_value());
    BOOST_TEST(!object_id::parse("").has_value());
    BOOST_TEST(!object_id::parse("65a1b2c3d4e5f60718293a4").has_value());
    BOOST_TEST(!object_id::parse("65a1b2c3d4e5f60718293a4b0").has_value());
    BOOST_TEST(!object_id::parse("65a1b2c3d4e5f60718293a4g").has_value());
    BOOST_TEST(!object_id::parse(" 5a1b2c3d4e5f60718293a4b").has_value());
    BOOST_TEST(!object_id::parse("0x1b2c3d4e5f60718293a4b0").has_value());
    BOOST_TEST(!object_id::from_bytes("short").has_value());
}

BOOST_AUTO_TEST_CASE(leads_with_the_creation_second) {
    const auto before = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const object_id id = object_id::generate();
    const auto after = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    BOOST_TEST(id.seconds() >= before);
    BOOST_TEST(id.seconds() <= after);
    // Raw bytes compare like the ids, so keys made of them sort by creation time.
    const object_id older = *object_id::parse("000000010000000000ffffff");
    const object_id newer = *object_id::parse("000000020000000000000000");
    BOOST_TEST((older < newer));
    BOOST_TEST((older.bytes() < newer.bytes()));
}

BOOST_AUTO_TEST_CASE(unique_across_threads) {
    constexpr int threads = 4;
    constexpr int per_thread = 20'000;
    std::vector<std::vector<object_id>> made(threads);
    std::vector<std::thread> workers;
    for (auto& ids : made) {
        workers.emplace_back([&ids] {
            for (int i = 0; i < per_thread; ++i) ids.push_back(object_id::generate());
        });
    }
    for (auto& w : workers) w.join();
    std::set<object_id> all;
    for (const auto& ids : made) {
        all.insert(ids.begin(), ids.end());
        // One thread's ids never go back in time.
        BOOST_TEST(std::is_sorted(
            ids.begin(), ids.end(),
            [](const object_id& a, const object_id& b) { return a.seconds() < b.seconds(); }));
    }
    BOOST_TEST(all.size() == std::size_t{threads * per_thread});
}

BOOST_AUTO_TEST_CASE(forked_child_draws_its_own_random_bytes) {
    const object_id parent = object_id::generate();
    int fds[2];
    BOOST_REQUIRE(pipe(fds) == 0);
    const pid_t child = fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        const object_id id = object_id::generate();
        const ssize_t written = write(fds[1], id.bytes().data(), object_id::size);
        _exit(written == object_id::size ? 0 : 1);
    }
    close(fds[1]);
    char bytes[object_id::size];
    BOOST_REQUIRE(read(fds[0], bytes, sizeof bytes) == ssize_t{object_id::size});
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    const auto in_child = object_id::from_bytes(std::string_view(bytes, sizeof bytes));
    BOOST_REQUIRE(in_child.has_value());
    BOOST_TEST(in_child->bytes().substr(4, 5) != parent.bytes().substr(4, 5));
}

BOOST_AUTO_TEST_SUITE_END()
