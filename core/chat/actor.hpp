#pragma once
#include <string>

#include "db/object_id.hpp"

namespace confab::chat {

// The authenticated user behind a socket or a REST request.
struct actor {
    db::object_id user_id;
    std::string username;
};

}  // namespace confab::chat
