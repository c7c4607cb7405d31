/* pending.h - the activity feed (GET /v1/notifications) grouped by
 * transaction, and which transactions still have a delay or digest step
 * waiting, whoever triggered them: the `pending` command and the Activity
 * screen list them here and cancel them through ops_cancel_many.
 *
 * Ownership: every string in the structures below is owned by them and
 * freed by activity_list_clear(); queries only borrow.
 */
#ifndef NC_PENDING_H
#define NC_PENDING_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "api.h"

/* ---- times ---- */

/* "30m", "2h", "7d", "45s", "2w" (that long before now_ms) or an ISO 8601
 * time ("2026-03-01", "2026-03-01T09:30:00Z", "...+02:00", fractions
 * allowed). 0 and *out_ms set, or -1 when text is neither. */
int pending_parse_time(const char *text, int64_t now_ms, int64_t *out_ms);
/* ISO 8601 as above only; -1 when it is not one. */
int pending_parse_iso(const char *text, int64_t *out_ms);
/* Milliseconds in one `unit` of Novu's DigestUnitEnum ("seconds" ...
 * "months", a month taken as 30 days); 0 when unknown. */
int64_t pending_unit_ms(const char *unit);

/* ---- one transaction ---- */

/* One job as the detail view shows it. */
struct nc_activity_job {
	char *subscriber_id, *type, *status, *detail;
};

struct nc_activity_txn {
	char *transaction_id;
	char *workflow;         /* trigger identifier, else the template name */
	char *subscribers;      /* "a, b" in the order the feed gave them */
	int64_t created_ms;     /* the notification's createdAt; 0 unknown */
	int pending;            /* 1: a delay or digest job still waits */
	char *wait_type;        /* "digest" or "delay" of the waiting job, or NULL */
	int64_t until_ms;       /* about when it ends (amount x unit after
	                           created_ms); 0 when unknown or timed */
	char *schedule;         /* a timed digest's schedule text, or NULL */
	int events;             /* events a digest has collected; -1 unknown */
	struct nc_activity_job *jobs;
	size_t njobs;
};

struct nc_activity_list {
	struct nc_activity_txn *items;  /* newest first */
	size_t n;
	long pages;                     /* pages read */
	long notifications;             /* notifications read */
	int stopped_early;              /* 1: limit or stop reached, the feed had more */
};
void activity_list_clear(struct nc_activity_list *l);

/* 1 when a job of this type in this status is a delay or digest still
 * waiting (pending, queued or delayed; Novu's JobStatusEnum). */
int pending_job_waiting(const char *type, const char *status);

/* Merge one ActivityNotificationResponseDto into l: a new transaction is
 * appended, another notification of a known one adds its subscriber and
 * jobs. NC_OK, or NC_E_NOMEM. */
enum nc_status activity_add_notification(struct nc_activity_list *l, const cJSON *item,
                                         struct nc_error *err);
/* Keep only pending transactions (when pending_only) and sort newest
 * first. */
void activity_finish(struct nc_activity_list *l, int pending_only);

/* The "~HH:MM" / schedule text of the wait, for lists: "digest until
 * ~2026-03-01 10:00Z (3 events)". buf always terminated. */
void pending_describe_wait(const struct nc_activity_txn *t, char *buf, size_t cap);

/* ---- reading the feed ---- */

struct nc_activity_query {
	const char *const *subscriber_ids;  size_t nsubscribers;
	const char *const *workflows;       size_t nworkflows; /* identifiers */
	const char *topic_key;               /* NULL: any */
	int64_t after_ms, before_ms;         /* 0: unbounded */
	long limit;                          /* transactions wanted; <= 0: 100 */
	int pending_only;
};

/* Called after each page with the counts so far; may be NULL. */
typedef void (*nc_activity_progress_cb)(void *ctx, long pages, long notifications,
                                        size_t matched);

/* Resolve the workflow identifiers (GET /v2/workflows), then read
 * /v1/notifications page by page (50 a page) with the filters until
 * `limit` transactions match, the feed ends, or the client's abort flag
 * is set. An error partway keeps nothing: out is cleared. NC_E_USAGE when
 * a workflow identifier is unknown. */
enum nc_status activity_read(struct nc_client *c, const struct nc_activity_query *q,
                             nc_activity_progress_cb progress, void *ctx,
                             struct nc_activity_list *out, struct nc_error *err);

#endif
