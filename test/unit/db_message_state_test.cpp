#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "db_fixture.hpp"

using namespace confab::db;
using confab::db::test::code;
using confab::db::test::error_of;

namespace {

struct group_fixture : test::store_fixture {
    user ann = add_user("ann");
    user ben = add_user("ben");
    user cat = add_user("cat");
    chat group = add_group(ann, {ben.id, cat.id});
};

std::vector<std::pair<object_id, std::string>> reactions_of(const message_view& v) {
    std::vector<std::pair<object_id, std::string>> out;
    for (const reaction& r : v.reactions) out.emplace_back(r.user_id, r.emoji);
    return out;
}

std::vector<object_id> readers_of(const message_view& v) {
    std::vector<object_id> out;
    for (const read_receipt& r : v.read_by) out.push_back(r.user_id);
    return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(db_message_state, group_fixture)

BOOST_AUTO_TEST_CASE(one_user_has_at_most_max_reactions_per_user_on_a_message) {
    const message m = send(group, ann, "many");
    for (std::size_t i = 0; i < max_reactions_per_user; ++i)
        BOOST_REQUIRE(db->toggle_reaction(group.id, m.id, ben.id, "e" + std::to_string(i)));
    auto over = db->toggle_reaction(group.id, m.id, ben.id, "over");
    BOOST_TEST(error_of(over) == code(errc::reaction_limit));
    BOOST_REQUIRE(db->toggle_reaction(group.id, m.id, cat.id, "e0"));  // others still can
    BOOST_REQUIRE(db->toggle_reaction(group.id, m.id, ben.id, "e0"));  // off: room for one
    BOOST_REQUIRE(db->toggle_reaction(group.id, m.id, ben.id, "over"));
    auto view = db->get_message(group.id, m.id);
    BOOST_REQUIRE(view);
    BOOST_TEST(view->reactions.size() == max_reactions_per_user + 1);
}

BOOST_AUTO_TEST_CASE(reactions_toggle_per_user_and_emoji) {
    const message m = send(group, ann, "vote");
    auto r = db->toggle_reaction(group.id, m.id, ben.id, "👍");
    BOOST_REQUIRE(r);
    BOOST_REQUIRE(r->size() == 1u);
    BOOST_TEST(r->at(0).user_id == ben.id);
    BOOST_TEST(r->at(0).emoji == "👍");

    BOOST_REQUIRE(db->toggle_reaction(group.id, m.id, cat.id, "👍"));
    BOOST_REQUIRE(db->toggle_reaction(group.id, m.id, ben.id, "🎉"));
    r = db->toggle_reaction(group.id, m.id, ben.id, "👍");  // off again
    BOOST_REQUIRE(r);
    BOOST_REQUIRE(r->size() == 2u);

    auto view = db->get_message(group.id, m.id);
    BOOST_REQUIRE(view);
    // In the order they were made.
    const std::vector<std::pair<object_id, std::string>> expected{{cat.id, "👍"}, {ben.id, "🎉"}};
    BOOST_TEST((reactions_of(*view) == expected));

    // Only this message's reactions, also in a page.
    const message other = send(group, ann, "other");
    BOOST_REQUIRE(db->toggle_reaction(group.id, other.id, ann.id, "x"));
    auto page = db->messages_before(group.id, std::nullopt, 10);
    BOOST_REQUIRE(page);
    BOOST_REQUIRE(page->messages.size() == 2u);
    BOOST_TEST(page->messages[0].reactions.size() == 2u);
    BOOST_TEST(page->messages[1].reactions.size() == 1u);
}

// As a client appending them to the message would list them, whatever the users' ids, and
// within one millisecond of the store's clock (the fixture's stands still).
BOOST_AUTO_TEST_CASE(reactions_and_receipts_are_listed_in_the_order_they_were_made) {
    const message m = send(group, ann, "order");
    BOOST_REQUIRE(db->toggle_reaction(group.id, m.id, cat.id, "👍"));
    BOOST_REQUIRE(db->toggle_reaction(group.id, m.id, ann.id, "🎉"));
    BOOST_REQUIRE(db->toggle_reaction(group.id, m.id, ben.id, "👍"));
    BOOST_REQUIRE(db->toggle_reaction(group.id, m.id, ann.id, "👍"));
    BOOST_REQUIRE(db->toggle_reaction(group.id, m.id, cat.id, "👍"));  // off
    auto toggled = db->toggle_reaction(group.id, m.id, cat.id, "👍");  // on again: now last
    BOOST_REQUIRE(db->mark_read(group.id, m.id, cat.id));
    BOOST_REQUIRE(db->mark_read(group.id, m.id, ben.id));
    BOOST_REQUIRE(db->mark_read(group.id, m.id, cat.id));  // again: keeps its place

    const std::vector<std::pair<object_id, std::string>> reactions{
        {ann.id, "🎉"}, {ben.id, "👍"}, {ann.id, "👍"}, {cat.id, "👍"}};
    BOOST_REQUIRE(toggled);
    message_view toggled_view{.msg = m, .reactions = *toggled, .read_by = {}};
    BOOST_TEST((reactions_of(toggled_view) == reactions));
    const std::vector<object_id> readers{cat.id, ben.id};
    auto view = db->get_message(group.id, m.id);
    BOOST_REQUIRE(view);
    BOOST_TEST((reactions_of(*view) == reactions));
    BOOST_TEST((readers_of(*view) == readers));
    auto page = db->messages_before(group.id, std::nullopt, 10);
    BOOST_REQUIRE(page);
    BOOST_REQUIRE(!page->messages.empty());
    BOOST_TEST((reactions_of(page->messages.back()) == reactions));
    BOOST_TEST((readers_of(page->messages.back()) == readers));
}

BOOST_AUTO_TEST_CASE(reactions_are_checked) {
    const message m = send(group, ann, "hi");
    const user stranger = add_user("eve");
    BOOST_TEST(error_of(db->toggle_reaction(group.id, m.id, ben.id, "")) ==
               code(errc::invalid_argument));
    BOOST_TEST(error_of(db->toggle_reaction(group.id, m.id, ben.id,
                                            std::string(max_emoji_size + 1, 'x'))) ==
               code(errc::invalid_argument));
    BOOST_TEST(error_of(db->toggle_reaction(group.id, m.id, stranger.id, "x")) ==
               code(errc::not_member));
    BOOST_TEST(error_of(db->toggle_reaction(group.id, object_id::generate(), ben.id, "x")) ==
               code(errc::not_found));
    BOOST_REQUIRE(db->delete_message(group.id, m.id, ann.id));
    BOOST_TEST(error_of(db->toggle_reaction(group.id, m.id, ben.id, "x")) ==
               code(errc::message_deleted));
}

BOOST_AUTO_TEST_CASE(receipts_keep_the_first_read_time) {
    const message m = send(group, ann, "read me");
    tick(100);
    auto first = db->mark_read(group.id, m.id, ben.id);
    BOOST_REQUIRE(first);
    BOOST_TEST(first->user_id == ben.id);
    BOOST_TEST(first->read_at == now.load());
    const millis first_time = now.load();
    tick(100);
    auto again = db->mark_read(group.id, m.id, ben.id);
    BOOST_REQUIRE(again);
    BOOST_TEST(again->read_at == first_time);
    BOOST_REQUIRE(db->mark_read(group.id, m.id, cat.id));

    auto view = db->get_message(group.id, m.id);
    BOOST_REQUIRE(view);
    BOOST_TEST(view->read_by.size() == 2u);
    for (const read_receipt& r : view->read_by) {
        BOOST_TEST((r.user_id == ben.id || r.user_id == cat.id));
    }

    const user stranger = add_user("eve");
    BOOST_TEST(error_of(db->mark_read(group.id, m.id, stranger.id)) == code(errc::not_member));
    BOOST_TEST(error_of(db->mark_read(group.id, object_id::generate(), ben.id)) ==
               code(errc::not_found));
}

BOOST_AUTO_TEST_CASE(unread_counts_follow_reads) {
    std::vector<message> sent;
    for (int i = 0; i < 5; ++i) sent.push_back(send(group, ann, "a" + std::to_string(i)));
    sent.push_back(send(group, ben, "from ben"));
    BOOST_TEST(unread(group, ann) == 1u);  // ben's only
    BOOST_TEST(unread(group, ben) == 5u);  // not his own
    BOOST_TEST(unread(group, cat) == 6u);

    BOOST_REQUIRE(db->mark_read(group.id, sent[2].id, cat.id));
    BOOST_TEST(unread(group, cat) == 3u);
    // Reading an older message does not move the marker back.
    BOOST_REQUIRE(db->mark_read(group.id, sent[0].id, cat.id));
    BOOST_TEST(unread(group, cat) == 3u);
    BOOST_REQUIRE(db->mark_read(group.id, sent[5].id, cat.id));
    BOOST_TEST(unread(group, cat) == 0u);
    BOOST_REQUIRE(db->mark_read(group.id, sent[4].id, ben.id));
    BOOST_TEST(unread(group, ben) == 0u);  // his own later message does not count

    send(group, cat, "from cat");
    BOOST_TEST(unread(group, cat) == 0u);
    BOOST_TEST(unread(group, ben) == 1u);
    BOOST_TEST(unread(group, ann) == 2u);
}

BOOST_AUTO_TEST_CASE(unread_counts_match_a_recount_after_random_traffic) {
    const std::vector<user> people{ann, ben, cat};
    std::vector<message> sent;
    std::mt19937 rng(7);
    for (int step = 0; step < 300; ++step) {
        const user& who = people[rng() % people.size()];
        if (sent.empty() || rng() % 3 != 0) {
            sent.push_back(send(group, who, "s" + std::to_string(step)));
        } else {
            BOOST_REQUIRE(db->mark_read(group.id, sent[rng() % sent.size()].id, who.id));
        }
    }
    // The definition: messages after the newest one the user marked read, not their own.
    for (const user& u : people) {
        std::size_t last_read = 0;  // index after the newest read message
        for (std::size_t i = 0; i < sent.size(); ++i) {
            auto view = db->get_message(group.id, sent[i].id);
            BOOST_REQUIRE(view);
            for (const read_receipt& r : view->read_by) {
                if (r.user_id == u.id) last_read = i + 1;
            }
        }
        std::uint64_t expected = 0;
        for (std::size_t i = last_read; i < sent.size(); ++i) {
            if (sent[i].sender_id != u.id) ++expected;
        }
        BOOST_TEST(unread(group, u) == expected);
    }
}

BOOST_AUTO_TEST_SUITE_END()
