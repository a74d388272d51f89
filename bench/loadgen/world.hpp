#pragma once
// The state of one run: users and chats made over REST, and the sockets, plus the set-up
// phases that build them (register, create chats, connect, join).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "async_util.hpp"
#include "histogram.hpp"
#include "options.hpp"
#include "ws_conn.hpp"

namespace lg {

struct user_account {
    std::string name;
    std::string id;
    std::string token;
};

struct chat_room {
    std::string id;
    std::vector<std::uint32_t> users;  // member users, creator first
    std::vector<std::uint32_t> conns;  // member sockets (one per member)
};

// Counts of what sockets heard that no phase asked for, and disconnects after ready.
struct socket_tally {
    std::map<std::string, std::uint64_t, std::less<>> events;       // by event name
    std::map<std::string, std::uint64_t, std::less<>> error_codes;  // `error` events by code
    std::map<std::string, std::uint64_t, std::less<>> closes;       // by reason
    std::uint64_t closed = 0;
};

// Handles what every phase handles the same way.
class base_events : public ws_events {
public:
    explicit base_events(socket_tally& t) : tally_(t) {}
    void on_closed(ws_conn&, std::string_view why) override;
    void on_event(ws_conn&, std::string_view name, std::string_view packet) override;

protected:
    socket_tally& tally_;
};

struct connect_figures {
    std::uint64_t ok = 0, failed = 0;
    double seconds = 0;
    histogram latency;  // ns, TCP connect to Socket.IO CONNECT answered
    std::map<std::string, std::uint64_t, std::less<>> reasons;
};

struct world {
    world(net::io_context& io, const options& opt, tcp::endpoint server);

    net::io_context& io;
    const options& opt;
    tcp::endpoint server;
    std::string host_header;
    ws_shared shared;
    socket_tally tally;
    base_events idle_events{tally};
    std::vector<user_account> users;
    std::vector<chat_room> chats;
    std::vector<std::unique_ptr<ws_conn>> conns;

    void log(std::string_view line) const;

    // Registers (or, when the name exists, logs in) users [0, n): users[i] named
    // "<prefix>_<i>". False when some could not be made.
    task<bool> make_users(std::size_t n);
    // Creates the group chats, their members already in chats[i].users; false on failure.
    task<bool> make_chats();
    // Connects every socket in `conns` (made by the scenario, `user` set) with at most
    // `concurrency` handshakes in flight.
    task<connect_figures> connect_all(std::size_t concurrency);
    // Every socket of every chat emits chat:join with an ack and waits for it; returns how
    // many joins failed or timed out.
    task<std::uint64_t> join_all(std::size_t in_flight);
};

// Loopback source addresses 127.0.0.2 .. 127.0.0.(k+1).
std::vector<net::ip::address> loopback_sources(int k);

// An ack's arguments "[{...}]" say ok: {"ok":true,...}, the key in any place.
inline bool ack_is_ok(std::string_view args) {
    return args.find("\"ok\":true") != std::string_view::npos;
}

inline constexpr std::uint64_t join_ack_id = 1;
inline constexpr std::uint64_t send_ack_base = 1000;  // message:send ack id = base + seq

}  // namespace lg
