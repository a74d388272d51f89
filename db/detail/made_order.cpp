#include "db/detail/made_order.hpp"

#include <algorithm>

#include "db/detail/keys.hpp"

namespace confab::db::detail {

namespace {
constexpr std::uint64_t micros_per_milli = 1000;
}

std::uint64_t made_order::next(millis now) {
    const auto at = static_cast<std::uint64_t>(std::max<millis>(now, 0)) * micros_per_milli;
    auto last = last_.load(std::memory_order_relaxed);
    std::uint64_t stamp = 0;
    do {
        stamp = std::max(at, last + 1);
    } while (!last_.compare_exchange_weak(last, stamp, std::memory_order_relaxed));
    return stamp;
}

std::string encode_reaction(std::uint64_t stamp) {
    return encode_be64(stamp);
}

std::optional<std::uint64_t> decode_reaction(std::string_view value) {
    if (value.empty()) return 0;
    return decode_be64(value);
}

std::string encode_receipt(const receipt_value& r) {
    return encode_be64(static_cast<std::uint64_t>(r.read_at)) + encode_be64(r.stamp);
}

std::optional<receipt_value> decode_receipt(std::string_view value) {
    constexpr std::size_t field = 8;
    const auto read_at = decode_be64(value.substr(0, field));
    if (!read_at) return std::nullopt;
    receipt_value r{.read_at = static_cast<millis>(*read_at), .stamp = *read_at * micros_per_milli};
    if (value.size() == field) return r;
    const auto stamp = decode_be64(value.substr(field));
    if (!stamp) return std::nullopt;
    r.stamp = *stamp;
    return r;
}

}  // namespace confab::db::detail
