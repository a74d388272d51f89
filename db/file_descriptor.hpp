#pragma once
// An owned POSIX file descriptor, closed when it goes out of scope. In db/, the lowest layer
// that touches files, so that core/ (the secret file) and app/ (backup) can share it.
#include <unistd.h>

namespace confab::db {

class file_descriptor {
  public:
    explicit file_descriptor(int fd) : fd_(fd) {}
    file_descriptor(const file_descriptor&) = delete;
    file_descriptor& operator=(const file_descriptor&) = delete;
    ~file_descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

  private:
    int fd_;
};

}  // namespace confab::db
