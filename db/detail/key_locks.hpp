#pragma once
// Serializes read-modify-write changes that touch the same logical record: a chat (its
// members, markers and activity), a username, an idempotency key, ... Keys hash onto a fixed
// set of mutexes, so unrelated keys rarely wait for each other and memory stays constant.
#include <array>
#include <cstddef>
#include <mutex>
#include <string_view>

namespace confab::db::detail {

class key_locks {
  public:
    static constexpr std::size_t max_keys = 2;

    // Holds the locks of up to max_keys keys until destroyed or unlock()ed.
    class guard {
      public:
        guard() = default;
        guard(guard&& other) noexcept;
        guard& operator=(guard&&) = delete;
        ~guard() { unlock(); }
        void unlock() noexcept;

      private:
        friend class key_locks;
        std::array<std::mutex*, max_keys> held_{};
    };

    // Locks the keys' stripes in index order (so two callers cannot deadlock), each once.
    guard lock(std::string_view key);
    guard lock(std::string_view first, std::string_view second);

  private:
    std::size_t stripe(std::string_view key) const noexcept;

    std::array<std::mutex, 64> stripes_;
};

}  // namespace confab::db::detail
