#include "core/socketio/frames.hpp"

namespace confab::socketio {

std::vector<engine::frame> encode_frames(const sio::packet& p) {
    std::vector<engine::frame> frames;
    frames.reserve(1 + p.attachments.size());
    std::string text;
    text.reserve(64);
    text.push_back('4');  // Engine.IO message
    sio::encode(p, text);
    frames.push_back(engine::text_frame(std::move(text)));
    for (const auto& a : p.attachments) frames.push_back(engine::binary_frame(a));
    return frames;
}

}  // namespace confab::socketio
