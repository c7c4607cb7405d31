/* api.c - the Novu operations: trigger, broadcast, bulk and cancel, and the
 * read endpoints behind pick-lists and delivery status (CONTRACT 1-5).
 *
 * Each send validates and serialises exactly once; the bytes and the
 * idempotency key built here are what client_send() repeats on every retry,
 * and what --dry-run shows (api_prepare_*).
 */
#include "api.h"
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "jsonutil.h"
#include "textbuf.h"

#define PATH_TRIGGER "/v1/events/trigger"
#define PATH_BULK "/v1/events/trigger/bulk"
#define PATH_BROADCAST "/v1/events/trigger/broadcast"
#define STATUS_UNREADABLE "unreadable_response"
#define STATUS_MISSING "missing_result"
#define NOTIFICATIONS_LIMIT 50
#define NOTIFICATIONS_MAX_PAGES 20

/* ---- small helpers ---- */

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static enum nc_status
oom(struct nc_error *err)
{
	return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
}

static enum nc_status
txid_failed(struct nc_error *err, enum nc_status st)
{
	return nc_error_set(err, st, NULL, "cannot generate a transactionId: %s",
	                    nc_status_message(st));
}

/* The status a builder left in err, or NC_E_INVALID when it said nothing. */
static enum nc_status
builder_status(const struct nc_error *err)
{
	return err && err->status != NC_OK ? err->status : NC_E_INVALID;
}

/* Join the strings of a JSON array (or, for arrays of objects, the string
 * member `member` of each) with sep. NULL when there is nothing to join. */
static char *
join_strings(const cJSON *arr, const char *member, const char *sep)
{
	struct textbuf b = TEXTBUF_INIT(0);
	const cJSON *it;
	const char *s;
	int bad = 0, first = 1;

	if (!cJSON_IsArray(arr))
		return NULL;
	cJSON_ArrayForEach(it, arr) {
		s = member ? json_str(it, member) : cJSON_GetStringValue(it);
		if (!s)
			continue;
		bad |= first ? 0 : textbuf_puts(&b, sep);
		bad |= textbuf_puts(&b, s);
		first = 0;
	}
	if (bad) {
		textbuf_free(&b);
		return NULL;
	}
	return textbuf_steal(&b);
}

/* ---- result structs ---- */

