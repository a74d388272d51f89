#pragma once
// Ids of users, chats and messages: 12 bytes, shown as 24 lowercase hex characters.
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace confab::db {

// Laid out like MongoDB's ObjectId: 4 bytes of big-endian seconds since the epoch, 5 random
// bytes drawn once per process (again in a forked child), and a 3-byte big-endian counter
// that starts at a random value. Byte order is therefore creation order to the second, and
// within a second the counter's order (it wraps once every 16M ids). The random bytes keep
// ids of different processes, and of restarts within one second, apart.
class object_id {
  public:
    static constexpr std::size_t size = 12;

    // The all-zero id; generate() never returns it (its seconds are not 0).
    object_id() = default;

    // A fresh id. Thread-safe and lock-free.
    static object_id generate() noexcept;

    // Exactly 24 hex digits (either case); anything else is nullopt, so callers can reject
    // malformed ids from clients.
    static std::optional<object_id> parse(std::string_view hex) noexcept;

    // Exactly 12 raw bytes, as stored in keys.
    static std::optional<object_id> from_bytes(std::string_view bytes) noexcept;

    std::string to_hex() const;

    // The 12 raw bytes; they sort like the ids.
    std::string_view bytes() const noexcept {
        return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
    }

    // Creation time, seconds since the Unix epoch.
    std::uint32_t seconds() const noexcept;

    friend bool operator==(const object_id&, const object_id&) = default;
    friend std::strong_ordering operator<=>(const object_id&, const object_id&) = default;

  private:
    std::array<unsigned char, size> bytes_{};
};

}  // namespace confab::db
