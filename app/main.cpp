// confab: the chat server binary.
#include <cstdlib>
#include <iostream>
#include <memory>

#include <sys/resource.h>

#include <boost/asio/io_context.hpp>

#include "app/config/parse.hpp"
#include "app/http/serve.hpp"
#include "app/metrics/exposition.hpp"
#include "app/ops/backup.hpp"
#include "app/ops/version.hpp"
#include "app/rest/api.hpp"
#include "core/auth/secret.hpp"
#include "core/common/log.hpp"
#include "core/chat/service.hpp"
#include "core/engine/server.hpp"
#include "core/socketio/server.hpp"
#include "db/async_store.hpp"
#include "db/store.hpp"

namespace {

using namespace confab;

engine::config engine_config(const config::settings& s) {
    engine::config c;
    c.ping_interval = s.ping_interval;
    c.ping_timeout = s.ping_timeout;
    c.max_payload = s.max_payload;
    c.max_polling_sessions_per_address = s.max_polling_sessions_per_ip;
    c.exempt_loopback = s.loopback_limits == "exempt";
    return c;
}

std::shared_ptr<http::connection_limits> tcp_limits(const config::settings& s,
                                                    std::size_t max_connections) {
    return std::make_shared<http::connection_limits>(http::connection_limits::config{
        max_connections, s.max_connections_per_ip, s.loopback_limits == "exempt"});
}

// Every connection is a file descriptor, and the usual soft limit (1024) would turn clients
// away long before MAX_CONNECTIONS: take all the hard limit allows. When even that is short of
// MAX_CONNECTIONS plus what the store, the listener and refusals in flight need, the limit is
// lowered to fit: a client over it then gets a 503 instead of waiting unaccepted, and the
// store never runs out of descriptors. Returns the limit to use.
std::size_t fit_open_files(std::size_t max_connections) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return max_connections;
    if (limit.rlim_cur != limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    constexpr rlim_t reserve = 1024;
    if (limit.rlim_cur == RLIM_INFINITY ||
        (max_connections != 0 && limit.rlim_cur >= max_connections + reserve))
        return max_connections;
    const auto fitted = static_cast<std::size_t>(limit.rlim_cur > 2 * reserve
                                                     ? limit.rlim_cur - reserve
                                                     : limit.rlim_cur / 2);
    log::at(log::level::warn, "open_files",
            "the open-files limit is {} (hard {}): at most {} connections (MAX_CONNECTIONS {}); "
            "raise the hard limit (LimitNOFILE in the systemd unit) for more",
            limit.rlim_cur, limit.rlim_max, fitted, max_connections);
    return fitted;
}

db::options store_options(const config::settings& s) {
    db::options o;
    o.path = std::filesystem::path(s.data_dir) / "db";
    o.durability = *db::parse_durability(s.durability);
    o.log_error = [](std::string_view what) { log::write(log::level::error, "store", what); };
    return o;
}

// Nobody is connected yet: whoever the store shows online was left so by a run that ended
// without seeing them go (killed, or the machine lost power).
void reset_presence(db::store& store) {
    const auto reset = store.mark_everyone_offline();
    if (!reset) {
        log::at(log::level::error, "presence_reset", "failed: {}", reset.error().message());
    } else if (*reset > 0) {
        log::at(log::level::info, "presence_reset", "users={} left online by the last run", *reset);
    }
}

log::level log_level(std::string_view name) {
    if (name == "debug") return log::level::debug;
    if (name == "warn") return log::level::warn;
    if (name == "error") return log::level::error;
    return log::level::info;
}

int run(const config::settings& settings) {
    log::configure(log_level(settings.log_level),
                   settings.log_format == "json" ? log::format::json : log::format::plain);
    log::at(log::level::info, "start", "confab {} data={} durability={}", ops::version(),
            settings.data_dir, settings.durability);
    const std::size_t max_connections = fit_open_files(settings.max_connections);
    const auto secret = settings.jwt_secret.empty()
                            ? auth::load_or_create_secret(settings.data_dir)
                            : settings.jwt_secret;
    net::io_context ioc(1);
    db::store store(store_options(settings));
    reset_presence(store);
    db::async_store pool(store);
    engine::server engine(ioc.get_executor(), engine_config(settings));
    socketio::server sio(engine, socketio::config{});
    metrics::registry counters;
    chat::service chat(ioc.get_executor(), sio, pool,
                       {secret, settings.rate_limit_per_sec, settings.rate_limit_burst}, counters);
    http::cors_policy cors(settings.cors_origin);
    rest::api api(pool, {secret, settings.jwt_expires_in.count()}, cors,
                  [&](const std::vector<chat::rest::participant_removal>& removed) {
                      for (const auto& r : removed) chat.remove_from_chat(r.chat_id, r.user_id);
                  });

    http::router routes;
    routes.engines = {{"/socket.io/", &engine}};
    routes.connections = tcp_limits(settings, max_connections);
    const app::metrics_sources sources{engine, sio.of("/"), counters, store, *routes.connections};
    routes.rest = [&api, &sources](http::request& req) -> net::awaitable<http::response> {
        if (req.method() == http::bhttp::verb::get && req.target() == "/metrics")
            co_return http::make_response(req, http::bhttp::status::ok,
                                          app::render_metrics(sources),
                                          "text/plain; version=0.0.4; charset=utf-8");
        co_return co_await api.handle(req);
    };
    routes.cors = cors;
    routes.body_limit = settings.max_payload;
    routes.header_timeout = settings.header_timeout;
    http::serve(ioc, settings.host, settings.port, routes,
                {.close_sessions = [&] { engine.close_all(engine::close_reason::server_shutdown); },
                 .open_sessions = [&] { return engine.size(); }});
    return store.close() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    const auto parsed = config::parse(argc, argv, [](const std::string& name) {
        const char* v = std::getenv(name.c_str());
        return v ? std::optional<std::string>(v) : std::nullopt;
    });
    if (!parsed.error.empty()) {
        std::cerr << "confab: " << parsed.error << "\n";
        return 2;
    }
    try {
        switch (parsed.command) {
            case config::command::help:
                std::cout << config::usage();
                return 0;
            case config::command::version:
                std::cout << ops::version_text();
                return 0;
            case config::command::backup:
                return ops::backup(parsed.values, parsed.directory, std::cout, std::cerr);
            case config::command::restore:
                return ops::restore(parsed.values, parsed.directory, std::cout, std::cerr);
            case config::command::serve:
                break;
        }
        return run(parsed.values);
    } catch (const std::exception& e) {
        std::cerr << "confab: " << e.what() << "\n";
        return 1;
    }
}
