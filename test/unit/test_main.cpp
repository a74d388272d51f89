#define BOOST_TEST_MODULE confab
#include <boost/test/unit_test.hpp>