void
trigger_result_clear(struct nc_trigger_result *r)
{
	if (!r)
		return;
	free(r->status);
	free(r->transaction_id);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

int
trigger_result_ok(const struct nc_trigger_result *r)
{
	return r && r->status && strcmp(r->status, "processed") == 0;
}

static void
send_info_init(struct nc_send_info *i)
{
	memset(i, 0, sizeof(*i));
	i->ratelimit_limit = i->ratelimit_remaining = i->ratelimit_reset = -1;
}

void
send_info_clear(struct nc_send_info *i)
{
	if (!i)
		return;
	free(i->idempotency_key);
	free(i->request_body);
	free(i->response_body);
	send_info_init(i);
}

void
prepared_clear(struct nc_prepared *p)
{
	if (!p)
		return;
	free(p->path);
	free(p->body);
	free(p->idempotency_key);
	memset(p, 0, sizeof(*p));
}

struct nc_http_request
prepared_request(const struct nc_prepared *p)
{
	struct nc_http_request r;

	r.method = p->method;
	r.path = p->path;
	r.body = p->body;
	r.body_len = p->body ? strlen(p->body) : 0;
	r.idempotency_key = p->idempotency_key;
	return r;
}

/* ---- preparing requests ---- */

/* Serialise json (consumed) as the body of a POST to path. */
static enum nc_status
prepare_post(cJSON *json, const char *path, const char *idem_key,
             struct nc_prepared *p, struct nc_error *err)
{
	p->method = "POST";
	p->body = json_print_compact(json);
	cJSON_Delete(json);
	p->path = strdup(path);
	p->idempotency_key = idem_key && *idem_key ? strdup(idem_key) : id_new_idempotency_key();
	if (!p->body || !p->path || !p->idempotency_key) {
		prepared_clear(p);
		return oom(err);
	}
	return NC_OK;
}

typedef cJSON *(*event_builder)(const struct nc_event *ev, struct nc_error *err);

static enum nc_status
prepare_single(struct nc_event *ev, const char *idem_key, event_builder build,
               const char *path, struct nc_prepared *p, struct nc_error *err)
{
	enum nc_status st;
	cJSON *json;

	memset(p, 0, sizeof(*p));
	st = idempotency_key_validate(idem_key, err);
	if (st)
		return st;
	/* Before building: the id is part of the body, and the caller can
	 * cancel even if the answer never arrives. */
	st = event_ensure_transaction_id(ev);
	if (st)
		return txid_failed(err, st);
	json = build(ev, err);
	if (!json)
		return builder_status(err);
	return prepare_post(json, path, idem_key, p, err);
}

enum nc_status
api_prepare_trigger(struct nc_event *ev, const char *idem_key,
                    struct nc_prepared *p, struct nc_error *err)
{
	return prepare_single(ev, idem_key, request_build_trigger, PATH_TRIGGER, p, err);
}

enum nc_status
api_prepare_broadcast(struct nc_event *ev, const char *idem_key,
                      struct nc_prepared *p, struct nc_error *err)
{
	return prepare_single(ev, idem_key, request_build_broadcast, PATH_BROADCAST, p, err);
}

enum nc_status
api_prepare_bulk(struct nc_event *evs, size_t n, const char *idem_key,
                 struct nc_prepared *p, struct nc_error *err)
{
	enum nc_status st;
	cJSON *json;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (n == 0 || n > NC_MAX_BULK_EVENTS)
		return nc_error_set(err, NC_E_INVALID, "events",
		                    "a bulk request carries 1 to %d events, not %zu",
		                    NC_MAX_BULK_EVENTS, n);
	st = idempotency_key_validate(idem_key, err);
	if (st)
		return st;
	for (i = 0; i < n; i++) {
		st = event_ensure_transaction_id(&evs[i]);
		if (st)
			return txid_failed(err, st);
	}
	json = request_build_bulk(evs, n, err);
	if (!json)
		return builder_status(err);
	return prepare_post(json, PATH_BULK, idem_key, p, err);
}

/* "/v1/events/trigger/" + the URL-encoded id, or NULL on OOM. */
static char *
escaped_path(const char *prefix, const char *id)
{
	char *esc = curl_easy_escape(NULL, id, 0);
	struct textbuf b = TEXTBUF_INIT(0);
	int bad = !esc;

	/* curl_easy_escape leaves '.' alone, and "." or ".." as a path segment
	 * would be folded away by URL normalisation, hitting another route. */
	if (!bad && (strcmp(esc, ".") == 0 || strcmp(esc, "..") == 0))
		bad |= textbuf_printf(&b, "%s%s", prefix, esc[1] ? "%2E%2E" : "%2E");
	else
		bad |= bad ? 0 : textbuf_printf(&b, "%s%s", prefix, esc);
	curl_free(esc);
	if (bad) {
		textbuf_free(&b);
		return NULL;
	}
	return textbuf_steal(&b);
}

enum nc_status
api_prepare_cancel(const char *transaction_id, struct nc_prepared *p,
                   struct nc_error *err)
{
	memset(p, 0, sizeof(*p));
	if (!transaction_id || !*transaction_id)
		return nc_error_set(err, NC_E_INVALID, "transactionId",
		                    "give the transactionId of the event to cancel");
	/* Novu checks the key only on POST/PATCH, but every call carries one,
	 * as the official SDKs do: the same key on each retry ties the attempts
	 * together in logs and proxies. */
	p->method = "DELETE";
	p->path = escaped_path(PATH_TRIGGER "/", transaction_id);
	p->idempotency_key = id_new_idempotency_key();
	return p->path && p->idempotency_key ? NC_OK : oom(err);
}

/* ---- sending ---- */

static void
fill_info(struct nc_send_info *info, const struct nc_http_request *req,
          const struct nc_http_response *resp)
{
	if (!info)
		return;
	send_info_init(info);
	info->idempotency_key = dup_or_null(req->idempotency_key);
	info->http_status = resp->status;
	info->attempts = resp->attempts;
	info->ratelimit_limit = resp->ratelimit_limit;
	info->ratelimit_remaining = resp->ratelimit_remaining;
	info->ratelimit_reset = resp->ratelimit_reset;
	info->request_body = dup_or_null(req->body);
	info->response_body = dup_or_null(resp->body);
}

static enum nc_status
send_request(struct nc_client *c, const struct nc_http_request *req,
             struct nc_http_response *resp, struct nc_send_info *info,
             struct nc_error *err)
{
	enum nc_status st = client_send(c, req, resp, err);

	fill_info(info, req, resp);
	return st;
}

static enum nc_status
send_prepared(struct nc_client *c, const struct nc_prepared *p,
              struct nc_http_response *resp, struct nc_send_info *info,
              struct nc_error *err)
{
	struct nc_http_request req = prepared_request(p);

	return send_request(c, &req, resp, info, err);
}

/* The response body as JSON with the lone-`data` envelope removed; *root
 * receives the tree to delete. NULL when the body is not JSON. */
static const cJSON *
parse_body(const struct nc_http_response *resp, cJSON **root)
{
	*root = NULL;
	if (!resp->body || resp->body_len == 0)
		return NULL;
	*root = json_parse_field(resp->body, resp->body_len, "response", 0, NULL);
	return *root ? json_unwrap_data(*root) : NULL;
}

/* A slot we could not read: shown verbatim as a non-"processed" status. */
static enum nc_status
result_placeholder(struct nc_trigger_result *r, const char *status,
                   const char *sent_txid, const char *why)
{
	memset(r, 0, sizeof(*r));
	r->status = strdup(status);
	r->transaction_id = dup_or_null(sent_txid);
	r->error = dup_or_null(why);
	return r->status ? NC_OK : NC_E_NOMEM;
}

static enum nc_status
result_from_json(const cJSON *o, const char *sent_txid, struct nc_trigger_result *r)
{
	const cJSON *error;
	const char *txid;

	if (!cJSON_IsObject(o) || !json_str(o, "status"))
		return result_placeholder(r, STATUS_UNREADABLE, sent_txid,
		                          "the answer is not a TriggerEventResponseDto");
	memset(r, 0, sizeof(*r));
	r->acknowledged = json_bool(o, "acknowledged", 0);
	r->status = strdup(json_str(o, "status"));
	txid = json_str(o, "transactionId");
	r->transaction_id = dup_or_null(txid ? txid : sent_txid);
	error = cJSON_GetObjectItemCaseSensitive(o, "error");
	if (cJSON_IsArray(error))
		r->error = join_strings(error, NULL, "; ");
	else if (cJSON_IsString(error))
		r->error = strdup(error->valuestring);
	return r->status ? NC_OK : NC_E_NOMEM;
}

/* A result naming a transactionId other than the one sent in its slot: the
 * answer does not line up with the request, so its status is not ours. */
static int
foreign_result(struct nc_trigger_result *r, const char *sent_txid)
{
	int foreign = sent_txid && r->transaction_id && strcmp(r->transaction_id, sent_txid) != 0;

	if (foreign)
		trigger_result_clear(r);
	return foreign;
}

enum nc_status
api_event_raw(struct nc_client *c, int broadcast, const char *body, const char *idem_key,
              const char *sent_txid, struct nc_trigger_result *out,
              struct nc_send_info *info, struct nc_error *err)
{
	struct nc_http_request req = { "POST", broadcast ? PATH_BROADCAST : PATH_TRIGGER,
	                               body, strlen(body), idem_key };
	struct nc_http_response resp;
	const cJSON *data;
	cJSON *root;
	enum nc_status st;

	memset(out, 0, sizeof(*out));
	if (info)
		send_info_init(info);
	st = send_request(c, &req, &resp, info, err);
	if (st == NC_OK) {
		data = parse_body(&resp, &root);
		st = result_from_json(data, sent_txid, out);
		if (st == NC_OK && foreign_result(out, sent_txid))
			st = result_placeholder(out, STATUS_UNREADABLE, sent_txid,
			                        "the answer is for another transactionId");
		cJSON_Delete(root);
		if (st)
			oom(err);
	}
	http_response_clear(&resp);
	return st;
}

static enum nc_status
send_single(struct nc_client *c, struct nc_event *ev, const char *idem_key,
            event_builder build, const char *path, struct nc_trigger_result *out,
            struct nc_send_info *info, struct nc_error *err)
{
	struct nc_prepared p;
	enum nc_status st;

	memset(out, 0, sizeof(*out));
	if (info)
		send_info_init(info);
	st = prepare_single(ev, idem_key, build, path, &p, err);
	if (st == NC_OK)
		st = api_event_raw(c, strcmp(path, PATH_BROADCAST) == 0, p.body, p.idempotency_key,
		                   ev->transaction_id, out, info, err);
	prepared_clear(&p);
	return st;
}


enum nc_status
api_trigger(struct nc_client *c, struct nc_event *ev, const char *idem_key,
            struct nc_trigger_result *out, struct nc_send_info *info,
            struct nc_error *err)
{
	return send_single(c, ev, idem_key, request_build_trigger, PATH_TRIGGER, out,
	                   info, err);
}

enum nc_status
api_broadcast(struct nc_client *c, struct nc_event *ev, const char *idem_key,
              struct nc_trigger_result *out, struct nc_send_info *info,
              struct nc_error *err)
{
	return send_single(c, ev, idem_key, request_build_broadcast, PATH_BROADCAST, out,
	                   info, err);
}

static void
results_free(struct nc_trigger_result *res, size_t n)
{
	size_t i;

	if (!res)
		return;
	for (i = 0; i < n; i++)
		trigger_result_clear(&res[i]);
	free(res);
}

/* Index-aligned results of a bulk answer; slots the server left out are
 * reported as such rather than shifted. */
static enum nc_status
bulk_results(const cJSON *data, const char *const *txids, size_t n,
             struct nc_trigger_result **out)
{
	struct nc_trigger_result *res = calloc(n ? n : 1, sizeof(*res));
	const cJSON *slot;
	const char *txid;
	enum nc_status st = NC_OK;
	size_t i;

	if (!res)
		return NC_E_NOMEM;
	for (i = 0; i < n && st == NC_OK; i++) {
		txid = txids ? txids[i] : NULL;
		if (!cJSON_IsArray(data))
			st = result_placeholder(&res[i], STATUS_UNREADABLE, txid,
			                        "the answer is not an array of results");
		else if (!(slot = cJSON_GetArrayItem(data, (int)i)))
			st = result_placeholder(&res[i], STATUS_MISSING, txid,
			                        "the answer has no result for this event");
		else
			st = result_from_json(slot, txid, &res[i]);
		if (st == NC_OK && foreign_result(&res[i], txid))
			st = result_placeholder(&res[i], STATUS_UNREADABLE, txid,
			                        "the answer's result is for another transactionId");
	}
	if (st) {
		results_free(res, n);
		return st;
	}
	*out = res;
	return NC_OK;
}

struct nc_http_request
api_bulk_request(const char *body, const char *idem_key)
{
	struct nc_http_request req = { "POST", PATH_BULK, body, strlen(body), idem_key };

	return req;
}

enum nc_status
api_bulk_answer(enum nc_status sent, const struct nc_http_request *req,
                const struct nc_http_response *resp, const char *const *txids, size_t n,
                struct nc_trigger_result **out, struct nc_send_info *info,
                struct nc_error *err)
{
	const cJSON *data;
	cJSON *root;
	enum nc_status st = sent;

	*out = NULL;
	fill_info(info, req, resp);
	if (st == NC_OK) {
		data = parse_body(resp, &root);
		st = bulk_results(data, txids, n, out);
		cJSON_Delete(root);
		if (st)
			oom(err);
	}
	return st;
}

enum nc_status
api_bulk_raw(struct nc_client *c, const char *body, const char *idem_key,
             const char *const *txids, size_t n, struct nc_trigger_result **out,
             struct nc_send_info *info, struct nc_error *err)
{
	struct nc_http_request req = api_bulk_request(body, idem_key);
	struct nc_http_response resp;
	enum nc_status st = client_send(c, &req, &resp, err);

	st = api_bulk_answer(st, &req, &resp, txids, n, out, info, err);
	http_response_clear(&resp);
	return st;
}

enum nc_status
api_bulk(struct nc_client *c, struct nc_event *evs, size_t n, const char *idem_key,
         struct nc_trigger_result **out, struct nc_send_info *info,
         struct nc_error *err)
{
	struct nc_prepared p;
	const char **txids;
	enum nc_status st;
	size_t i;

	*out = NULL;
	if (info)
		send_info_init(info);
	st = api_prepare_bulk(evs, n, idem_key, &p, err);
	if (st)
		return st;
	txids = calloc(n, sizeof(*txids));
	if (!txids) {
		prepared_clear(&p);
		return oom(err);
	}
	for (i = 0; i < n; i++)
		txids[i] = evs[i].transaction_id;
	st = api_bulk_raw(c, p.body, p.idempotency_key, txids, n, out, info, err);
	free(txids);
	prepared_clear(&p);
	return st;
}

/* An answer that arrived (2xx) but that we cannot read. */
static enum nc_status
bad_answer(struct nc_error *err, const char *endpoint,
           const struct nc_http_response *resp, const char *what)
{
	if (!err)
		return NC_E_SERVER;
	nc_error_clear(err);
	nc_error_set(err, NC_E_SERVER, NULL, "unexpected answer from %s (HTTP %ld): %s",
	             endpoint, resp->status, what);
	err->kind = NC_ERRK_HTTP;
	err->http_status = resp->status;
	err->endpoint = dup_or_null(endpoint);
	err->attempts = resp->attempts;
	if (resp->body)
		err->raw_body = strdup(resp->body);
	return NC_E_SERVER;
}

enum nc_status
api_cancel(struct nc_client *c, const char *transaction_id, int *cancelled,
           struct nc_send_info *info, struct nc_error *err)
{
	struct nc_http_response resp;
	struct nc_prepared p;
	const cJSON *data;
	cJSON *root;
	enum nc_status st;

	*cancelled = 0;
	if (info)
		send_info_init(info);
	st = api_prepare_cancel(transaction_id, &p, err);
	if (st)
		return st;
	st = send_prepared(c, &p, &resp, info, err);
	if (st == NC_OK) {
		data = parse_body(&resp, &root);
		if (cJSON_IsBool(data))
			*cancelled = cJSON_IsTrue(data);
		else
			st = bad_answer(err, "DELETE " PATH_TRIGGER "/{transactionId}", &resp,
			                "expected {\"data\": true|false}");
		cJSON_Delete(root);
	}
	http_response_clear(&resp);
	prepared_clear(&p);
	return st;
}

/* ---- read endpoints ---- */

/* Query string building: "?k=v&k2=v2", values URL-encoded, arrays as
 * repeated keys (call once per element). */
struct query {
	struct textbuf b;
	int bad;
};

static void
query_add(struct query *q, const char *key, const char *value)
{
	char *esc;

	if (!value)
		return;
	esc = curl_easy_escape(NULL, value, 0);
	if (!esc) {
		q->bad = 1;
		return;
	}
	q->bad |= textbuf_printf(&q->b, "%c%s=%s", q->b.len ? '&' : '?', key, esc) != 0;
	curl_free(esc);
}

static void
query_add_long(struct query *q, const char *key, long value)
{
	char num[32];

	snprintf(num, sizeof(num), "%ld", value);
	query_add(q, key, num);
}

static int
clamp_limit(int limit, int max)
{
	if (limit <= 0)
		return limit == 0 ? 10 : 1;
	return limit > max ? max : limit;
}

/* path + query; the query is consumed. NULL on OOM. */
static char *
path_with_query(const char *path, struct query *q)
{
	struct textbuf b = TEXTBUF_INIT(0);

	if (q->bad || textbuf_puts(&b, path) ||
	    (q->b.data && textbuf_puts(&b, q->b.data))) {
		textbuf_free(&b);
		textbuf_free(&q->b);
		return NULL;
	}
	textbuf_free(&q->b);
	return textbuf_steal(&b);
}

/* METHOD path (with body, or NULL) and parse the JSON answer; *root is
 * the whole tree (caller deletes). Takes path (freed here). endpoint names
 * the call in error messages. */
static enum nc_status
send_json(struct nc_client *c, const char *method, char *path, const char *body,
          const char *endpoint, cJSON **root, struct nc_error *err)
{
	/* A key on every call, as for cancel (see api_prepare_cancel). */
	char *key = id_new_idempotency_key();
	struct nc_http_request req = { method, path, body, body ? strlen(body) : 0, key };
	struct nc_http_response resp;
	enum nc_status st;

	*root = NULL;
	if (!path || !key) {
		free(path);
		free(key);
		return oom(err);
	}
	st = client_send(c, &req, &resp, err);
	free(path);
	free(key);
	if (st == NC_OK) {
		if (resp.body)
			*root = json_parse_field(resp.body, resp.body_len, "response", 0, NULL);
		if (!*root)
			st = bad_answer(err, endpoint, &resp, "the body is not JSON");
	}
	http_response_clear(&resp);
	return st;
}

/* GET path (freed here) and parse the JSON answer, as send_json. */
static enum nc_status
get_json(struct nc_client *c, char *path, const char *endpoint, cJSON **root,
         struct nc_error *err)
{
	return send_json(c, "GET", path, NULL, endpoint, root, err);
}

enum nc_status
api_get_json(struct nc_client *c, const char *path, const char *endpoint, cJSON **root,
             struct nc_error *err)
{
	char *copy = strdup(path);

	*root = NULL;
	if (!copy)
		return oom(err);
	return get_json(c, copy, endpoint, root, err);
}

/* The item array of a list answer: `data` of an unwrapped page, or the
 * unwrapped value itself. */
static const cJSON *
list_items(const cJSON *root)
{
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");

	if (cJSON_IsArray(data))
		return data;
	data = json_unwrap_data(root);
	return cJSON_IsArray(data) ? data : NULL;
}

static int
has_step(const cJSON *steps, const char *type)
{
	const cJSON *it;
	const char *s;

	cJSON_ArrayForEach(it, steps) {
		s = cJSON_IsString(it) ? it->valuestring : json_str(it, "type");
		if (s && strcmp(s, type) == 0)
			return 1;
	}
	return 0;
}

static void
workflow_from_json(const cJSON *o, struct nc_workflow *w)
{
	const cJSON *overview = cJSON_GetObjectItemCaseSensitive(o, "stepTypeOverviews");
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(o, "steps");

	w->id = dup_or_null(json_str(o, "_id"));
	w->workflow_id = dup_or_null(json_str(o, "workflowId"));
	w->name = dup_or_null(json_str(o, "name"));
	w->status = dup_or_null(json_str(o, "status"));
	w->tags = join_strings(cJSON_GetObjectItemCaseSensitive(o, "tags"), NULL, ",");
	w->last_triggered_at = dup_or_null(json_str(o, "lastTriggeredAt"));
	/* stepTypeOverviews is required by the spec; older servers only have
	 * steps[].type. */
	if (cJSON_IsArray(overview)) {
		w->steps = join_strings(overview, NULL, ",");
		steps = overview;
	} else {
		w->steps = join_strings(steps, "type", ",");
	}
	w->has_delay_or_digest = cJSON_IsArray(steps) &&
	                         (has_step(steps, "delay") || has_step(steps, "digest"));
}

static void
workflow_clear(struct nc_workflow *w)
{
	free(w->id);
	free(w->workflow_id);
	free(w->name);
	free(w->status);
	free(w->steps);
	free(w->tags);
	free(w->last_triggered_at);
}

void
workflow_page_clear(struct nc_workflow_page *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		workflow_clear(&p->items[i]);
	free(p->items);
	memset(p, 0, sizeof(*p));
}

/* calloc for a page of `count` items (at least one byte, so an empty page is
 * not mistaken for OOM). */
static void *
page_alloc(size_t count, size_t size)
{
	return calloc(count ? count : 1, size);
}

enum nc_status
api_list_workflows(struct nc_client *c, const struct nc_list_query *q,
                   struct nc_workflow_page *out, struct nc_error *err)
{
	struct query qs = { TEXTBUF_INIT(0), 0 };
	const cJSON *data, *list, *it;
	cJSON *root;
	enum nc_status st;

	memset(out, 0, sizeof(*out));
	query_add_long(&qs, "limit", clamp_limit(q->limit, 100));
	query_add_long(&qs, "offset", q->offset > 0 ? q->offset : 0);
	if (q->search && *q->search)
		query_add(&qs, "query", q->search);
	st = get_json(c, path_with_query("/v2/workflows", &qs), "GET /v2/workflows", &root, err);
	if (st)
		return st;
	/* Wrapped: {"data":{"workflows":[...],"totalCount":N}}. */
	data = json_unwrap_data(root);
	list = cJSON_GetObjectItemCaseSensitive(data, "workflows");
	out->total = (long)json_num(data, "totalCount", -1);
	out->items = page_alloc((size_t)cJSON_GetArraySize(list), sizeof(*out->items));
	if (!out->items) {
		cJSON_Delete(root);
		return oom(err);
	}
	cJSON_ArrayForEach(it, list)
		if (cJSON_IsObject(it))
			workflow_from_json(it, &out->items[out->n++]);
	cJSON_Delete(root);
	return NC_OK;
}

static void
subscriber_clear(struct nc_subscriber_item *s)
{
	free(s->subscriber_id);
	free(s->first_name);
	free(s->last_name);
	free(s->email);
	free(s->phone);
	free(s->locale);
	free(s->timezone);
}

void
subscriber_page_clear(struct nc_subscriber_page *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		subscriber_clear(&p->items[i]);
	free(p->items);
	free(p->next);
	free(p->previous);
	memset(p, 0, sizeof(*p));
}

static void
topic_clear_item(struct nc_topic_item *t)
{
	free(t->key);
	free(t->name);
}

void
topic_page_clear(struct nc_topic_page *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		topic_clear_item(&p->items[i]);
	free(p->items);
	free(p->next);
	free(p->previous);
	memset(p, 0, sizeof(*p));
}

static void
subscriber_from_json(const cJSON *o, struct nc_subscriber_item *s)
{
	s->subscriber_id = dup_or_null(json_str(o, "subscriberId"));
	s->first_name = dup_or_null(json_str(o, "firstName"));
	s->last_name = dup_or_null(json_str(o, "lastName"));
	s->email = dup_or_null(json_str(o, "email"));
	s->phone = dup_or_null(json_str(o, "phone"));
	s->locale = dup_or_null(json_str(o, "locale"));
	s->timezone = dup_or_null(json_str(o, "timezone"));
}

/* Cursor-paged query shared by subscribers and topics (CONTRACT 5.1-5.2). */
static char *
cursor_path(const char *path, const struct nc_list_query *q, const char *filter_key)
{
	struct query qs = { TEXTBUF_INIT(0), 0 };

	query_add_long(&qs, "limit", clamp_limit(q->limit, 100));
	if (q->after && *q->after)
		query_add(&qs, "after", q->after);
	if (q->search && *q->search)
		query_add(&qs, filter_key, q->search);
	return path_with_query(path, &qs);
}

enum nc_status
api_list_subscribers(struct nc_client *c, const struct nc_list_query *q,
                     struct nc_subscriber_page *out, struct nc_error *err)
{
	const char *filter = q->search && strchr(q->search, '@') ? "email" : "subscriberId";
	const cJSON *items, *it;
	cJSON *root;
	enum nc_status st;

	memset(out, 0, sizeof(*out));
	st = get_json(c, cursor_path("/v2/subscribers", q, filter), "GET /v2/subscribers",
	              &root, err);
	if (st)
		return st;
	/* Not wrapped: {"data":[...],"next":..,"previous":..,"totalCount":..}. */
	items = list_items(root);
	out->total = (long)json_num(root, "totalCount", -1);
	out->next = dup_or_null(json_str(root, "next"));
	out->previous = dup_or_null(json_str(root, "previous"));
	out->items = page_alloc((size_t)cJSON_GetArraySize(items), sizeof(*out->items));
	if (!out->items) {
		cJSON_Delete(root);
		subscriber_page_clear(out);
		return oom(err);
	}
	cJSON_ArrayForEach(it, items)
		if (json_str(it, "subscriberId"))
			subscriber_from_json(it, &out->items[out->n++]);
	cJSON_Delete(root);
	return NC_OK;
}

enum nc_status
api_list_topics(struct nc_client *c, const struct nc_list_query *q,
                struct nc_topic_page *out, struct nc_error *err)
{
	const cJSON *items, *it;
	struct nc_topic_item *t;
	cJSON *root;
	enum nc_status st;

	memset(out, 0, sizeof(*out));
	st = get_json(c, cursor_path("/v2/topics", q, "key"), "GET /v2/topics", &root, err);
	if (st)
		return st;
	items = list_items(root);
	out->total = (long)json_num(root, "totalCount", -1);
	out->next = dup_or_null(json_str(root, "next"));
	out->previous = dup_or_null(json_str(root, "previous"));
	out->items = page_alloc((size_t)cJSON_GetArraySize(items), sizeof(*out->items));
	if (!out->items) {
		cJSON_Delete(root);
		topic_page_clear(out);
		return oom(err);
	}
	cJSON_ArrayForEach(it, items) {
		if (!json_str(it, "key"))
			continue;
		t = &out->items[out->n++];
		t->key = strdup(json_str(it, "key"));
		t->name = dup_or_null(json_str(it, "name"));
	}
	cJSON_Delete(root);
	return NC_OK;
}

/* The object member key of wf as compact JSON text in *out; NC_OK with
 * NULL when absent or not an object. */
static enum nc_status
object_text(const cJSON *wf, const char *key, char **out, struct nc_error *err)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(wf, key);

	*out = NULL;
	if (!cJSON_IsObject(o))
		return NC_OK;
	*out = json_print_compact(o);
	return *out ? NC_OK : oom(err);
}

