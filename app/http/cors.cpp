#include "app/http/cors.hpp"

#include <algorithm>

namespace confab::http {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

}  // namespace

cors_policy::cors_policy(std::string_view origins) {
    while (!origins.empty()) {
        const auto comma = origins.find(',');
        const auto one = trim(origins.substr(0, comma));
        if (one == "*") any_ = true;
        else if (!one.empty()) origins_.emplace_back(one);
        if (comma == std::string_view::npos) break;
        origins.remove_prefix(comma + 1);
    }
}

bool cors_policy::allows(std::string_view origin) const {
    return any_ || std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

void cors_policy::apply(const request& req, response& res) const {
    // Every answer depends on the Origin, allowed or not: a shared cache must key on it.
    res.set(bhttp::field::vary, "Origin");
    const auto origin = req[bhttp::field::origin];
    if (origin.empty()) {
        if (any_) res.set(bhttp::field::access_control_allow_origin, "*");
        return;
    }
    if (!allows(origin)) return;
    res.set(bhttp::field::access_control_allow_origin, origin);
    res.set(bhttp::field::access_control_allow_credentials, "true");
}

response cors_policy::preflight(const request& req) const {
    response res{bhttp::status::no_content, req.version()};
    res.keep_alive(req.keep_alive());
    apply(req, res);
    res.set(bhttp::field::access_control_allow_methods, "GET,POST");
    const auto headers = req[bhttp::field::access_control_request_headers];
    if (!headers.empty()) res.set(bhttp::field::access_control_allow_headers, headers);
    res.prepare_payload();
    return res;
}

}  // namespace confab::http
