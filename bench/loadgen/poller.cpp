#include "poller.hpp"

#include <unistd.h>

#include <stdexcept>
#include <system_error>

#include <boost/asio/post.hpp>

namespace lg {

namespace {
constexpr int batch = 256;
constexpr int rounds_per_turn = 4;  // then timers and other handlers get a turn
}  // namespace

poller::poller(boost::asio::io_context& io)
    : io_(io), epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)), watch_(io), ready_(batch) {
    if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    watch_.assign(epoll_fd_);
    arm();
}

poller::~poller() {
    boost::system::error_code ignored;
    watch_.close(ignored);  // closes epoll_fd_
}

bool poller::add(int fd, pollable* p) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = p;
    return ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void poller::arm() {
    if (armed_) return;
    armed_ = true;
    ++waits;
    watch_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        armed_ = false;
        if (!ec) run();
    });
}

void poller::run() {
    ++wakeups;
    bool more = false;
    // Until a look finds nothing: events that came in while the last batch was handled are
    // taken now, which is cheaper than going back to sleep and being woken for them.
    for (int round = 0; round < rounds_per_turn; ++round) {
        const int n = ::epoll_wait(epoll_fd_, ready_.data(), batch, 0);
        if (n <= 0) break;
        events += static_cast<std::uint64_t>(n);
        for (int i = 0; i < n; ++i) static_cast<pollable*>(ready_[i].data.ptr)->on_io(ready_[i].events);
        more = round + 1 == rounds_per_turn;
    }
    if (!backlog_.empty()) {
        running_.swap(backlog_);
        for (auto* p : running_) p->on_again();
        running_.clear();
    }
    if (more || !backlog_.empty()) {
        // Let timers and other handlers run, then carry on without waiting for an edge.
        boost::asio::post(io_, [this] { run(); });
    } else {
        arm();
    }
}

}  // namespace lg
