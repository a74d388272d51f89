#include <string>

#include <boost/test/unit_test.hpp>

#include "db/detail/keys.hpp"
#include "db_fixture.hpp"

using namespace confab::db;
using namespace confab::db::detail;

BOOST_AUTO_TEST_SUITE(db_keys)

BOOST_AUTO_TEST_CASE(prefix_end_bounds_every_key_with_the_prefix) {
    BOOST_TEST(prefix_end("ab") == "ac");
    BOOST_TEST(prefix_end(std::string("a\xff\xff", 3)) == "b");
    BOOST_TEST(prefix_end(std::string("\xff\xff", 2)).empty());
    const std::string prefix("k\x7f", 2);
    // Binary keys compare as std::string does (unsigned bytes), like RocksDB's comparator;
    // the extra parentheses keep Boost.Test from comparing them as signed C strings.
    BOOST_TEST(((prefix + std::string(8, '\xff')) < prefix_end(prefix)));
}

BOOST_AUTO_TEST_CASE(fold_case_lowers_ascii_only) {
    BOOST_TEST(fold_case("Ann.Lee@Example.COM") == "ann.lee@example.com");
    BOOST_TEST(fold_case("ÄBC") == "Äbc");  // non-ASCII bytes are left alone
}

BOOST_AUTO_TEST_CASE(direct_chat_key_ignores_order) {
    const object_id a = object_id::generate();
    const object_id b = object_id::generate();
    BOOST_TEST(direct_chat_key(a, b) == direct_chat_key(b, a));
}

BOOST_AUTO_TEST_CASE(big_endian_numbers_round_trip_and_sort) {
    BOOST_TEST(decode_be64(encode_be64(0x0102030405060708ULL)).value() == 0x0102030405060708ULL);
    BOOST_TEST((encode_be64(255) < encode_be64(256)));
    BOOST_TEST(!decode_be64("short").has_value());
    BOOST_TEST(!id_at("short", 0).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
