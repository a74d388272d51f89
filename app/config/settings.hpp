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
    // A connection that has not sent a whole request by then is closed (slowloris).
    std::chrono::milliseconds header_timeout{20000};
    // 0: no limit, for each of the three.
    std::size_t max_connections = 200'000;          // open TCP connections
    std::size_t max_connections_per_ip = 1000;      // open TCP connections from one address
    std::size_t max_polling_sessions_per_ip = 250;  // Engine.IO sessions opened over polling
    // "exempt": the two per-IP limits do not count loopback clients (a local reverse proxy, whose
    // clients all share its address, or a local load test); "apply": they do.
    std::string loopback_limits = "exempt";
    std::uint32_t rate_limit_per_sec = 20;
    std::uint32_t rate_limit_burst = 40;
    std::string durability = "sync";
    std::string log_level = "info";
    std::string log_format = "plain";
};

}  // namespace confab::config
