/* Unit tests of the socket table and the occupancy rules (socket_table.c),
 * with made-up socket pointers and thread ids: no libzmq, no threads. The
 * thread-safe types are tested here by number, since Debian's libzmq is
 * built without the draft API and cannot create them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../socket_table.h"

#define DEALER 5
#define ROUTER 6

static const struct call_site creation_by_main = { 100, "zmq_socket", 0x1000 };

/* Each test uses its own made-up socket addresses. */
static void *fake_socket(uintptr_t n)
{
    return (void *)(0x7f0000000000u + n * 0x1f0);
}

static struct call_site call_by(pid_t tid, const char *call, uintptr_t caller)
{
    struct call_site site = { tid, call, caller };
    return site;
}

/* slot_enter for a made-up call site. */
static enum entry_kind enter_as(struct socket_slot *slot, const struct call_site *site, struct call_site *previous)
{
    return slot_enter(slot, site->tid, site->call, site->caller, previous);
}

static void test_thread_safe_types_are_exempt(void **state)
{
    (void)state;
    const int thread_safe[] = { 12, 13, 14, 15, 16, 17, 19, 20 }; /* SERVER..SCATTER, PEER, CHANNEL */
    for (size_t i = 0; i < sizeof thread_safe / sizeof thread_safe[0]; i++)
        assert_true(socket_type_is_thread_safe(thread_safe[i]));
    for (int type = 0; type <= 11; type++) /* PAIR..STREAM */
        assert_false(socket_type_is_thread_safe(type));
    assert_false(socket_type_is_thread_safe(18)); /* DGRAM: draft, not thread safe */
    assert_false(socket_type_is_thread_safe(SOCKET_TYPE_UNKNOWN));
    assert_false(socket_type_is_thread_safe(21));
}

static void test_type_names(void **state)
{
    (void)state;
    assert_string_equal(socket_type_name(0), "PAIR");
    assert_string_equal(socket_type_name(DEALER), "DEALER");
    assert_string_equal(socket_type_name(ROUTER), "ROUTER");
    assert_string_equal(socket_type_name(11), "STREAM");
    assert_string_equal(socket_type_name(13), "CLIENT");
    assert_string_equal(socket_type_name(18), "DGRAM");
    assert_string_equal(socket_type_name(20), "CHANNEL");
    assert_string_equal(socket_type_name(21), "UNKNOWN");
    assert_string_equal(socket_type_name(SOCKET_TYPE_UNKNOWN), "UNKNOWN");
}

static void test_thread_safe_socket_is_never_occupied(void **state)
{
    (void)state;
    struct socket_slot *slot = socket_table_add_new(fake_socket(1), 13 /* CLIENT */, &creation_by_main);
    assert_non_null(slot);
    struct call_site a = call_by(201, "zmq_send", 0x2000), b = call_by(202, "zmq_recv", 0x3000);
    assert_int_equal(enter_as(slot, &a, NULL), ENTRY_EXEMPT);
    assert_int_equal(enter_as(slot, &b, NULL), ENTRY_EXEMPT);
}

static void test_second_thread_inside_is_an_overlap(void **state)
{
    (void)state;
    struct socket_slot *slot = socket_table_add_new(fake_socket(2), DEALER, &creation_by_main);
    assert_non_null(slot);
    assert_ptr_equal(socket_table_find(fake_socket(2)), slot);
    struct call_site receiver = call_by(201, "zmq_recv", 0x2000), sender = call_by(202, "zmq_send", 0x3000);
    struct call_site other;
    assert_int_equal(enter_as(slot, &receiver, NULL), ENTRY_FIRST);
    assert_int_equal(enter_as(slot, &sender, NULL), ENTRY_OVERLAP);
    /* The thread inside is named with its call and caller. */
    slot_read_occupant_call(slot, 202, &other);
    assert_int_equal(other.tid, 201);
    assert_string_equal(other.call, "zmq_recv");
    assert_int_equal(other.caller, 0x2000);
    /* The overlapping call never occupied the slot: its leave changes nothing. */
    slot_leave(slot, 202);
    assert_int_equal(enter_as(slot, &sender, NULL), ENTRY_OVERLAP);
    slot_leave(slot, 202);
    slot_leave(slot, 201);
    assert_int_equal(enter_as(slot, &sender, NULL), ENTRY_FIRST);
    slot_leave(slot, 202);
}

