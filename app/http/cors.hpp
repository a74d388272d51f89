#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "app/http/types.hpp"

namespace confab::http {

// Which browser origins may call us. Credentials are allowed, so the allowed origin is echoed
// back rather than answered with "*", which browsers refuse alongside credentials.
class cors_policy {
public:
    // "*", or a comma-separated list of origins.
    explicit cors_policy(std::string_view origins);

    bool allows(std::string_view origin) const;
    // Adds the CORS headers for `req` to `res` when its Origin is allowed.
    void apply(const request& req, response& res) const;
    // The answer to an OPTIONS preflight.
    response preflight(const request& req) const;

private:
    bool any_ = false;
    std::vector<std::string> origins_;
};

}  // namespace confab::http
