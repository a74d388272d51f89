#include "core/engine/server.hpp"

#include <iterator>
#include <string_view>
#include <vector>

#include "core/common/loopback.hpp"
#include "core/common/random_id.hpp"

namespace confab::engine {

namespace {

// EIO, transport, t and sid are checked by now; the layers above look up only their own
// parameters (a token), and a session keeps its request for as long as it lives.
void drop_engine_parameters(request_info& request) {
    for (const std::string_view key : {"EIO", "transport", "t", "sid"}) {
        const auto it = request.query.find(key);
        if (it != request.query.end()) request.query.erase(it);
    }
    // The layers above want a parameter or two (a token), not every key a client fits in a
    // URL: a short key kept costs a map node, some 40 times its bytes, for the session's life.
    while (request.query.size() > max_kept_parameters)
        request.query.erase(std::prev(request.query.end()));
}

}  // namespace

std::shared_ptr<session> server::open(transport_kind transport, request_info request) {
    const bool polling = transport == transport_kind::polling;
    if (polling && polling_full(request.remote_address)) {
        ++refused_polling_;
        return nullptr;
    }
    drop_engine_parameters(request);
    auto s = std::make_shared<session>(executor_, random_id(), transport, config_,
                                       std::move(request));
    sessions_.emplace(s->sid(), s);
    const bool counted = polling && counted_per_address(s->request().remote_address);
    if (counted) ++polling_by_address_[s->request().remote_address];
    s->on_closed([this, counted](session& closed) {
        ++closed_[static_cast<std::size_t>(closed.reason())];
        if (counted) release_polling(closed.request().remote_address);
        if (closed.awaits_final_poll()) {
            // A client polls again at once; one that does not within ping_timeout is gone.
            closed.expire_after(config_.ping_timeout, [this, sid = closed.sid()] { forget(sid); });
            return;
        }
        sessions_.erase(closed.sid());
    });
    if (on_connection_) on_connection_(s);
    s->start();
    return s;
}

bool server::counted_per_address(const std::string& address) const {
    return !config_.exempt_loopback || !is_loopback(address);
}

bool server::polling_full(const std::string& address) const {
    const auto max = config_.max_polling_sessions_per_address;
    if (max == 0 || !counted_per_address(address)) return false;
    const auto it = polling_by_address_.find(address);
    return it != polling_by_address_.end() && it->second >= max;
}

void server::release_polling(const std::string& address) {
    const auto it = polling_by_address_.find(address);
    if (--it->second == 0) polling_by_address_.erase(it);
}

void server::forget(const std::string& sid) {
    const auto it = sessions_.find(sid);
    if (it == sessions_.end() || !it->second->closed()) return;
    it->second->cancel_expiry();
    sessions_.erase(it);
}

std::shared_ptr<session> server::find(std::string_view sid) const {
    auto it = sessions_.find(std::string(sid));
    return it == sessions_.end() ? nullptr : it->second;
}

server::stats server::current() const {
    stats st;
    for (const auto& [sid, s] : sessions_) {
        ++(s->transport() == transport_kind::polling ? st.polling : st.websocket);
        st.queued_bytes += s->queued_bytes();
    }
    return st;
}

void server::close_all(close_reason reason) {
    std::vector<std::shared_ptr<session>> all;
    all.reserve(sessions_.size());
    for (auto& [sid, s] : sessions_) all.push_back(s);
    for (auto& s : all) s->close(reason);
}

}  // namespace confab::engine
