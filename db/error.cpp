#include "db/error.hpp"

#include <string>

namespace confab::db {

namespace {

class category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "confab.db"; }

    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::not_found:
                return "not found";
            case errc::username_taken:
                return "username already taken";
            case errc::email_taken:
                return "email already registered";
            case errc::already_member:
                return "already a participant of the chat";
            case errc::not_member:
                return "not a participant of the chat";
            case errc::not_permitted:
                return "not permitted";
            case errc::message_deleted:
                return "message was deleted";
            case errc::reaction_limit:
                return "too many reactions of one user on the message";
            case errc::invalid_argument:
                return "invalid argument";
            case errc::newer_schema:
                return "store was written by a newer version of confab";
            case errc::corrupt_record:
                return "stored record could not be decoded";
            case errc::io_error:
                return "storage I/O error";
        }
        return "unknown store error";
    }
};

}  // namespace

const std::error_category& error_category() noexcept {
    static const category instance;
    return instance;
}

std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

}  // namespace confab::db
