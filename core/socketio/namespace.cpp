#include "core/socketio/namespace.hpp"

#include <algorithm>

#include <boost/json/array.hpp>

#include "core/socketio/frames.hpp"

namespace confab::socketio {

namespace {

std::vector<engine::frame> event_frames(const std::string& nsp, std::string_view event,
                                        boost::json::array&& args) {
    sio::packet p;
    p.nsp = nsp;
    boost::json::array data;
    data.reserve(args.size() + 1);
    data.emplace_back(event);
    for (auto& a : args) data.push_back(std::move(a));
    p.data = std::move(data);
    return encode_frames(p);
}

}  // namespace

socket* socket_namespace::find(std::string_view id) const {
    auto it = sockets_.find(std::string(id));
    return it == sockets_.end() ? nullptr : it->second;
}

const std::unordered_set<socket*>* socket_namespace::room(const std::string& name) const {
    auto it = rooms_.find(name);
    return it == rooms_.end() ? nullptr : &it->second;
}

void socket_namespace::emit_to(const std::string& room_name, std::string_view event,
                               boost::json::array args, const socket* except) const {
    const auto* members = room(room_name);
    if (!members) return;
    const auto frames = event_frames(name_, event, std::move(args));
    // Sending may disconnect a slow consumer, which edits the room: walk a copy.
    const std::vector<socket*> targets(members->begin(), members->end());
    for (auto* s : targets)
        if (s != except) s->send_frames(frames);
}

void socket_namespace::emit_all(std::string_view event, boost::json::array args,
                                std::span<socket* const> except) const {
    const auto frames = event_frames(name_, event, std::move(args));
    std::vector<socket*> targets;
    targets.reserve(sockets_.size());
    for (const auto& [id, s] : sockets_) {
        if (std::find(except.begin(), except.end(), s) == except.end()) targets.push_back(s);
    }
    for (auto* s : targets) s->send_frames(frames);
}

void socket_namespace::admit(const socket_ptr& s,
                             std::function<void(std::optional<boost::json::object>)> done) {
    run_middleware(s, 0, std::move(done));
}

void socket_namespace::run_middleware(
    const socket_ptr& s, std::size_t index,
    std::function<void(std::optional<boost::json::object>)> done) {
    if (index == middlewares_.size()) {
        done(std::nullopt);
        return;
    }
    middlewares_[index](s, [this, s, index, done = std::move(done)](
                               std::optional<boost::json::object> error) mutable {
        if (error) {
            done(std::move(error));
            return;
        }
        run_middleware(s, index + 1, std::move(done));
    });
}

void socket_namespace::add(const socket_ptr& s) {
    sockets_[s->id()] = s.get();
    if (on_connection_) on_connection_(s);
}

void socket_namespace::remove(const socket_ptr& s, std::string_view reason) {
    sockets_.erase(s->id());
    if (on_disconnect_) on_disconnect_(s, reason);
}

void socket_namespace::dispatch(const socket_ptr& s, event& e) const {
    auto it = handlers_.find(e.name);
    if (it != handlers_.end())
        it->second(s, e);
    else if (on_unknown_)
        on_unknown_(s, e);
}

bool socket_namespace::dispatch_unreadable(const socket_ptr& s, ack_sender& ack) const {
    if (!on_unreadable_) return false;
    on_unreadable_(s, ack);
    return true;
}

void socket_namespace::join(socket& s, const std::string& room_name) {
    rooms_[room_name].insert(&s);
}

void socket_namespace::leave(socket& s, const std::string& room_name) {
    auto it = rooms_.find(room_name);
    if (it == rooms_.end()) return;
    it->second.erase(&s);
    if (it->second.empty()) rooms_.erase(it);
}

}  // namespace confab::socketio
