#pragma once
// Admits at most `slots` requests at a time, with at most `queue` more waiting in order, each
// for at most `patience`; the rest are refused. REST uses two (app/rest/api.cpp), so that a
// flood of requests waits its turn or is refused and never takes all of the store's threads
// (and the cores) from the chat. For one I/O thread: no locks.
#include <chrono>
#include <cstddef>
#include <list>
#include <memory>

#include "core/common/net.hpp"

namespace confab::rest {

class request_gate {
    struct state;

  public:
    struct limits {
        std::size_t slots;
        std::size_t queue;
        std::chrono::milliseconds patience;
    };

    // A slot, given back (to the first waiter, if any) when the pass is destroyed; or no
    // slot, when the request was refused.
    class pass {
      public:
        pass() = default;
        explicit pass(std::shared_ptr<state> s) : state_(std::move(s)) {}
        pass(pass&&) noexcept = default;
        pass& operator=(pass&&) = delete;
        ~pass();
        explicit operator bool() const noexcept { return state_ != nullptr; }

      private:
        std::shared_ptr<state> state_;
    };

    explicit request_gate(limits l);

    net::awaitable<pass> enter();

  private:
    // Shared with the passes and waits in progress, which may outlive the gate at shutdown.
    std::shared_ptr<state> state_;
};

}  // namespace confab::rest
