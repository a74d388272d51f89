#pragma once
// A log-bucket latency histogram in the manner of HdrHistogram: 64 linear sub-buckets per
// power of two (relative error under 1.6 %), fixed storage, no allocation per sample.
#include <array>
#include <bit>
#include <cstdint>

namespace lg {

class histogram {
public:
    static constexpr int sub_bits = 6;
    static constexpr std::uint64_t sub_count = 1u << sub_bits;  // 64
    static constexpr std::size_t bucket_count = 2 * sub_count + (63 - sub_bits) * sub_count;

    void record(std::int64_t value) noexcept {
        const auto v = value < 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(value);
        ++counts_[index(v)];
        ++total_;
        if (v > max_) max_ = v;
        sum_ += v;
    }

    void merge(const histogram& other) noexcept;
    void reset() noexcept { *this = histogram{}; }

    std::uint64_t count() const noexcept { return total_; }
    std::uint64_t max() const noexcept { return max_; }
    double mean() const noexcept { return total_ ? static_cast<double>(sum_) / total_ : 0.0; }
    // The value at quantile q in [0, 1] (a bucket's midpoint; the exact max at q = 1).
    std::uint64_t quantile(double q) const noexcept;

private:
    static std::size_t index(std::uint64_t v) noexcept {
        if (v < 2 * sub_count) return static_cast<std::size_t>(v);
        const int msb = 63 - std::countl_zero(v);  // >= sub_bits + 1
        const int shift = msb - sub_bits;
        const auto top = v >> shift;  // in [sub_count, 2 * sub_count)
        return static_cast<std::size_t>(2 * sub_count + (shift - 1) * sub_count + (top - sub_count));
    }
    static std::uint64_t midpoint(std::size_t i) noexcept;

    std::array<std::uint64_t, bucket_count> counts_{};
    std::uint64_t total_ = 0;
    std::uint64_t max_ = 0;
    std::uint64_t sum_ = 0;
};

}  // namespace lg
