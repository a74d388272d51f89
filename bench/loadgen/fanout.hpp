#pragma once
// The fan-out load: a fixed total send rate from random chat members (open loop), every
// `message:received` timed end to end from the send timestamp carried in its content.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "world.hpp"

namespace lg {

struct step_figures {
    double rate = 0;          // target messages/s
    double send_seconds = 0;  // first send to last send
    double drain_seconds = 0;  // last send to the end of the drain
    std::uint64_t planned = 0, sent = 0, unsendable = 0;
    std::uint64_t acked = 0, ack_errors = 0, unacked = 0;
    std::uint64_t expected = 0, delivered = 0, duplicates = 0, stale = 0, lost = 0;
    std::uint64_t lost_acked = 0;   // deliveries missing for messages whose ack was ok
    std::uint64_t short_sockets = 0, worst_shortfall = 0;  // sockets that missed deliveries
    std::uint64_t sent_events = 0;  // message:sent events to the senders
    histogram latency;              // ns, send to message:received
    histogram ack_latency;          // ns, send to ack
    double sent_per_s = 0, delivered_per_s = 0;
    double sched_max_lag_ms = 0;
    std::uint64_t sched_late = 0;  // sends more than 10 ms behind their scheduled time
    std::optional<double> server_cpu_s, server_busy, server_cpu_per_100k;
    std::optional<std::uint64_t> server_peak_rss_kib, server_hwm_kib;
    double gen_cpu_s = 0, gen_busy_send = 0, gen_busy_total = 0;
    std::uint64_t gen_reads = 0, gen_frames_in = 0, gen_wakeups = 0, gen_queued_writes = 0;
    std::map<std::string, std::uint64_t, std::less<>> ack_error_codes;
    std::uint64_t closed = 0;  // sockets lost during the step
    bool generator_limited = false;
};

class fanout_runner : public base_events {
public:
    explicit fanout_runner(world& w);

    // One step: `rate` messages/s for `seconds`, then a drain of --drain seconds at most.
    task<step_figures> run_step(double rate, double seconds);
    // Waits until no message:received has arrived for `quiet` (at most `limit`): between ramp steps.
    task<> settle(std::chrono::milliseconds quiet, std::chrono::seconds limit);

    // The last step's messages, for verify: seq in [first_seq(), first_seq() + count()).
    std::uint64_t first_seq() const { return base_; }
    std::size_t count() const { return ack_.size(); }
    enum ack_state : std::uint8_t { not_sent, pending, ok, refused };
    ack_state ack_of(std::size_t i) const { return static_cast<ack_state>(ack_[i]); }
    std::uint32_t chat_of(std::size_t i) const { return chat_[i]; }
    // The messageId from the ack (empty when the ack had none or ids were not kept).
    std::string_view message_id_of(std::size_t i) const;

    void on_delivery(ws_conn&, std::int64_t sent_ns, std::uint64_t seq, std::int64_t now_ns) override;
    void on_ack(ws_conn&, std::uint64_t id, std::string_view args) override;
    void on_event(ws_conn&, std::string_view name, std::string_view packet) override;

private:
    void tick();
    void send_one(std::int64_t now);

    world& w_;
    net::steady_timer timer_;
    signal* sending_done_ = nullptr;
    std::string packet_;
    std::string pad_;
    bool keep_ids_;

    // The step in progress.
    double rate_ = 0;
    std::int64_t start_ns_ = 0, tick_ns_ = 0, last_send_ns_ = 0;
    std::uint64_t base_ = 1, next_seq_ = 1;
    std::uint64_t planned_ = 0, scheduled_ = 0;
    std::vector<std::int64_t> send_ns_;
    std::vector<std::uint16_t> deliveries_;
    std::vector<std::uint8_t> ack_;
    std::vector<std::uint32_t> chat_;
    std::vector<std::uint64_t> by_conn_, by_chat_;  // deliveries per socket, sends per chat
    std::vector<std::array<char, 24>> ids_;
    step_figures f_;
};

}  // namespace lg
