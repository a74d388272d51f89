#include "verify.hpp"

#include <unordered_set>

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include "proc.hpp"
#include "rest_client.hpp"

namespace lg {

namespace {

namespace http = boost::beast::http;

// The sequence number from a load-generator content "t=<ns>;s=<seq>;...".
bool seq_of(std::string_view content, std::uint64_t& seq) {
    const auto s = content.find(";s=");
    if (!content.starts_with("t=") || s == std::string_view::npos) return false;
    std::uint64_t v = 0;
    std::size_t i = s + 3;
    const auto start = i;
    while (i < content.size() && content[i] >= '0' && content[i] <= '9') v = v * 10 + (content[i++] - '0');
    seq = v;
    return i > start;
}

}  // namespace

task<verify_figures> verify_histories(world& w, const fanout_runner& run) {
    verify_figures f;
    const auto t0 = now_ns();
    const auto base = run.first_seq();
    const auto n = run.count();
    std::vector<std::uint16_t> stored(n, 0);
    std::vector<std::uint8_t> id_ok(n, 0);
    co_await for_each_bounded(
        w.io, w.chats.size(), static_cast<std::size_t>(w.opt.reg_concurrency),
        [&w](std::size_t) { return std::make_unique<rest_client>(w.io, w.server, w.host_header); },
        [&](std::size_t c, std::unique_ptr<rest_client>& rest) -> task<> {
            const auto& chat = w.chats[c];
            const auto& token = w.users[chat.users[0]].token;
            std::unordered_set<std::string> seen;
            std::string before;
            for (;;) {
                auto target = fmt::format("/api/chats/{}/messages?limit=100", chat.id);
                if (!before.empty()) target += "&before=" + before;
                const auto r = co_await rest->request(http::verb::get, target, {}, token);
                boost::system::error_code ec;
                const auto v = r.ok() ? boost::json::parse(r.body, ec) : boost::json::value{};
                const auto* page = v.is_object() ? v.as_object().if_contains("messages") : nullptr;
                if (!r.ok() || ec || !page || !page->is_array()) {
                    ++f.chats_failed;
                    if (f.first_error.empty())
                        f.first_error = fmt::format("GET {}: {} {}", target, r.status ? std::to_string(r.status) : r.error,
                                                    r.body.substr(0, 200));
                    co_return;
                }
                ++f.pages;
                const auto& messages = page->as_array();
                for (const auto& m : messages) {
                    const auto* o = m.if_object();
                    if (!o) continue;
                    const auto* id = o->if_contains("_id");
                    const auto* content = o->if_contains("content");
                    if (!id || !id->is_string()) continue;
                    const std::string id_text(id->as_string());
                    if (!seen.insert(id_text).second) ++f.repeated_ids;
                    std::uint64_t seq = 0;
                    if (!content || !content->is_string() || !seq_of(content->as_string(), seq)) continue;
                    if (seq < base || seq - base >= n) continue;  // an earlier step's message
                    const auto i = seq - base;
                    ++f.stored;
                    if (stored[i]++ > 0) ++f.duplicates;
                    if (run.chat_of(i) != c) ++f.wrong_chat;
                    if (run.message_id_of(i) == id_text) id_ok[i] = 1;
                }
                const auto* more = v.as_object().if_contains("hasMore");
                if (messages.empty() || !more || !more->is_bool() || !more->as_bool()) break;
                const auto* oldest = messages.front().is_object() ? messages.front().as_object().if_contains("_id") : nullptr;
                if (!oldest || !oldest->is_string()) break;
                before = oldest->as_string();
            }
            ++f.chats_read;
        });
    for (std::size_t i = 0; i < n; ++i) {
        const auto a = run.ack_of(i);
        if (a == fanout_runner::ok) {
            ++f.acked;
            if (stored[i] == 0) ++f.missing;
            else if (!run.message_id_of(i).empty() && !id_ok[i]) ++f.id_mismatch;
        } else if (stored[i] > 0) {
            ++f.stored_unacked;
        }
    }
    f.seconds = (now_ns() - t0) / 1e9;
    co_return f;
}

}  // namespace lg
