#include "core/socketio/event.hpp"

#include "core/socketio/namespace.hpp"
#include "core/socketio/socket.hpp"

namespace confab::socketio {

void ack_sender::operator()(boost::json::array args, std::vector<std::string> attachments) {
    auto s = socket_.lock();
    if (!s || sent_ || !s->connected()) return;
    sent_ = true;
    sio::packet p;
    p.type = sio::packet_type::ack;
    p.nsp = s->nsp().name();
    p.id = id_;
    p.data = std::move(args);
    p.attachments = std::move(attachments);
    s->send(std::move(p));
}

}  // namespace confab::socketio
