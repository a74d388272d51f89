#include "app/http/connection_limits.hpp"

#include <utility>

#include "core/common/loopback.hpp"

namespace confab::http {

connection_slot::connection_slot(std::shared_ptr<connection_limits> owner,
                                 const net::ip::address& address)
    : owner_(std::move(owner)), address_(address) {}

connection_slot::connection_slot(connection_slot&& other) noexcept
    : owner_(std::move(other.owner_)), address_(other.address_) {}

connection_slot& connection_slot::operator=(connection_slot&& other) noexcept {
    if (this != &other) {
        if (owner_) owner_->release(address_);
        owner_ = std::move(other.owner_);
        address_ = other.address_;
    }
    return *this;
}

connection_slot::~connection_slot() {
    if (owner_) owner_->release(address_);
}

std::variant<connection_slot, refusal> connection_limits::admit(const net::ip::address& address) {
    const auto full = [](std::size_t count, std::size_t max) { return max != 0 && count >= max; };
    if (full(open_, config_.max_connections)) {
        ++refused_[static_cast<std::size_t>(refusal::max_connections)];
        return refusal::max_connections;
    }
    if (counted_per_address(address)) {
        auto& from_address = per_address_[address];
        if (full(from_address, config_.max_per_address)) {
            ++refused_[static_cast<std::size_t>(refusal::per_address)];
            return refusal::per_address;
        }
        ++from_address;
    }
    ++open_;
    return connection_slot(shared_from_this(), address);
}

std::size_t connection_limits::open_from(const net::ip::address& address) const {
    const auto it = per_address_.find(address);
    return it == per_address_.end() ? 0 : it->second;
}

bool connection_limits::counted_per_address(const net::ip::address& address) const noexcept {
    return !config_.exempt_loopback || !is_loopback(address);
}

void connection_limits::release(const net::ip::address& address) noexcept {
    --open_;
    if (!counted_per_address(address)) return;
    const auto it = per_address_.find(address);
    if (--it->second == 0) per_address_.erase(it);
}

std::string_view refusal_response(refusal r) noexcept {
    // Written out whole so that refusing costs no allocation and no formatting in a flood.
    static constexpr std::string_view busy =
        "HTTP/1.1 503 Service Unavailable\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 80\r\n"
        "Connection: close\r\n"
        "\r\n"
        R"({"error":{"code":"SERVER_BUSY","message":"The server has too many connections"}})";
    static constexpr std::string_view too_many =
        "HTTP/1.1 429 Too Many Requests\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 92\r\n"
        "Connection: close\r\n"
        "\r\n"
        R"({"error":{"code":"TOO_MANY_CONNECTIONS",)"
        R"("message":"Too many connections from your address"}})";
    return r == refusal::max_connections ? busy : too_many;
}

}  // namespace confab::http
