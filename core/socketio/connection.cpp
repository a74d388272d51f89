#include "core/socketio/connection.hpp"

#include <boost/json/object.hpp>

#include "core/common/random_id.hpp"
#include "core/socketio/frames.hpp"
#include "core/socketio/namespace.hpp"
#include "core/socketio/server.hpp"

namespace confab::socketio {

connection::connection(server& srv, engine::session& session)
    : server_(srv),
      session_(session),
      decoder_(srv.settings().limits),
      connect_timer_(std::make_unique<boost::asio::steady_timer>(session.executor())) {
    connect_timer_->expires_after(srv.settings().connect_timeout);
    connect_timer_->async_wait([this, alive = std::weak_ptr(session.shared_from_this())](
                                  boost::system::error_code ec) {
        auto s = alive.lock();
        if (ec || !s || s->closed() || ever_connected_) return;
        s->close(engine::close_reason::forced_close);
    });
}

connection::~connection() = default;

void connection::send(const std::vector<engine::frame>& frames) {
    for (const auto& f : frames)
        if (!session_.send(f)) return;
}

void connection::send(sio::packet&& p) { send(encode_frames(p)); }

void connection::forget(const std::string& nsp) {
    auto it = sockets_.find(nsp);
    if (it != sockets_.end()) sockets_.erase(it);
}

void connection::on_message(eio::packet&& message) {
    const auto ec = message.binary ? decoder_.feed_binary(message.data)
                                   : decoder_.feed_text(message.data);
    if (ec) {
        if (!answer_unreadable()) violation();
        return;
    }
    // Attachments are for a connected namespace only: nobody else gets to park megabytes.
    if (decoder_.awaiting_attachments() && !connected_to(decoder_.awaited_namespace())) {
        violation();
        return;
    }
    if (decoder_.ready()) route(decoder_.take());
}

bool connection::answer_unreadable() {
    const auto& event = decoder_.unreadable_event();
    if (!event || !connected_to(event->nsp)) return false;
    auto s = sockets_.find(event->nsp)->second;
    return s->receive_unreadable(event->id);
}

bool connection::connected_to(std::string_view nsp) const {
    auto it = sockets_.find(nsp);
    return it != sockets_.end() && it->second->connected();
}

void connection::route(sio::packet&& p) {
    auto it = sockets_.find(p.nsp);
    if (p.type == sio::packet_type::connect) {
        if (it != sockets_.end()) return violation();
        return connect(std::move(p));
    }
    // Before its CONNECT is answered a client sends nothing more there (socket.io-client
    // buffers): the reference server closes on such an "invalid state", and so do we.
    if (!connected_to(p.nsp) || p.type == sio::packet_type::connect_error) return violation();
    auto s = it->second;
    if (p.type == sio::packet_type::disconnect) {
        s->detach("client namespace disconnect");
        forget(p.nsp);
        return;
    }
    s->receive(std::move(p));
}

void connection::connect(sio::packet&& p) {
    auto* nsp = server_.find(p.nsp);
    if (!nsp) {
        boost::json::object error;
        error["message"] = "Invalid namespace";
        sio::packet reply;
        reply.type = sio::packet_type::connect_error;
        reply.nsp = p.nsp;
        reply.data = std::move(error);
        send(std::move(reply));
        return;
    }
    auto auth = p.data.is_object() ? std::move(p.data) : boost::json::object{};
    auto s = std::make_shared<socket>(*nsp, *this, random_id(), std::move(auth));
    sockets_.emplace(p.nsp, s);
    nsp->admit(s, [this, s, nsp](std::optional<boost::json::object> error) {
        // A detached socket means this connection is gone: check before touching `this`.
        if (!s->attached() || s->connected()) return;
        if (error) {
            sio::packet reply;
            reply.type = sio::packet_type::connect_error;
            reply.nsp = nsp->name();
            reply.data = std::move(*error);
            forget(nsp->name());
            s->detach("server namespace disconnect");
            send(std::move(reply));
            return;
        }
        ever_connected_ = true;
        connect_timer_.reset();  // cancels its wait; an idle connection keeps no timer
        s->accept();
        // The reply itself can overflow the outbox, which closes the connection.
        if (!s->attached()) return;
        nsp->add(s);
    });
}

void connection::violation() { session_.close(engine::close_reason::forced_close); }

void connection::on_close(engine::close_reason reason) {
    connect_timer_.reset();
    auto sockets = std::exchange(sockets_, {});
    for (auto& [nsp, s] : sockets) s->detach(engine::to_string(reason));
}

}  // namespace confab::socketio
