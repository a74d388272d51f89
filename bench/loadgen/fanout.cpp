#include "fanout.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "proc.hpp"

namespace lg {

namespace {

constexpr std::int64_t late_send_ns = 10'000'000;          // a send 10 ms behind schedule is late
constexpr std::int64_t generator_lag_limit_ns = 50'000'000;  // beyond: the generator is the limit
constexpr double generator_busy_limit = 0.90;                // of one core, over the send window

std::string_view field_after(std::string_view s, std::string_view key) {
    const auto at = s.find(key);
    if (at == std::string_view::npos) return {};
    const auto start = at + key.size();
    const auto end = s.find('"', start);
    return end == std::string_view::npos ? std::string_view{} : s.substr(start, end - start);
}

}  // namespace

fanout_runner::fanout_runner(world& w)
    : base_events(w.tally), w_(w), timer_(w.io), pad_(static_cast<std::size_t>(w.opt.content_bytes), 'x'),
      keep_ids_(w.opt.verify) {
    packet_.reserve(512 + pad_.size());
}

std::string_view fanout_runner::message_id_of(std::size_t i) const {
    if (!keep_ids_ || i >= ids_.size() || ids_[i][0] == 0) return {};
    return {ids_[i].data(), ids_[i].size()};
}

void fanout_runner::on_delivery(ws_conn& c, std::int64_t sent_ns, std::uint64_t seq, std::int64_t now_ns) {
    if (seq < base_ || seq - base_ >= scheduled_) {
        ++f_.stale;  // from an earlier step (or not ours)
        return;
    }
    auto& d = deliveries_[seq - base_];
    if (d >= w_.chats[c.chat].conns.size()) {
        ++f_.duplicates;
        return;
    }
    ++d;
    ++f_.delivered;
    ++by_conn_[c.index()];
    f_.latency.record(now_ns - sent_ns);
}

void fanout_runner::on_ack(ws_conn&, std::uint64_t id, std::string_view args) {
    if (id < send_ack_base) return;
    const auto seq = id - send_ack_base;
    if (seq < base_ || seq - base_ >= scheduled_) return;
    const auto i = seq - base_;
    if (ack_[i] != pending) return;
    if (ack_is_ok(args)) {
        ack_[i] = ok;
        ++f_.acked;
        f_.ack_latency.record(now_ns() - send_ns_[i]);
        if (keep_ids_) {
            const auto id_text = field_after(args, "\"messageId\":\"");
            if (id_text.size() == 24) std::copy(id_text.begin(), id_text.end(), ids_[i].begin());
        }
    } else {
        ack_[i] = refused;
        ++f_.ack_errors;
        auto code = field_after(args, "\"code\":\"");
        if (code.empty()) code = "?";
        auto it = f_.ack_error_codes.find(code);
        if (it == f_.ack_error_codes.end()) it = f_.ack_error_codes.emplace(std::string(code), 0).first;
        ++it->second;
    }
}

void fanout_runner::on_event(ws_conn& c, std::string_view name, std::string_view packet) {
    if (name == "message:sent") {
        ++f_.sent_events;
        return;
    }
    base_events::on_event(c, name, packet);
}

void fanout_runner::send_one(std::int64_t now) {
    const auto i = scheduled_++;
    const auto seq = base_ + i;
    ws_conn* c = nullptr;
    for (int tries = 0; tries < 16 && !c; ++tries) {
        auto* pick = w_.conns[w_.shared.next_random() % w_.conns.size()].get();
        if (pick->ready()) c = pick;
    }
    if (!c) {
        ++f_.unsendable;
        return;
    }
    packet_.clear();
    auto out = std::back_inserter(packet_);
    out = fmt::format_to(out, "42{}[\"message:send\",{{\"chatId\":\"{}\",\"content\":\"", send_ack_base + seq,
                         w_.chats[c->chat].id);
    const auto content_at = packet_.size();
    out = fmt::format_to(out, "t={};s={};", now, seq);
    const auto content_len = packet_.size() - content_at;
    if (content_len < pad_.size()) packet_.append(pad_, 0, pad_.size() - content_len);
    fmt::format_to(out, "\",\"messageType\":\"text\",\"attachments\":[],\"replyTo\":null,\"clientMessageId\":\"{}-{}\"}}]",
                   w_.opt.run_id, seq);
    send_ns_[i] = now;
    ack_[i] = pending;
    chat_[i] = c->chat;
    ++f_.sent;
    ++by_chat_[c->chat];
    f_.expected += w_.chats[c->chat].conns.size();
    c->send_text(packet_);
}

void fanout_runner::tick() {
    auto now = now_ns();
    const auto elapsed = now - start_ns_;
    // Open loop: everything whose scheduled time has come is sent now, answered or not.
    const auto due = std::min<std::uint64_t>(
        planned_, static_cast<std::uint64_t>(static_cast<double>(elapsed) * rate_ / 1e9) + 1);
    while (scheduled_ < due) {
        const auto planned_at = start_ns_ + static_cast<std::int64_t>(static_cast<double>(scheduled_) * 1e9 / rate_);
        now = now_ns();
        const auto lag = now - planned_at;
        if (lag > late_send_ns) ++f_.sched_late;
        f_.sched_max_lag_ms = std::max(f_.sched_max_lag_ms, static_cast<double>(lag) / 1e6);
        send_one(now);
    }
    if (scheduled_ >= planned_) {
        last_send_ns_ = now;
        sending_done_->notify();
        return;
    }
    // Wake at the next tick, or later when the next message is not due by then (low rates:
    // no empty ticks, which cost a context switch each).
    const auto due_next = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(
        start_ns_ + static_cast<std::int64_t>(std::ceil(static_cast<double>(scheduled_) * 1e9 / rate_))));
    auto next = std::max(timer_.expiry() + std::chrono::nanoseconds(tick_ns_), due_next);
    const auto wall = std::chrono::steady_clock::now();
    if (next < wall) next = wall;  // behind: no burst of empty ticks
    timer_.expires_at(next);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) tick();
    });
}

