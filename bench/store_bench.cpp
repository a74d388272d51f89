// Store benchmark: messages stored per second with sync and async durability from 1 and 8
// concurrent writers, and the latency of reading one 50-message history page.
//
//   store_bench [--seconds S] [--dir PATH]
//
// Each write run uses a fresh store in PATH (default: a new directory under the system's
// temporary directory, removed at the end).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "db/async_store.hpp"
#include "db/store.hpp"

namespace db = confab::db;
namespace net = boost::asio;
using bench_clock = std::chrono::steady_clock;

namespace {

struct latencies {
    std::vector<double> micros;

    void add(bench_clock::duration d) {
        micros.push_back(std::chrono::duration<double, std::micro>(d).count());
    }
    void merge(const latencies& other) {
        micros.insert(micros.end(), other.micros.begin(), other.micros.end());
    }
    double percentile(double p) {
        if (micros.empty()) return 0;
        const auto at = static_cast<std::size_t>(p / 100 * static_cast<double>(micros.size() - 1));
        std::nth_element(micros.begin(), micros.begin() + static_cast<std::ptrdiff_t>(at),
                         micros.end());
        return micros[at];
    }
};

db::options options_for(const std::filesystem::path& path, db::durability d) {
    db::options o;
    o.path = path;
    o.durability = d;
    o.log_error = [](std::string_view what) {
        std::fprintf(stderr, "store: %.*s\n", int(what.size()), what.data());
    };
    return o;
}

template <class T>
T need(db::result<T> r, const char* what) {
    if (!r) {
        std::fprintf(stderr, "%s failed: %s\n", what, r.error().message().c_str());
        std::exit(1);
    }
    return std::move(*r);
}

std::vector<db::user> make_users(db::store& s, int count) {
    std::vector<db::user> users;
    for (int i = 0; i < count; ++i) {
        const std::string name = "user" + std::to_string(i);
        users.push_back(need(s.create_user({name, name + "@example.com", "hash"}), "create_user"));
    }
    return users;
}

const std::string content(100, 'x');  // a typical short chat line

struct write_result {
    double per_second;
    latencies latency;
};

// `writers` threads store messages for `seconds`: each into its own direct chat, or all
// into one group chat of all of them (which also updates every member's unread count).
write_result run_writes(const std::filesystem::path& path, db::durability d, int writers,
                        bool shared_chat, double seconds) {
    std::filesystem::remove_all(path);
    db::store s(options_for(path, d));
    const auto users = make_users(s, 2 * writers);
    std::vector<db::object_id> chats;
    if (shared_chat) {
        std::vector<db::object_id> members;
        for (int i = 1; i < writers; ++i) members.push_back(users[i].id);
        chats.assign(writers, need(s.create_group_chat(users[0].id, "all", members), "group").id);
    } else {
        for (int i = 0; i < writers; ++i) {
            chats.push_back(
                need(s.create_direct_chat(users[i].id, users[writers + i].id), "direct").info.id);
        }
    }

    std::atomic<bool> stop{false};
    std::vector<latencies> per_thread(writers);
    std::vector<long> counts(writers, 0);
    std::vector<std::thread> threads;
    const auto start = bench_clock::now();
    for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&, w] {
            db::new_message m;
            m.chat_id = chats[w];
            m.sender_id = users[w].id;
            m.content = content;
            while (!stop.load(std::memory_order_relaxed)) {
                const auto t0 = bench_clock::now();
                need(s.store_message(m), "store_message");
                per_thread[w].add(bench_clock::now() - t0);
                ++counts[w];
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : threads) t.join();
    const double elapsed = std::chrono::duration<double>(bench_clock::now() - start).count();

    write_result r{0, {}};
    long total = 0;
    for (int w = 0; w < writers; ++w) {
        total += counts[w];
        r.latency.merge(per_thread[w]);
    }
    r.per_second = static_cast<double>(total) / elapsed;
    return r;
}

struct read_results {
    latencies direct;
    latencies via_async;
    std::size_t messages = 0;
};

// A chat of `count` messages, every fifth with a reaction and a read receipt; pages of 50
// before random messages.
read_results run_reads(const std::filesystem::path& path, int count, int pages) {
    std::filesystem::remove_all(path);
    db::store s(options_for(path, db::durability::async));
    const auto users = make_users(s, 2);
    const auto chat = need(s.create_direct_chat(users[0].id, users[1].id), "direct").info.id;
    std::vector<db::object_id> ids;
    for (int i = 0; i < count; ++i) {
        db::new_message m;
        m.chat_id = chat;
        m.sender_id = users[i % 2].id;
        m.content = content;
        ids.push_back(need(s.store_message(m), "store_message").msg.id);
        if (i % 5 == 0) {
            need(s.toggle_reaction(chat, ids.back(), users[(i + 1) % 2].id, "👍"), "reaction");
            need(s.mark_read(chat, ids.back(), users[(i + 1) % 2].id), "mark_read");
        }
    }
    // As a server that ran a while would have it: in table files, not only in the memtable.
    if (const auto ec = s.close()) {
        std::fprintf(stderr, "close failed: %s\n", ec.message().c_str());
        std::exit(1);
    }
    db::store reopened(options_for(path, db::durability::async));

    read_results r;
    std::mt19937 rng(42);
    auto before = [&]() -> std::optional<db::object_id> {
        const auto at = rng() % static_cast<unsigned>(ids.size() + 1);
        if (at == ids.size()) return std::nullopt;  // the newest page
        return ids[std::max<std::size_t>(at, 50)];
    };
    for (int i = 0; i < pages; ++i) {
        const auto b = before();
        const auto t0 = bench_clock::now();
        const auto page = need(reopened.messages_before(chat, b, 50), "messages_before");
        r.direct.add(bench_clock::now() - t0);
        r.messages += page.messages.size();
    }

    // The same through the thread pool, awaited from a coroutine as a session would.
    net::io_context io;
    db::async_store async(reopened, 4);
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
            for (int i = 0; i < pages; ++i) {
                const auto b = before();
                const auto t0 = bench_clock::now();
                auto page = co_await async.run(
                    [&](db::store& st) { return st.messages_before(chat, b, 50); });
                r.via_async.add(bench_clock::now() - t0);
                need(std::move(page), "messages_before");
            }
        },
        net::detached);
    io.run();
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 2;
    std::optional<std::filesystem::path> dir_arg;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        if (flag == "--seconds") {
            seconds = std::atof(argv[i + 1]);
        } else if (flag == "--dir") {
            dir_arg = argv[i + 1];
        } else {
            std::fprintf(stderr, "usage: store_bench [--seconds S] [--dir PATH]\n");
            return 2;
        }
    }
    const std::filesystem::path dir =
        dir_arg.value_or(std::filesystem::temp_directory_path() /
                         ("confab-store-bench-" + std::to_string(std::random_device{}())));
    std::filesystem::create_directories(dir);

    std::printf("confab store benchmark: %.1f s per write run, data in %s\n\n", seconds,
                dir.c_str());
    std::printf("Writes (100-byte messages; latency of one store_message call)\n");
    std::printf("  %-10s %-8s %-12s %12s %12s %12s\n", "durability", "writers", "chats",
                "messages/s", "p50 us", "p99 us");
    struct scenario {
        db::durability durability;
        int writers;
        bool shared;
    };
    for (const scenario& sc :
         {scenario{db::durability::sync, 1, false}, scenario{db::durability::sync, 8, false},
          scenario{db::durability::sync, 8, true}, scenario{db::durability::async, 1, false},
          scenario{db::durability::async, 8, false}, scenario{db::durability::async, 8, true}}) {
        auto r = run_writes(dir / "writes", sc.durability, sc.writers, sc.shared, seconds);
        std::printf("  %-10s %-8d %-12s %12.0f %12.1f %12.1f\n",
                    sc.durability == db::durability::sync ? "sync" : "async", sc.writers,
                    sc.shared ? "one group" : "one each", r.per_second, r.latency.percentile(50),
                    r.latency.percentile(99));
        std::fflush(stdout);
    }

    constexpr int history = 10'000;
    constexpr int pages = 2'000;
    auto reads = run_reads(dir / "reads", history, pages);
    std::printf(
        "\nReads (one 50-message page of a %d-message chat, before a random message;\n"
        "every fifth message has a reaction and a read receipt; %d pages)\n",
        history, pages);
    std::printf("  %-24s %12s %12s\n", "path", "p50 us", "p99 us");
    std::printf("  %-24s %12.1f %12.1f\n", "store call", reads.direct.percentile(50),
                reads.direct.percentile(99));
    std::printf("  %-24s %12.1f %12.1f\n", "async_store from coroutine",
                reads.via_async.percentile(50), reads.via_async.percentile(99));

    if (!dir_arg) std::filesystem::remove_all(dir);
    return 0;
}
