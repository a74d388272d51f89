#include "world.hpp"

#include <cstdio>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "proc.hpp"
#include "rest_client.hpp"

namespace lg {

namespace http = boost::beast::http;

void base_events::on_closed(ws_conn&, std::string_view why) {
    ++tally_.closed;
    auto it = tally_.closes.find(why);
    if (it == tally_.closes.end()) it = tally_.closes.emplace(std::string(why), 0).first;
    ++it->second;
}

void base_events::on_event(ws_conn&, std::string_view name, std::string_view packet) {
    auto it = tally_.events.find(name);
    if (it == tally_.events.end()) it = tally_.events.emplace(std::string(name), 0).first;
    ++it->second;
    if (name == "error") {
        std::string_view code = "?";
        if (const auto at = packet.find("\"code\":\""); at != std::string_view::npos) {
            const auto start = at + 8;
            const auto end = packet.find('"', start);
            if (end != std::string_view::npos) code = packet.substr(start, end - start);
        }
        auto c = tally_.error_codes.find(code);
        if (c == tally_.error_codes.end()) c = tally_.error_codes.emplace(std::string(code), 0).first;
        ++c->second;
    }
}

std::vector<net::ip::address> loopback_sources(int k) {
    std::vector<net::ip::address> out;
    for (int i = 0; i < k; ++i) {
        out.push_back(net::ip::address_v4(net::ip::address_v4::bytes_type{
            127, 0, static_cast<unsigned char>((i + 2) / 256), static_cast<unsigned char>((i + 2) % 256)}));
    }
    return out;
}

world::world(net::io_context& io_, const options& opt_, tcp::endpoint server_)
    : io(io_), opt(opt_), server(server_), host_header(fmt::format("{}:{}", opt_.host, opt_.port)),
      shared(io_, server_, host_header) {
    shared.events = &idle_events;
}

void world::log(std::string_view line) const {
    fmt::print(stderr, "[loadgen] {}\n", line);
    std::fflush(stderr);
}

namespace {

std::string json_string_field(const boost::json::value& v, std::initializer_list<std::string_view> path) {
    const boost::json::value* cur = &v;
    for (auto key : path) {
        const auto* o = cur->if_object();
        if (!o) return {};
        cur = o->if_contains(key);
        if (!cur) return {};
    }
    const auto* s = cur->if_string();
    return s ? std::string(*s) : std::string();
}

std::string short_body(const http_result& r) {
    if (r.status == 0) return r.error;
    return fmt::format("{} {}", r.status, r.body.substr(0, 200));
}

}  // namespace

task<bool> world::make_users(std::size_t n) {
    users.resize(n);
    std::size_t done = 0, failed = 0, logged_in = 0;
    std::string first_error;
    const auto t0 = now_ns();
    auto last_print = t0;
    co_await for_each_bounded(
        io, n, static_cast<std::size_t>(opt.reg_concurrency),
        [this](std::size_t) { return std::make_unique<rest_client>(io, server, host_header); },
        [&](std::size_t i, std::unique_ptr<rest_client>& rest) -> task<> {
            auto& u = users[i];
            u.name = fmt::format("{}_{}", opt.prefix, i);
            const boost::json::object reg{{"username", u.name},
                                          {"email", fmt::format("{}@loadgen.test", u.name)},
                                          {"password", opt.password}};
            http_result r;
            for (int attempt = 0; attempt < 3; ++attempt) {
                r = co_await rest->request(http::verb::post, "/api/auth/register", boost::json::serialize(reg));
                if (r.status == 409) {  // made by an earlier run with this prefix: log in
                    const boost::json::object login{{"username", u.name}, {"password", opt.password}};
                    r = co_await rest->request(http::verb::post, "/api/auth/login", boost::json::serialize(login));
                    if (r.ok()) ++logged_in;
                }
                if (r.status != 0 && r.status < 500) break;
            }
            bool good = false;
            if (r.ok()) {
                boost::system::error_code ec;
                const auto v = boost::json::parse(r.body, ec);
                if (!ec) {
                    u.token = json_string_field(v, {"token"});
                    u.id = json_string_field(v, {"user", "_id"});
                    good = !u.token.empty() && !u.id.empty();
                }
            }
            if (!good) {
                ++failed;
                if (first_error.empty()) first_error = fmt::format("user {}: {}", u.name, short_body(r));
            }
            ++done;
            const auto now = now_ns();
            if (now - last_print > 2'000'000'000) {
                last_print = now;
                log(fmt::format("users: {}/{} ({:.0f}/s)", done, n, done / ((now - t0) / 1e9)));
            }
        });
    const double secs = (now_ns() - t0) / 1e9;
    log(fmt::format("users: {} ready in {:.1f} s ({:.0f}/s){}{}", n - failed, secs, n / std::max(secs, 1e-9),
                    logged_in ? fmt::format(", {} existed and logged in", logged_in) : "",
                    failed ? fmt::format(", {} FAILED, first: {}", failed, first_error) : ""));
    co_return failed == 0;
}

task<bool> world::make_chats() {
    std::size_t failed = 0;
    std::string first_error;
    const auto t0 = now_ns();
    co_await for_each_bounded(
        io, chats.size(), static_cast<std::size_t>(opt.reg_concurrency),
        [this](std::size_t) { return std::make_unique<rest_client>(io, server, host_header); },
        [&](std::size_t c, std::unique_ptr<rest_client>& rest) -> task<> {
            auto& chat = chats[c];
            boost::json::array ids;
            for (std::size_t j = 1; j < chat.users.size(); ++j) ids.emplace_back(users[chat.users[j]].id);
            const boost::json::object body{{"type", "group"},
                                           {"name", fmt::format("{}-chat-{}", opt.prefix, c)},
                                           {"participantIds", std::move(ids)}};
            const auto& token = users[chat.users[0]].token;
            http_result r;
            for (int attempt = 0; attempt < 3; ++attempt) {
                r = co_await rest->request(http::verb::post, "/api/chats", boost::json::serialize(body), token);
                if (r.status != 0 && r.status < 500) break;
            }
            if (r.ok()) {
                boost::system::error_code ec;
                const auto v = boost::json::parse(r.body, ec);
                if (!ec) chat.id = json_string_field(v, {"_id"});
            }
            if (chat.id.size() != 24) {
                ++failed;
                if (first_error.empty()) first_error = fmt::format("chat {}: {}", c, short_body(r));
            }
        });
    log(fmt::format("chats: {} created in {:.1f} s{}", chats.size() - failed, (now_ns() - t0) / 1e9,
                    failed ? fmt::format(", {} FAILED, first: {}", failed, first_error) : ""));
    co_return failed == 0;
}

namespace {

// Starts handshakes with at most `limit` in flight; done when each socket is ready or failed.
class connector : public base_events {
public:
    connector(world& w, std::size_t limit, connect_figures& f)
        : base_events(w.tally), w_(w), limit_(limit), f_(f), done_(w.io), sweep_(w.io) {}

