#pragma once
// Invariant checks for the fuzz targets. assert() is compiled out under NDEBUG (the default
// RelWithDebInfo build), and a broken invariant must stop the fuzzer and fail the replay test
// in every build type, so the targets abort through this instead.
#include <cstdio>
#include <cstdlib>

#define CONFAB_FUZZ_CHECK(condition)                                                       \
    do {                                                                                   \
        if (!(condition)) {                                                                \
            std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, \
                         #condition);                                                      \
            std::abort();                                                                  \
        }                                                                                  \
    } while (false)
