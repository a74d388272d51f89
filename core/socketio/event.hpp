#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/array.hpp>

namespace confab::socketio {

class socket;

// Answers one client event's acknowledgement, at most once. Empty when the client asked for
// no ack.
class ack_sender {
public:
    ack_sender() = default;
    ack_sender(std::weak_ptr<socket> s, std::uint64_t id) : socket_(std::move(s)), id_(id) {}

    explicit operator bool() const noexcept { return !socket_.expired() && !sent_; }
    void operator()(boost::json::array args, std::vector<std::string> attachments = {});

private:
    std::weak_ptr<socket> socket_;
    std::uint64_t id_ = 0;
    bool sent_ = false;
};

// An event a client emitted: `["name", args...]` plus any binary attachments.
struct event {
    std::string name;
    boost::json::array args;
    std::vector<std::string> attachments;
    ack_sender ack;
};

}  // namespace confab::socketio