    task<> run() {
        const auto t0 = now_ns();
        last_print_ = t0;
        w_.shared.events = this;
        if (w_.conns.empty()) done_.notify();
        start_more();
        sweep();
        co_await done_.wait();
        sweep_.cancel();
        f_.seconds = (now_ns() - t0) / 1e9;
        w_.shared.events = &w_.idle_events;
    }

    void on_ready(ws_conn& c) override {
        ++f_.ok;
        f_.latency.record(now_ns() - c.started_ns);
        finished();
    }
    void on_failed(ws_conn&, std::string_view why) override {
        ++f_.failed;
        auto it = f_.reasons.find(why);
        if (it == f_.reasons.end()) it = f_.reasons.emplace(std::string(why), 0).first;
        ++it->second;
        finished();
    }

private:
    void finished() {
        --in_flight_;
        ++finished_;
        const auto now = now_ns();
        if (now - last_print_ > 2'000'000'000) {
            last_print_ = now;
            w_.log(fmt::format("sockets: {}/{} connected, {} failed", f_.ok, w_.conns.size(), f_.failed));
        }
        if (finished_ == w_.conns.size()) return done_.notify();
        start_more();
    }
    void start_more() {
        // Started from a handler: post, so a socket failing at once cannot recurse deeply.
        while (in_flight_ < limit_ && next_ < w_.conns.size()) {
            auto* c = w_.conns[next_++].get();
            ++in_flight_;
            net::post(w_.io, [this, c] { c->start(&w_.users[c->user].token); });
        }
    }
    void sweep() {
        const auto limit = static_cast<std::int64_t>(w_.opt.connect_timeout_s * 1e9);
        const auto now = now_ns();
        while (low_ < next_ && (w_.conns[low_]->ready() || w_.conns[low_]->current() == ws_conn::state::closed))
            ++low_;
        for (auto i = low_; i < next_; ++i) {
            auto& c = *w_.conns[i];
            const auto st = c.current();
            if (st != ws_conn::state::ready && st != ws_conn::state::closed && st != ws_conn::state::idle &&
                now - c.started_ns > limit)
                c.abort("handshake timeout");
        }
        sweep_.expires_after(std::chrono::milliseconds(250));
        sweep_.async_wait([this](boost::system::error_code ec) {
            if (!ec) sweep();
        });
    }