enum nc_status
api_workflow_payload(struct nc_client *c, const char *workflow_id, char **example_json,
                     char **schema_json, int *validates, struct nc_error *err)
{
	char *example = NULL, *schema = NULL;
	const cJSON *wf;
	cJSON *root;
	enum nc_status st;

	if (example_json)
		*example_json = NULL;
	if (schema_json)
		*schema_json = NULL;
	if (validates)
		*validates = 0;
	st = api_workflow_get(c, workflow_id, &root, err);
	if (st)
		return st;
	wf = json_unwrap_data(root);
	st = object_text(wf, "payloadExample", &example, err);
	if (st == NC_OK)
		st = object_text(wf, "payloadSchema", &schema, err);
	/* Novu checks the payload only when both are set. */
	if (st == NC_OK && validates)
		*validates = schema && json_bool(wf, "validatePayload", 0) == 1;
	cJSON_Delete(root);
	if (st == NC_OK && example_json) {
		*example_json = example;
		example = NULL;
	}
	if (st == NC_OK && schema_json) {
		*schema_json = schema;
		schema = NULL;
	}
	free(example);
	free(schema);
	return st;
}

enum nc_status
api_workflow_payload_example(struct nc_client *c, const char *workflow_id,
                             char **example_json, struct nc_error *err)
{
	return api_workflow_payload(c, workflow_id, example_json, NULL, NULL, err);
}