static void test_same_thread_may_nest(void **state)
{
    (void)state;
    struct socket_slot *slot = socket_table_add_new(fake_socket(3), DEALER, &creation_by_main);
    struct call_site poll = call_by(201, "zmq_poll", 0x2000), getsockopt = call_by(201, "zmq_getsockopt", 0x9000);
    struct call_site other = call_by(202, "zmq_send", 0x3000), seen;
    assert_int_equal(enter_as(slot, &poll, NULL), ENTRY_FIRST);
    assert_int_equal(enter_as(slot, &getsockopt, NULL), ENTRY_NESTED);
    assert_int_equal(enter_as(slot, &getsockopt, NULL), ENTRY_NESTED);
    slot_leave(slot, 201);
    slot_leave(slot, 201);
    /* Still inside the outer zmq_poll: another thread overlaps it, and the
     * call named is the outermost one. */
    assert_int_equal(enter_as(slot, &other, NULL), ENTRY_OVERLAP);
    slot_read_occupant_call(slot, 202, &seen);
    assert_string_equal(seen.call, "zmq_poll");
    slot_leave(slot, 201);
    assert_int_equal(enter_as(slot, &other, NULL), ENTRY_FIRST);
    slot_leave(slot, 202);
}

static void test_previous_owner_is_known_for_handoffs(void **state)
{
    (void)state;
    struct socket_slot *slot = socket_table_add_new(fake_socket(4), DEALER, &creation_by_main);
    struct call_site a = call_by(201, "zmq_send", 0x2000), b = call_by(202, "zmq_recv", 0x3000);
    struct call_site previous;
    /* The creation is the first use. */
    assert_int_equal(enter_as(slot, &a, &previous), ENTRY_FIRST);
    assert_int_equal(previous.tid, 100);
    assert_string_equal(previous.call, "zmq_socket");
    slot_leave(slot, 201);
    assert_int_equal(enter_as(slot, &b, &previous), ENTRY_FIRST);
    assert_int_equal(previous.tid, 201);
    assert_string_equal(previous.call, "zmq_send");
    assert_int_equal(previous.caller, 0x2000);
    slot_leave(slot, 202);
    /* A marked migration is taken once. */
    assert_false(slot_take_migration_mark(slot));
    slot_mark_migration(slot);
    assert_true(slot_take_migration_mark(slot));
    assert_false(slot_take_migration_mark(slot));
}

static void test_reports_are_claimed_once_per_kind(void **state)
{
    (void)state;
    struct socket_slot *slot = socket_table_add_new(fake_socket(5), DEALER, &creation_by_main);
    assert_true(slot_claim_report(slot, REPORTED_OVERLAP));
    assert_false(slot_claim_report(slot, REPORTED_OVERLAP));
    assert_true(slot_claim_report(slot, REPORTED_HANDOFF));
    assert_false(slot_claim_report(slot, REPORTED_HANDOFF));
}

static void test_close_forgets_and_reuse_starts_fresh(void **state)
{
    (void)state;
    void *socket = fake_socket(6);
    struct socket_slot *slot = socket_table_add_new(socket, DEALER, &creation_by_main);
    struct call_site close_call = call_by(201, "zmq_close", 0x2000);
    assert_int_equal(enter_as(slot, &close_call, NULL), ENTRY_FIRST);
    assert_true(slot_claim_report(slot, REPORTED_OVERLAP));
    socket_table_forget(slot, 201);
    assert_null(socket_table_find(socket));

    /* The same address, a new socket of another type, by another thread:
     * a fresh slot, its creator as the last user, its reports not yet made. */
    struct call_site creation = call_by(300, "zmq_socket", 0x4000), use = call_by(300, "zmq_send", 0x4100);
    struct socket_slot *again = socket_table_add_new(socket, ROUTER, &creation);
    assert_non_null(again);
    assert_ptr_equal(socket_table_find(socket), again);
    assert_int_equal(slot_type(again), ROUTER);
    struct call_site previous;
    assert_int_equal(enter_as(again, &use, &previous), ENTRY_FIRST);
    assert_int_equal(previous.tid, 300);
    assert_true(slot_claim_report(again, REPORTED_OVERLAP));
    slot_leave(again, 300);
}

