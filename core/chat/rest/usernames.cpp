#include "core/chat/rest/usernames.hpp"

#include <map>
#include <memory>

namespace confab::chat::rest {

username_of usernames_from(const db::store& s) {
    // username_of is a std::function, which copies its target: the copies share one cache.
    auto cache = std::make_shared<std::map<db::object_id, std::string>>();
    return [&s, cache](const db::object_id& id) {
        auto it = cache->find(id);
        if (it == cache->end()) {
            auto u = s.get_user(id);
            it = cache->emplace(id, u ? std::move(u->username) : std::string{}).first;
        }
        return it->second;
    };
}

}  // namespace confab::chat::rest
