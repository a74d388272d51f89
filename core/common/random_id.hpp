#pragma once
#include <string>

namespace confab {

// An unguessable URL-safe id (engine.io sids, socket ids): 15 random bytes, 20 characters.
std::string random_id();

}  // namespace confab
