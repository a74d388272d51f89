#pragma once
// Admits at most `slots` requests at a time, with at most `queue` more waiting, each for at
// most `patience`; the rest are refused. Waiters are served by client in turn (round robin,
// each client's own in order), so that one client's flood delays another's request by a turn
// per slot, not by the whole flood. REST uses two (app/rest/api.cpp), so that a flood of
// requests waits its turn or is refused and never takes all of the store's threads (and the
// cores) from the chat. For one I/O thread: no locks.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

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

    // A slot, given back (to the next waiter in turn, if any) when the pass is destroyed; or
    // no slot, when the request was refused.
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

    // `client` names whose turn a wait takes ("" for everyone unnamed).
    net::awaitable<pass> enter(std::string client = {});

  private:
    // Shared with the passes and waits in progress, which may outlive the gate at shutdown.
    std::shared_ptr<state> state_;
};

}  // namespace confab::rest
