#pragma once
// An epoll set of our own, driven from the io_context as a single descriptor.
//
// Why not one Asio socket per connection: an Asio async_wait re-arms its descriptor with an
// epoll_ctl() call on every wait, and async_read_some needs a buffer per socket. Here each
// socket is registered once (edge-triggered, in and out), readiness for thousands of sockets
// comes back from one epoll_wait(), and every read lands in one shared buffer. The io_context
// still runs everything on one thread: timers, REST, and this set.
#include <cstdint>
#include <vector>

#include <sys/epoll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace lg {

// Something registered in the poller.
struct pollable {
    virtual ~pollable() = default;
    virtual void on_io(std::uint32_t events) = 0;
    // Called when on_io asked for more time (see poller::again) and its turn has come.
    virtual void on_again() = 0;
};

class poller {
public:
    explicit poller(boost::asio::io_context& io);
    ~poller();
    poller(const poller&) = delete;
    poller& operator=(const poller&) = delete;

    // Registers fd for EPOLLIN | EPOLLOUT | EPOLLRDHUP, edge-triggered. close(fd) unregisters.
    bool add(int fd, pollable* p);
    // p had more to do than its fair share: call p->on_again() after others had a turn.
    void again(pollable* p) { backlog_.push_back(p); }

    std::uint64_t waits = 0, wakeups = 0, events = 0;

private:
    void arm();
    void run();

    boost::asio::io_context& io_;
    int epoll_fd_;
    boost::asio::posix::stream_descriptor watch_;
    std::vector<epoll_event> ready_;
    std::vector<pollable*> backlog_, running_;
    bool armed_ = false;
};

}  // namespace lg
