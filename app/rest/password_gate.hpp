#pragma once
// Admits at most `slots` requests at a time to work that hashes a password (argon2id: tens of
// milliseconds of CPU and MiBs of memory each), with at most `queue` more waiting, each for at
// most `patience`. A flood of sign-ins then waits its turn or is refused, and never takes the
// store's threads (and the cores) from the chat. For one I/O thread: no locks.
#include <chrono>
#include <cstddef>
#include <list>
#include <memory>

#include "core/common/net.hpp"

namespace confab::rest {

class password_gate {
    struct state;

  public:
    struct limits {
        std::size_t slots = 2;
        std::size_t queue = 256;
        std::chrono::milliseconds patience{10000};
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

    explicit password_gate(limits l);

    net::awaitable<pass> enter();

  private:
    // Shared with the passes and waits in progress, which may outlive the gate at shutdown.
    std::shared_ptr<state> state_;
};

}  // namespace confab::rest
