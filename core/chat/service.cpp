#include "core/chat/service.hpp"

#include <span>
#include <unordered_set>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/auth/jwt.hpp"
#include "core/auth/token_source.hpp"
#include "core/chat/events/handlers.hpp"
#include "core/chat/rate_limiter.hpp"
#include "core/chat/views.hpp"
#include "core/common/log.hpp"
#include "core/common/log_thrown.hpp"
#include "core/common/net.hpp"
#include "core/common/unix_time.hpp"

namespace confab::chat {

struct service::pending_event {
    std::string name;
    events::handler run;
    boost::json::object payload;
    socketio::ack_sender ack;
};

struct service::socket_state {
    socket_state(actor a, std::int64_t exp, const service_settings& s)
        : who(std::move(a)), token_exp(exp), bucket(s.rate_per_second, s.rate_burst) {}

    actor who;
    std::int64_t token_exp;
    rate_limiter bucket;
    std::vector<pending_event> queue;  // a vector: idle sockets hold no allocation
    bool draining = false;
    std::unordered_set<std::string> chats;  // hex ids of the chat rooms joined
};

namespace {

// Far above what a person or a test suite does to one user, far below a flood.
constexpr std::uint32_t presence_per_second = 10;
constexpr std::uint32_t presence_burst = 60;
// Every announcement goes to every socket: many accounts connecting and disconnecting in a
// loop would keep the server busy telling everyone (28 times the CPU the client spent, at
// 1000 sockets). All announcements together send at most this many frames, about a tenth of
// a core here, after a burst that covers a few hundred users arriving at once.
constexpr std::uint32_t presence_frames_per_second = 20'000;
constexpr std::uint32_t presence_frames_burst = 200'000;

// The client gets exactly API.md's error; why goes to the log.
void refuse_connect(const socketio::socket& s, const socketio::socket_namespace::next_fn& next,
                    std::string_view reason) {
    log::at(log::level::info, "auth_refused", "from={} reason={}", s.request().remote_address,
            reason);
    next(boost::json::object{{"message", "Authentication error"},
                             {"data", boost::json::object{{"code", "UNAUTHORIZED"}}}});
}

// The rate limit already bounds what a socket sends; this bounds what waits for a slow store.
// An operator who raises the rate (a load test) gets a cap to match: a burst and a second more.
std::size_t pending_cap(const service_settings& s) {
    return std::max(s.max_pending_events, std::size_t{s.rate_burst} + s.rate_per_second);
}

std::shared_ptr<service::socket_state>* state_of(socketio::socket& s) {
    return std::any_cast<std::shared_ptr<service::socket_state>>(&s.data());
}

}  // namespace

service::service(net::any_io_executor ex, socketio::server& sio, db::async_store& store,
                 service_settings settings, metrics::registry& metrics)
    : executor_(std::move(ex)),
      nsp_(sio.of("/")),
      store_(store),
      settings_(std::move(settings)),
      metrics_(metrics),
      presence_frames_(presence_frames_per_second, presence_frames_burst),
      alive_(std::make_shared<bool>(true)),
      expiry_(executor_) {
    nsp_.use([this](const socketio::socket_ptr& s, socketio::socket_namespace::next_fn next) {
        authenticate(s, std::move(next));
    });
    nsp_.on_connection([this](const socketio::socket_ptr& s) { on_connect(s); });
    nsp_.on_disconnect([this](const socketio::socket_ptr& s, std::string_view reason) {
        on_disconnect(s, reason);
    });
    nsp_.on_unknown([this](const socketio::socket_ptr& s, socketio::event& e) { on_event(s, e); });
    nsp_.on_unreadable([this](const socketio::socket_ptr& s, socketio::ack_sender& ack) {
        on_unreadable(s, ack);
    });
}

service::~service() { *alive_ = false; }

void service::authenticate(const socketio::socket_ptr& s,
                           socketio::socket_namespace::next_fn next) {
    const auto& request = s->request();
    auto token = auth::find_token(s->take_auth(), request.authorization, request.query);
    if (!token) return refuse_connect(*s, next, "missing token");
    auto claims = auth::verify(*token, settings_.jwt_secret, unix_now());
    if (!claims) return refuse_connect(*s, next, claims.error().message());
    auto user_id = db::object_id::parse(claims->user_id);
    if (!user_id) return refuse_connect(*s, next, "bad token");
    // The user must still exist: ask the store, off the I/O thread.
    net::co_spawn(
        executor_,
        [this, s, next = std::move(next), id = *user_id, exp = claims->exp,
         alive = alive_]() -> net::awaitable<void> {
            auto user = co_await store_.run([id](db::store& st) { return st.get_user(id); });
            if (!*alive) co_return;
            if (!user) co_return refuse_connect(*s, next, "unknown user");
            if (!s->attached()) co_return;  // its client left: no presence to store for it
            s->data() = std::make_shared<socket_state>(actor{user->id, user->username}, exp,
                                                       settings_);
            // Stored online before the CONNECT reply, so that a client reading its status over
            // REST right after connecting reads it.
            auto& presence = presence_of(user->id.to_hex());
            ++presence.arriving;
            co_await stored_online(id, presence);
            if (!*alive) co_return;
            next(std::nullopt);  // the socket is the user's now, unless its client left
            --presence.arriving;
            net::co_spawn(executor_, sync_presence(id), log_thrown{"presence"});
        },
        log_thrown{"socket authentication"});
}

// Kicks the user's presence loop and waits, at most a few seconds, until the store says online.
net::awaitable<void> service::stored_online(db::object_id user_id, presence_state& presence) {
    net::co_spawn(executor_, sync_presence(user_id), log_thrown{"presence"});
    if (presence.stored == true) co_return;
    net::steady_timer wait(executor_, std::chrono::seconds(5));
    presence.waiters.push_back(&wait);
    auto alive = alive_;
    co_await wait.async_wait(use_tuple);
    if (*alive) std::erase(presence.waiters, &wait);
}

void service::on_connect(const socketio::socket_ptr& s) {
    auto& state = **state_of(*s);
    auto& sockets = sockets_by_user_[state.who.user_id.to_hex()];
    sockets.push_back(s.get());
    log::at(log::level::info, "connect", "user={} socket={} from={}", state.who.user_id.to_hex(),
            s->id(), s->request().remote_address);
    if (sockets.size() == 1) {
        ++presence_of(state.who.user_id.to_hex()).arrivals;
        net::co_spawn(executor_, sync_presence(state.who.user_id), log_thrown{"presence"});
    }
    expiry_.add(state.token_exp, s);  // a token stops being valid at its exp: so does its socket
}

void service::on_disconnect(const socketio::socket_ptr& s, std::string_view reason) {
    auto* holder = state_of(*s);
    if (!holder) return;
    auto& state = **holder;
    log::at(log::level::info, "disconnect", "user={} socket={} reason={}",
            state.who.user_id.to_hex(), s->id(), reason);
    expiry_.remove(state.token_exp, s.get());
    state.queue.clear();
    for (const auto& chat : state.chats) announce_active_users(*db::object_id::parse(chat));
    const auto key = state.who.user_id.to_hex();
    auto it = sockets_by_user_.find(key);
    if (it == sockets_by_user_.end()) return;
    std::erase(it->second, s.get());
    if (!it->second.empty()) return;
    sockets_by_user_.erase(it);
    net::co_spawn(executor_, sync_presence(state.who.user_id), log_thrown{"presence"});
}

// The store keeps status and lastSeen, and is told at once: online while the user has a socket
// or one about to connect, so REST shows what the sockets say. user:online and user:offline
// follow the sockets once the store agrees with them, so whoever hears one reads the same over
// REST. A user's presence writes go one at a time, each storing what the sockets say when it
// starts, until that is still what they say: racing connects and disconnects cannot leave a
// stale status stored, nor announce offline a user who came back.
net::awaitable<void> service::sync_presence(db::object_id user_id) {
    const auto key = user_id.to_hex();
    auto& state = presence_of(key);
    if (state.syncing) {  // the running loop sees the change, at once if it waits for budget
        if (state.pause) state.pause->cancel();
        co_return;
    }
    state.syncing = true;
    auto alive = alive_;
    for (;;) {
        const bool present = sockets_by_user_.contains(key);
        const bool online = present || state.arriving > 0;
        if (state.stored != online) {
            const auto status = online ? db::user_status::online : db::user_status::offline;
            state.stored.reset();  // unknown until this write lands: nobody may rely on the old
            auto user = co_await store_.run(
                [user_id, status](db::store& st) { return st.set_presence(user_id, status); });
            if (!*alive) co_return;
            if (!user) break;
            state.stored = online;
            state.last_seen = user->last_seen;
            continue;
        }
        if (online) wake(state.waiters);
        if (online != present) break;  // a socket still arriving: its outcome kicks the loop
        // A socket that came and went before it was told of is told of all the same: online,
        // then offline on the next turn. While the budget is spent, a user who is back is told
        // of once, not of the gap.
        const bool gap = !state.announced && state.arrivals != state.arrivals_told;
        if (present == state.announced && !gap) {
            state.arrivals_told = state.arrivals;
            break;
        }
        // A client connecting and disconnecting in a loop is announced some times a second
        // after a burst, and so are many together: they cannot flood everyone with presence.
        const auto now = std::chrono::steady_clock::now();
        const bool own_budget = state.budget.try_take(now);
        if (!own_budget || !presence_frames_.try_take(now, nsp_.size())) {
            // Thousands of users may wait for everyone's budget (after a restart): each looks
            // again once a second, not ten times.
            const auto pause_for = own_budget
                                       ? std::chrono::milliseconds(1000)
                                       : std::chrono::milliseconds(1000) / presence_per_second;
            net::steady_timer pause(executor_, pause_for);
            state.pause = &pause;
            co_await pause.async_wait(use_tuple);
            if (!*alive) co_return;
            state.pause = nullptr;
            continue;
        }
        const bool tell = present || gap;
        announce_presence(key, tell, state.last_seen);
        state.announced = tell;
        state.arrivals_told = state.arrivals;
    }
    wake(state.waiters);
    state.syncing = false;
}

void service::wake(std::vector<net::steady_timer*>& waiters) {
    for (auto* waiter : waiters) waiter->cancel();
}

// Budgets are kept while they matter: while the user is online, syncing, or still earning
// tokens back. The others are dropped now and then, as the map outgrows who is online.
service::presence_state& service::presence_of(const std::string& user_id) {
    if (presence_.size() > 2 * sockets_by_user_.size() + 64) {
        const auto now = std::chrono::steady_clock::now();
        std::erase_if(presence_, [&](const auto& entry) {
            const auto& [id, state] = entry;
            return !state.syncing && state.arriving == 0 && state.budget.full(now) &&
                   !sockets_by_user_.contains(id);
        });
    }
    return presence_.try_emplace(user_id, presence_per_second, presence_burst).first->second;
}

void service::announce_presence(const std::string& user_id, bool online, db::millis last_seen) {
    if (online) {
        // Not to the user's own sockets (none, when telling of a socket already gone).
        std::span<socketio::socket* const> own;
        if (auto it = sockets_by_user_.find(user_id); it != sockets_by_user_.end())
            own = it->second;
        nsp_.emit_all("user:online", {boost::json::object{{"userId", user_id}}}, own);
    } else {
        nsp_.emit_all("user:offline", {boost::json::object{{"userId", user_id},
                                                           {"lastSeen", iso_time(last_seen)}}});
    }
}

void service::reject(socketio::socket& s, const failure& f, std::string_view event,
                     socketio::ack_sender& ack) {
    log::at(f.code == code::internal ? log::level::error : log::level::debug, "event_refused",
            "socket={} event={} code={} message={}", s.id(), event, to_string(f.code), f.message);
    metrics_.count_error(to_string(f.code));
    if (f.code == code::rate_limited) ++metrics_.rate_limited;
    s.emit("error", {boost::json::object{{"message", f.message},
                                         {"code", to_string(f.code)},
                                         {"event", event}}});
    if (ack) ack({boost::json::object{{"ok", false}, {"error", f.to_json()}}});
}

void service::on_event(const socketio::socket_ptr& s, socketio::event& e) {
    auto* holder = state_of(*s);
    if (!holder) return;
    auto state = *holder;
    if (!state->bucket.try_take(std::chrono::steady_clock::now()))
        return reject(*s, {code::rate_limited, "Too many events"}, e.name, e.ack);
    const auto run = events::find(e.name);
    metrics_.count_event(run ? std::string_view(e.name) : "unknown");
    if (!run) return reject(*s, {code::bad_request, "Unknown event"}, e.name, e.ack);
    if (e.args.empty() || !e.args.front().is_object())
        return reject(*s, {code::bad_request, "Payload must be a JSON object"}, e.name, e.ack);
    if (state->queue.size() >= pending_cap(settings_))
        return reject(*s, {code::rate_limited, "Too many events in flight"}, e.name, e.ack);
    state->queue.push_back(
        {std::move(e.name), run, std::move(e.args.front().as_object()), std::move(e.ack)});
    if (state->draining) return;
    state->draining = true;
    net::co_spawn(executor_, drain(s, state), log_thrown{"chat event queue"});
}

// API.md: an event that is not JSON gets a clear error, and the connection stays.
void service::on_unreadable(const socketio::socket_ptr& s, socketio::ack_sender& ack) {
    auto* holder = state_of(*s);
    if (!holder) return;
    if (!(*holder)->bucket.try_take(std::chrono::steady_clock::now()))
        return reject(*s, {code::rate_limited, "Too many events"}, "", ack);
    metrics_.count_event("unknown");
    reject(*s, {code::bad_request, "Event is not valid JSON"}, "", ack);
}

net::awaitable<void> service::drain(socketio::socket_ptr s, std::shared_ptr<socket_state> state) {
    auto alive = alive_;
    while (!state->queue.empty()) {
        auto batch = std::exchange(state->queue, {});
        for (auto& e : batch) {
            const auto started = std::chrono::steady_clock::now();
            auto out = co_await run(state->who, e);
            // message:* events write; chat:* ones only read membership.
            if (e.name.starts_with("message:"))
                metrics_.store_write_latency.observe(std::chrono::steady_clock::now() - started);
            if (!*alive) co_return;
            if (!s->connected()) {
                // What was stored still reaches the room; the rest of what the gone socket
                // sent is dropped unstored, as on_disconnect dropped its queue.
                deliver_without_sender(*s, out);
                co_return;
            }
            deliver(*s, *state, out, e);
        }
    }
    state->draining = false;
}

// A join checks membership on the store's pool; a REST removal handled here before the join is
// delivered would find the socket not yet in the room and leave it there, so a join that saw
// a removal go by checks again.
net::awaitable<outcome> service::run(const actor& who, pending_event& e) {
    auto alive = alive_;
    const bool may_join = e.run == &events::chat_join;
    for (;;) {
        const auto removals = removals_;
        auto payload = may_join ? boost::json::object(e.payload) : std::move(e.payload);
        auto out = co_await store_.run([run = e.run, who, payload = std::move(payload)](
                                           db::store& st) { return run(st, who, payload); });
        if (!*alive || out.rooms != room_change::join || removals == removals_) co_return out;
    }
}

void service::deliver_without_sender(socketio::socket& s, outcome& out) {
    if (out.error || out.rooms != room_change::none) return;  // a gone socket's room is gone
    broadcast(s, out, false);
}

void service::deliver(socketio::socket& s, socket_state& state, outcome& out, pending_event& e) {
    if (out.error) return reject(s, *out.error, e.name, e.ack);
    const auto room = room_of(out.chat_id);
    if (out.rooms == room_change::join) {
        s.join(room);
        state.chats.insert(out.chat_id.to_hex());
    } else if (out.rooms == room_change::leave) {
        // Leaving a room one is not in tells nobody anything (and lets no outsider speak there).
        if (!s.rooms().contains(room)) out.emits.clear();
        s.leave(room);
        state.chats.erase(out.chat_id.to_hex());
    }
    broadcast(s, out, true);
    if (out.rooms != room_change::none && !out.emits.empty()) announce_active_users(out.chat_id);
    if (e.ack) {
        boost::json::object reply{{"ok", true}};
        for (auto& field : out.ack) reply.emplace(field.key(), std::move(field.value()));
        e.ack({std::move(reply)});
    }
}

void service::broadcast(socketio::socket& s, outcome& out, bool to_sender) {
    const auto room = room_of(out.chat_id);
    for (auto& emit : out.emits) {
        if (emit.event == "message:received") ++metrics_.messages_stored;
        switch (emit.to) {
            case audience::room: nsp_.emit_to(room, emit.event, {std::move(emit.payload)}); break;
            case audience::room_others:
                nsp_.emit_to(room, emit.event, {std::move(emit.payload)}, &s);
                break;
            case audience::sender:
                if (to_sender) s.emit(emit.event, {std::move(emit.payload)});
                break;
        }
    }
}

void service::announce_active_users(const db::object_id& chat_id) {
    const auto room = room_of(chat_id);
    const auto* members = nsp_.room(room);
    if (!members) return;
    std::unordered_set<std::string> users;
    for (auto* member : *members)
        if (auto* holder = state_of(*member)) users.insert((*holder)->who.user_id.to_hex());
    nsp_.emit_to(room, "chat:activeUsers",
                 {boost::json::object{{"chatId", chat_id.to_hex()},
                                      {"count", users.size()}}});
}

void service::remove_from_chat(const db::object_id& chat_id, const db::object_id& user_id) {
    ++removals_;
    auto it = sockets_by_user_.find(user_id.to_hex());
    if (it == sockets_by_user_.end()) return;
    const auto room = room_of(chat_id);
    bool left = false;
    for (auto* s : it->second) {
        if (!s->rooms().contains(room)) continue;
        s->leave(room);
        if (auto* holder = state_of(*s)) (*holder)->chats.erase(chat_id.to_hex());
        left = true;
    }
    if (!left) return;
    nsp_.emit_to(room, "user:left",
                 {boost::json::object{{"userId", user_id.to_hex()}, {"chatId", chat_id.to_hex()}}});
    announce_active_users(chat_id);
}

std::size_t service::sockets_of(const db::object_id& user_id) const {
    auto it = sockets_by_user_.find(user_id.to_hex());
    return it == sockets_by_user_.end() ? 0 : it->second.size();
}

}  // namespace confab::chat
