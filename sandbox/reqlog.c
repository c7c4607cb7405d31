/* reqlog.c - ring buffer of received API requests. */
#include "reqlog.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "util.h"

struct log_entry {
	uint64_t seq;
	char method[8];
	char *path;
	char *query;
	char *idem_key;
	char *body;          /* NULL when over REQLOG_BODY_MAX */
	size_t body_len;
	char body_sha[65];
	unsigned int status; /* 0 until answered; stays 0 when dropped */
	int answered;
	int64_t time_ms;
	unsigned int client_port;
	long in_flight;      /* API requests not yet answered when it arrived, itself too */
};

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static struct log_entry *ring[REQLOG_CAP];
static size_t ring_head, ring_len; /* head: oldest entry */
static uint64_t next_seq = 1;
static long open_requests;   /* received, not yet answered or dropped */

static void
entry_free(struct log_entry *e)
{
	if (!e)
		return;
	free(e->path);
	free(e->query);
	free(e->idem_key);
	free(e->body);
	free(e);
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

uint64_t
reqlog_add(const char *method, const char *path, const char *query, const char *idem_key,
           const char *body, size_t body_len, unsigned int client_port)
{
	struct log_entry *e = calloc(1, sizeof(*e));
	uint64_t seq;

	if (!e)
		return 0;
	strncpy(e->method, method, sizeof(e->method) - 1);
	e->path = dup_or_null(path);
	e->query = dup_or_null(query);
	e->idem_key = idem_key ? util_strndup_utf8(idem_key, 1024) : NULL;
	e->body_len = body_len;
	if (body_len <= REQLOG_BODY_MAX) {
		e->body = malloc(body_len + 1);
		if (e->body) {
			memcpy(e->body, body, body_len);
			e->body[body_len] = '\0';
		}
	}
	sha256_hex(body, body_len, e->body_sha);
	e->time_ms = util_now_ms();
	e->client_port = client_port;
	pthread_mutex_lock(&log_mu);
	seq = e->seq = next_seq++;
	e->in_flight = ++open_requests;
	if (ring_len == REQLOG_CAP) {
		entry_free(ring[ring_head]);
		ring[ring_head] = e;
		ring_head = (ring_head + 1) % REQLOG_CAP;
	} else {
		ring[(ring_head + ring_len) % REQLOG_CAP] = e;
		ring_len++;
	}
	pthread_mutex_unlock(&log_mu);
	return seq;
}

void
reqlog_set_status(uint64_t seq, unsigned int status)
{
	size_t i;

	pthread_mutex_lock(&log_mu);
	if (open_requests > 0)
		open_requests--;
	/* Recent entries are at the tail; search backwards. */
	for (i = ring_len; i > 0; i--) {
		struct log_entry *e = ring[(ring_head + i - 1) % REQLOG_CAP];

		if (e->seq == seq) {
			e->status = status;
			e->answered = 1;
			break;
		}
		if (e->seq < seq)
			break;
	}
	pthread_mutex_unlock(&log_mu);
}

static cJSON *
entry_json(const struct log_entry *e)
{
	cJSON *o = cJSON_CreateObject();
	char ts[32];

	util_iso_time(e->time_ms, ts, sizeof(ts));
	cJSON_AddNumberToObject(o, "seq", (double)e->seq);
	cJSON_AddStringToObject(o, "method", e->method);
	cJSON_AddStringToObject(o, "path", e->path ? e->path : "");
	if (e->query)
		cJSON_AddStringToObject(o, "query", e->query);
	else
		cJSON_AddNullToObject(o, "query");
	if (e->idem_key)
		cJSON_AddStringToObject(o, "idempotencyKey", e->idem_key);
	else
		cJSON_AddNullToObject(o, "idempotencyKey");
	cJSON_AddStringToObject(o, "bodySha", e->body_sha);
	cJSON_AddNumberToObject(o, "bodySize", (double)e->body_len);
	if (e->body)
		cJSON_AddStringToObject(o, "body", e->body);
	else
		cJSON_AddNullToObject(o, "body");
	if (e->answered && e->status)
		cJSON_AddNumberToObject(o, "status", e->status);
	else
		cJSON_AddNullToObject(o, "status");
	cJSON_AddBoolToObject(o, "dropped", e->answered && e->status == 0);
	cJSON_AddStringToObject(o, "time", ts);
	cJSON_AddNumberToObject(o, "clientPort", e->client_port);
	cJSON_AddNumberToObject(o, "inFlight", (double)e->in_flight);
	return o;
}

cJSON *
reqlog_dump(uint64_t since)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	pthread_mutex_lock(&log_mu);
	for (i = 0; i < ring_len; i++) {
		const struct log_entry *e = ring[(ring_head + i) % REQLOG_CAP];

		if (e->seq > since)
			cJSON_AddItemToArray(arr, entry_json(e));
	}
	pthread_mutex_unlock(&log_mu);
	return arr;
}

void
reqlog_reset(void)
{
	size_t i;

	pthread_mutex_lock(&log_mu);
	for (i = 0; i < ring_len; i++) {
		entry_free(ring[(ring_head + i) % REQLOG_CAP]);
		ring[(ring_head + i) % REQLOG_CAP] = NULL;
	}
	ring_head = 0;
	ring_len = 0;
	pthread_mutex_unlock(&log_mu);
}

void
reqlog_free(void)
{
	reqlog_reset();
}