/* ---- one workflow, one subscriber, a step preview ---- */

enum nc_status
api_workflow_get(struct nc_client *c, const char *workflow_id, cJSON **root,
                 struct nc_error *err)
{
	*root = NULL;
	if (!workflow_id || !*workflow_id)
		return nc_error_set(err, NC_E_INVALID, "name", "give a workflow identifier");
	return get_json(c, escaped_path("/v2/workflows/", workflow_id),
	                "GET /v2/workflows/{workflowId}", root, err);
}

enum nc_status
api_subscriber_get(struct nc_client *c, const char *subscriber_id, cJSON **root,
                   struct nc_error *err)
{
	*root = NULL;
	if (!subscriber_id || !*subscriber_id)
		return nc_error_set(err, NC_E_INVALID, "to", "give a subscriber ID");
	return get_json(c, escaped_path("/v2/subscribers/", subscriber_id),
	                "GET /v2/subscribers/{subscriberId}", root, err);
}

/* "/v2/workflows/{wf}/step/{step}/preview", each id URL-encoded. */
static char *
preview_path(const char *workflow_id, const char *step_id)
{
	char *wf = escaped_path("/v2/workflows/", workflow_id);
	char *st = escaped_path("/step/", step_id);
	char *path = wf && st ? nc_asprintf("%s%s/preview", wf, st) : NULL;

	free(wf);
	free(st);
	return path;
}

