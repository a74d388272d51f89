#pragma once
// The order in which reactions and read receipts were made, which is the order they are listed
// in (as a client that appends them to a message would list them). Their keys sort by user, so
// the order is kept in their values.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "db/records.hpp"

namespace confab::db::detail {

// Stamps in microseconds of the store's clock, each past the last one given, so that two made
// in one millisecond are still told apart.
class made_order {
  public:
    std::uint64_t next(millis now);

  private:
    std::atomic<std::uint64_t> last_{0};
};

// A reaction's value: its stamp. Reactions stored before stamps have an empty value: 0, first.
std::string encode_reaction(std::uint64_t stamp);
std::optional<std::uint64_t> decode_reaction(std::string_view value);

// A read receipt's value: the first read time, then its stamp. Receipts stored before stamps
// hold only the time, which then stands for the stamp.
struct receipt_value {
    millis read_at = 0;
    std::uint64_t stamp = 0;
};
std::string encode_receipt(const receipt_value& r);
std::optional<receipt_value> decode_receipt(std::string_view value);

}  // namespace confab::db::detail
