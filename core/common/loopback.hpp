#pragma once
// Whether a client connects from this machine: the per-IP limits exempt such clients by default,
// as a reverse proxy on the same machine gives every client its address.
#include <string_view>

#include <boost/asio/ip/address.hpp>

namespace confab {

bool is_loopback(const boost::asio::ip::address& address) noexcept;  // IPv4-mapped too
bool is_loopback(std::string_view address) noexcept;  // text form; false when unparsable

}  // namespace confab
