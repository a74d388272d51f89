#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace confab::config {

// Every setting of the confab binary, with its default.
struct settings {
    unsigned short port = 5000;
    std::string host = "0.0.0.0";
    std::string data_dir = "./data";
    std::string jwt_secret;  // empty: generated on first start and kept in data_dir
    std::chrono::seconds jwt_expires_in{7 * 24 * 3600};
    std::string cors_origin = "http://localhost:3000";
    std::chrono::milliseconds ping_interval{30000};
    std::chrono::milliseconds ping_timeout{10000};
    std::size_t max_payload = 1'000'000;
    std::uint32_t rate_limit_per_sec = 20;
    std::uint32_t rate_limit_burst = 40;
    std::string durability = "sync";
    std::string log_level = "info";
    std::string log_format = "plain";
};

}  // namespace confab::config