static void test_reuse_without_close_resets_the_slot(void **state)
{
    (void)state;
    void *socket = fake_socket(7);
    struct socket_slot *slot = socket_table_add_new(socket, DEALER, &creation_by_main);
    struct call_site a = call_by(201, "zmq_recv", 0x2000);
    assert_int_equal(enter_as(slot, &a, NULL), ENTRY_FIRST);
    /* zmq_socket returned this address again (the close happened where the
     * checker could not see it): the stale occupant is gone. */
    struct socket_slot *again = socket_table_add_new(socket, DEALER, &creation_by_main);
    assert_ptr_equal(again, slot);
    struct call_site b = call_by(202, "zmq_send", 0x3000);
    assert_int_equal(enter_as(again, &b, NULL), ENTRY_FIRST);
    slot_leave(again, 201); /* the old call's leave must not free b's occupancy */
    assert_int_equal(enter_as(again, &a, NULL), ENTRY_OVERLAP);
    slot_leave(again, 202);
}

static void test_learn_does_not_reset(void **state)
{
    (void)state;
    void *socket = fake_socket(8);
    struct socket_slot *slot = socket_table_learn(socket, ROUTER);
    assert_non_null(slot);
    assert_int_equal(slot_type(slot), ROUTER);
    struct call_site a = call_by(201, "zmq_recv", 0x2000), b = call_by(202, "zmq_send", 0x3000);
    assert_int_equal(enter_as(slot, &a, NULL), ENTRY_FIRST);
    assert_ptr_equal(socket_table_learn(socket, ROUTER), slot);
    assert_int_equal(enter_as(slot, &b, NULL), ENTRY_OVERLAP);
    slot_leave(slot, 201);
}

static void test_many_sockets_and_tombstones(void **state)
{
    (void)state;
    /* Fill, close and refill far more sockets than the table holds at once:
     * tombstones must be reused, lookups must stay right. */
    for (int round = 0; round < 8; round++) {
        for (uintptr_t i = 0; i < 4000; i++) {
            void *socket = fake_socket(1000 + round * 4000 + i);
            assert_non_null(socket_table_add_new(socket, DEALER, &creation_by_main));
        }
        for (uintptr_t i = 0; i < 4000; i++) {
            void *socket = fake_socket(1000 + round * 4000 + i);
            struct socket_slot *slot = socket_table_find(socket);
            assert_non_null(slot);
            struct call_site close_call = call_by(201, "zmq_close", 0x2000);
            assert_int_equal(enter_as(slot, &close_call, NULL), ENTRY_FIRST);
            socket_table_forget(slot, 201);
            assert_null(socket_table_find(socket));
        }
    }
    struct table_statistics stats = socket_table_statistics();
    assert_int_equal(stats.untracked, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thread_safe_types_are_exempt),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_thread_safe_socket_is_never_occupied),
        cmocka_unit_test(test_second_thread_inside_is_an_overlap),
        cmocka_unit_test(test_same_thread_may_nest),
        cmocka_unit_test(test_previous_owner_is_known_for_handoffs),
        cmocka_unit_test(test_reports_are_claimed_once_per_kind),
        cmocka_unit_test(test_close_forgets_and_reuse_starts_fresh),
        cmocka_unit_test(test_reuse_without_close_resets_the_slot),
        cmocka_unit_test(test_learn_does_not_reset),
        cmocka_unit_test(test_many_sockets_and_tombstones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
