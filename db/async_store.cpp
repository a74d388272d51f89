#include "db/async_store.hpp"

namespace confab::db {

async_store::async_store(store& s, std::size_t threads)
    : store_(s), syncs_(s), pool_(threads) {}

async_store::~async_store() {
    pool_.join();
}

}  // namespace confab::db
