#pragma once
#include <map>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "core/engine/session.hpp"
#include "core/socketio/socket.hpp"
#include "proto/socketio/packet.hpp"

namespace confab::socketio {

class server;

// The Socket.IO side of one Engine.IO session: decodes packets, routes them to the socket of
// their namespace, and closes the session on protocol violations. Owned by the session.
class connection : public engine::session_handler {
public:
    connection(server& srv, engine::session& session);
    ~connection() override;

    engine::session& session() noexcept { return session_; }
    void send(const std::vector<engine::frame>& frames);
    void send(sio::packet&& p);
    // Drops the namespace's socket (after it disconnected).
    void forget(const std::string& nsp);

    void on_message(eio::packet&& message) override;
    void on_close(engine::close_reason reason) override;

private:
    void route(sio::packet&& p);
    void connect(sio::packet&& p);
    void violation();
    bool connected_to(std::string_view nsp) const;
    // An event whose JSON did not parse, to a namespace that answers such events.
    bool answer_unreadable();

    server& server_;
    engine::session& session_;
    sio::decoder decoder_;
    std::map<std::string, socket_ptr, std::less<>> sockets_;
    std::unique_ptr<boost::asio::steady_timer> connect_timer_;  // until a namespace connects
    bool ever_connected_ = false;
};

}  // namespace confab::socketio
