#pragma once
#include <chrono>
#include <vector>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>

#include "core/common/net.hpp"
#include "core/engine/close_reason.hpp"
#include "core/engine/config.hpp"
#include "core/engine/frame.hpp"
#include "core/engine/outbox.hpp"
#include "core/engine/request_info.hpp"
#include "proto/engineio/packet.hpp"

namespace confab::engine {

enum class transport_kind { polling, websocket };

// The layer above one session (Socket.IO). Called on the session's executor.
class session_handler {
public:
    virtual ~session_handler() = default;
    virtual void on_message(eio::packet&& message) = 0;
    virtual void on_close(close_reason reason) = 0;
};

// One Engine.IO session: heartbeat, upgrade state and the bounded outbound queue. The
// transports (app/transport) move bytes; they ask this object what to send and hand it what
// they received. All of it runs on one executor, so it needs no locks.
class session : public std::enable_shared_from_this<session> {
public:
    // pending: a WebSocket claimed the session; probing: it sent "2probe"; done: it took over.
    enum class upgrade_state { none, pending, probing, done };

    session(net::any_io_executor ex, std::string sid, transport_kind transport,
            const config& cfg, request_info request);

    const std::string& sid() const noexcept { return sid_; }
    net::any_io_executor executor() noexcept { return heartbeat_.get_executor(); }
    transport_kind transport() const noexcept { return transport_; }
    upgrade_state upgrade() const noexcept { return upgrade_; }
    const request_info& request() const noexcept { return request_; }
    const config& settings() const noexcept { return config_; }
    bool closed() const noexcept { return closed_; }
    close_reason reason() const noexcept { return reason_; }
    std::size_t queued_bytes() const noexcept { return outbox_.bytes(); }

    void set_handler(std::unique_ptr<session_handler> h) { handler_ = std::move(h); }
    session_handler* handler() const noexcept { return handler_.get(); }
    // Called once when the session closes, after the handler (the server forgets the sid).
    void on_closed(std::function<void(session&)> f) { on_closed_ = std::move(f); }
    // Transport side: called if the session closes as a slow consumer. Its transport may be
    // stuck in a write that a client which stopped reading never lets complete, so it must
    // let go of the connection at once rather than when the write times out.
    void on_dropped(std::function<void()> f) { on_dropped_ = std::move(f); }

    // The open packet: sid, upgrades, pingInterval, pingTimeout, maxPayload.
    std::string open_packet() const;
    // Starts the heartbeat: a ping every ping_interval, closing after ping_timeout unanswered.
    void start();

    // Queues an outbound message; a full queue closes the session as a slow consumer.
    bool send(frame f);
    void send_text(std::string_view data);
    // Handles one packet the client sent over the active transport.
    void receive(eio::packet&& p);
    // Ends the session. Idempotent; wakes any transport waiting on it.
    void close(close_reason reason);

    // Transport side. Completes when there is something for the active transport to do:
    // output queued, the session closed, or (polling) an upgrade under way.
    net::awaitable<void> wait();
    // Transport side, instead of a coroutine parked in wait(): `f` is called at each event
    // that would end a wait(), the last time when the session closes. A WebSocket starts its
    // writer only then, so an idle connection keeps no writer coroutine.
    void on_wake(std::function<void()> f) { on_wake_ = std::move(f); }
    std::vector<frame> take_output() noexcept { return outbox_.take_all(); }
    bool has_output() const noexcept { return !outbox_.empty(); }

    // Polling: a session the server closed keeps its last words (a Socket.IO DISCONNECT, say)
    // for the client's next GET, and the close packet for the GET after them, as the
    // reference server does: the client then handles the words before the close, and a late
    // GET is not answered "Session ID unknown".
    bool awaits_final_poll() const noexcept;
    // Calls `expire` after `d` unless cancel_expiry() comes first (the final GET did).
    void expire_after(std::chrono::milliseconds d, std::function<void()> expire);
    void cancel_expiry() { heartbeat_.cancel(); }

    // Polling: at most one GET may wait at a time.
    bool poll_active() const noexcept { return poll_active_; }
    void set_poll_active(bool on) noexcept { poll_active_ = on; }

    // Upgrade: a WebSocket with this sid connected; false if one already did (or closed).
    bool begin_upgrade();
    // It sent "2probe" (answered "3probe" by the transport): a waiting GET gets a noop.
    void probe_received();
    // "5" received: the WebSocket becomes the transport; a waiting GET gets a noop.
    void finish_upgrade();
    // The probing WebSocket went away before "5".
    void abort_upgrade();

private:
    void arm_ping();
    void await_pong();
    void on_heartbeat(std::uint64_t generation);
    void wake();

    std::string sid_;
    transport_kind transport_;
    upgrade_state upgrade_ = upgrade_state::none;
    const config& config_;
    request_info request_;
    outbox outbox_;
    std::unique_ptr<net::steady_timer> wake_;  // made by the first wait(): a WebSocket never waits
    net::steady_timer heartbeat_;
    std::uint64_t heartbeat_generation_ = 0;
    bool awaiting_pong_ = false;
    bool pong_wait_extended_ = false;  // by a packet other than the pong, this ping
    bool poll_active_ = false;
    bool closed_ = false;
    bool waiting_ = false;  // wait() has a wait on wake_ pending
    close_reason reason_ = close_reason::transport_close;
    std::unique_ptr<session_handler> handler_;
    std::function<void(session&)> on_closed_;
    std::function<void()> on_dropped_;
    std::function<void()> on_wake_;
};

}  // namespace confab::engine
