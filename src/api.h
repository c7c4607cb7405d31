/* api.h - the Novu operations the console speaks: the four event endpoints
 * and the read endpoints for pick-lists and delivery status.
 *
 * Each call validates first (nothing is sent on NC_E_INVALID), serialises
 * once, and sends through client_send() so retries reuse the exact bytes and
 * idempotency key. Results are caller-owned; free with the matching *_clear.
 */
#ifndef NC_API_H
#define NC_API_H

#include <stddef.h>
#include "http.h"
#include "request.h"

/* One TriggerEventResponseDto (CONTRACT 3.4). */
struct nc_trigger_result {
	int acknowledged;
	char *status;          /* "processed", "trigger_not_active", "error", ... */
	char *transaction_id;  /* from the response, else the one we sent */
	char *error;           /* "; "-joined `error` array, or NULL */
};
void trigger_result_clear(struct nc_trigger_result *r);
/* 1 when status is "processed". */
int trigger_result_ok(const struct nc_trigger_result *r);

/* What a send used and got back, for history and display. */
struct nc_send_info {
	char *idempotency_key;  /* the key sent (given or generated) */
	long http_status;
	int attempts;
	long ratelimit_limit, ratelimit_remaining, ratelimit_reset;
	char *request_body;     /* exact JSON sent */
	char *response_body;    /* raw body received, or NULL */
};
void send_info_clear(struct nc_send_info *i);

/* Trigger / broadcast one event. ev->transaction_id is filled in (UUID v4)
 * when empty, so a cancel works even if the answer is lost. idem_key may be
 * NULL (one is generated). Returns NC_OK when the API accepted the request;
 * a non-"processed" status is NC_OK too - check trigger_result_ok(). */
enum nc_status api_trigger(struct nc_client *c, struct nc_event *ev,
                           const char *idem_key, struct nc_trigger_result *out,
                           struct nc_send_info *info, struct nc_error *err);
enum nc_status api_broadcast(struct nc_client *c, struct nc_event *ev,
                             const char *idem_key, struct nc_trigger_result *out,
                             struct nc_send_info *info, struct nc_error *err);

/* Send a trigger (broadcast = 0) or broadcast body built earlier
 * (api_prepare_*, or stored in History), byte for byte, with its key.
 * sent_txid is the transactionId inside it, for an answer without one. */
enum nc_status api_event_raw(struct nc_client *c, int broadcast, const char *body,
                             const char *idem_key, const char *sent_txid,
                             struct nc_trigger_result *out, struct nc_send_info *info,
                             struct nc_error *err);

/* Bulk trigger of 1..100 events (each gets a transactionId when empty).
 * out receives n results, index-aligned (caller: clear each, free array). */
enum nc_status api_bulk(struct nc_client *c, struct nc_event *evs, size_t n,
                        const char *idem_key, struct nc_trigger_result **out,
                        struct nc_send_info *info, struct nc_error *err);

/* Send a bulk body that was built earlier (a stored chunk of a resumable
 * run) with its own idempotency key, byte for byte. txids (may be NULL)
 * are the transactionIds inside the body, used for slots the answer leaves
 * without one. out as for api_bulk (n results). */
enum nc_status api_bulk_raw(struct nc_client *c, const char *body, const char *idem_key,
                            const char *const *txids, size_t n,
                            struct nc_trigger_result **out, struct nc_send_info *info,
                            struct nc_error *err);
/* api_bulk_raw in two halves, for requests sent through a batch (http.h):
 * the request (pointing into body and idem_key), and the reading of the
 * outcome the batch handed back (sent: its status; resp is only read). */
struct nc_http_request api_bulk_request(const char *body, const char *idem_key);
enum nc_status api_bulk_answer(enum nc_status sent, const struct nc_http_request *req,
                               const struct nc_http_response *resp,
                               const char *const *txids, size_t n,
                               struct nc_trigger_result **out, struct nc_send_info *info,
                               struct nc_error *err);

/* Cancel by transactionId: *cancelled = 1 when something pending was
 * cancelled, 0 when nothing was pending. */
enum nc_status api_cancel(struct nc_client *c, const char *transaction_id,
                          int *cancelled, struct nc_send_info *info,
                          struct nc_error *err);

/* Request bodies without sending, for --dry-run and preview: fills req
 * (method/path/body/key point into *storage, which the caller frees with
 * free()). */
struct nc_prepared {
	char *path;
	char *body;
	char *idempotency_key;
	const char *method;
};
void prepared_clear(struct nc_prepared *p);
enum nc_status api_prepare_trigger(struct nc_event *ev, const char *idem_key,
                                   struct nc_prepared *p, struct nc_error *err);
enum nc_status api_prepare_broadcast(struct nc_event *ev, const char *idem_key,
                                     struct nc_prepared *p, struct nc_error *err);
