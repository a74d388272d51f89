#include "app/http/serve.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "app/http/listener.hpp"

namespace confab::http {

void serve(net::io_context& ioc, const std::string& host, unsigned short port,
           const router& routes, std::function<void()> on_stop) {
    const net::ip::tcp::endpoint endpoint(net::ip::make_address(host), port);
    net::ip::tcp::acceptor acceptor(ioc);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(net::socket_base::max_listen_connections);
    fmt::print("listening on {}:{}\n", host, acceptor.local_endpoint().port());
    std::fflush(stdout);

    net::co_spawn(ioc, accept_loop(acceptor, routes), net::detached);

    net::signal_set signals(ioc, SIGINT, SIGTERM);
    net::steady_timer grace(ioc);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (ec) return;
        boost::system::error_code ignored;
        acceptor.close(ignored);
        if (on_stop) on_stop();
        // Let close frames and final responses go out, then stop whatever is left.
        grace.expires_after(std::chrono::seconds(2));
        grace.async_wait([&](boost::system::error_code) { ioc.stop(); });
    });
    ioc.run();
}

}  // namespace confab::http