enum nc_status
api_step_preview(struct nc_client *c, const char *workflow_id, const char *step_id,
                 const char *body, cJSON **root, struct nc_error *err)
{
	static const char endpoint[] = "POST /v2/workflows/{workflowId}/step/{stepId}/preview";

	return send_json(c, "POST", preview_path(workflow_id, step_id), body, endpoint, root,
	                 err);
}

/* ---- delivery status ---- */

static void
job_clear(struct nc_job_status *j)
{
	free(j->subscriber_id);
	free(j->type);
	free(j->status);
	free(j->provider_id);
	free(j->detail);
	free(j->created_at);
}

void
delivery_clear(struct nc_delivery *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		job_clear(&d->jobs[i]);
	free(d->jobs);
	memset(d, 0, sizeof(*d));
}

static size_t
count_jobs(const cJSON *items)
{
	const cJSON *it;
	size_t n = 0;

	cJSON_ArrayForEach(it, items)
		n += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(it, "jobs"));
	return n;
}

/* One job line: the latest execution detail says what happened last. */
static void
job_from_json(const cJSON *job, const char *subscriber, const char *item_created,
              struct nc_job_status *j)
{
	const cJSON *details = cJSON_GetObjectItemCaseSensitive(job, "executionDetails");
	int nd = cJSON_GetArraySize(details);
	const cJSON *last = nd > 0 ? cJSON_GetArrayItem(details, nd - 1) : NULL;
	const char *created = json_str(last, "createdAt");

