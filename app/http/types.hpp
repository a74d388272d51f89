#pragma once
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/common/net.hpp"

namespace confab::http {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using request = bhttp::request<bhttp::string_body>;
using response = bhttp::response<bhttp::string_body>;

// A response with a body and its content type, ready to send.
response make_response(const request& req, bhttp::status status, std::string body,
                       std::string_view content_type);

}  // namespace confab::http
