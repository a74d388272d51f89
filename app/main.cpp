// confab: the chat server binary.
#include <cstdlib>
#include <iostream>

#include <boost/asio/io_context.hpp>

#include "app/config/parse.hpp"
#include "app/http/serve.hpp"
#include "core/engine/server.hpp"
#include "core/socketio/server.hpp"

namespace {

using namespace confab;

engine::config engine_config(const config::settings& s) {
    engine::config c;
    c.ping_interval = s.ping_interval;
    c.ping_timeout = s.ping_timeout;
    c.max_payload = s.max_payload;
    return c;
}

net::awaitable<http::response> rest(http::request& req) {
    if (req.target() == "/healthz")
        co_return http::make_response(req, http::bhttp::status::ok, R"({"status":"ok"})",
                                      "application/json");
    co_return http::make_response(req, http::bhttp::status::not_found,
                                  R"({"error":{"code":"NOT_FOUND","message":"Not found"}})",
                                  "application/json");
}

}  // namespace

int main(int argc, char** argv) {
    const auto parsed = config::parse(argc, argv, [](const std::string& name) {
        const char* v = std::getenv(name.c_str());
        return v ? std::optional<std::string>(v) : std::nullopt;
    });
    if (parsed.help) {
        std::cout << config::usage();
        return 0;
    }
    if (!parsed.error.empty()) {
        std::cerr << "confab: " << parsed.error << "\n";
        return 2;
    }
    const auto& settings = parsed.values;

    net::io_context ioc(1);
    engine::server engine(ioc.get_executor(), engine_config(settings));
    socketio::server sio(engine, socketio::config{});
    sio.of("/");

    http::router routes;
    routes.engines = {{"/socket.io/", &engine}};
    routes.rest = rest;
    routes.cors = http::cors_policy(settings.cors_origin);
    routes.body_limit = settings.max_payload;
    try {
        http::serve(ioc, settings.host, settings.port, routes,
                    [&] { engine.close_all(engine::close_reason::server_shutdown); });
    } catch (const std::exception& e) {
        std::cerr << "confab: " << e.what() << "\n";
        return 1;
    }
}