	if (!created)
		created = json_str(job, "createdAt");
	j->subscriber_id = dup_or_null(subscriber);
	j->type = dup_or_null(json_str(job, "type"));
	j->status = dup_or_null(json_str(job, "status"));
	j->provider_id = dup_or_null(json_str(job, "providerId"));
	j->detail = dup_or_null(json_str(last, "detail"));
	j->created_at = dup_or_null(created ? created : item_created);
}

/* Append one page's jobs to out. */
static enum nc_status
delivery_add_page(struct nc_delivery *out, const cJSON *items, struct nc_error *err)
{
	size_t add = count_jobs(items);
	struct nc_job_status *grown;
	const cJSON *it, *job;
	const char *sub;

	if (add) {
		grown = realloc(out->jobs, (out->n + add) * sizeof(*grown));
		if (!grown)
			return oom(err);
		memset(grown + out->n, 0, add * sizeof(*grown));
		out->jobs = grown;
	}
	cJSON_ArrayForEach(it, items) {
		out->notifications++;
		sub = json_str(cJSON_GetObjectItemCaseSensitive(it, "subscriber"), "subscriberId");
		cJSON_ArrayForEach(job, cJSON_GetObjectItemCaseSensitive(it, "jobs"))
			job_from_json(job, sub, json_str(it, "createdAt"), &out->jobs[out->n++]);
	}
	return NC_OK;
}

