#include "app/rest/api.hpp"

#include <optional>

#include <boost/json/serialize.hpp>

#include "app/http/query.hpp"
#include "core/chat/rest/authenticate.hpp"
#include "core/chat/rest/dispatch.hpp"

namespace confab::rest {

api::api(db::async_store& store, chat::rest::rest_settings settings, http::cors_policy cors,
         removal_listener on_removed)
    : store_(store),
      settings_(std::move(settings)),
      cors_(std::move(cors)),
      on_removed_(std::move(on_removed)) {}

net::awaitable<http::response> api::handle(http::request& req) {
    if (req.method() == http::bhttp::verb::options) {
        auto res = cors_.preflight(req);
        // The policy speaks for Socket.IO's polling; REST also has a DELETE route.
        res.set(http::bhttp::field::access_control_allow_methods, "GET,POST,DELETE");
        co_return res;
    }
    const auto target = http::parse_target(req.target());
    const auto caller = chat::rest::identify(settings_, req[http::bhttp::field::authorization]);
    const chat::rest::rest_request r{
        .method = req.method_string(),
        .path = target.path,
        .query = target.query,
        .body = req.body(),
        .caller = caller,
    };
    // Health answers at once, whatever waits: a supervisor must not take a busy server for dead.
    const auto kind = chat::rest::kind_of(r);
    std::optional<request_gate::pass> sign_in, turn;
    if (kind == chat::rest::request_kind::sign_in) {
        sign_in.emplace(co_await sign_ins_.enter());
        if (!*sign_in) co_return busy(req, "Too many sign-ins at once; retry shortly");
    }
    if (kind != chat::rest::request_kind::health) {
        turn.emplace(co_await requests_.enter(caller ? *caller : std::string{}));
        if (!*turn) co_return busy(req, "Too many requests at once; retry shortly");
    }
    auto reply = co_await store_.run(
        [this, &r](db::store& s) { return chat::rest::dispatch(s, settings_, r); });
    if (!reply.removed.empty() && on_removed_) on_removed_(reply.removed);
    co_return answer(req, reply);
}

http::response api::busy(const http::request& req, std::string message) const {
    auto res = answer(req, chat::rest::error_reply(chat::code::rate_limited, std::move(message)));
    res.set(http::bhttp::field::retry_after, "1");
    return res;
}

http::response api::answer(const http::request& req, const chat::rest::rest_reply& reply) const {
    auto res =
        http::make_response(req, static_cast<http::bhttp::status>(reply.status),
                            boost::json::serialize(reply.body), "application/json; charset=utf-8");
    cors_.apply(req, res);
    return res;
}

}  // namespace confab::rest
