#include <algorithm>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "db_fixture.hpp"

using namespace confab::db;
using confab::db::test::code;
using confab::db::test::error_of;

namespace {

std::vector<object_id> chat_ids(const std::vector<chat_view>& views) {
    std::vector<object_id> ids;
    for (const auto& v : views) ids.push_back(v.info.id);
    return ids;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(db_chats, test::store_fixture)

BOOST_AUTO_TEST_CASE(direct_chat_is_created_once_per_pair) {
    const user a = add_user("ann");
    const user b = add_user("ben");
    BOOST_TEST(error_of(db->find_direct_chat(a.id, b.id)) == code(errc::not_found));

    auto first = db->create_direct_chat(a.id, b.id);
    BOOST_REQUIRE(first);
    BOOST_TEST(first->created);
    BOOST_TEST((first->info.type == chat_type::direct));
    BOOST_TEST(first->info.created_by == a.id);

    // Either user, either order: the same chat.
    auto again = db->create_direct_chat(b.id, a.id);
    BOOST_REQUIRE(again);
    BOOST_TEST(!again->created);
    BOOST_TEST(again->info.id == first->info.id);
    auto found = db->find_direct_chat(b.id, a.id);
    BOOST_REQUIRE(found);
    BOOST_TEST(found->id == first->info.id);

    auto view = db->get_chat(first->info.id, a.id);
    BOOST_REQUIRE(view);
    BOOST_TEST(view->members.size() == 2u);
    for (const member& m : view->members) BOOST_TEST((m.role == member_role::member));
    BOOST_TEST(!view->last_message.has_value());
    BOOST_TEST(view->unread_count == 0u);
}

BOOST_AUTO_TEST_CASE(direct_chat_needs_two_known_users) {
    const user a = add_user("ann");
    BOOST_TEST(error_of(db->create_direct_chat(a.id, a.id)) == code(errc::invalid_argument));
    BOOST_TEST(error_of(db->create_direct_chat(a.id, object_id::generate())) ==
               code(errc::not_found));
}

BOOST_AUTO_TEST_CASE(group_chat_has_its_creator_as_admin) {
    const user a = add_user("ann");
    const user b = add_user("ben");
    const user c = add_user("cat");
    const std::vector<object_id> invited{b.id, c.id, b.id, a.id};
    auto created = db->create_group_chat(a.id, "friends", invited);
    BOOST_REQUIRE(created);
    BOOST_TEST(created->name == "friends");
    BOOST_TEST((created->type == chat_type::group));

    auto view = db->get_chat(created->id, b.id);
    BOOST_REQUIRE(view);
    BOOST_TEST(view->members.size() == 3u);
    for (const member& m : view->members) {
        BOOST_TEST((m.role == (m.user_id == a.id ? member_role::admin : member_role::member)));
    }
    BOOST_TEST((db->get_role(created->id, a.id).value() == member_role::admin));
    BOOST_TEST((db->get_role(created->id, c.id).value() == member_role::member));

    const std::vector<object_id> stranger{object_id::generate()};
    BOOST_TEST(error_of(db->create_group_chat(a.id, "x", stranger)) == code(errc::not_found));
}

BOOST_AUTO_TEST_CASE(roles_of_non_members_and_unknown_chats) {
    const user a = add_user("ann");
    const user b = add_user("ben");
    const chat g = add_group(a, {});
    BOOST_TEST(error_of(db->get_role(g.id, b.id)) == code(errc::not_member));
    BOOST_TEST(error_of(db->get_role(object_id::generate(), a.id)) == code(errc::not_found));
    BOOST_TEST(error_of(db->get_chat(object_id::generate(), a.id)) == code(errc::not_found));
}

BOOST_AUTO_TEST_CASE(members_join_and_leave_groups) {
    const user a = add_user("ann");
    const user b = add_user("ben");
    const chat g = add_group(a, {});
    send(g, a, "before ben joined");

    BOOST_TEST(!error_of(db->add_member(g.id, b.id, member_role::member)));
    BOOST_TEST(error_of(db->add_member(g.id, b.id, member_role::admin)) ==
               code(errc::already_member));
    BOOST_TEST(error_of(db->add_member(g.id, object_id::generate(), member_role::member)) ==
               code(errc::not_found));
    // Earlier messages are not unread for a newcomer; later ones are.
    BOOST_TEST(unread(g, b) == 0u);
    send(g, a, "welcome");
    BOOST_TEST(unread(g, b) == 1u);
    auto b_chats = db->list_chats(b.id, 10);
    BOOST_REQUIRE(b_chats);
    BOOST_TEST(b_chats->size() == 1u);

    BOOST_TEST(!error_of(db->remove_member(g.id, b.id)));
    BOOST_TEST(error_of(db->remove_member(g.id, b.id)) == code(errc::not_member));
    BOOST_TEST(error_of(db->get_role(g.id, b.id)) == code(errc::not_member));
    b_chats = db->list_chats(b.id, 10);
    BOOST_REQUIRE(b_chats);
    BOOST_TEST(b_chats->empty());
    auto view = db->get_chat(g.id, a.id);
    BOOST_REQUIRE(view);
    BOOST_TEST(view->members.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_group_whose_last_admin_leaves_gets_the_first_member_as_admin) {
    const user a = add_user("ann");
    const user b = add_user("ben");
    const user c = add_user("cat");
    const chat g = add_group(a, {b.id, c.id});
    const object_id first = std::min(b.id, c.id);
    const object_id second = std::max(b.id, c.id);
    BOOST_TEST(!error_of(db->remove_member(g.id, a.id)));
    auto role = db->get_role(g.id, first);
    BOOST_REQUIRE(role);
    BOOST_TEST((*role == member_role::admin));
    role = db->get_role(g.id, second);
    BOOST_REQUIRE(role);
    BOOST_TEST((*role == member_role::member));
    // A member leaving, or a second admin, changes no one's role.
    BOOST_TEST(!error_of(db->add_member(g.id, a.id, member_role::admin)));
    BOOST_TEST(!error_of(db->remove_member(g.id, first)));
    role = db->get_role(g.id, second);
    BOOST_REQUIRE(role);
    BOOST_TEST((*role == member_role::member));
    BOOST_TEST(!error_of(db->remove_member(g.id, second)));
    BOOST_TEST(!error_of(db->remove_member(g.id, a.id)));  // the last one: nobody to inherit
}

BOOST_AUTO_TEST_CASE(direct_chats_keep_their_two_members) {
    const user a = add_user("ann");
    const user b = add_user("ben");
    const user c = add_user("cat");
    auto d = db->create_direct_chat(a.id, b.id);
    BOOST_REQUIRE(d);
    BOOST_TEST(error_of(db->add_member(d->info.id, c.id, member_role::member)) ==
               code(errc::invalid_argument));
    BOOST_TEST(error_of(db->remove_member(d->info.id, b.id)) == code(errc::invalid_argument));
}

BOOST_AUTO_TEST_CASE(a_users_chats_come_latest_activity_first) {
    const user a = add_user("ann");
    const user b = add_user("ben");
    const user c = add_user("cat");
    const chat first = add_group(a, {b.id});
    tick();
    auto direct = db->create_direct_chat(a.id, c.id);
    BOOST_REQUIRE(direct);
    const chat second = direct->info;
    tick();
    const chat third = add_group(b, {a.id, c.id});
    tick();

    auto listed = db->list_chats(a.id, 10);
    BOOST_REQUIRE(listed);
    std::vector<object_id> expected{third.id, second.id, first.id};
    BOOST_TEST(chat_ids(*listed) == expected, boost::test_tools::per_element());

    // A message moves its chat to the top, for every member.
    const message m = send(first, b, "hi");
    tick();
    listed = db->list_chats(a.id, 10);
    BOOST_REQUIRE(listed);
    expected = {first.id, third.id, second.id};
    BOOST_TEST(chat_ids(*listed) == expected, boost::test_tools::per_element());
    BOOST_REQUIRE(listed->front().last_message.has_value());
    BOOST_TEST(listed->front().last_message->msg.id == m.id);
    BOOST_TEST(listed->front().last_message->msg.content == "hi");
    BOOST_TEST(listed->front().unread_count == 1u);
    BOOST_TEST(listed->front().info.updated_at == m.created_at);

    auto for_b = db->list_chats(b.id, 10);
    BOOST_REQUIRE(for_b);
    expected = {first.id, third.id};
    BOOST_TEST(chat_ids(*for_b) == expected, boost::test_tools::per_element());
    BOOST_TEST(for_b->front().unread_count == 0u);  // b sent it

    send(second, c, "yo");
    listed = db->list_chats(a.id, 2);
    BOOST_REQUIRE(listed);
    expected = {second.id, first.id};
    BOOST_TEST(chat_ids(*listed) == expected, boost::test_tools::per_element());

    auto nobody = db->list_chats(object_id::generate(), 10);
    BOOST_REQUIRE(nobody);
    BOOST_TEST(nobody->empty());
}

BOOST_AUTO_TEST_SUITE_END()
