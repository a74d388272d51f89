#include "core/common/log_thrown.hpp"

#include "core/common/log.hpp"

namespace confab {

void log_thrown::operator()(std::exception_ptr thrown) const {
    if (!thrown) return;
    try {
        std::rethrow_exception(thrown);
    } catch (const std::exception& e) {
        log::at(log::level::error, "coroutine_failed", "{}: {}", task, e.what());
    } catch (...) {
        log::at(log::level::error, "coroutine_failed", "{}: unknown exception", task);
    }
}

}  // namespace confab
