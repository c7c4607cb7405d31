/* store.h - the sandbox's data: seeded workflows, subscribers, topics and
 * tenants (identical on every run), subscribers upserted by triggers, and the
 * transactions triggers created.
 *
 * Locking: workflows' static fields are immutable and may be read freely.
 * Everything else (subscribers, topics, tenants, transactions, a workflow's
 * lastTriggeredAt) must be used between store_lock() and store_unlock();
 * pointers returned stay valid only while the lock is held. */
#ifndef SB_STORE_H
#define SB_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#define STORE_SUBSCRIBER_CAP 10000
#define STORE_TXN_CAP 100000      /* default; store_set_txn_cap() changes it */
#define STORE_RECIPIENT_CAP 200   /* notifications kept per transaction */
#define STORE_TENANT_CAP 1000
#define STORE_FIELD_MAX 512       /* longer subscriber strings are cut */

struct wf_step {
	const char *step_id;
	const char *name;
	const char *type;   /* in_app email sms chat push digest delay */
};

struct workflow {
	const char *id;              /* _id */
	const char *workflow_id;     /* the trigger identifier */
	const char *name;
	const char *description;
	const char *tags[4];         /* NULL-terminated */
	int active;
	struct wf_step steps[6];
	size_t nsteps;
	const char *payload_schema;  /* JSON text, or NULL */
	const char *payload_example; /* JSON text, or NULL */
	int64_t created_ms;
	int64_t updated_ms;
	int64_t seed_last_triggered_ms; /* 0: never */
};

struct subscriber {
	char id[25];                 /* _id */
	char *subscriber_id;
	char *first_name, *last_name, *email, *phone, *avatar, *locale, *timezone;
	cJSON *data;                 /* NULL: null */
	int64_t created_ms, updated_ms;
	int touched;                 /* created or changed by a trigger (saved) */
};

struct topic {
	const char *id;
	const char *key;
	const char *name;
	int64_t created_ms, updated_ms;
};

struct recipient {
	int sub;    /* subscriber index */
	int topic;  /* topic index it was reached through, or -1 */
};

struct txn {
	uint64_t seq;
	char *transaction_id;
	size_t wf;                   /* workflow index */
	int64_t created_ms;          /* wall clock */
	int64_t pending_until;       /* wall-clock ms, so it survives a restart
	                              * and means the same in every process;
	                              * 0: no delay/digest step */
	int64_t wait_ms;             /* length of the pending window */
	int canceled;
	char severity[8];
	struct recipient *recipients;
	size_t nrecipients;
};

void store_init(void);
void store_free(void);
/* Most transactions kept (at least 1); older ones are forgotten. Call
 * before any store_txn_add. */
void store_set_txn_cap(size_t cap);
/* Back to the seeded world: no transactions, no subscribers or tenants
 * beyond the seed, no lastTriggeredAt beyond the seed. Needs the lock. */
void store_clear_world(void);

/* Workflows (immutable parts need no lock). */
size_t store_workflow_count(void);
const struct workflow *store_workflow_at(size_t i);
/* Index of the workflow with that workflowId, _id or slug, or -1. */
long store_workflow_find(const char *ident);
/* The step's own 24-hex _id: the workflow's id with the step number. */
void store_step_object_id(const struct workflow *w, size_t s, char out[25]);
/* Parsed payload schema, or NULL. */
const cJSON *store_workflow_schema(size_t i);
/* 1 if the workflow has a delay or digest step. */
int store_workflow_waits(size_t i);

void store_lock(void);
void store_unlock(void);

/* --- everything below needs the lock --- */

/* Workflow JSON (list item, or the full detail when detail is set). */
cJSON *store_workflow_json(size_t i, int detail);
int64_t store_workflow_last_triggered(size_t i);
void store_workflow_touch(size_t i, int64_t now_ms);

size_t store_subscriber_count(void);
const struct subscriber *store_subscriber_at(size_t i);
long store_subscriber_find(const char *subscriber_id);
/* Create or update from a subscriberId string or a SubscriberPayloadDto;
 * returns the index, or -1 when the store is full or the item unusable. */
long store_subscriber_upsert(const cJSON *item);
cJSON *store_subscriber_json(const struct subscriber *s);

size_t store_topic_count(void);
const struct topic *store_topic_at(size_t i);
long store_topic_find(const char *key);
/* 1 if subscriber index sub belongs to topic index t. */
int store_topic_has(size_t t, size_t sub);
cJSON *store_topic_json(const struct topic *t);

int store_tenant_exists(const char *identifier);
/* 1 if the tenant was added (not there before and room left). */
int store_tenant_add(const char *identifier);
size_t store_tenant_count(void);
const char *store_tenant_at(size_t i);

/* Newest transaction with that id, or NULL. */
struct txn *store_txn_find(const char *transaction_id);
/* What a new transaction is: its id, workflow, severity ("none" if NULL),
 * when it was created and until when it is pending (wall clock; 0: never). */
struct txn_spec {
	const char *transaction_id;
	size_t wf;
	const char *severity;
	int64_t created_ms;
	int64_t pending_until;
};
/* Remember a transaction (recipients copied, cut at STORE_RECIPIENT_CAP);
 * past the cap the oldest is forgotten. NULL on allocation failure. */
struct txn *store_txn_add(const struct txn_spec *spec, const struct recipient *r, size_t n);
size_t store_txn_count(void);
/* i = 0 is the oldest. */
struct txn *store_txn_at(size_t i);

#endif
