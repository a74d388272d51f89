#include "core/common/loopback.hpp"

#include <string>

namespace confab {

bool is_loopback(const boost::asio::ip::address& address) noexcept {
    namespace ip = boost::asio::ip;
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return ip::make_address_v4(ip::v4_mapped, address.to_v6()).is_loopback();
    return address.is_loopback();
}

bool is_loopback(std::string_view address) noexcept {
    boost::system::error_code ec;
    const auto parsed = boost::asio::ip::make_address(std::string(address), ec);
    return !ec && is_loopback(parsed);
}

}  // namespace confab
