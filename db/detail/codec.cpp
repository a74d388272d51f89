#include "db/detail/codec.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace confab::db::detail {

namespace json = boost::json;

namespace {

json::value id_or_null(const std::optional<object_id>& id) {
    if (id) return json::value(id->to_hex());
    return nullptr;
}

json::value millis_or_null(const std::optional<millis>& t) {
    if (t) return json::value(*t);
    return nullptr;
}

// Reads the fields of one object. A missing or mistyped required field makes ok() false;
// the getters then return defaults, so a decoder reads every field and checks once.
class reader {
  public:
    explicit reader(const json::object* object) : object_(object), ok_(object != nullptr) {}

    bool ok() const noexcept { return ok_; }

    std::string string(std::string_view key) {
        const json::value* v = find(key);
        if (v && v->is_string()) return std::string(v->get_string());
        ok_ = false;
        return {};
    }

    template <class T>
    T number(std::string_view key) {
        if (const json::value* v = find(key)) {
            boost::system::error_code ec;
            const T n = v->to_number<T>(ec);
            if (!ec) return n;
        }
        ok_ = false;
        return {};
    }

    bool boolean(std::string_view key) {
        const json::value* v = find(key);
        if (v && v->is_bool()) return v->get_bool();
        ok_ = false;
        return false;
    }

    object_id id(std::string_view key) {
        const auto parsed = object_id::parse(string(key));
        if (parsed) return *parsed;
        ok_ = false;
        return {};
    }

    std::optional<object_id> optional_id(std::string_view key) {
        if (is_absent(key)) return std::nullopt;
        return id(key);
    }

    template <class T>
    std::optional<T> optional_number(std::string_view key) {
        if (is_absent(key)) return std::nullopt;
        return number<T>(key);
    }

    template <class E>
    E enumeration(std::string_view key, std::optional<E> (*parse)(std::string_view) noexcept) {
        const auto parsed = parse(string(key));
        if (parsed) return *parsed;
        ok_ = false;
        return {};
    }

    const json::array* array(std::string_view key) {
        const json::value* v = find(key);
        if (v && v->is_array()) return &v->get_array();
        ok_ = false;
        return nullptr;
    }

  private:
    const json::value* find(std::string_view key) const {
        return object_ ? object_->if_contains(key) : nullptr;
    }

    bool is_absent(std::string_view key) const {
        const json::value* v = find(key);
        return !v || v->is_null();
    }

    const json::object* object_;
    bool ok_;
};

// Parses `text` and returns its object, or null when it is not a JSON object.
const json::object* parse_object(std::string_view text, json::value& storage) {
    boost::system::error_code ec;
    storage = json::parse(text, ec);
    return ec ? nullptr : storage.if_object();
}

json::object encode_attachment(const attachment& a) {
    return {{"url", a.url}, {"name", a.name}, {"size", a.size}, {"mime_type", a.mime_type}};
}

bool decode_attachments(const json::array* array, std::vector<attachment>& out) {
    if (!array) return false;
    out.clear();
    for (const json::value& item : *array) {
        reader r(item.if_object());
        attachment a;
        a.url = r.string("url");
        a.name = r.string("name");
        a.size = r.number<std::uint64_t>("size");
        a.mime_type = r.string("mime_type");
        if (!r.ok()) return false;
        out.push_back(std::move(a));
    }
    return true;
}

}  // namespace

std::string encode(const user& u) {
    return json::serialize(json::object{
        {"id", u.id.to_hex()},
        {"username", u.username},
        {"email", u.email},
        {"password_hash", u.password_hash},
        {"status", to_string(u.status)},
        {"last_seen", u.last_seen},
        {"created_at", u.created_at},
    });
}

bool decode(std::string_view text, user& out) {
    json::value storage;
    reader r(parse_object(text, storage));
    out.id = r.id("id");
    out.username = r.string("username");
    out.email = r.string("email");
    out.password_hash = r.string("password_hash");
    out.status = r.enumeration("status", &parse_user_status);
    out.last_seen = r.number<millis>("last_seen");
    out.created_at = r.number<millis>("created_at");
    return r.ok();
}

std::string encode(const chat& c) {
    return json::serialize(json::object{
        {"id", c.id.to_hex()},
        {"type", to_string(c.type)},
        {"name", c.name},
        {"created_by", c.created_by.to_hex()},
        {"created_at", c.created_at},
        {"updated_at", c.updated_at},
        {"last_message_id", id_or_null(c.last_message_id)},
        {"message_count", c.message_count},
    });
}

bool decode(std::string_view text, chat& out) {
    json::value storage;
    reader r(parse_object(text, storage));
    out.id = r.id("id");
    out.type = r.enumeration("type", &parse_chat_type);
    out.name = r.string("name");
    out.created_by = r.id("created_by");
    out.created_at = r.number<millis>("created_at");
    out.updated_at = r.number<millis>("updated_at");
    out.last_message_id = r.optional_id("last_message_id");
    // Schema 1 had no count; opening such a store counts the messages (migrate_v1.cpp).
    out.message_count = r.optional_number<std::uint64_t>("message_count").value_or(0);
    return r.ok();
}

std::string encode(const message& m) {
    json::array attachments;
    for (const attachment& a : m.attachments) attachments.push_back(encode_attachment(a));
    return json::serialize(json::object{
        {"id", m.id.to_hex()},
        {"chat_id", m.chat_id.to_hex()},
        {"sender_id", m.sender_id.to_hex()},
        {"content", m.content},
        {"type", to_string(m.type)},
        {"attachments", std::move(attachments)},
        {"reply_to", id_or_null(m.reply_to)},
        {"client_message_id", m.client_message_id},
        {"is_edited", m.is_edited},
        {"edited_at", millis_or_null(m.edited_at)},
        {"is_deleted", m.is_deleted},
        {"deleted_at", millis_or_null(m.deleted_at)},
        {"created_at", m.created_at},
        {"updated_at", m.updated_at},
    });
}

bool decode(std::string_view text, message& out) {
    json::value storage;
    reader r(parse_object(text, storage));
    out.id = r.id("id");
    out.chat_id = r.id("chat_id");
    out.sender_id = r.id("sender_id");
    out.content = r.string("content");
    out.type = r.enumeration("type", &parse_message_type);
    const bool attachments_ok = decode_attachments(r.array("attachments"), out.attachments);
    out.reply_to = r.optional_id("reply_to");
    out.client_message_id = r.string("client_message_id");
    out.is_edited = r.boolean("is_edited");
    out.edited_at = r.optional_number<millis>("edited_at");
    out.is_deleted = r.boolean("is_deleted");
    out.deleted_at = r.optional_number<millis>("deleted_at");
    out.created_at = r.number<millis>("created_at");
    out.updated_at = r.number<millis>("updated_at");
    return r.ok() && attachments_ok;
}

std::string encode(member_role role) {
    return json::serialize(json::object{{"role", to_string(role)}});
}

bool decode(std::string_view text, member_role& out) {
    json::value storage;
    reader r(parse_object(text, storage));
    out = r.enumeration("role", &parse_member_role);
    return r.ok();
}

std::string encode(const read_marker& m) {
    return json::serialize(json::object{
        {"last_read", id_or_null(m.last_read)},
        {"sent", m.sent},
        {"others_read", m.others_read},
    });
}

bool decode(std::string_view text, read_marker& out) {
    json::value storage;
    reader r(parse_object(text, storage));
    out.last_read = r.optional_id("last_read");
    out.sent = r.number<std::uint64_t>("sent");
    out.others_read = r.number<std::uint64_t>("others_read");
    return r.ok();
}

}  // namespace confab::db::detail
