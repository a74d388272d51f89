#include "app/http/serve.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/http/listener.hpp"
#include "core/common/log.hpp"
#include "core/common/log_thrown.hpp"

namespace confab::http {

namespace {

// Idle keep-alive connections would hold the context forever: stop it once the sessions
// have said goodbye, or when the grace period is over.
net::awaitable<void> drain(net::io_context& ioc, const shutdown_hooks& hooks) {
    const auto deadline = std::chrono::steady_clock::now() + hooks.grace;
    net::steady_timer tick(ioc);
    while (hooks.open_sessions && hooks.open_sessions() > 0 &&
           std::chrono::steady_clock::now() < deadline) {
        tick.expires_after(std::chrono::milliseconds(20));
        co_await tick.async_wait(use_tuple);
    }
    // A last moment for the close frames just queued to reach their sockets.
    tick.expires_after(std::chrono::milliseconds(50));
    co_await tick.async_wait(use_tuple);
    ioc.stop();
}

}  // namespace

void serve(net::io_context& ioc, const std::string& host, unsigned short port,
           const router& routes, shutdown_hooks hooks) {
    const net::ip::tcp::endpoint endpoint(net::ip::make_address(host), port);
    net::ip::tcp::acceptor acceptor(ioc);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(net::socket_base::max_listen_connections);
    // Tests and scripts wait for this line on stdout.
    fmt::print("listening on {}:{}\n", host, acceptor.local_endpoint().port());
    std::fflush(stdout);
    log::at(log::level::info, "listen", "address={}:{}", host, acceptor.local_endpoint().port());

    net::co_spawn(ioc, accept_loop(acceptor, routes), log_thrown{"accept loop"});

    net::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (ec) return;
        log::at(log::level::info, "shutdown", "closing sessions, grace {} ms", hooks.grace.count());
        boost::system::error_code ignored;
        acceptor.close(ignored);
        if (hooks.close_sessions) hooks.close_sessions();
        net::co_spawn(ioc, drain(ioc, hooks), log_thrown{"shutdown"});
    });
    ioc.run();
}

}  // namespace confab::http
