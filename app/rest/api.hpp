#pragma once
// The REST API and /healthz over HTTP: everything the router does not hand to Engine.IO.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "app/http/cors.hpp"
#include "app/http/types.hpp"
#include "app/rest/request_gate.hpp"
#include "core/chat/rest/reply.hpp"
#include "core/chat/rest/settings.hpp"
#include "db/async_store.hpp"

namespace confab::rest {

class api {
  public:
    // Told, on the I/O thread that awaited the request, which memberships a request ended,
    // after they are stored and before the response goes out.
    using removal_listener =
        std::function<void(const std::vector<chat::rest::participant_removal>&)>;

    // `store` must outlive this object and every handle() in progress.
    api(db::async_store& store, chat::rest::rest_settings settings, http::cors_policy cors,
        removal_listener on_removed);

    // Completes with the answer to `req`, which must live until then: a JSON body
    // (application/json; charset=utf-8) and CORS headers, or the preflight answer for OPTIONS.
    // Errors are answers (4xx/5xx JSON), never exceptions. The work runs on the store's pool;
    // cancellation does not stop a store call once it has started.
    net::awaitable<http::response> handle(http::request& req);

  private:
    http::response answer(const http::request& req, const chat::rest::rest_reply& reply) const;
    // 429 RATE_LIMITED with Retry-After: 1.
    http::response busy(const http::request& req, std::string message) const;

    db::async_store& store_;
    chat::rest::rest_settings settings_;
    http::cors_policy cors_;
    removal_listener on_removed_;
    // The store has 4 threads: REST takes at most 2, and sign-ins (argon2id, tens of ms of
    // CPU each) at most 2 of those, so neither a sign-in flood nor a REST flood stalls the chat.
    // The slots protect the chat; the queues are deep so that a client registering thousands
    // of users at once (a migration, a load test) waits its turn instead of being refused.
    request_gate requests_{{.slots = 2, .queue = 8192, .patience = std::chrono::seconds(60)}};
    request_gate sign_ins_{{.slots = 2, .queue = 4096, .patience = std::chrono::seconds(60)}};
};

}  // namespace confab::rest
