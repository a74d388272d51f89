#include "core/engine/session.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace confab::engine {

session::session(net::any_io_executor ex, std::string sid, transport_kind transport,
                 const config& cfg, request_info request)
    : sid_(std::move(sid)),
      transport_(transport),
      config_(cfg),
      request_(std::move(request)),
      outbox_(cfg.max_outbox_bytes),
      heartbeat_(ex) {}

std::string session::open_packet() const {
    boost::json::object o;
    o["sid"] = sid_;
    boost::json::array upgrades;
    if (transport_ == transport_kind::polling) upgrades.emplace_back("websocket");
    o["upgrades"] = std::move(upgrades);
    o["pingInterval"] = config_.ping_interval.count();
    o["pingTimeout"] = config_.ping_timeout.count();
    o["maxPayload"] = config_.max_payload;
    return eio::encode_text(eio::packet_type::open, boost::json::serialize(o));
}

void session::start() { arm_ping(); }

void session::arm_ping() {
    awaiting_pong_ = false;
    heartbeat_.expires_after(config_.ping_interval);
    heartbeat_.async_wait(
        [self = shared_from_this(), g = ++heartbeat_generation_](boost::system::error_code) {
            self->on_heartbeat(g);
        });
}

// Each re-arm bumps the generation, so a wait that was cancelled or overtaken does nothing.
void session::on_heartbeat(std::uint64_t generation) {
    if (closed_ || generation != heartbeat_generation_) return;
    if (awaiting_pong_) {
        close(close_reason::ping_timeout);
        return;
    }
    send_text(eio::encode_text(eio::packet_type::ping, {}));
    if (closed_) return;
    awaiting_pong_ = true;
    pong_wait_extended_ = false;
    await_pong();
}

void session::await_pong() {
    heartbeat_.expires_after(config_.ping_timeout);
    heartbeat_.async_wait(
        [self = shared_from_this(), g = ++heartbeat_generation_](boost::system::error_code) {
            self->on_heartbeat(g);
        });
}

bool session::send(frame f) {
    if (closed_) return false;
    if (!outbox_.push(std::move(f))) {
        close(close_reason::slow_consumer);
        return false;
    }
    wake();
    return true;
}

void session::send_text(std::string_view data) { send(text_frame(std::string(data))); }

void session::receive(eio::packet&& p) {
    if (closed_) return;
    // A client busy sending may answer the ping late: its first other packet while the pong is
    // awaited restarts the wait, once a ping, as the reference server does.
    if (awaiting_pong_ && !pong_wait_extended_ && p.type != eio::packet_type::pong) {
        pong_wait_extended_ = true;
        await_pong();
    }
    switch (p.type) {
        case eio::packet_type::pong:
            if (awaiting_pong_) arm_ping();
            break;
        case eio::packet_type::ping:
            // In Engine.IO v4 only the server pings; the reference server drops a client that
            // does ("invalid heartbeat direction").
            close(close_reason::transport_error);
            break;
        case eio::packet_type::message:
            if (handler_) handler_->on_message(std::move(p));
            break;
        case eio::packet_type::close:
            close(close_reason::transport_close);
            break;
        default:  // open, upgrade and noop mean nothing from a client here
            break;
    }
}

void session::close(close_reason reason) {
    if (closed_) return;
    auto keep_alive = shared_from_this();  // the registry may drop the last other reference
    closed_ = true;
    reason_ = reason;
    heartbeat_.cancel();
    wake();
    if (reason == close_reason::slow_consumer) {
        outbox_.clear();  // nobody will read it: its memory goes now
        if (on_dropped_) on_dropped_();
    }
    on_dropped_ = {};
    on_wake_ = {};  // called above for the last time
    // The handler may queue last words (it never does after close), then is released.
    auto handler = std::move(handler_);
    if (handler) handler->on_close(reason);
    if (on_closed_) std::exchange(on_closed_, {})(*this);
}

bool session::awaits_final_poll() const noexcept {
    const bool server_closed =
        reason_ == close_reason::forced_close || reason_ == close_reason::server_shutdown;
    return closed_ && server_closed && transport_ == transport_kind::polling &&
           upgrade_ != upgrade_state::done;
}

void session::expire_after(std::chrono::milliseconds d, std::function<void()> expire) {
    // The heartbeat is over once closed: its timer serves for this.
    heartbeat_.expires_after(d);
    heartbeat_.async_wait([self = shared_from_this(), expire = std::move(expire)](
                              boost::system::error_code ec) {
        if (!ec) expire();
    });
}

net::awaitable<void> session::wait() {
    while (!closed_ && outbox_.empty() && upgrade_ != upgrade_state::probing &&
           upgrade_ != upgrade_state::done) {
        if (!wake_) wake_ = std::make_unique<net::steady_timer>(executor());
        wake_->expires_at(net::steady_timer::time_point::max());
        waiting_ = true;
        co_await wake_->async_wait(use_tuple);
        waiting_ = false;
    }
}

// A polling GET may still be parked in wait() when the WebSocket that took over sets on_wake.
void session::wake() {
    if (waiting_) wake_->cancel();
    if (on_wake_) on_wake_();
}

bool session::begin_upgrade() {
    if (closed_ || transport_ != transport_kind::polling || upgrade_ != upgrade_state::none)
        return false;
    upgrade_ = upgrade_state::pending;
    return true;
}

void session::probe_received() {
    upgrade_ = upgrade_state::probing;
    wake();  // a pending GET is answered with a noop so the client can pause polling
}

void session::finish_upgrade() {
    transport_ = transport_kind::websocket;
    upgrade_ = upgrade_state::done;
    wake();
}

void session::abort_upgrade() {
    if (upgrade_ != upgrade_state::done) upgrade_ = upgrade_state::none;
}

}  // namespace confab::engine
