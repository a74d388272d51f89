#pragma once
// The one place that names the Asio aliases the rest of the code uses.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace confab {
namespace net = boost::asio;
// Completion token for awaited I/O: errors come back as values, never as exceptions.
inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
}  // namespace confab
