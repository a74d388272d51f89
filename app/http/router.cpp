#include "app/http/router.hpp"

namespace confab::http {

const engine_mount* router::mount_for(std::string_view path) const {
    for (const auto& m : engines) {
        // "/socket.io" and "/socket.io/" both reach the mount.
        const std::string_view prefix(m.path);
        const auto bare = prefix.substr(0, prefix.size() - 1);
        if (path.starts_with(prefix) || path == bare) return &m;
    }
    return nullptr;
}

}  // namespace confab::http