/* Pages of 50 while hasMore says so, up to NOTIFICATIONS_MAX_PAGES (a
 * broadcast can fan out to every subscriber; out->more then says so). */
enum nc_status
api_notifications(struct nc_client *c, const char *transaction_id,
                  struct nc_delivery *out, struct nc_error *err)
{
	enum nc_status st = NC_OK;
	cJSON *root;
	long page;
	int more = 1;

	memset(out, 0, sizeof(*out));
	if (!transaction_id || !*transaction_id)
		return nc_error_set(err, NC_E_INVALID, "transactionId",
		                    "give the transactionId to look up");
	for (page = 0; more && page < NOTIFICATIONS_MAX_PAGES && !st; page++) {
		struct query qs = { TEXTBUF_INIT(0), 0 };

		query_add(&qs, "transactionId", transaction_id);
		query_add_long(&qs, "page", page);
		query_add_long(&qs, "limit", NOTIFICATIONS_LIMIT);
		st = get_json(c, path_with_query("/v1/notifications", &qs),
		              "GET /v1/notifications", &root, err);
		if (st)
			break;
		st = delivery_add_page(out, list_items(root), err);
		more = json_bool(root, "hasMore", 0) == 1;
		cJSON_Delete(root);
	}
	out->more = more;
	if (st)
		delivery_clear(out);
	return st;
}
