// The socket event handlers as plain functions over a real store in a temporary directory.
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include "core/chat/events/handlers.hpp"
#include "db_fixture.hpp"

using namespace confab;
using chat::audience;
using chat::code;

namespace {

struct chat_fixture : db::test::store_fixture {
    db::user alice_u, bob_u, eve_u;
    chat::actor alice, bob, eve;
    db::chat group;

    chat_fixture() {
        alice_u = add_user("alice");
        bob_u = add_user("bob");
        eve_u = add_user("eve");
        alice = {alice_u.id, "alice"};
        bob = {bob_u.id, "bob"};
        eve = {eve_u.id, "eve"};
        group = add_group(alice_u, {bob_u.id});
    }
    static boost::json::object obj(std::string_view json) {
        return boost::json::parse(json).as_object();
    }
    boost::json::object in_group(std::string_view extra = "") const {
        auto o = obj(std::string("{") + std::string(extra) + "}");
        o["chatId"] = group.id.to_hex();
        return o;
    }
    chat::outcome send(const chat::actor& who, std::string_view content,
                       std::string_view extra = "") {
        auto p = in_group(extra);
        p["content"] = content;
        return chat::events::message_send(*db, who, p);
    }
    static code error_code(const chat::outcome& o) {
        BOOST_REQUIRE(o.error);
        return o.error->code;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(chat_events, chat_fixture)

BOOST_AUTO_TEST_CASE(find_knows_every_api_event_and_nothing_else) {
    for (auto name : {"chat:join", "chat:leave", "chat:typing", "chat:stopTyping", "message:send",
                      "message:markRead", "message:edit", "message:delete", "message:reaction"})
        BOOST_TEST(chat::events::find(name) != nullptr, name);
    BOOST_TEST(chat::events::find("message:nuke") == nullptr);
    BOOST_TEST(chat::events::find("") == nullptr);
}

BOOST_AUTO_TEST_CASE(send_stores_then_emits_received_to_room_and_sent_to_sender) {
    auto o = send(alice, "hello", R"("clientMessageId":"c1")");
    BOOST_TEST_REQUIRE(!o.error);
    BOOST_TEST_REQUIRE(o.emits.size() == 2u);
    BOOST_TEST((o.emits[0].to == audience::room));
    BOOST_TEST(o.emits[0].event == "message:received");
    const auto& m = o.emits[0].payload;
    BOOST_TEST(m.at("content").as_string() == "hello");
    BOOST_TEST(m.at("senderId").at("username").as_string() == "alice");
    BOOST_TEST(m.at("chatId").as_string() == group.id.to_hex());
    BOOST_TEST(m.at("messageType").as_string() == "text");
    BOOST_TEST(m.at("isDeleted").as_bool() == false);
    BOOST_TEST((o.emits[1].to == audience::sender));
    BOOST_TEST(o.emits[1].event == "message:sent");
    BOOST_TEST(o.emits[1].payload.at("clientMessageId").as_string() == "c1");
    BOOST_TEST(o.emits[1].payload.at("messageId") == m.at("_id"));
    auto page = db->messages_before(group.id, std::nullopt, 10);
    BOOST_TEST_REQUIRE(page.has_value());
    BOOST_TEST(page->messages.size() == 1u);
}

BOOST_AUTO_TEST_CASE(repeated_client_message_id_stores_nothing_new) {
    auto first = send(alice, "hello", R"("clientMessageId":"same")");
    auto again = send(alice, "hello again", R"("clientMessageId":"same")");
    BOOST_TEST_REQUIRE(!again.error);
    BOOST_TEST_REQUIRE(again.emits.size() == 1u);  // message:sent only, no second broadcast
    BOOST_TEST(again.emits[0].payload.at("messageId") == first.emits[1].payload.at("messageId"));
    BOOST_TEST(db->messages_before(group.id, std::nullopt, 10)->messages.size() == 1u);
}

BOOST_AUTO_TEST_CASE(send_rejects_bad_input_and_stores_nothing) {
    BOOST_TEST((error_code(send(alice, "")) == code::bad_request));
    BOOST_TEST((error_code(send(alice, std::string(10001, 'x'))) == code::bad_request));
    BOOST_TEST(!send(alice, std::string(10000, 'x')).error);
    BOOST_TEST((error_code(send(alice, "x", R"("messageType":"system")")) == code::bad_request));
    BOOST_TEST((error_code(send(alice, "x", R"("attachments":"no")")) == code::bad_request));
    BOOST_TEST((error_code(send(alice, "x", R"("replyTo":"nothex")")) == code::bad_request));
    BOOST_TEST((error_code(send(alice, "x", R"("replyTo":"0123456789abcdef01234567")")) ==
                code::bad_request));
    BOOST_TEST((error_code(send(alice, "x", R"("clientMessageId":5)")) == code::bad_request));
    auto no_chat = obj(R"({"content":"x"})");
    BOOST_TEST((error_code(chat::events::message_send(*db, alice, no_chat)) == code::bad_request));
    auto bad_chat = obj(R"({"chatId":"0123456789abcdef01234567","content":"x"})");
    BOOST_TEST((error_code(chat::events::message_send(*db, alice, bad_chat)) == code::not_found));
    BOOST_TEST(db->messages_before(group.id, std::nullopt, 10)->messages.size() == 1u);
}

BOOST_AUTO_TEST_CASE(non_participants_can_do_nothing_in_a_chat) {
    auto sent = send(alice, "secret");
    const auto id = sent.emits[1].payload.at("messageId").as_string();
    BOOST_TEST((error_code(send(eve, "hi")) == code::forbidden));
    auto with_message = in_group();
    with_message["messageId"] = id;
    BOOST_TEST((error_code(chat::events::chat_join(*db, eve, in_group())) == code::forbidden));
    BOOST_TEST((error_code(chat::events::chat_typing(*db, eve, in_group())) == code::forbidden));
    BOOST_TEST((error_code(chat::events::message_mark_read(*db, eve, with_message)) ==
                code::forbidden));
    auto edit = with_message;
    edit["content"] = "pwned";
    BOOST_TEST((error_code(chat::events::message_edit(*db, eve, edit)) == code::forbidden));
    BOOST_TEST((error_code(chat::events::message_delete(*db, eve, with_message)) ==
                code::forbidden));
    auto react = with_message;
    react["emoji"] = "x";
    BOOST_TEST((error_code(chat::events::message_reaction(*db, eve, react)) == code::forbidden));
}

BOOST_AUTO_TEST_CASE(edit_is_for_the_sender_only_and_not_after_delete) {
    auto sent = send(bob, "typo");
    auto edit = in_group(R"("content":"fixed")");
    edit["messageId"] = sent.emits[1].payload.at("messageId");
    BOOST_TEST((error_code(chat::events::message_edit(*db, alice, edit)) == code::forbidden));
    auto o = chat::events::message_edit(*db, bob, edit);
    BOOST_TEST_REQUIRE(!o.error);
    BOOST_TEST(o.emits[0].event == "message:edited");
    BOOST_TEST(o.emits[0].payload.at("content").as_string() == "fixed");
    BOOST_TEST(o.emits[0].payload.contains("editedAt"));
    auto del = in_group();
    del["messageId"] = edit["messageId"];
    BOOST_TEST(!chat::events::message_delete(*db, bob, del).error);
    BOOST_TEST((error_code(chat::events::message_edit(*db, bob, edit)) == code::bad_request));
}

BOOST_AUTO_TEST_CASE(group_admin_may_delete_others_messages_member_may_not) {
    auto by_bob = send(bob, "hm");
    auto by_alice = send(alice, "hm");
    auto del_bob = in_group();
    del_bob["messageId"] = by_bob.emits[1].payload.at("messageId");
    auto del_alice = in_group();
    del_alice["messageId"] = by_alice.emits[1].payload.at("messageId");
    BOOST_TEST((error_code(chat::events::message_delete(*db, bob, del_alice)) == code::forbidden));
    auto o = chat::events::message_delete(*db, alice, del_bob);  // alice is the admin
    BOOST_TEST_REQUIRE(!o.error);
    BOOST_TEST(o.emits[0].event == "message:deleted");
    auto stored = db->get_message(group.id, *db::object_id::parse(del_bob.at("messageId").as_string()));
    BOOST_TEST(stored->msg.is_deleted);
    BOOST_TEST(stored->msg.content.empty());
}

BOOST_AUTO_TEST_CASE(reaction_toggles_and_mark_read_records_receipt) {
    auto sent = send(alice, "react to me");
    auto react = in_group(R"("emoji":"👍")");
    react["messageId"] = sent.emits[1].payload.at("messageId");
    auto on = chat::events::message_reaction(*db, bob, react);
    BOOST_TEST_REQUIRE(!on.error);
    BOOST_TEST(on.emits[0].event == "message:reactionUpdated");
    BOOST_TEST(on.emits[0].payload.at("reactions").as_array().size() == 1u);
    auto off = chat::events::message_reaction(*db, bob, react);
    BOOST_TEST(off.emits[0].payload.at("reactions").as_array().empty());
    react["emoji"] = std::string(33, 'x');
    BOOST_TEST((error_code(chat::events::message_reaction(*db, bob, react)) == code::bad_request));

    auto read = in_group();
    read["messageId"] = sent.emits[1].payload.at("messageId");
    auto r = chat::events::message_mark_read(*db, bob, read);
    BOOST_TEST_REQUIRE(!r.error);
    BOOST_TEST(r.emits[0].event == "message:read");
    BOOST_TEST(r.emits[0].payload.at("userId").as_string() == bob.user_id.to_hex());
    BOOST_TEST(db->get_chat(group.id, bob.user_id)->unread_count == 0u);
}

BOOST_AUTO_TEST_CASE(join_leave_and_typing_say_where_to_send) {
    auto join = chat::events::chat_join(*db, bob, in_group());
    BOOST_TEST_REQUIRE(!join.error);
    BOOST_TEST((join.rooms == chat::room_change::join));
    BOOST_TEST(join.emits[0].event == "user:joined");
    auto typing = chat::events::chat_typing(*db, bob, in_group());
    BOOST_TEST((typing.emits[0].to == audience::room_others));
    BOOST_TEST(typing.emits[0].payload.at("username").as_string() == "bob");
    auto stop = chat::events::chat_stop_typing(*db, bob, in_group());
    BOOST_TEST(stop.emits[0].event == "user:stoppedTyping");
    BOOST_TEST(!stop.emits[0].payload.contains("username"));
    auto leave = chat::events::chat_leave(*db, bob, in_group());
    BOOST_TEST((leave.rooms == chat::room_change::leave));
    BOOST_TEST((error_code(chat::events::chat_join(*db, bob, obj(R"({"chatId":1})"))) ==
                code::bad_request));
}

BOOST_AUTO_TEST_SUITE_END()
