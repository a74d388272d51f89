#include "core/socketio/socket.hpp"

#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/socketio/connection.hpp"
#include "core/socketio/frames.hpp"
#include "core/socketio/namespace.hpp"

namespace confab::socketio {

namespace {

// An event named by a number (the reference parser allows it) is named as JavaScript's
// String(n) would.
std::string event_name(const boost::json::value& name) {
    if (const auto* text = name.if_string()) return std::string(*text);
    if (const auto* n = name.if_int64()) return std::to_string(*n);
    if (const auto* n = name.if_uint64()) return std::to_string(*n);
    return fmt::format("{}", name.get_double());
}

boost::json::array event_array(std::string_view event, boost::json::array&& args) {
    boost::json::array data;
    data.reserve(args.size() + 1);
    data.emplace_back(event);
    for (auto& a : args) data.push_back(std::move(a));
    return data;
}

}  // namespace

socket::socket(socket_namespace& nsp, connection& conn, std::string id, boost::json::value auth)
    : nsp_(nsp),
      conn_(&conn),
      executor_(conn.session().executor()),
      id_(std::move(id)),
      auth_(std::move(auth)) {}

const engine::request_info& socket::request() const noexcept {
    static const engine::request_info none;
    return conn_ ? conn_->session().request() : none;
}

socket::~socket() = default;

void socket::send(sio::packet&& p) {
    if (conn_) conn_->send(std::move(p));
}

void socket::send_frames(const std::vector<engine::frame>& frames) {
    if (conn_) conn_->send(frames);
}

void socket::emit(std::string_view event, boost::json::array args,
                  std::vector<std::string> attachments) {
    sio::packet p;
    p.nsp = nsp_.name();
    p.data = event_array(event, std::move(args));
    p.attachments = std::move(attachments);
    send(std::move(p));
}

void socket::emit_with_ack(std::string_view event, boost::json::array args,
                           std::chrono::milliseconds timeout, ack_callback done,
                           std::vector<std::string> attachments) {
    if (!connected()) {
        boost::asio::post(executor_, [done = std::move(done)] { done(true, {}, {}); });
        return;
    }
    const auto id = next_ack_id_++;
    auto timer = std::make_unique<boost::asio::steady_timer>(executor_);
    timer->expires_after(timeout);
    timer->async_wait([weak = weak_from_this(), id](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        auto it = self->acks_.find(id);
        if (it == self->acks_.end()) return;
        auto callback = std::move(it->second.done);
        self->acks_.erase(it);
        callback(true, {}, {});
    });
    acks_.emplace(id, pending_ack{std::move(timer), std::move(done)});
    sio::packet p;
    p.nsp = nsp_.name();
    p.id = id;
    p.data = event_array(event, std::move(args));
    p.attachments = std::move(attachments);
    send(std::move(p));
}

void socket::join(const std::string& room) {
    if (!connected() || !rooms_.insert(room).second) return;
    nsp_.join(*this, room);
}

void socket::leave(const std::string& room) {
    if (rooms_.erase(room) == 0) return;
    nsp_.leave(*this, room);
}

void socket::accept() {
    joined_ = true;
    boost::json::object data;
    data["sid"] = id_;
    sio::packet p;
    p.type = sio::packet_type::connect;
    p.nsp = nsp_.name();
    p.data = std::move(data);
    send(std::move(p));
}

void socket::disconnect(bool close_connection) {
    if (!conn_) return;
    auto* conn = conn_;
    if (joined_) {
        sio::packet p;
        p.type = sio::packet_type::disconnect;
        p.nsp = nsp_.name();
        send(std::move(p));
    }
    auto keep_alive = shared_from_this();
    detach("server namespace disconnect");
    conn->forget(nsp_.name());
    if (close_connection) conn->session().close(engine::close_reason::forced_close);
}

void socket::receive(sio::packet&& p) {
    switch (p.type) {
        case sio::packet_type::event:
        case sio::packet_type::binary_event: on_event(std::move(p)); break;
        case sio::packet_type::ack:
        case sio::packet_type::binary_ack: on_ack(std::move(p)); break;
        default: break;
    }
}

void socket::on_event(sio::packet&& p) {
    auto& items = p.data.as_array();
    event e;
    e.name = event_name(items.front());
    e.args.reserve(items.size() - 1);
    for (std::size_t i = 1; i < items.size(); ++i) e.args.push_back(std::move(items[i]));
    e.attachments = std::move(p.attachments);
    if (p.id) e.ack = ack_sender(weak_from_this(), *p.id);
    nsp_.dispatch(shared_from_this(), e);
}

bool socket::receive_unreadable(std::optional<std::uint64_t> ack_id) {
    ack_sender ack = ack_id ? ack_sender(weak_from_this(), *ack_id) : ack_sender{};
    return nsp_.dispatch_unreadable(shared_from_this(), ack);
}

void socket::on_ack(sio::packet&& p) {
    if (!p.id) return;
    auto it = acks_.find(*p.id);
    if (it == acks_.end()) return;  // late or unknown: the emitter already gave up
    auto callback = std::move(it->second.done);
    acks_.erase(it);
    callback(false, std::move(p.data.as_array()), std::move(p.attachments));
}

// Whoever waits for an answer hears that none will come, after the teardown, not inside it.
void socket::fail_pending_acks() {
    for (auto& [id, pending] : std::exchange(acks_, {}))
        boost::asio::post(executor_,
                          [done = std::move(pending.done)] { done(true, {}, {}); });
}

void socket::detach(std::string_view reason) {
    if (!conn_) return;
    auto keep_alive = shared_from_this();
    const bool was_joined = joined_;
    for (const auto& room : rooms_) nsp_.leave(*this, room);
    rooms_.clear();
    fail_pending_acks();
    conn_ = nullptr;
    joined_ = false;
    if (was_joined) nsp_.remove(keep_alive, reason);
}

}  // namespace confab::socketio