    world& w_;
    std::size_t limit_;
    connect_figures& f_;
    signal done_;
    net::steady_timer sweep_;
    std::size_t next_ = 0, low_ = 0, in_flight_ = 0, finished_ = 0;
    std::int64_t last_print_ = 0;
};

// Sends chat:join from every chat socket, at most `limit` unanswered.
class joiner : public base_events {
public:
    joiner(world& w, std::size_t limit)
        : base_events(w.tally), w_(w), limit_(limit), done_(w.io), pending_(w.conns.size(), 0) {
        for (std::uint32_t c = 0; c < w.chats.size(); ++c)
            for (auto conn : w.chats[c].conns) order_.push_back(conn);
    }

    task<std::uint64_t> run() {
        const auto t0 = now_ns();
        w_.shared.events = this;
        if (order_.empty()) done_.notify();
        start_more();
        const bool all = co_await done_.wait(std::chrono::seconds(60));
        w_.shared.events = &w_.idle_events;
        std::uint64_t bad = failed_ + (order_.size() - answered_);
        w_.log(fmt::format("joins: {} of {} acknowledged in {:.1f} s{}{}", ok_, order_.size(), (now_ns() - t0) / 1e9,
                           all ? "" : " (TIMED OUT)",
                           failed_ ? fmt::format(", {} FAILED, first: {}", failed_, first_error_) : ""));
        co_return bad;
    }

    void on_ack(ws_conn& c, std::uint64_t id, std::string_view args) override {
        if (id != join_ack_id || !pending_[c.index()]) return;
        pending_[c.index()] = 0;
        ++answered_;
        --in_flight_;
        if (ack_is_ok(args)) {
            ++ok_;
        } else {
            ++failed_;
            if (first_error_.empty()) first_error_ = std::string(args.substr(0, 200));
        }
        if (answered_ == order_.size()) return done_.notify();
        start_more();
    }
    void on_closed(ws_conn& c, std::string_view why) override {
        base_events::on_closed(c, why);
        if (!pending_[c.index()]) return;  // its join is answered, or comes later and fails
        pending_[c.index()] = 0;  // its join will never be answered
        ++answered_;
        --in_flight_;
        ++failed_;
        if (first_error_.empty()) first_error_ = fmt::format("socket closed: {}", why);
        if (answered_ == order_.size()) return done_.notify();
        start_more();
    }

private:
    void start_more() {
        while (in_flight_ < limit_ && next_ < order_.size()) {
            auto& c = *w_.conns[order_[next_++]];
            if (!c.ready()) {
                ++answered_;
                ++failed_;
                if (first_error_.empty()) first_error_ = "socket not connected";
                continue;
            }
            ++in_flight_;
            pending_[c.index()] = 1;
            c.send_text(fmt::format("42{}[\"chat:join\",{{\"chatId\":\"{}\"}}]", join_ack_id, w_.chats[c.chat].id));
        }
        if (answered_ == order_.size()) done_.notify();
    }

    world& w_;
    std::size_t limit_;
    signal done_;
    std::vector<std::uint32_t> order_;
    std::vector<std::uint8_t> pending_;
    std::size_t next_ = 0, in_flight_ = 0, answered_ = 0, ok_ = 0, failed_ = 0;
    std::string first_error_;
};

}  // namespace

task<connect_figures> world::connect_all(std::size_t concurrency) {
    connect_figures f;
    connector c(*this, concurrency, f);
    co_await c.run();
    log(fmt::format("sockets: {} connected, {} failed in {:.1f} s ({:.0f}/s)", f.ok, f.failed, f.seconds,
                    f.ok / std::max(f.seconds, 1e-9)));
    for (const auto& [why, n] : f.reasons) log(fmt::format("  failure x{}: {}", n, why));
    co_return f;
}

task<std::uint64_t> world::join_all(std::size_t in_flight) {
    joiner j(*this, in_flight);
    co_return co_await j.run();
}

}  // namespace lg
