#include "rest_client.hpp"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace lg {

namespace http = boost::beast::http;

rest_client::rest_client(net::io_context& io, net::ip::tcp::endpoint server, std::string host_header)
    : server_(server), host_header_(std::move(host_header)), stream_(io) {}

task<http_result> rest_client::request(http::verb verb, std::string_view target, std::string body,
                                       std::string_view token) {
    http_result out;
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = connected_;
        if (!connected_) {
            buffer_.clear();
            stream_.expires_after(std::chrono::seconds(30));
            auto [ec] = co_await stream_.async_connect(server_, use_tuple);
            if (ec) {
                out.error = "connect: " + ec.message();
                co_return out;
            }
            stream_.socket().set_option(net::ip::tcp::no_delay(true));
            connected_ = true;
        }
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, host_header_);
        req.set(http::field::accept, "application/json");
        if (!token.empty()) req.set(http::field::authorization, std::string("Bearer ").append(token));
        if (!body.empty() || verb == http::verb::post) {
            req.set(http::field::content_type, "application/json");
            req.body() = body;
        }
        req.keep_alive(true);
        req.prepare_payload();
        stream_.expires_after(std::chrono::seconds(60));
        auto [wec, wn] = co_await http::async_write(stream_, req, use_tuple);
        http::response_parser<http::string_body> parser;
        parser.body_limit(64u << 20);
        boost::system::error_code rec = wec;
        if (!wec) {
            auto [e, n] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
            rec = e;
        }
        if (rec) {
            connected_ = false;
            boost::system::error_code ignored;
            stream_.socket().close(ignored);
            if (reused && attempt == 0) continue;  // the server closed an idle keep-alive
            out.error = "http: " + rec.message();
            co_return out;
        }
        auto res = parser.release();
        out.status = static_cast<int>(res.result_int());
        out.body = std::move(res.body());
        if (!res.keep_alive()) {
            connected_ = false;
            boost::system::error_code ignored;
            stream_.socket().close(ignored);
        }
        co_return out;
    }
    co_return out;
}

}  // namespace lg
