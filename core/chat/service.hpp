#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/chat/actor.hpp"
#include "core/chat/outcome.hpp"
#include "core/chat/rate_limiter.hpp"
#include "core/chat/token_expiry.hpp"
#include "core/metrics/registry.hpp"
#include "core/socketio/server.hpp"
#include "db/async_store.hpp"

namespace confab::chat {

struct service_settings {
    std::string jwt_secret;
    std::uint32_t rate_per_second = 20;
    std::uint32_t rate_burst = 40;
    // Events a socket may have waiting for the store before it is refused more, unless the
    // rate allows more (rate_burst + rate_per_second).
    std::size_t max_pending_events = 64;
};

// The chat on namespace "/": authenticates sockets, keeps presence, and runs each client
// event's handler on the store's pool, one event of a socket at a time (so a client's sends
// are stored in the order it sent them), then delivers what the handler decided.
class service {
public:
    service(net::any_io_executor ex, socketio::server& sio, db::async_store& store,
            service_settings settings, metrics::registry& metrics);
    ~service();

    // Takes the user's sockets out of the chat's room now (they were removed from the chat).
    void remove_from_chat(const db::object_id& chat_id, const db::object_id& user_id);
    // Sockets currently connected for a user (for tests and metrics).
    std::size_t sockets_of(const db::object_id& user_id) const;

    // Per-socket state, kept in the socket's data(); opaque outside service.cpp.
    struct socket_state;
    struct pending_event;

private:

    void authenticate(const socketio::socket_ptr& s, socketio::socket_namespace::next_fn next);
    void on_connect(const socketio::socket_ptr& s);
    void on_disconnect(const socketio::socket_ptr& s, std::string_view reason);
    void on_event(const socketio::socket_ptr& s, socketio::event& e);
    void on_unreadable(const socketio::socket_ptr& s, socketio::ack_sender& ack);
    net::awaitable<void> drain(socketio::socket_ptr s, std::shared_ptr<socket_state> state);
    net::awaitable<outcome> run(const actor& who, pending_event& e);
    void deliver(socketio::socket& s, socket_state& state, outcome& out, pending_event& e);
    // The sender disconnected while the store worked: the room still hears what was stored.
    void deliver_without_sender(socketio::socket& s, outcome& out);
    void broadcast(socketio::socket& s, outcome& out, bool to_sender);
    void announce_active_users(const db::object_id& chat_id);
    void reject(socketio::socket& s, const failure& f, std::string_view event,
                socketio::ack_sender& ack);
    net::awaitable<void> sync_presence(db::object_id user_id);
    void announce_presence(const std::string& user_id, bool online, db::millis last_seen);
    struct presence_state {
        presence_state(std::uint32_t per_second, std::uint32_t burst) : budget(per_second, burst) {}
        rate_limiter budget;            // announcements
        bool announced = false;         // online, as last told (nobody was told of a newcomer)
        std::optional<bool> stored;     // online in the store, as far as this process knows
        db::millis last_seen = 0;       // as the latest write stored it
        unsigned arriving = 0;          // authenticated sockets about to connect
        std::uint64_t arrivals = 0;     // times the user's first socket connected
        std::uint64_t arrivals_told = 0;  // arrivals when last announced
        bool syncing = false;           // a sync_presence loop runs for the user
        net::steady_timer* pause = nullptr;  // its wait for budget, which a change cuts short
        std::vector<net::steady_timer*> waiters;  // stored_online calls waiting for the store
    };
    net::awaitable<void> stored_online(db::object_id user_id, presence_state& presence);
    static void wake(std::vector<net::steady_timer*>& waiters);
    presence_state& presence_of(const std::string& user_id);

    net::any_io_executor executor_;
    socketio::socket_namespace& nsp_;
    db::async_store& store_;
    service_settings settings_;
    metrics::registry& metrics_;
    std::unordered_map<std::string, std::vector<socketio::socket*>> sockets_by_user_;
    std::unordered_map<std::string, presence_state> presence_;
    rate_limiter presence_frames_;  // all users' announcements, a frame per socket told
    std::uint64_t removals_ = 0;                        // remove_from_chat calls so far
    std::shared_ptr<bool> alive_;  // lets store completions see that the service is gone
    token_expiry expiry_;
};

}  // namespace confab::chat
