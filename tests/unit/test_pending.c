/* test_pending.c - the duration/time parser behind --since/--until and the
 * Activity filter, and the pending-filter logic: which jobs count as
 * waiting, how notifications group into transactions, the wait's "until"
 * and digest details, and newest-first ordering. */
#include <criterion/criterion.h>

#include <string.h>

#include "pending.h"

#define NOW 1767225600000LL /* 2026-01-01T00:00:00Z */

Test(pending_time, durations_count_back_from_now)
{
	int64_t ms;

	cr_assert_eq(pending_parse_time("30m", NOW, &ms), 0);
	cr_assert_eq(ms, NOW - 30 * 60000LL);
	cr_assert_eq(pending_parse_time("2h", NOW, &ms), 0);
	cr_assert_eq(ms, NOW - 2 * 3600000LL);
	cr_assert_eq(pending_parse_time("7d", NOW, &ms), 0);
	cr_assert_eq(ms, NOW - 7 * 86400000LL);
	cr_assert_eq(pending_parse_time("45s", NOW, &ms), 0);
	cr_assert_eq(ms, NOW - 45000);
	cr_assert_eq(pending_parse_time("1w", NOW, &ms), 0);
	cr_assert_eq(ms, NOW - 7 * 86400000LL);
}

Test(pending_time, iso_times_with_zone_offset_and_fraction)
{
	int64_t ms;

	cr_assert_eq(pending_parse_time("2026-01-01T00:00:00Z", NOW, &ms), 0);
	cr_assert_eq(ms, NOW);
	cr_assert_eq(pending_parse_time("2026-01-01", NOW, &ms), 0);
	cr_assert_eq(ms, NOW);
	cr_assert_eq(pending_parse_time("2026-01-01T02:00:00+02:00", NOW, &ms), 0);
	cr_assert_eq(ms, NOW);
	cr_assert_eq(pending_parse_time("2025-12-31T19:30-0430", NOW, &ms), 0);
	cr_assert_eq(ms, NOW);
	cr_assert_eq(pending_parse_time("2026-01-01T00:00:01.250Z", NOW, &ms), 0);
	cr_assert_eq(ms, NOW + 1250);
}

Test(pending_time, refuses_what_is_neither)
{
	static const char *const bad[] = {
		"", "30", "m", "30x", "3 h", "-2h", "2h ago", "2026-13-01", "2026-02-31",
		"2026-01-01T25:00:00Z", "2026-01-01T10:00:00+2", "yesterday", "2026-1-1",
		"2026-01-01T10:00:00Zjunk",
	};
	int64_t ms = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(pending_parse_time(bad[i], NOW, &ms), -1, "accepted '%s'", bad[i]);
	cr_assert_eq(ms, 42, "a refused text left the output alone");
}

Test(pending_filter, only_waiting_delay_and_digest_jobs_count)
{
	cr_assert(pending_job_waiting("digest", "delayed"));
	cr_assert(pending_job_waiting("delay", "pending"));
	cr_assert(pending_job_waiting("delay", "queued"));
	cr_assert_not(pending_job_waiting("digest", "completed"));
	cr_assert_not(pending_job_waiting("digest", "canceled"));
	cr_assert_not(pending_job_waiting("delay", "merged"));
	cr_assert_not(pending_job_waiting("email", "pending"));
	cr_assert_not(pending_job_waiting(NULL, "pending"));
}

static void
add(struct nc_activity_list *l, const char *json)
{
	cJSON *item = cJSON_Parse(json);
	struct nc_error err = NC_ERROR_INIT;

	cr_assert(item, "bad fixture %s", json);
	cr_assert_eq(activity_add_notification(l, item, &err), NC_OK);
	cJSON_Delete(item);
	nc_error_clear(&err);
}

#define TPL(wf) "\"template\":{\"name\":\"N\",\"triggers\":[{\"identifier\":\"" wf "\"}]}"

