#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/json/object.hpp>

#include "core/socketio/event.hpp"
#include "core/socketio/socket.hpp"

namespace confab::socketio {

// A Socket.IO namespace: its connect middlewares, event handlers and rooms.
class socket_namespace {
public:
    // Calls `next()` to admit the socket, or `next(error)` to refuse it with CONNECT_ERROR
    // carrying `error` (`{"message":...,"data":...}`). May complete asynchronously.
    using next_fn = std::function<void(std::optional<boost::json::object> error)>;
    using middleware = std::function<void(const socket_ptr&, next_fn next)>;
    using connection_handler = std::function<void(const socket_ptr&)>;
    using event_handler = std::function<void(const socket_ptr&, event&)>;
    using disconnect_handler = std::function<void(const socket_ptr&, std::string_view reason)>;

    explicit socket_namespace(std::string name) : name_(std::move(name)) {}
    socket_namespace(const socket_namespace&) = delete;
    socket_namespace& operator=(const socket_namespace&) = delete;

    const std::string& name() const noexcept { return name_; }

    void use(middleware m) { middlewares_.push_back(std::move(m)); }
    void on_connection(connection_handler h) { on_connection_ = std::move(h); }
    void on(std::string event, event_handler h) { handlers_[std::move(event)] = std::move(h); }
    // Receives events that have no handler of their own.
    void on_unknown(event_handler h) { on_unknown_ = std::move(h); }
    void on_disconnect(disconnect_handler h) { on_disconnect_ = std::move(h); }
    // Receives events whose JSON does not parse. Without it such an event closes the
    // connection, as in the reference server.
    using unreadable_handler = std::function<void(const socket_ptr&, ack_sender&)>;
    void on_unreadable(unreadable_handler h) { on_unreadable_ = std::move(h); }

    std::size_t size() const noexcept { return sockets_.size(); }
    socket* find(std::string_view id) const;
    const std::unordered_set<socket*>* room(const std::string& name) const;
    std::size_t room_count() const noexcept { return rooms_.size(); }

    // Sends one event to every socket of `room` except `except`, encoded once.
    void emit_to(const std::string& room, std::string_view event, boost::json::array args,
                 const socket* except = nullptr) const;
    // Sends one event to every socket of the namespace but those in `except`.
    void emit_all(std::string_view event, boost::json::array args,
                  std::span<socket* const> except = {}) const;

    // Called by the connection and sockets.
    void admit(const socket_ptr& s, std::function<void(std::optional<boost::json::object>)> done);
    void add(const socket_ptr& s);
    void remove(const socket_ptr& s, std::string_view reason);
    void dispatch(const socket_ptr& s, event& e) const;
    bool dispatch_unreadable(const socket_ptr& s, ack_sender& ack) const;
    void join(socket& s, const std::string& room);
    void leave(socket& s, const std::string& room);

private:
    void run_middleware(const socket_ptr& s, std::size_t index,
                        std::function<void(std::optional<boost::json::object>)> done);

    std::string name_;
    std::vector<middleware> middlewares_;
    connection_handler on_connection_;
    std::unordered_map<std::string, event_handler> handlers_;
    event_handler on_unknown_;
    disconnect_handler on_disconnect_;
    unreadable_handler on_unreadable_;
    std::unordered_map<std::string, socket*> sockets_;
    std::unordered_map<std::string, std::unordered_set<socket*>> rooms_;
};

}  // namespace confab::socketio
