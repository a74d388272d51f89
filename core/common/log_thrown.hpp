#pragma once
// Completion handler for coroutines spawned on their own: net::detached drops what such a
// coroutine throws, and a throw there is a bug that would otherwise stop a loop (a user's
// presence, a connection's writer) without a trace. This logs it as an error instead.
#include <exception>
#include <string_view>

namespace confab {

struct log_thrown {
    std::string_view task;  // names the coroutine in the log line; a string literal

    void operator()(std::exception_ptr thrown) const;
};

}  // namespace confab