Test(pending_filter, groups_by_transaction_and_keeps_pending_newest_first)
{
	struct nc_activity_list l = { 0 };
	char text[160];

	/* A digest of one hour, triggered 2026-01-01T00:00Z, 3 events so far. */
	add(&l, "{\"transactionId\":\"t1\",\"createdAt\":\"2026-01-01T00:00:00.000Z\","
	        "\"subscriber\":{\"subscriberId\":\"x\"}," TPL("comment-digest") ","
	        "\"jobs\":[{\"type\":\"digest\",\"status\":\"delayed\",\"digest\":{\"type\":"
	        "\"regular\",\"amount\":1,\"unit\":\"hours\",\"events\":[{},{},{}]}},"
	        "{\"type\":\"email\",\"status\":\"pending\"}]}");
	/* Delivered: nothing waits. */
	add(&l, "{\"transactionId\":\"t2\",\"createdAt\":\"2026-01-02T00:00:00Z\","
	        "\"subscriber\":{\"subscriberId\":\"x\"}," TPL("comment-digest") ","
	        "\"jobs\":[{\"type\":\"digest\",\"status\":\"completed\"}]}");
	/* A delay of two days, newer, reaching two subscribers (Novu copies
	 * the step's metadata into the job's `digest`, a delay's too). */
	add(&l, "{\"transactionId\":\"t3\",\"createdAt\":\"2026-01-03T00:00:00Z\","
	        "\"subscriber\":{\"subscriberId\":\"a\"}," TPL("payment-reminder") ","
	        "\"jobs\":[{\"type\":\"delay\",\"status\":\"delayed\",\"digest\":"
	        "{\"type\":\"regular\",\"amount\":2,\"unit\":\"days\"}}]}");
	add(&l, "{\"transactionId\":\"t3\",\"createdAt\":\"2026-01-03T00:00:00Z\","
	        "\"subscriber\":{\"subscriberId\":\"b\"}," TPL("payment-reminder") ","
	        "\"jobs\":[{\"type\":\"delay\",\"status\":\"delayed\"}]}");
	/* No transactionId: nothing to cancel it by. */
	add(&l, "{\"subscriber\":{\"subscriberId\":\"z\"},\"jobs\":[]}");
	cr_assert_eq(l.n, 3);

	activity_finish(&l, 1);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(l.items[0].transaction_id, "t3");
	cr_assert_str_eq(l.items[0].subscribers, "a, b");
	cr_assert_str_eq(l.items[0].wait_type, "delay");
	cr_assert_eq(l.items[0].until_ms, NOW + 4 * 86400000LL);
	cr_assert_eq(l.items[0].events, -1);
	cr_assert_eq(l.items[0].njobs, 2);
	cr_assert_str_eq(l.items[1].transaction_id, "t1");
	cr_assert_str_eq(l.items[1].workflow, "comment-digest");
	cr_assert_eq(l.items[1].until_ms, NOW + 3600000LL);
	cr_assert_eq(l.items[1].events, 3);
	pending_describe_wait(&l.items[1], text, sizeof(text));
	cr_assert_str_eq(text, "digest until ~2026-01-01 01:00Z (3 events)");
	activity_list_clear(&l);
}

Test(pending_filter, timed_digest_shows_its_schedule_not_a_time)
{
	struct nc_activity_list l = { 0 };
	char text[160];

	add(&l, "{\"transactionId\":\"w\",\"createdAt\":\"2026-01-01T00:00:00Z\","
	        "\"subscriber\":{\"subscriberId\":\"x\"}," TPL("weekly") ","
	        "\"jobs\":[{\"type\":\"digest\",\"status\":\"delayed\",\"digest\":{\"type\":"
	        "\"timed\",\"amount\":1,\"unit\":\"weeks\",\"events\":[{}],\"timed\":{\"atTime\":"
	        "\"09:00\",\"weekDays\":[\"monday\",\"friday\"]}}}]}");
	activity_finish(&l, 1);
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.items[0].until_ms, 0);
	pending_describe_wait(&l.items[0], text, sizeof(text));
	cr_assert_str_eq(text, "digest, timed: at 09:00 on monday,friday (1 event)");
	activity_list_clear(&l);
}

Test(pending_filter, a_delay_without_digest_falls_back_to_step_metadata)
{
	struct nc_activity_list l = { 0 };

	add(&l, "{\"transactionId\":\"d\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"jobs\":"
	        "[{\"type\":\"delay\",\"status\":\"pending\",\"step\":{\"metadata\":"
	        "{\"type\":\"regular\",\"amount\":30,\"unit\":\"minutes\"}}}]}");
	cr_assert_eq(l.n, 1);
	cr_assert_eq(l.items[0].until_ms, NOW + 30 * 60000LL);
	activity_list_clear(&l);
}

Test(pending_filter, all_kept_when_not_pending_only)
{
	struct nc_activity_list l = { 0 };

	add(&l, "{\"transactionId\":\"a\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"jobs\":"
	        "[{\"type\":\"email\",\"status\":\"completed\"}]}");
	add(&l, "{\"transactionId\":\"b\",\"createdAt\":\"2026-01-02T00:00:00Z\",\"jobs\":"
	        "[{\"type\":\"digest\",\"status\":\"canceled\"}]}");
	activity_finish(&l, 0);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(l.items[0].transaction_id, "b");
	cr_assert_not(l.items[0].pending);
	activity_list_clear(&l);
}
