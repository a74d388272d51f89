#include "db/object_id.hpp"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <random>

namespace confab::db {

namespace {

// The per-process part of ids. A forked child must not continue its parent's sequence:
// both would hand out the same ids, so the child draws new random bytes and counter.
class id_source {
  public:
    static id_source& instance() {
        static id_source source;
        return source;
    }

    std::uint64_t random() const noexcept { return random_.load(std::memory_order_relaxed); }
    std::uint32_t next_count() noexcept { return counter_.fetch_add(1, std::memory_order_relaxed); }

  private:
    id_source() {
        reseed();
        // The child runs this while it is single-threaded, so the stores cannot race.
        pthread_atfork(nullptr, nullptr, [] { instance().reseed(); });
    }

    void reseed() {
        std::random_device device;
        const std::uint64_t high = device();
        random_.store((high << 32 | device()) & 0xff'ffff'ffffULL, std::memory_order_relaxed);
        counter_.store(device(), std::memory_order_relaxed);
    }

    std::atomic<std::uint64_t> random_{0};   // the low 40 bits are used
    std::atomic<std::uint32_t> counter_{0};  // the low 24 bits are used
};

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // ids are written in lowercase only: one id, one spelling
}

}  // namespace

object_id object_id::generate() noexcept {
    auto& source = id_source::instance();
    const auto seconds =
        static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
    const std::uint64_t random = source.random();
    const std::uint32_t count = source.next_count();

    object_id id;
    auto& b = id.bytes_;
    for (int i = 0; i < 4; ++i) b[i] = static_cast<unsigned char>(seconds >> (24 - 8 * i));
    for (int i = 0; i < 5; ++i) b[4 + i] = static_cast<unsigned char>(random >> (32 - 8 * i));
    for (int i = 0; i < 3; ++i) b[9 + i] = static_cast<unsigned char>(count >> (16 - 8 * i));
    return id;
}

std::optional<object_id> object_id::parse(std::string_view hex) noexcept {
    if (hex.size() != 2 * size) return std::nullopt;
    object_id id;
    for (std::size_t i = 0; i < size; ++i) {
        const int high = hex_value(hex[2 * i]);
        const int low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        id.bytes_[i] = static_cast<unsigned char>(high << 4 | low);
    }
    return id;
}

std::optional<object_id> object_id::from_bytes(std::string_view bytes) noexcept {
    if (bytes.size() != size) return std::nullopt;
    object_id id;
    for (std::size_t i = 0; i < size; ++i) id.bytes_[i] = static_cast<unsigned char>(bytes[i]);
    return id;
}

std::string object_id::to_hex() const {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex(2 * size, '0');
    for (std::size_t i = 0; i < size; ++i) {
        hex[2 * i] = digits[bytes_[i] >> 4];
        hex[2 * i + 1] = digits[bytes_[i] & 0xf];
    }
    return hex;
}

std::uint32_t object_id::seconds() const noexcept {
    return std::uint32_t{bytes_[0]} << 24 | std::uint32_t{bytes_[1]} << 16 |
           std::uint32_t{bytes_[2]} << 8 | std::uint32_t{bytes_[3]};
}

}  // namespace confab::db
