// What a plain log line shows of a message that may quote a client.
#include <string>

#include <boost/test/unit_test.hpp>

#include "core/common/log.hpp"

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

BOOST_AUTO_TEST_SUITE_END()
