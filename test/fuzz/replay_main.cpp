// Replays saved inputs through a fuzz target without libFuzzer, so that every ordinary test run
// (any compiler, with or without sanitizers) checks the seed corpus and every past crash.
//
//   replay_<target> [--prefix=<p>] <file or directory>...
//
// Directories are walked recursively, in sorted order so that runs are repeatable. --prefix
// applies to the directories after it: only files whose name starts with <p> are replayed
// (the regressions directory holds every target's crashes as <target>-<n>.bin). A missing
// path is an error, and so is replaying nothing: both mean the test is wired up wrong.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

namespace {

bool read_file(const fs::path& path, std::vector<std::uint8_t>& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

bool collect(const fs::path& path, std::string_view prefix, std::vector<fs::path>& files) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
        files.push_back(path);
        return true;
    }
    if (!fs::is_directory(path, ec)) {
        std::fprintf(stderr, "replay: no such file or directory: %s\n", path.c_str());
        return false;
    }
    std::vector<fs::path> found;
    for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
        if (!entry.is_regular_file()) continue;
        if (entry.path().filename().string().starts_with(prefix)) found.push_back(entry.path());
    }
    if (ec) {
        std::fprintf(stderr, "replay: cannot list %s: %s\n", path.c_str(), ec.message().c_str());
        return false;
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    constexpr std::string_view prefix_flag = "--prefix=";
    std::string prefix;
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg.starts_with(prefix_flag)) {
            prefix = arg.substr(prefix_flag.size());
        } else if (!collect(arg, prefix, files)) {
            return 2;
        }
    }
    if (files.empty()) {
        std::fprintf(stderr, "replay: no inputs to replay\n");
        return 2;
    }
    std::vector<std::uint8_t> input;
    for (const fs::path& file : files) {
        if (!read_file(file, input)) {
            std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
            return 2;
        }
        // Printed first, so that when the input crashes the log says which one it was.
        std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), input.size());
        std::fflush(stderr);
        // A copy of exactly the input's size, as libFuzzer passes it, so that ASan catches a
        // read one past the end.
        const std::vector<std::uint8_t> exact(input.begin(), input.end());
        LLVMFuzzerTestOneInput(exact.data(), exact.size());
    }
    std::fprintf(stderr, "replay: %zu inputs ran clean\n", files.size());
    return 0;
}
