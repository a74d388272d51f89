// Request targets: the path and the decoded query parameters, of which a request keeps only
// the first max_query_parameters.
#include <string>

#include <boost/test/unit_test.hpp>

#include "app/http/query.hpp"

using namespace confab::http;

BOOST_AUTO_TEST_SUITE(http_query)

BOOST_AUTO_TEST_CASE(path_and_decoded_parameters_the_first_value_wins) {
    const auto t = parse_target("/api/users%2Fx?search=a+b%21&limit=5&limit=6&=empty&flag");
    BOOST_TEST(t.path == "/api/users/x");
    BOOST_TEST(t.query.size() == 3u);
    BOOST_TEST(t.query.at("search") == "a b!");
    BOOST_TEST(t.query.at("limit") == "5");
    BOOST_TEST(t.query.at("flag") == "");
}

// A URL can hold thousands of short keys, each a map node of many times its bytes.
BOOST_AUTO_TEST_CASE(only_the_first_parameters_are_kept) {
    std::string raw = "/socket.io/?EIO=4";
    for (std::size_t i = 0; i < 5000; ++i) raw += "&k" + std::to_string(i);
    raw += "&token=late";
    const auto t = parse_target(raw);
    BOOST_TEST(t.query.size() == max_query_parameters);
    BOOST_TEST(t.query.at("EIO") == "4");
    BOOST_TEST(t.query.contains("k" + std::to_string(max_query_parameters - 2)));
    BOOST_TEST(!t.query.contains("k" + std::to_string(max_query_parameters - 1)));
    BOOST_TEST(!t.query.contains("token"));
}

BOOST_AUTO_TEST_SUITE_END()
