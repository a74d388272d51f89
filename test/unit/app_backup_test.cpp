// `confab backup` and `confab restore` (app/ops/backup.hpp) on a store that is being written
// to: every backup, restored and opened, holds a gap-free prefix of the messages, at least
// all that were stored before the backup began and none stored after it ended.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include "app/ops/backup.hpp"
#include "db/backup.hpp"
#include "db/store.hpp"

namespace fs = std::filesystem;
using namespace confab;

namespace {

class temp_dir {
  public:
    temp_dir()
        : path_(fs::temp_directory_path() /
                ("confab-backup-test-" + std::to_string(std::random_device{}()))) {
        fs::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

config::settings settings_for(const fs::path& data_dir) {
    config::settings s;
    s.data_dir = data_dir.string();
    return s;
}

std::unique_ptr<db::store> open_store(const fs::path& data_dir) {
    db::options o;
    o.path = data_dir / "db";
    o.durability = db::durability::async;
    return std::make_unique<db::store>(std::move(o));
}

// Every message of the chat, oldest first.
std::vector<std::string> all_contents(db::store& s, const db::object_id& chat) {
    std::vector<std::string> newest_first;
    std::optional<db::object_id> before;
    for (;;) {
        auto page = s.messages_before(chat, before, db::max_page_size);
        BOOST_REQUIRE(page.has_value());
        for (auto it = page->messages.rbegin(); it != page->messages.rend(); ++it)
            newest_first.push_back(it->msg.content);
        if (page->messages.empty() || !page->has_more) break;
        before = page->messages.front().msg.id;
    }
    return {newest_first.rbegin(), newest_first.rend()};
}

db::new_message text(const db::object_id& chat, const db::object_id& sender, std::string content) {
    db::new_message m;
    m.chat_id = chat;
    m.sender_id = sender;
    m.content = std::move(content);
    return m;
}

std::string content_of(int i) {
    // Big enough that the writes fill memtables: the store flushes and compacts while the
    // backups run, which is when a copy can go wrong.
    return "m" + std::to_string(i) + ":" + std::string(2000, 'x');
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ops_backup)

BOOST_AUTO_TEST_CASE(backups_taken_while_messages_are_stored_restore_a_prefix) {
    temp_dir tmp;
    const fs::path data = tmp.path() / "data";
    auto store = open_store(data);
    const auto alice = store->create_user({"alice", "alice@example.com", "hash"});
    const auto bob = store->create_user({"bob", "bob@example.com", "hash"});
    BOOST_REQUIRE(alice && bob);
    const std::vector<db::object_id> members{bob->id};
    const auto chat = store->create_group_chat(alice->id, "backups", members);
    BOOST_REQUIRE(chat.has_value());
    // What the server would have generated (JWT_SECRET unset).
    {
        std::ofstream secret(data / "jwt_secret");
        secret << "0123456789abcdef\n";
    }

    constexpr int total = 16000;
    std::atomic<int> stored{0};
    std::atomic<bool> failed{false};
    std::thread writer([&] {
        for (int i = 0; i < total; ++i) {
            const auto m = store->store_message(text(chat->id, alice->id, content_of(i)));
            if (!m) {
                failed = true;
                return;
            }
            stored = i + 1;
        }
    });

    struct taken {
        fs::path dir;
        int stored_before;
        int stored_after;
    };
    std::vector<taken> backups;
    for (int n = 0; n < 6; ++n) {
        while (stored < (n + 1) * total / 8 && !failed) std::this_thread::yield();
        taken t{tmp.path() / ("backup" + std::to_string(n)), stored.load(), 0};
        std::ostringstream out, err;
        const int status = ops::backup(settings_for(data), t.dir, out, err);
        t.stored_after = stored.load();
        BOOST_TEST_REQUIRE(status == 0, err.str());
        BOOST_TEST(out.str().find("with the JWT secret") != std::string::npos, out.str());
        backups.push_back(t);
    }
    writer.join();
    BOOST_REQUIRE(!failed);
    BOOST_REQUIRE(!store->close());
    store.reset();

    for (const auto& b : backups) {
        BOOST_TEST_CONTEXT(b.dir.string() << ", stored before " << b.stored_before << ", after "
                                          << b.stored_after) {
            struct stat st {};
            BOOST_TEST(::stat(b.dir.c_str(), &st) == 0);
            BOOST_TEST((st.st_mode & 0777) == 0700u);  // only its owner reads a backup
            BOOST_TEST(fs::exists(b.dir / "jwt_secret"));

            const fs::path restored = tmp.path() / ("restored-" + b.dir.filename().string());
            std::ostringstream out, err;
            BOOST_TEST_REQUIRE(ops::restore(settings_for(restored), b.dir, out, err) == 0,
                               err.str());
            std::ifstream secret(restored / "jwt_secret");
            std::string line;
            std::getline(secret, line);
            BOOST_TEST(line == "0123456789abcdef");

            auto s = open_store(restored);
            const auto contents = all_contents(*s, chat->id);
            BOOST_TEST(static_cast<int>(contents.size()) >= b.stored_before);
            BOOST_TEST(static_cast<int>(contents.size()) <= b.stored_after + 1);
            bool prefix = true;
            for (std::size_t i = 0; i < contents.size() && prefix; ++i)
                prefix = contents[i] == content_of(static_cast<int>(i));
            BOOST_TEST(prefix);
            // The restored store takes new messages after the old ones.
            BOOST_TEST(s->store_message(text(chat->id, bob->id, "after restore")).has_value());
            BOOST_TEST(!s->close());
        }
    }
}

BOOST_AUTO_TEST_CASE(restore_keeps_the_store_it_replaces_and_backup_refuses_a_full_dir) {
    temp_dir tmp;
    const fs::path data = tmp.path() / "data";
    {
        auto s = open_store(data);
        BOOST_REQUIRE(s->create_user({"carol", "carol@example.com", "hash"}));
        BOOST_REQUIRE(!s->close());
    }
    std::ostringstream out, err;
    BOOST_TEST_REQUIRE(ops::backup(settings_for(data), tmp.path() / "b", out, err) == 0, err.str());
    // Not over an existing backup.
    BOOST_TEST(ops::backup(settings_for(data), tmp.path() / "b", out, err) == 1);
    BOOST_TEST(err.str().find("not an empty directory") != std::string::npos, err.str());
    // The server wrote no secret (JWT_SECRET was set): the backup has none.
    BOOST_TEST(!fs::exists(tmp.path() / "b" / "jwt_secret"));

    {
        auto s = open_store(data);
        BOOST_REQUIRE(s->create_user({"dave", "dave@example.com", "hash"}));
        BOOST_REQUIRE(!s->close());
    }
    out.str("");
    BOOST_TEST_REQUIRE(ops::restore(settings_for(data), tmp.path() / "b", out, err) == 0,
                       err.str());
    BOOST_TEST(out.str().find("the store it replaced is now") != std::string::npos, out.str());
    int set_aside = 0;
    for (const auto& entry : fs::directory_iterator(data)) {
        if (entry.path().filename().string().starts_with("db.before-restore-")) ++set_aside;
    }
    BOOST_TEST(set_aside == 1);
    auto s = open_store(data);
    BOOST_TEST(s->find_user_by_username("carol").has_value());
    BOOST_TEST(!s->find_user_by_username("dave").has_value());
    BOOST_TEST(!s->close());
}

BOOST_AUTO_TEST_CASE(errors_say_what_is_missing) {
    temp_dir tmp;
    std::ostringstream out, err;
    BOOST_TEST(ops::backup(settings_for(tmp.path() / "none"), tmp.path() / "b", out, err) == 1);
    BOOST_TEST(err.str().find("there is no store in") != std::string::npos, err.str());
    BOOST_TEST(!fs::exists(tmp.path() / "b"));
    err.str("");
    BOOST_TEST(ops::restore(settings_for(tmp.path() / "d"), tmp.path(), out, err) == 1);
    BOOST_TEST(err.str().find("is not a confab backup") != std::string::npos, err.str());
    BOOST_TEST(db::store_in_use(tmp.path() / "nothing") == false);
}

BOOST_AUTO_TEST_SUITE_END()
