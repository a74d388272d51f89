#pragma once
#include <map>
#include <string>

namespace confab::engine {

// What the handshake request said, kept for the layers above (auth reads the token from the
// query or the Authorization header).
struct request_info {
    std::map<std::string, std::string, std::less<>> query;
    std::string authorization;  // the Authorization header, verbatim
    std::string origin;
    std::string remote_address;
};

}  // namespace confab::engine
