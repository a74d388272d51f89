#include "app/http/types.hpp"

namespace confab::http {

response make_response(const request& req, bhttp::status status, std::string body,
                       std::string_view content_type) {
    response res{status, req.version()};
    res.set(bhttp::field::content_type, content_type);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

}  // namespace confab::http
