// The socket event handlers (validation, then the store) on fuzzed payload objects. The first
// input byte holds flags, the rest is the JSON payload:
//   bit 0: "chatId" becomes the real group chat, so that checks past the chat lookup run;
//   bit 1: "messageId" becomes a message stored for this input (bit 5: sent by bob, else
//          alice), so edit, delete, reaction and markRead reach the store;
//   bits 2-3: the sender: alice (admin), bob (member), eve (not a participant), alice;
//   bit 4: "replyTo" becomes that message too;
//   bit 6: the sender first sends the payload to the real group chat, as a client that retries
//          a message:send (same clientMessageId) against another chat would.
// A fresh message per input, rather than one shared by all, keeps an input's outcome mostly
// independent of what ran before it, so that a crash replays alone (clientMessageIds do stay
// taken for the life of the process).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/chat/events/handlers.hpp"
#include "db/store.hpp"
#include "test/fuzz/fuzz_check.hpp"

namespace chat = confab::chat;
namespace db = confab::db;

namespace {

constexpr std::string_view event_names[] = {
    "chat:join",        "chat:leave",   "chat:typing",      "chat:stopTyping", "message:send",
    "message:markRead", "message:edit", "message:reaction", "message:delete",
};

constexpr std::string_view store_dir_prefix = "confab-fuzz-store-";

// A crash ends the process without destructors, leaving its store behind; every crash the
// replay test meets would leave one more. So each process names its store after its pid and
// removes the stores of processes that are gone.
void remove_stale_stores(const std::filesystem::path& temp) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(temp, ec)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with(store_dir_prefix)) continue;
        const long pid = std::strtol(name.c_str() + store_dir_prefix.size(), nullptr, 10);
        if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
            std::error_code ignored;
            std::filesystem::remove_all(entry.path(), ignored);
        }
    }
}

std::filesystem::path fresh_store_dir() {
    const std::filesystem::path temp = std::filesystem::temp_directory_path();
    remove_stale_stores(temp);
    return temp / (std::string(store_dir_prefix) + std::to_string(::getpid()) + "-" +
                   std::to_string(std::random_device{}()));
}

// One store for the whole process: opening RocksDB per input would leave no time to fuzz.
class world {
  public:
    world() : dir_(fresh_store_dir()) {
        db::options o;
        o.path = dir_;
        // Nothing here has to survive a power cut, and fsyncs would slow fuzzing tenfold.
        o.durability = db::durability::async;
        store_ = std::make_unique<db::store>(std::move(o));
        const db::user alice = add_user("alice");
        const db::user bob = add_user("bob");
        const db::user eve = add_user("eve");
        alice_ = {alice.id, alice.username};
        bob_ = {bob.id, bob.username};
        eve_ = {eve.id, eve.username};
        const db::object_id members[] = {bob.id};
        auto group = store_->create_group_chat(alice.id, "fuzz", members);
        CONFAB_FUZZ_CHECK(group.has_value());
        group_ = group->id;
    }
    ~world() {
        store_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    world(const world&) = delete;
    world& operator=(const world&) = delete;

    db::store& store() { return *store_; }
    const db::object_id& group() const { return group_; }
    const chat::actor& sender(unsigned choice) const {
        switch (choice % 4) {
            case 1:
                return bob_;
            case 2:
                return eve_;
            default:
                return alice_;
        }
    }
    db::object_id fresh_message(bool from_bob) {
        db::new_message m;
        m.chat_id = group_;
        m.sender_id = from_bob ? bob_.user_id : alice_.user_id;
        m.content = "fuzz";
        auto stored = store_->store_message(m);
        CONFAB_FUZZ_CHECK(stored.has_value());
        return stored->msg.id;
    }

  private:
    db::user add_user(const std::string& name) {
        auto u = store_->create_user({name, name + "@example.com", "not-a-hash"});
        CONFAB_FUZZ_CHECK(u.has_value());
        return *u;
    }

    std::filesystem::path dir_;
    std::unique_ptr<db::store> store_;
    chat::actor alice_, bob_, eve_;
    db::object_id group_;
};

void check_outcome(db::store& store, std::string_view event, const chat::actor& who,
                   const chat::outcome& o, const boost::json::object& payload) {
    if (o.error) {
        // Refusals say why, change nothing about rooms, and never blame the server for a
        // client's input.
        CONFAB_FUZZ_CHECK(!o.error->message.empty());
        CONFAB_FUZZ_CHECK(o.error->code != chat::code::internal);
        CONFAB_FUZZ_CHECK(o.emits.empty() && o.rooms == chat::room_change::none);
        return;
    }
    // Every handler acts on the chat the payload names.
    const auto* chat_id = payload.if_contains("chatId");
    CONFAB_FUZZ_CHECK(chat_id && chat_id->is_string());
    const auto named = db::object_id::parse(chat_id->get_string());
    CONFAB_FUZZ_CHECK(named && *named == o.chat_id);
    // Only participants act on a chat; chat:leave is left out, as shared/API.md gives it no
    // precondition and the handler checks none.
    if (event != "chat:leave") CONFAB_FUZZ_CHECK(store.get_role(*named, who.user_id).has_value());
    // What goes out must be JSON that other clients read back unchanged.
    for (const chat::emission& e : o.emits) {
        CONFAB_FUZZ_CHECK(!e.event.empty());
        boost::system::error_code ec;
        const boost::json::value back = boost::json::parse(boost::json::serialize(e.payload), ec);
        CONFAB_FUZZ_CHECK(!ec && back == boost::json::value(e.payload));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const unsigned flags = data[0];
    boost::system::error_code ec;
    boost::json::value parsed =
        boost::json::parse({reinterpret_cast<const char*>(data) + 1, size - 1}, ec);
    if (ec || !parsed.is_object()) return 0;

    static world w;
    boost::json::object payload = std::move(parsed.get_object());
    if (flags & 0x01) payload["chatId"] = w.group().to_hex();
    if (flags & 0x12) {
        const std::string message_id = w.fresh_message((flags & 0x20) != 0).to_hex();
        if (flags & 0x02) payload["messageId"] = message_id;
        if (flags & 0x10) payload["replyTo"] = message_id;
    }
    const chat::actor& who = w.sender((flags >> 2) & 0x3);
    if (flags & 0x40) {
        boost::json::object first = payload;
        first["chatId"] = w.group().to_hex();
        check_outcome(w.store(), "message:send", who,
                      chat::events::message_send(w.store(), who, first), first);
    }
    for (const std::string_view name : event_names) {
        const chat::events::handler handle = chat::events::find(name);
        CONFAB_FUZZ_CHECK(handle != nullptr);
        check_outcome(w.store(), name, who, handle(w.store(), who, payload), payload);
    }
    return 0;
}
