#pragma once
#include <memory>
#include <string>

namespace confab::engine {

// One outbound Engine.IO message. The payload is shared so that a broadcast is encoded once
// and every recipient's queue holds the same bytes.
struct frame {
    std::shared_ptr<const std::string> data;  // text: encoded packet (type digit first); binary: raw
    bool binary = false;

    std::size_t size() const noexcept { return data->size(); }
};

inline frame text_frame(std::string encoded) {
    return {std::make_shared<const std::string>(std::move(encoded)), false};
}
inline frame binary_frame(std::string bytes) {
    return {std::make_shared<const std::string>(std::move(bytes)), true};
}

}  // namespace confab::engine
