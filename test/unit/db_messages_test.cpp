#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "db_fixture.hpp"

using namespace confab::db;
using confab::db::test::code;
using confab::db::test::error_of;

namespace {

std::vector<std::string> contents(const message_page& page) {
    std::vector<std::string> out;
    for (const auto& v : page.messages) out.push_back(v.msg.content);
    return out;
}

// A group of ann and ben with `count` messages "m0".."m<count-1>" from ann, oldest first.
struct history_fixture : test::store_fixture {
    explicit history_fixture(int count = 0) {
        for (int i = 0; i < count; ++i) {
            sent.push_back(send(group, ann, "m" + std::to_string(i)));
            tick();
        }
    }

    std::vector<std::string> range_of(int first, int last) const {  // m<first>..m<last-1>
        std::vector<std::string> out;
        for (int i = first; i < last; ++i) out.push_back("m" + std::to_string(i));
        return out;
    }

    user ann = add_user("ann");
    user ben = add_user("ben");
    chat group = add_group(ann, {ben.id});
    std::vector<message> sent;
};

struct history_of_120 : history_fixture {
    history_of_120() : history_fixture(120) {}
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(db_messages, history_fixture)

BOOST_AUTO_TEST_CASE(stores_and_reads_back_every_field) {
    new_message m;
    m.chat_id = group.id;
    m.sender_id = ann.id;
    m.content = "see attached";
    m.type = message_type::file;
    m.attachments = {{"https://x/a.pdf", "a.pdf", 1234, "application/pdf"}};
    m.client_message_id = "c-1";
    const message first = send(group, ben, "first");
    m.reply_to = first.id;
    auto stored = db->store_message(m);
    BOOST_REQUIRE(stored);
    BOOST_TEST(stored->created);

    auto read = db->get_message(group.id, stored->msg.id);
    BOOST_REQUIRE(read);
    const message& got = read->msg;
    BOOST_TEST(got.chat_id == group.id);
    BOOST_TEST(got.sender_id == ann.id);
    BOOST_TEST(got.content == "see attached");
    BOOST_TEST((got.type == message_type::file));
    BOOST_REQUIRE(got.attachments.size() == 1u);
    BOOST_TEST(got.attachments[0].url == "https://x/a.pdf");
    BOOST_TEST(got.attachments[0].name == "a.pdf");
    BOOST_TEST(got.attachments[0].size == 1234u);
    BOOST_TEST(got.attachments[0].mime_type == "application/pdf");
    BOOST_TEST(got.reply_to.value() == first.id);
    BOOST_TEST(got.client_message_id == "c-1");
    BOOST_TEST(!got.is_edited);
    BOOST_TEST(!got.edited_at.has_value());
    BOOST_TEST(!got.is_deleted);
    BOOST_TEST(got.created_at == now.load());
    BOOST_TEST(read->reactions.empty());
    BOOST_TEST(read->read_by.empty());
}

BOOST_AUTO_TEST_CASE(only_members_send_to_existing_chats) {
    const user stranger = add_user("eve");
    new_message m;
    m.chat_id = group.id;
    m.sender_id = stranger.id;
    m.content = "let me in";
    BOOST_TEST(error_of(db->store_message(m)) == code(errc::not_member));
    m.chat_id = object_id::generate();
    m.sender_id = ann.id;
    BOOST_TEST(error_of(db->store_message(m)) == code(errc::not_found));
    m.chat_id = group.id;
    m.client_message_id = std::string(max_client_message_id_size + 1, 'x');
    BOOST_TEST(error_of(db->store_message(m)) == code(errc::invalid_argument));
    BOOST_TEST(error_of(db->get_message(group.id, object_id::generate())) == code(errc::not_found));
}

BOOST_AUTO_TEST_CASE(a_retried_client_message_id_stores_nothing) {
    const message first = send(group, ann, "hello", "client-42");
    tick();
    new_message retry;
    retry.chat_id = group.id;
    retry.sender_id = ann.id;
    retry.content = "hello (resent)";
    retry.client_message_id = "client-42";
    auto again = db->store_message(retry);
    BOOST_REQUIRE(again);
    BOOST_TEST(!again->created);
    BOOST_TEST(again->msg.id == first.id);
    BOOST_TEST(again->msg.content == "hello");

    // The key is per sender: ben may use the same client id.
    const message bens = send(group, ben, "mine", "client-42");
    BOOST_TEST(bens.id != first.id);
    auto page = db->messages_before(group.id, std::nullopt, 10);
    BOOST_REQUIRE(page);
    BOOST_TEST(page->messages.size() == 2u);
    BOOST_TEST(unread(group, ben) == 1u);
}

BOOST_AUTO_TEST_CASE(empty_chat_has_an_empty_history) {
    auto page = db->messages_before(group.id, std::nullopt, 50);
    BOOST_REQUIRE(page);
    BOOST_TEST(page->messages.empty());
    BOOST_TEST(!page->has_more);
    page = db->messages_before(group.id, object_id::generate(), 50);
    BOOST_REQUIRE(page);
    BOOST_TEST(page->messages.empty());
    BOOST_TEST(error_of(db->messages_before(object_id::generate(), std::nullopt, 50)) ==
               code(errc::not_found));
    BOOST_TEST(error_of(db->messages_before(group.id, std::nullopt, 0)) ==
               code(errc::invalid_argument));
    BOOST_TEST(error_of(db->messages_before(group.id, std::nullopt, max_page_size + 1)) ==
               code(errc::invalid_argument));
}

BOOST_FIXTURE_TEST_CASE(pages_walk_back_oldest_first, history_of_120) {
    // The newest page.
    auto page = db->messages_before(group.id, std::nullopt, 50);
    BOOST_REQUIRE(page);
    BOOST_TEST(contents(*page) == range_of(70, 120), boost::test_tools::per_element());
    BOOST_TEST(page->has_more);

    // Before the first message of that page, and so on until the start.
    page = db->messages_before(group.id, page->messages.front().msg.id, 50);
    BOOST_REQUIRE(page);
    BOOST_TEST(contents(*page) == range_of(20, 70), boost::test_tools::per_element());
    BOOST_TEST(page->has_more);
    page = db->messages_before(group.id, page->messages.front().msg.id, 50);
    BOOST_REQUIRE(page);
    BOOST_TEST(contents(*page) == range_of(0, 20), boost::test_tools::per_element());
    BOOST_TEST(!page->has_more);

    // Before the very first message: nothing.
    page = db->messages_before(group.id, sent.front().id, 50);
    BOOST_REQUIRE(page);
    BOOST_TEST(page->messages.empty());
    BOOST_TEST(!page->has_more);

    // Exactly as many as asked for: no more.
    page = db->messages_before(group.id, sent[50].id, 50);
    BOOST_REQUIRE(page);
    BOOST_TEST(page->messages.size() == 50u);
    BOOST_TEST(!page->has_more);
    page = db->messages_before(group.id, sent[51].id, 50);
    BOOST_REQUIRE(page);
    BOOST_TEST(page->has_more);

    // The largest page.
    page = db->messages_before(group.id, std::nullopt, max_page_size);
    BOOST_REQUIRE(page);
    BOOST_TEST(contents(*page) == range_of(20, 120), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(pages_stay_inside_their_chat, history_of_120) {
    // A chat whose id sorts right after this one's must not leak into its pages.
    const chat other = add_group(ben, {});
    send(other, ben, "elsewhere");
    auto page = db->messages_before(group.id, std::nullopt, 1);
    BOOST_REQUIRE(page);
    BOOST_TEST(contents(*page) == range_of(119, 120), boost::test_tools::per_element());
    auto others = db->messages_before(other.id, std::nullopt, max_page_size);
    BOOST_REQUIRE(others);
    BOOST_TEST(others->messages.size() == 1u);
    BOOST_TEST(!others->has_more);
}

BOOST_AUTO_TEST_CASE(only_the_sender_edits) {
    const message m = send(group, ann, "draft");
    tick();
    BOOST_TEST(error_of(db->edit_message(group.id, m.id, ben.id, "hijack")) ==
               code(errc::not_permitted));
    auto edited = db->edit_message(group.id, m.id, ann.id, "final");
    BOOST_REQUIRE(edited);
    BOOST_TEST(edited->content == "final");
    BOOST_TEST(edited->is_edited);
    BOOST_TEST(edited->edited_at.value() == now.load());
    BOOST_TEST(edited->created_at == m.created_at);
    auto read = db->get_message(group.id, m.id);
    BOOST_REQUIRE(read);
    BOOST_TEST(read->msg.content == "final");
    BOOST_TEST(error_of(db->edit_message(group.id, object_id::generate(), ann.id, "x")) ==
               code(errc::not_found));
}

BOOST_AUTO_TEST_CASE(delete_empties_the_message_and_keeps_its_place) {
    const message m = send(group, ben, "oops");
    const message later = send(group, ann, "after");
    tick();
    BOOST_TEST(error_of(db->delete_message(group.id, later.id, ben.id)) ==
               code(errc::not_permitted));
    auto deleted = db->delete_message(group.id, m.id, ben.id);
    BOOST_REQUIRE(deleted);
    BOOST_TEST(deleted->is_deleted);
    BOOST_TEST(deleted->content.empty());
    BOOST_TEST(deleted->deleted_at.value() == now.load());
    BOOST_TEST(deleted->id == m.id);
    BOOST_TEST(deleted->created_at == m.created_at);

    BOOST_TEST(error_of(db->delete_message(group.id, m.id, ben.id)) == code(errc::message_deleted));
    BOOST_TEST(error_of(db->edit_message(group.id, m.id, ben.id, "undo")) ==
               code(errc::message_deleted));
    auto page = db->messages_before(group.id, std::nullopt, 10);
    BOOST_REQUIRE(page);
    BOOST_REQUIRE(page->messages.size() == 2u);
    BOOST_TEST(page->messages[0].msg.is_deleted);
    BOOST_TEST(page->messages[0].msg.content.empty());
}

BOOST_AUTO_TEST_CASE(a_sender_who_left_neither_edits_nor_deletes) {
    const message m = send(group, ben, "before leaving");
    BOOST_REQUIRE(db->remove_member(group.id, ben.id));
    BOOST_TEST(error_of(db->edit_message(group.id, m.id, ben.id, "after")) ==
               code(errc::not_member));
    BOOST_TEST(error_of(db->delete_message(group.id, m.id, ben.id)) == code(errc::not_member));
    auto read = db->get_message(group.id, m.id);
    BOOST_REQUIRE(read);
    BOOST_TEST(read->msg.content == "before leaving");
    BOOST_TEST(!read->msg.is_edited);
}

BOOST_AUTO_TEST_CASE(group_admins_delete_anyones_messages) {
    const message bens = send(group, ben, "spam");
    auto deleted = db->delete_message(group.id, bens.id, ann.id);  // ann is the admin
    BOOST_REQUIRE(deleted);
    BOOST_TEST(deleted->is_deleted);

    // In a direct chat nobody is admin.
    auto direct = db->create_direct_chat(ann.id, ben.id);
    BOOST_REQUIRE(direct);
    const message in_direct = send(direct->info, ben, "private");
    BOOST_TEST(error_of(db->delete_message(direct->info.id, in_direct.id, ann.id)) ==
               code(errc::not_permitted));
}

BOOST_AUTO_TEST_SUITE_END()
