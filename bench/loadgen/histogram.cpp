#include "histogram.hpp"

#include <algorithm>
#include <cmath>

namespace lg {

void histogram::merge(const histogram& other) noexcept {
    for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
}

std::uint64_t histogram::midpoint(std::size_t i) noexcept {
    if (i < 2 * sub_count) return i;
    const auto k = i - 2 * sub_count;
    const auto shift = static_cast<int>(k / sub_count) + 1;
    const auto top = sub_count + k % sub_count;
    const auto low = top << shift;
    return low + ((std::uint64_t{1} << shift) >> 1);
}

std::uint64_t histogram::quantile(double q) const noexcept {
    if (total_ == 0) return 0;
    if (q >= 1.0) return max_;
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
    rank = std::clamp<std::uint64_t>(rank, 1, total_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        seen += counts_[i];
        if (seen >= rank) return std::min(midpoint(i), max_);
    }
    return max_;
}

}  // namespace lg
