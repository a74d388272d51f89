#pragma once
// A keep-alive HTTP/1.1 JSON client for the REST API (set-up and verify; not the hot path).
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

#include "async_util.hpp"

namespace lg {

struct http_result {
    int status = 0;     // 0: no answer (transport error, see `error`)
    std::string body;
    std::string error;
    bool ok() const { return status >= 200 && status < 300; }
};

class rest_client {
public:
    rest_client(net::io_context& io, net::ip::tcp::endpoint server, std::string host_header);
    // One request; retried once on a fresh connection if a reused one turns out closed.
    task<http_result> request(boost::beast::http::verb verb, std::string_view target, std::string body,
                              std::string_view token = {});

private:
    net::ip::tcp::endpoint server_;
    std::string host_header_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    bool connected_ = false;
};

}  // namespace lg