task<step_figures> fanout_runner::run_step(double rate, double seconds) {
    f_ = step_figures{};
    f_.rate = rate;
    rate_ = rate;
    planned_ = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(rate * seconds)));
    f_.planned = planned_;
    base_ = next_seq_;
    next_seq_ += planned_;
    scheduled_ = 0;
    send_ns_.assign(planned_, 0);
    deliveries_.assign(planned_, 0);
    ack_.assign(planned_, not_sent);
    chat_.assign(planned_, 0);
    if (keep_ids_) ids_.assign(planned_, std::array<char, 24>{});
    by_conn_.assign(w_.conns.size(), 0);
    by_chat_.assign(w_.chats.size(), 0);
    const auto closed_before = w_.tally.closed;
    const auto reads0 = w_.shared.reads, frames0 = w_.shared.frames_in, wakeups0 = w_.shared.poll.wakeups,
               queued0 = w_.shared.queued_writes;
    tick_ns_ = static_cast<std::int64_t>(w_.opt.tick_ms * 1e6);

    rss_sampler rss(w_.io, w_.opt.server_pid);
    cpu_window total, sending;
    signal done(w_.io);
    sending_done_ = &done;
    w_.shared.events = this;
    rss.start();
    total.start(w_.opt.server_pid);
    sending.start(w_.opt.server_pid);
    start_ns_ = now_ns();
    timer_.expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(start_ns_)));
    tick();
    co_await done.wait();
    sending.stop();
    // N sends at 1/R intervals span (N-1)/R: count the last interval too.
    f_.send_seconds = static_cast<double>(last_send_ns_ - start_ns_) / 1e9 + 1.0 / rate;

    // Drain: wait for every delivery and ack; give up after --drain seconds without any of
    // them arriving (late is not lost: the latency shows lateness), or --drain + 30 s in all.
    {
        const auto quiet = static_cast<std::int64_t>(w_.opt.drain_s * 1e9);
        const auto cap = now_ns() + quiet + 30'000'000'000;
        auto last_progress = now_ns();
        auto seen = f_.delivered + f_.acked + f_.ack_errors;
        while (f_.delivered < f_.expected || f_.acked + f_.ack_errors < f_.sent) {
            const auto now = now_ns();
            const auto progress = f_.delivered + f_.acked + f_.ack_errors;
            if (progress != seen) {
                seen = progress;
                last_progress = now;
            }
            if (now - last_progress >= quiet || now >= cap) break;
            co_await sleep_for(std::chrono::milliseconds(10));
        }
    }
    f_.drain_seconds = static_cast<double>(now_ns() - last_send_ns_) / 1e9;
    total.stop();
    rss.stop();
    w_.shared.events = &w_.idle_events;
    sending_done_ = nullptr;

    const double window = std::max(f_.send_seconds, 1e-3);
    f_.unacked = f_.sent - f_.acked - f_.ack_errors;
    f_.lost = f_.expected - f_.delivered;
    for (std::size_t i = 0; i < scheduled_; ++i)
        if (ack_[i] == ok) f_.lost_acked += w_.chats[chat_[i]].conns.size() - deliveries_[i];
    // Is a loss spread out, or did some sockets stop hearing their room?
    for (const auto& conn : w_.conns) {
        const auto want = by_chat_[conn->chat];
        const auto got = by_conn_[conn->index()];
        if (got < want) {
            ++f_.short_sockets;
            f_.worst_shortfall = std::max<std::uint64_t>(f_.worst_shortfall, want - got);
        }
    }
    f_.sent_per_s = static_cast<double>(f_.sent) / window;
    f_.delivered_per_s = static_cast<double>(f_.delivered) / window;
    f_.server_cpu_s = total.server_cpu_s();
    if (sending.server_cpu_s()) f_.server_busy = *sending.server_cpu_s() / std::max(sending.wall_s(), 1e-3);
    if (f_.server_cpu_s && f_.delivered) f_.server_cpu_per_100k = *f_.server_cpu_s / f_.delivered * 1e5;
    f_.server_peak_rss_kib = rss.peak_kib();
    f_.server_hwm_kib = process_status_kib(w_.opt.server_pid, "VmHWM");
    f_.gen_cpu_s = total.self_cpu_s();
    f_.gen_busy_send = sending.self_cpu_s() / std::max(sending.wall_s(), 1e-3);
    f_.gen_busy_total = total.self_cpu_s() / std::max(total.wall_s(), 1e-3);
    f_.closed = w_.tally.closed - closed_before;
    f_.gen_reads = w_.shared.reads - reads0;
    f_.gen_frames_in = w_.shared.frames_in - frames0;
    f_.gen_wakeups = w_.shared.poll.wakeups - wakeups0;
    f_.gen_queued_writes = w_.shared.queued_writes - queued0;
    f_.generator_limited = f_.sched_max_lag_ms * 1e6 > generator_lag_limit_ns || f_.gen_busy_send > generator_busy_limit;
    co_return f_;
}

task<> fanout_runner::settle(std::chrono::milliseconds quiet, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    auto seen = w_.shared.deliveries;
    while (std::chrono::steady_clock::now() < until) {
        co_await sleep_for(quiet);
        if (w_.shared.deliveries == seen) co_return;
        seen = w_.shared.deliveries;
    }
}

}  // namespace lg
