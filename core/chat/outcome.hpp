#pragma once
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/chat/failure.hpp"
#include "db/object_id.hpp"

namespace confab::chat {

// Who receives an event a handler asks for.
enum class audience {
    room,         // every socket in the chat's room, the sender's included
    room_others,  // the room but the sender's socket
    sender,       // the sending socket only
};

struct emission {
    audience to = audience::room;
    std::string event;
    boost::json::object payload;
};

// A change to the sender socket's rooms, made before the emissions go out.
enum class room_change { none, join, leave };

// What a socket event handler decided: an error, or the ack fields and events to send. The
// handler has already stored whatever changed; the service only delivers.
struct outcome {
    std::optional<failure> error;
    db::object_id chat_id;                   // the room that `audience::room*` means
    room_change rooms = room_change::none;
    boost::json::object ack;                 // fields besides "ok":true
    std::vector<emission> emits;

    static outcome fail(chat::code c, std::string message) {
        outcome o;
        o.error = failure{c, std::move(message)};
        return o;
    }
    static outcome fail(failure f) {
        outcome o;
        o.error = std::move(f);
        return o;
    }
};

// The room of a chat: "chat:<id>".
inline std::string room_of(const db::object_id& chat_id) { return "chat:" + chat_id.to_hex(); }

}  // namespace confab::chat
