// loadgen: the benchmark's load generator. Speaks Engine.IO v4 / Socket.IO v5 over
// WebSocket and the REST API of ../shared/API.md to any server at --host/--port.
#include <csignal>
#include <cstdio>
#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fmt/format.h>

#include "options.hpp"
#include "proc.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "world.hpp"

int main(int argc, char** argv) {
    auto parsed = lg::parse_options(argc, argv);
    if (!parsed) return 64;
    const auto& o = *parsed;
    std::signal(SIGPIPE, SIG_IGN);
    const auto open_files = lg::raise_open_files_limit();

    // One thread: no locking in the io_context.
    boost::asio::io_context io(1);
    boost::asio::ip::tcp::endpoint server;
    try {
        boost::asio::ip::tcp::resolver resolver(io);
        const auto found = resolver.resolve(o.host, std::to_string(o.port));
        server = found.begin()->endpoint();
    } catch (const std::exception& e) {
        fmt::print(stderr, "loadgen: cannot resolve {}: {}\n", o.host, e.what());
        return 1;
    }

    lg::world w(io, o, server);
    const std::size_t sockets = o.what == lg::scenario::connect
                                    ? static_cast<std::size_t>(o.sockets)
                                    : static_cast<std::size_t>(o.chats) * static_cast<std::size_t>(o.members);
    int sources = o.source_ips;
    const bool loopback = server.address().is_v4() && server.address().is_loopback();
    if (sources < 0) sources = loopback && sockets > 25000 ? static_cast<int>((sockets + 24999) / 25000) : 0;
    if (sources > 0 && !loopback) {
        fmt::print(stderr, "loadgen: --source-ips needs a loopback server address\n");
        return 64;
    }
    w.shared.sources = lg::loopback_sources(sources);
    if (sockets + 64 > open_files)
        w.log(fmt::format("WARNING: {} sockets but the open-files limit is {} (hard limit): expect failures",
                          sockets, open_files));
    w.log(fmt::format("server {}:{}{}, prefix {}, run {}, open-files limit {}, {} source addresses", o.host, o.port,
                      o.server_pid ? fmt::format(" (pid {})", o.server_pid) : "", o.prefix, o.run_id, open_files,
                      sources));

    lg::reporter out(o);
    int status = 1;
    boost::asio::co_spawn(
        io,
        [&]() -> lg::task<> {
            switch (o.what) {
                case lg::scenario::connect: status = co_await lg::run_connect(w, out); break;
                case lg::scenario::fanout:
                case lg::scenario::verify: status = co_await lg::run_fanout(w, out); break;
                case lg::scenario::ramp: status = co_await lg::run_ramp(w, out); break;
            }
            io.stop();
        },
        [&](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                fmt::print(stderr, "loadgen: {}\n", ex.what());
            }
            status = 1;
            io.stop();
        });
    io.run();
    std::fflush(stdout);
    // Thousands of sockets: let the kernel close them rather than unwinding every object.
    std::_Exit(status);
}
