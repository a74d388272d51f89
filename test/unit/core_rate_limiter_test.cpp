// The per-socket event token bucket, on a fake clock.
#include <stdexcept>

#include <boost/test/unit_test.hpp>

#include "core/chat/rate_limiter.hpp"

using confab::chat::rate_limiter;
using namespace std::chrono_literals;

namespace {

const rate_limiter::clock::time_point start = rate_limiter::clock::time_point() + 1h;

// How many tokens can be taken at `now` in a row.
int drain(rate_limiter& limiter, rate_limiter::clock::time_point now) {
    int taken = 0;
    while (limiter.try_take(now)) ++taken;
    return taken;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(chat_rate_limiter)

BOOST_AUTO_TEST_CASE(starts_full_then_refills_at_the_rate) {
    rate_limiter limiter(20, 40);  // one token per 50 ms
    BOOST_TEST(drain(limiter, start) == 40);
    BOOST_TEST(!limiter.try_take(start + 49ms));
    BOOST_TEST(limiter.try_take(start + 50ms));
    BOOST_TEST(!limiter.try_take(start + 50ms));
    BOOST_TEST(drain(limiter, start + 1s) == 19);
}

BOOST_AUTO_TEST_CASE(is_full_again_once_every_token_is_earned_back) {
    rate_limiter limiter(20, 40);
    BOOST_TEST(limiter.full(start));
    BOOST_TEST(limiter.try_take(start));
    BOOST_TEST(!limiter.full(start + 49ms));
    BOOST_TEST(limiter.full(start + 50ms));
    BOOST_TEST(drain(limiter, start + 50ms) == 40);
    BOOST_TEST(!limiter.full(start + 50ms + 1999ms));
    BOOST_TEST(limiter.full(start + 50ms + 2s));
}

BOOST_AUTO_TEST_CASE(an_idle_bucket_holds_no_more_than_the_burst) {
    rate_limiter limiter(20, 40);
    BOOST_TEST(drain(limiter, start) == 40);
    BOOST_TEST(drain(limiter, start + 1h) == 40);
}

BOOST_AUTO_TEST_CASE(keeping_to_the_rate_is_never_refused) {
    rate_limiter limiter(20, 40);
    BOOST_TEST(drain(limiter, start) == 40);
    for (int i = 1; i <= 1000; ++i) BOOST_TEST_REQUIRE(limiter.try_take(start + i * 50ms));
    BOOST_TEST(!limiter.try_take(start + 1000 * 50ms));
}

BOOST_AUTO_TEST_CASE(a_burst_of_one_allows_no_burst) {
    rate_limiter limiter(2, 1);
    BOOST_TEST(limiter.try_take(start));
    BOOST_TEST(!limiter.try_take(start + 499ms));
    BOOST_TEST(limiter.try_take(start + 500ms));
}

BOOST_AUTO_TEST_CASE(takes_many_tokens_at_once_or_none) {
    rate_limiter limiter(10, 100);  // one token per 100 ms
    BOOST_TEST(limiter.try_take(start, 60));
    BOOST_TEST(!limiter.try_take(start, 41));  // 40 left: all or nothing
    BOOST_TEST(limiter.try_take(start, 40));
    BOOST_TEST(!limiter.try_take(start + 999ms, 10));
    BOOST_TEST(limiter.try_take(start + 1s, 10));
    BOOST_TEST(limiter.try_take(start + 1s, 0));
    // More than the burst takes a full bucket, no more.
    BOOST_TEST(limiter.try_take(start + 1h, 1000));
    BOOST_TEST(!limiter.try_take(start + 1h, 1));
    BOOST_TEST(limiter.full(start + 1h + 10s));
}

BOOST_AUTO_TEST_CASE(works_from_the_clock_epoch) {
    rate_limiter limiter(1, 3);
    BOOST_TEST(drain(limiter, rate_limiter::clock::time_point()) == 3);
}

BOOST_AUTO_TEST_CASE(refuses_zero_rate_or_burst) {
    BOOST_CHECK_THROW(rate_limiter(0, 10), std::invalid_argument);
    BOOST_CHECK_THROW(rate_limiter(10, 0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(is_small) {
    BOOST_TEST(sizeof(rate_limiter) <= 24u);
}

BOOST_AUTO_TEST_SUITE_END()
