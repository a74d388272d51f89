#include <string>
#include <string_view>

#include <boost/test/unit_test.hpp>

#include "proto/text/utf8.hpp"

namespace utf8 = confab::utf8;
using namespace std::string_view_literals;

BOOST_AUTO_TEST_SUITE(utf8_text)

BOOST_AUTO_TEST_CASE(accepts_well_formed_utf8) {
    for (const std::string_view s :
         {""sv, "plain ascii, long enough for the eight-byte path"sv, "caf\xc3\xa9"sv,
          "\xe2\x82\xac euro"sv, "\xf0\x9f\x98\x80 emoji"sv, "\xef\xbb\xbf"sv,
          "\xed\x9f\xbf"sv /* U+D7FF */, "\xee\x80\x80"sv /* U+E000 */,
          "\xf4\x8f\xbf\xbf"sv /* U+10FFFF */, "\x00"sv, "12345678\xc3\xa9"sv})
        BOOST_TEST(utf8::is_valid(s));
}

BOOST_AUTO_TEST_CASE(rejects_malformed_utf8) {
    for (const std::string_view s : {"\x80"sv,
                                     "\xbf"sv,
                                     "\xc0\x80"sv /* overlong NUL */,
                                     "\xc1\xbf"sv,
                                     "\xc3"sv,
                                     "\xc3\x28"sv,
                                     "\xe0\x80\x80"sv /* overlong */,
                                     "\xe0\x9f\xbf"sv,
                                     "\xed\xa0\x80"sv /* surrogate */,
                                     "\xed\xbf\xbf"sv,
                                     "\xe2\x82"sv,
                                     "\xf0\x80\x80\x80"sv /* overlong */,
                                     "\xf0\x8f\xbf\xbf"sv,
                                     "\xf4\x90\x80\x80"sv /* above U+10FFFF */,
                                     "\xf5\x80\x80\x80"sv,
                                     "\xff"sv,
                                     "\xfe"sv,
                                     "\xf0\x9f\x98"sv,
                                     "abcdefgh\xe2\x82"sv,
                                     "abcdefghij\x80klmnopqr"sv})
        BOOST_TEST(!utf8::is_valid(s));
}

BOOST_AUTO_TEST_CASE(repair_keeps_well_formed_text) {
    for (const std::string_view s : {""sv, "caf\xc3\xa9"sv, "\xf0\x9f\x98\x80 emoji"sv, "\x00"sv})
        BOOST_TEST(utf8::repaired(s) == s);
}

// One U+FFFD per maximal subpart, as Buffer.toString() and TextDecoder give (WHATWG).
BOOST_AUTO_TEST_CASE(repair_replaces_each_maximal_ill_formed_subpart) {
    constexpr std::string_view r = "\xef\xbf\xbd";
    const std::string R(r);
    BOOST_TEST(utf8::repaired("\xff") == R);
    BOOST_TEST(utf8::repaired("/\xffnsp") == "/" + R + "nsp");
    BOOST_TEST(utf8::repaired("\xc3\x28") == R + "(");
    BOOST_TEST(utf8::repaired("\xe2\x82") == R);              // truncated: one
    BOOST_TEST(utf8::repaired("\xf0\x9f\x98x") == R + "x");   // truncated: one
    BOOST_TEST(utf8::repaired("\xed\xa0\x80") == R + R + R);  // surrogate: each byte
    BOOST_TEST(utf8::repaired("\xe0\x80\x80") == R + R + R);  // overlong: each byte
    BOOST_TEST(utf8::repaired("\xf4\x90\x80\x80") == R + R + R + R);
    BOOST_TEST(utf8::repaired("\x80\xc3\xa9\x80") == R + "\xc3\xa9" + R);
    BOOST_TEST(utf8::is_valid(utf8::repaired("abcdefgh\xe2\x82\xffxyz\xf0")));
}

BOOST_AUTO_TEST_SUITE_END()
