// A writer process killed with SIGKILL at a random moment loses no acknowledged message and
// leaves a store that opens cleanly, with every multi-record change whole.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "db_fixture.hpp"

using namespace confab::db;

namespace {

options options_for(const std::filesystem::path& path, durability mode) {
    options o;
    o.path = path;
    o.durability = mode;
    return o;
}

// The child: stores messages until killed, reporting each acknowledged id on `fd`. It never
// returns into the test framework.
[[noreturn]] void write_until_killed(const options& o, const object_id& chat_id,
                                     const object_id& sender, int fd) {
    try {
        store s(o);
        for (int i = 0;; ++i) {
            new_message m;
            m.chat_id = chat_id;
            m.sender_id = sender;
            m.content = "message " + std::to_string(i);
            auto stored = s.store_message(m);
            if (!stored) _exit(2);
            // 12 bytes are below PIPE_BUF: each id arrives whole or not at all.
            if (write(fd, stored->msg.id.bytes().data(), object_id::size) !=
                ssize_t{object_id::size}) {
                _exit(3);
            }
        }
    } catch (...) {
        _exit(4);
    }
}

// Collects what the child reports. Once it has acknowledged its first message, lets it run
// for `run_for` more, kills it, and reads on until the pipe closes.
void kill_while_writing(int fd, pid_t child, std::chrono::milliseconds run_for,
                        std::string& reports) {
    using clock = std::chrono::steady_clock;
    std::optional<clock::time_point> deadline;
    bool killed = false;
    char buffer[4096];
    for (;;) {
        if (!killed && deadline && clock::now() >= *deadline) {
            kill(child, SIGKILL);
            killed = true;
        }
        int timeout_ms = 1000;
        if (!killed && deadline) {
            timeout_ms = static_cast<int>(
                std::chrono::ceil<std::chrono::milliseconds>(*deadline - clock::now()).count());
        }
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, std::max(timeout_ms, 0)) <= 0) continue;
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0) {
            if (!killed) kill(child, SIGKILL);  // it ended by itself: the caller reports that
            return;
        }
        reports.append(buffer, static_cast<std::size_t>(n));
        if (!deadline) deadline = clock::now() + run_for;
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(db_crash)

BOOST_AUTO_TEST_CASE(acknowledged_messages_survive_sigkill) {
    test::temp_dir dir;
    const auto path = dir.path() / "store";
    object_id chat_id;
    object_id ann;
    object_id ben;
    {
        store s(options_for(path, durability::sync));
        ann = s.create_user({"ann", "ann@example.com", "h"}).value().id;
        ben = s.create_user({"ben", "ben@example.com", "h"}).value().id;
        chat_id = s.create_direct_chat(ann, ben).value().info.id;
    }

    std::mt19937 rng(std::random_device{}());
    for (int round = 0; round < 6; ++round) {
        // Both settings survive a killed process; only a power cut tells them apart.
        const durability mode = round % 2 ? durability::async : durability::sync;
        int fds[2];
        BOOST_REQUIRE(pipe(fds) == 0);
        const pid_t child = fork();
        BOOST_REQUIRE(child >= 0);
        if (child == 0) {
            close(fds[0]);
            write_until_killed(options_for(path, mode), chat_id, ann, fds[1]);
        }
        close(fds[1]);
        std::string reports;
        kill_while_writing(fds[0], child, std::chrono::milliseconds(rng() % 150), reports);
        close(fds[0]);
        int status = 0;
        BOOST_REQUIRE(waitpid(child, &status, 0) == child);
        BOOST_TEST_REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
                           "the writer ended by itself, status " << status);

        std::vector<object_id> acknowledged;
        for (std::size_t at = 0; at + object_id::size <= reports.size(); at += object_id::size) {
            acknowledged.push_back(
                object_id::from_bytes(std::string_view(reports).substr(at, object_id::size))
                    .value());
        }
        BOOST_TEST_MESSAGE("round " << round << ": " << acknowledged.size() << " acknowledged");
        BOOST_TEST(!acknowledged.empty());

        store s(options_for(path, durability::sync));  // opens cleanly, or throws
        for (const object_id& id : acknowledged) {
            BOOST_TEST(s.get_message(chat_id, id).has_value(), "lost " << id);
        }
        // Each message's batch was applied whole: ben's unread count (the chat's last
        // message and the chat's place in both lists) moved with every stored message.
        std::uint64_t stored = 0;
        std::optional<object_id> before;
        std::optional<object_id> newest;
        for (;;) {
            auto page = s.messages_before(chat_id, before, max_page_size);
            BOOST_REQUIRE(page);
            stored += page->messages.size();
            if (!newest && !page->messages.empty()) newest = page->messages.back().msg.id;
            if (!page->has_more) break;
            before = page->messages.front().msg.id;
        }
        BOOST_TEST(stored >= acknowledged.size());
        auto view = s.get_chat(chat_id, ben);
        BOOST_REQUIRE(view);
        BOOST_TEST(view->unread_count == stored);
        BOOST_TEST((view->last_message.has_value() ? view->last_message->msg.id == newest
                                                   : !newest.has_value()));
        auto listed = s.list_chats(ben, 10);
        BOOST_REQUIRE(listed);
        BOOST_TEST(listed->size() == 1u);
    }
}

BOOST_AUTO_TEST_SUITE_END()
