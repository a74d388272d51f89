#pragma once
#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/value.hpp>

#include "core/engine/frame.hpp"
#include "core/engine/request_info.hpp"
#include "core/socketio/event.hpp"
#include "proto/socketio/packet.hpp"

namespace confab::socketio {

class connection;
class socket_namespace;

// Completes a server-side emit with ack: `timed_out` (also when the socket went away first),
// or the client's answer with its binary attachments.
using ack_callback = std::function<void(bool timed_out, boost::json::array args,
                                        std::vector<std::string> attachments)>;

// One client's membership of one namespace. Lives on its connection's executor.
class socket : public std::enable_shared_from_this<socket> {
public:
    socket(socket_namespace& nsp, connection& conn, std::string id, boost::json::value auth);
    ~socket();

    const std::string& id() const noexcept { return id_; }
    socket_namespace& nsp() const noexcept { return nsp_; }
    const boost::json::value& auth() const noexcept { return auth_; }
    // Moves the CONNECT payload out, for a middleware that needs it once (its token) and not
    // on every idle connection afterwards.
    boost::json::value take_auth() noexcept { return std::exchange(auth_, nullptr); }
    // The handshake request of the connection (empty once the socket is detached).
    const engine::request_info& request() const noexcept;
    bool connected() const noexcept { return conn_ != nullptr && joined_; }
    // Still bound to a live connection (connected, or its CONNECT being decided).
    bool attached() const noexcept { return conn_ != nullptr; }
    // Application state (the chat layer keeps the authenticated user here).
    std::any& data() noexcept { return data_; }

    void emit(std::string_view event, boost::json::array args = {},
              std::vector<std::string> attachments = {});
    // Emits with an ack id; `done` runs once, later: with the answer, or timed out after
    // `timeout` or when the socket disconnects first.
    void emit_with_ack(std::string_view event, boost::json::array args,
                       std::chrono::milliseconds timeout, ack_callback done,
                       std::vector<std::string> attachments = {});
    void send(sio::packet&& p);
    void send_frames(const std::vector<engine::frame>& frames);

    void join(const std::string& room);
    void leave(const std::string& room);
    const std::unordered_set<std::string>& rooms() const noexcept { return rooms_; }

    // Server-side disconnect: tells the client (41), optionally closing the whole connection.
    void disconnect(bool close_connection = false);

    // Called by the connection.
    void accept();
    void receive(sio::packet&& p);
    // An event whose JSON did not parse (`ack_id` as sent): false when the namespace takes no
    // such events, and the connection is to close.
    bool receive_unreadable(std::optional<std::uint64_t> ack_id);
    void detach(std::string_view reason);

private:
    struct pending_ack {
        std::unique_ptr<boost::asio::steady_timer> timer;
        ack_callback done;
    };
    void on_event(sio::packet&& p);
    void on_ack(sio::packet&& p);
    void fail_pending_acks();

    socket_namespace& nsp_;
    connection* conn_;
    boost::asio::any_io_executor executor_;
    std::string id_;
    boost::json::value auth_;
    bool joined_ = false;
    std::unordered_set<std::string> rooms_;
    std::uint64_t next_ack_id_ = 0;
    std::unordered_map<std::uint64_t, pending_ack> acks_;
    std::any data_;
};

using socket_ptr = std::shared_ptr<socket>;

}  // namespace confab::socketio
