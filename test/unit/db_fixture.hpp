#pragma once
// Shared by the db_*_test.cpp files: a store in a fresh temporary directory with a clock the
// test sets, and shorthands for the records most tests need.
#include <atomic>
#include <filesystem>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <system_error>

#include <boost/test/unit_test.hpp>

#include "db/store.hpp"

namespace confab::db {

// Lets BOOST_TEST print ids when a comparison fails.
inline std::ostream& operator<<(std::ostream& os, const object_id& id) {
    return os << id.to_hex();
}

}  // namespace confab::db

namespace confab::db::test {

inline std::error_code code(errc e) {
    return make_error_code(e);
}

// The error of a result, or a default error_code when it holds a value.
template <class T>
std::error_code error_of(const result<T>& r) {
    return r ? std::error_code{} : r.error();
}

class temp_dir {
  public:
    temp_dir()
        : path_(std::filesystem::temp_directory_path() /
                ("confab-db-test-" + std::to_string(std::random_device{}()))) {
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

struct store_fixture {
    explicit store_fixture(durability d = durability::async) : mode(d) {}

    std::unique_ptr<store> open() {
        options o;
        o.path = dir.path() / "store";
        o.durability = mode;
        o.clock = [this] { return now.load(); };
        return std::make_unique<store>(std::move(o));
    }

    void reopen() {
        BOOST_REQUIRE(!db->close());
        db = open();
    }

    // Moves the clock on, so that records get distinct, ordered times.
    millis tick(millis by = 1) { return now += by; }

    user add_user(const std::string& name) {
        auto u = db->create_user({name, name + "@example.com", "hash-of-" + name});
        BOOST_REQUIRE(u);
        return *u;
    }

    chat add_group(const user& creator, std::initializer_list<object_id> others) {
        auto c =
            db->create_group_chat(creator.id, "group", std::span(others.begin(), others.size()));
        BOOST_REQUIRE(c);
        return *c;
    }

    message send(const chat& c, const user& from, const std::string& content,
                 const std::string& client_message_id = {}) {
        new_message m;
        m.chat_id = c.id;
        m.sender_id = from.id;
        m.content = content;
        m.client_message_id = client_message_id;
        auto stored = db->store_message(m);
        BOOST_REQUIRE(stored);
        return stored->msg;
    }

    std::uint64_t unread(const chat& c, const user& viewer) {
        auto view = db->get_chat(c.id, viewer.id);
        BOOST_REQUIRE(view);
        return view->unread_count;
    }

    temp_dir dir;
    durability mode;
    std::atomic<millis> now{1'700'000'000'000};
    std::unique_ptr<store> db = open();
};

}  // namespace confab::db::test