enum nc_status api_prepare_bulk(struct nc_event *evs, size_t n, const char *idem_key,
                                struct nc_prepared *p, struct nc_error *err);
enum nc_status api_prepare_cancel(const char *transaction_id,
                                  struct nc_prepared *p, struct nc_error *err);
/* View a prepared request as an nc_http_request (borrowed pointers). */
struct nc_http_request prepared_request(const struct nc_prepared *p);

/* ---- read endpoints ---- */

struct nc_workflow {
	char *id;                /* _id: what /v1/notifications' `templates` takes */
	char *workflow_id;       /* trigger identifier (`name` on trigger) */
	char *name;
	char *status;            /* ACTIVE | INACTIVE | ERROR */
	char *steps;             /* "in_app,email,delay" from stepTypeOverviews */
	char *tags;              /* "a,b" */
	char *last_triggered_at; /* or NULL */
	int has_delay_or_digest;
};
struct nc_subscriber_item {
	char *subscriber_id, *first_name, *last_name, *email, *phone, *locale, *timezone;
};
struct nc_topic_item { char *key, *name; };

struct nc_list_query {
	const char *search;  /* workflows: query; subscribers: subscriberId/email
	                        filter; topics: key filter. NULL = none */
	int limit;           /* 1..100 */
	int offset;          /* workflows (limit/offset) */
	const char *after;   /* subscribers/topics cursor, NULL for first page */
};

struct nc_workflow_page { struct nc_workflow *items; size_t n; long total; };
struct nc_subscriber_page { struct nc_subscriber_item *items; size_t n; long total;
                            char *next, *previous; };
struct nc_topic_page { struct nc_topic_item *items; size_t n; long total;
                       char *next, *previous; };
void workflow_page_clear(struct nc_workflow_page *p);
void subscriber_page_clear(struct nc_subscriber_page *p);
void topic_page_clear(struct nc_topic_page *p);

enum nc_status api_list_workflows(struct nc_client *c, const struct nc_list_query *q,
                                  struct nc_workflow_page *out, struct nc_error *err);
enum nc_status api_list_subscribers(struct nc_client *c, const struct nc_list_query *q,
                                    struct nc_subscriber_page *out, struct nc_error *err);
enum nc_status api_list_topics(struct nc_client *c, const struct nc_list_query *q,
                               struct nc_topic_page *out, struct nc_error *err);
/* GET /v2/workflows/{id}: payloadExample as compact JSON text (caller frees),
 * NULL in *example_json when the workflow has none. */
enum nc_status api_workflow_payload_example(struct nc_client *c, const char *workflow_id,
                                            char **example_json, struct nc_error *err);
/* The same request, also giving payloadSchema (an object, as compact JSON
 * text, or NULL) in *schema_json and in *validates whether Novu checks
 * triggers against it (validatePayload: Novu validates only when it is
 * true and a schema is set). Any of the three outputs may be NULL; the
 * caller frees the texts. */
enum nc_status api_workflow_payload(struct nc_client *c, const char *workflow_id,
                                    char **example_json, char **schema_json, int *validates,
                                    struct nc_error *err);

/* GET /v2/workflows/{id} and GET /v2/subscribers/{subscriberId}: the whole
 * answer in *root (caller deletes; the object is json_unwrap_data(*root)). */
enum nc_status api_workflow_get(struct nc_client *c, const char *workflow_id, cJSON **root,
                                struct nc_error *err);
enum nc_status api_subscriber_get(struct nc_client *c, const char *subscriber_id,
                                  cJSON **root, struct nc_error *err);
/* POST /v2/workflows/{workflowId}/step/{stepId}/preview with body (a
 * GeneratePreviewRequestDto as JSON text); the answer in *root as above. */
enum nc_status api_step_preview(struct nc_client *c, const char *workflow_id,
                                const char *step_id, const char *body, cJSON **root,
                                struct nc_error *err);

/* GET path (with its query) and parse the JSON answer into *root (caller
 * deletes); endpoint names the call in error messages. For reads this file
 * has no typed call for (the activity feed in pending.c). */
enum nc_status api_get_json(struct nc_client *c, const char *path, const char *endpoint,
                            cJSON **root, struct nc_error *err);

/* Delivery status: GET /v1/notifications?transactionId=... One line per job. */
struct nc_job_status {
	char *subscriber_id, *type, *status, *provider_id, *detail, *created_at;
};
struct nc_delivery {
	struct nc_job_status *jobs;
	size_t n;
	size_t notifications;
	int more;            /* 1: Novu has more than the 1,000 fetched */
};
void delivery_clear(struct nc_delivery *d);
enum nc_status api_notifications(struct nc_client *c, const char *transaction_id,
                                 struct nc_delivery *out, struct nc_error *err);

#endif
