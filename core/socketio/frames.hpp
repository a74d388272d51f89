#pragma once
#include <vector>

#include "core/engine/frame.hpp"
#include "proto/socketio/packet.hpp"

namespace confab::socketio {

// The Engine.IO messages that carry one Socket.IO packet: its text, then one binary message
// per attachment. Encoded once; a broadcast hands the same frames to every recipient.
std::vector<engine::frame> encode_frames(const sio::packet& p);

}  // namespace confab::socketio
