// What a plain log line shows of a message that may quote a client, and that a spawned
// coroutine's throw reaches the log.
#include <cstdio>
#include <stdexcept>
#include <string>

#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include "core/common/log.hpp"
#include "core/common/log_thrown.hpp"
#include "core/common/net.hpp"

using confab::log::max_message_bytes;
using confab::log::printable;

BOOST_AUTO_TEST_SUITE(core_log)

BOOST_AUTO_TEST_CASE(control_characters_are_escaped_so_no_line_is_forged) {
    BOOST_TEST(printable("event=x\n2026-11-24T00:00:00.000Z error forged") ==
               "event=x\\x0a2026-11-24T00:00:00.000Z error forged");
    BOOST_TEST(printable("\x1b[31mred\r\t\x7f") == "\\x1b[31mred\\x0d\\x09\\x7f");
    BOOST_TEST(printable("plain ü 😀 \"quoted\"") == "plain ü 😀 \"quoted\"");
    BOOST_TEST(printable("").empty());
}

BOOST_AUTO_TEST_CASE(long_messages_are_cut_with_their_size) {
    const std::string exact(max_message_bytes, 'a');
    BOOST_TEST(printable(exact) == exact);
    const std::string longer(max_message_bytes + 900, 'b');
    BOOST_TEST(printable(longer) == std::string(max_message_bytes, 'b') + "... (1924 bytes)");
}

namespace {

// Runs f with stderr sent to a temporary file, and returns what was written there.
template <class F>
std::string stderr_of(F f) {
    std::FILE* capture = std::tmpfile();
    std::fflush(stderr);
    const int saved = ::dup(STDERR_FILENO);
    ::dup2(::fileno(capture), STDERR_FILENO);
    f();
    std::fflush(stderr);
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    std::string text(4096, '\0');
    std::rewind(capture);
    text.resize(std::fread(text.data(), 1, text.size(), capture));
    std::fclose(capture);
    return text;
}

confab::net::awaitable<void> fails() {
    throw std::runtime_error("presence table out of step");
    co_return;
}

confab::net::awaitable<void> succeeds() {
    co_return;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_spawned_coroutines_throw_is_logged_as_an_error) {
    confab::log::configure(confab::log::level::info, confab::log::format::plain);
    const std::string text = stderr_of([] {
        boost::asio::io_context ioc;
        boost::asio::co_spawn(ioc, fails(), confab::log_thrown{"presence"});
        boost::asio::co_spawn(ioc, succeeds(), confab::log_thrown{"writer"});
        ioc.run();
    });
    BOOST_TEST(text.find("coroutine_failed") != std::string::npos);
    BOOST_TEST(text.find("presence: presence table out of step") != std::string::npos);
    BOOST_TEST(text.find("writer") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
