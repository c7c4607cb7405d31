/* events.c - accept triggers, remember their transactions, cancel them. */
#include "events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "store.h"
#include "util.h"
#include "validate.h"
#include "world.h"

static int64_t pending_ms;

void
events_init(double pending_seconds)
{
	pending_ms = (int64_t)(pending_seconds * 1000.0);
}

/* Size of the event's payload as Novu's validatePayloadSize measures it:
 * the serialised payload without its `attachments` member (attachments go
 * to storage and have their own limit). */
static size_t
payload_size(const cJSON *ev)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(ev, "payload");
	cJSON *view = NULL, *it;
	char *text;
	size_t n;

	if (!p || cJSON_IsNull(p))
		return 0;
	if (cJSON_IsObject(p)) {
		/* References: the payload itself is neither copied nor changed. */
		view = cJSON_CreateObject();
		cJSON_ArrayForEach(it, p)
			if (strcmp(it->string, "attachments") != 0)
				cJSON_AddItemReferenceToObject(view, it->string, it);
	}
	text = cJSON_PrintUnformatted(view ? view : p);
	n = text ? strlen(text) : 0;
	free(text);
	cJSON_Delete(view);
	return n;
}

/* Workflow index for a trigger identifier, or -1. */
static long
workflow_for(const cJSON *ev)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(ev, "name");
	size_t i;

	if (!cJSON_IsString(name))
		return -1;
	for (i = 0; i < store_workflow_count(); i++)
		if (strcmp(store_workflow_at(i)->workflow_id, name->valuestring) == 0)
			return (long)i;
	return -1;
}

/* The payload's schema errors for workflow wf (an array of {field,
 * message}), or NULL when it has no schema or the payload fits. */
static cJSON *
payload_schema_errors(const cJSON *ev, size_t wf)
{
	const cJSON *schema = store_workflow_schema(wf);
	const cJSON *payload = cJSON_GetObjectItemCaseSensitive(ev, "payload");
	cJSON *errs, *empty = NULL;

	if (!schema)
		return NULL;
	if (!payload || cJSON_IsNull(payload))
		payload = empty = cJSON_CreateObject();
	errs = cJSON_CreateArray();
	schema_validate(schema, payload, errs);
	cJSON_Delete(empty);
	if (cJSON_GetArraySize(errs) == 0) {
		cJSON_Delete(errs);
		return NULL;
	}
	return errs;
}

/* "Payload validation failed: field: message; ..." into msg. */
static void
schema_message(const cJSON *errs, char *msg, size_t cap)
{
	const cJSON *e;
	size_t used = (size_t)snprintf(msg, cap, "Payload validation failed: ");

	cJSON_ArrayForEach(e, errs) {
		if (used >= cap)
			break;
		used += (size_t)snprintf(msg + used, cap - used, "%s%s: %s",
		                         e == errs->child ? "" : "; ",
		                         cJSON_GetObjectItemCaseSensitive(e, "field")->valuestring,
		                         cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring);
	}
}

/* Check the payload against the workflow's schema; on failure answer 400
 * PAYLOAD_VALIDATION_ERROR and return -1. */
static int
check_payload_schema(const struct sb_request *req, struct sb_reply *rep, const cJSON *ev,
                     size_t wf)
{
	cJSON *errs = payload_schema_errors(ev, wf), *o;
	char msg[4096];

	if (!errs)
		return 0;
	schema_message(errs, msg, sizeof(msg));
	o = error_dto(400, req->url, msg);
	cJSON_AddStringToObject(o, "type", "PAYLOAD_VALIDATION_ERROR");
	cJSON_AddItemToObject(o, "errors", errs);
	cJSON_AddItemToObject(o, "schema", cJSON_Duplicate(store_workflow_schema(wf), 1));
	reply_json(rep, 400, o);
	return -1;
}

static cJSON *
ack(const char *status, const char *transaction_id)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "acknowledged", 1);
	cJSON_AddStringToObject(o, "status", status);
	if (transaction_id)
		cJSON_AddStringToObject(o, "transactionId", transaction_id);
	return o;
}

static const char *
severity_of(const cJSON *ev)
{
	static const char *const levels[] = { "high", "medium", "low", "none" };
	const cJSON *ov = cJSON_GetObjectItemCaseSensitive(ev, "overrides");
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(ov, "severity");
	size_t i;

	for (i = 0; cJSON_IsString(sv) && i < 4; i++)
		if (strcmp(sv->valuestring, levels[i]) == 0)
			return levels[i];
	return "none";
}

/* 1 if the tenant reference resolves (broadcast creates object tenants). */
static int
tenant_ok(const cJSON *ev, int broadcast)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(ev, "tenant");
	const cJSON *id;

	if (cJSON_IsString(t))
		return store_tenant_exists(t->valuestring);
	if (!cJSON_IsObject(t))
		return 1;
	id = cJSON_GetObjectItemCaseSensitive(t, "identifier");
	if (!cJSON_IsString(id))
		return 1;
	if (store_tenant_exists(id->valuestring))
		return 1;
	if (broadcast) {
		store_tenant_add(id->valuestring);
		return 1;
	}
	return 0;
}

struct recipients {
	struct recipient *list;
	size_t n;
	char *seen; /* per subscriber index: already a recipient */
};

static void
add_recipient(struct recipients *rc, long sub, int topic)
{
	if (sub < 0 || rc->seen[sub] || rc->n >= STORE_RECIPIENT_CAP)
		return;
	rc->seen[sub] = 1;
	rc->list[rc->n].sub = (int)sub;
	rc->list[rc->n].topic = topic;
	rc->n++;
}

static int
excluded(const cJSON *exclude, const char *subscriber_id)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, exclude)
		if (cJSON_IsString(it) && strcmp(it->valuestring, subscriber_id) == 0)
			return 1;
	return 0;
}

/* A topic's subscribers, without its exclude list and without the actor:
 * Novu does not notify the actor of their own action through a topic (an
 * actor listed in `to` explicitly is still reached). */
static void
add_topic(struct recipients *rc, const cJSON *entry, const char *actor)
{
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(entry, "topicKey");
	const cJSON *exclude = cJSON_GetObjectItemCaseSensitive(entry, "exclude");
	long t = cJSON_IsString(key) ? store_topic_find(key->valuestring) : -1;
	const char *sid;
	size_t i;

	for (i = 0; t >= 0 && i < store_subscriber_count(); i++) {
		sid = store_subscriber_at(i)->subscriber_id;
		if (store_topic_has((size_t)t, i) && !excluded(exclude, sid) &&
		    !(actor && strcmp(actor, sid) == 0))
			add_recipient(rc, (long)i, (int)t);
	}
}

static void
add_entry(struct recipients *rc, const cJSON *entry, const char *actor)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(entry, "type");

	if (cJSON_IsString(type) && strcmp(type->valuestring, "Topic") == 0)
		add_topic(rc, entry, actor);
	else
		add_recipient(rc, store_subscriber_upsert(entry), -1);
}

/* The actor's subscriberId (string form or object form), or NULL. */
static const char *
actor_id(const cJSON *ev)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(ev, "actor");

	if (cJSON_IsObject(a))
		a = cJSON_GetObjectItemCaseSensitive(a, "subscriberId");
	return cJSON_IsString(a) ? a->valuestring : NULL;
}

/* Resolve `to` (or everyone, for a broadcast); the store lock is held.
 * Inline subscribers are upserted. */
static void
resolve_recipients(struct recipients *rc, const cJSON *ev, int broadcast)
{
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(ev, "to");
	const char *actor = actor_id(ev);
	const cJSON *it;
	size_t i;

	if (broadcast) {
		for (i = 0; i < store_subscriber_count(); i++)
			add_recipient(rc, (long)i, -1);
		return;
	}
	if (cJSON_IsArray(to)) {
		cJSON_ArrayForEach(it, to)
			add_entry(rc, it, actor);
	} else {
		add_entry(rc, to, actor);
	}
}

/* The event's transactionId, or a new UUID in uuid (Novu: the given id
 * || uuidv4(), so an empty string gets a new one too). */
static const char *
transaction_id_for(const cJSON *ev, char uuid[37])
{
	const cJSON *tid = cJSON_GetObjectItemCaseSensitive(ev, "transactionId");

	if (cJSON_IsString(tid) && tid->valuestring[0])
		return tid->valuestring;
	util_uuid4(uuid);
	return uuid;
}

/* Accept one validated event for workflow wf under transaction id: returns
 * its response DTO. As parse-event-request does, an unknown tenant answers
 * before an inactive workflow; both early answers carry the id. */
static cJSON *
accept_event(const cJSON *ev, size_t wf, int broadcast, const char *id)
{
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(ev, "actor");
	struct recipients rc = { NULL, 0, NULL };
	struct txn_spec spec;
	char *record = NULL;

	store_lock();
	if (!tenant_ok(ev, broadcast)) {
		store_unlock();
		return ack("no_tenant_found", id);
	}
	if (!store_workflow_at(wf)->active) {
		store_unlock();
		return ack("trigger_not_active", id);
	}
	if (cJSON_IsObject(actor))
		store_subscriber_upsert(actor);
	rc.list = malloc(STORE_RECIPIENT_CAP * sizeof(*rc.list));
	rc.seen = calloc(STORE_SUBSCRIBER_CAP, 1);
	if (rc.list && rc.seen)
		resolve_recipients(&rc, ev, broadcast);
	/* A reused transactionId is accepted but creates nothing new: Novu's
	 * worker drops duplicates after the 201. */
	if (!store_txn_find(id)) {
		spec.transaction_id = id;
		spec.wf = wf;
		spec.severity = severity_of(ev);
		spec.created_ms = util_now_ms();
		spec.pending_until =
			store_workflow_waits(wf) && pending_ms > 0 ? spec.created_ms + pending_ms : 0;
		record = world_txn_record(store_txn_add(&spec, rc.list, rc.n), ev, broadcast);
	}
	store_workflow_touch(wf, util_now_ms());
	store_unlock();
	world_append(record);
	free(rc.list);
	free(rc.seen);
	return ack("processed", id);
}

static void
reply_data(struct sb_reply *rep, unsigned int status, cJSON *value)
{
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddItemToObject(doc, "data", value);
	reply_json(rep, status, doc);
}

static int
errors_found(struct sb_reply *rep, const struct sb_request *req, cJSON *errors)
{
	if (errors->child) {
		reply_validation(rep, req->url, errors);
		return 1;
	}
	cJSON_Delete(errors);
	return 0;
}

static void
reply_too_large(struct sb_reply *rep, const struct sb_request *req, size_t size)
{
	reply_errorf(rep, 413, req->url,
	             "Payload size (%zu bytes) exceeds maximum allowed size of %d bytes (512KB). "
	             "Note: Attachments are excluded from this limit.",
	             size, SB_MAX_PAYLOAD_BYTES);
}

/* Shared by trigger and broadcast: size, workflow, schema, then accept. */
static void
single_event(const struct sb_request *req, struct sb_reply *rep, int broadcast)
{
	const cJSON *ev = req->json;
	size_t size = payload_size(ev);
	char uuid[37];
	long wf;

	if (size > SB_MAX_PAYLOAD_BYTES) {
		reply_too_large(rep, req, size);
		return;
	}
	wf = workflow_for(ev);
	if (wf < 0) {
		reply_error(rep, 422, req->url, "workflow_not_found", 1);
		return;
	}
	if (check_payload_schema(req, rep, ev, (size_t)wf) != 0)
		return;
	reply_data(rep, 201, accept_event(ev, (size_t)wf, broadcast, transaction_id_for(ev, uuid)));
}

void
events_trigger(const struct sb_request *req, struct sb_reply *rep)
{
	cJSON *errors = cJSON_CreateObject();

	validate_trigger(req->json, "", errors);
	if (!errors_found(rep, req, errors))
		single_event(req, rep, 0);
}

void
events_broadcast(const struct sb_request *req, struct sb_reply *rep)
{
	cJSON *errors = cJSON_CreateObject();

	validate_broadcast(req->json, errors);
	if (!errors_found(rep, req, errors))
		single_event(req, rep, 1);
}

/* A bulk slot that failed: the messages (consumed) and its transactionId. */
static cJSON *
slot_error(cJSON *messages, const char *transaction_id)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "acknowledged", 1);
	cJSON_AddStringToObject(o, "status", "error");
	cJSON_AddItemToObject(o, "error", messages);
	cJSON_AddStringToObject(o, "transactionId", transaction_id);
	return o;
}

/* One bulk event, as process-bulk-trigger runs it: any failure (the
 * command's checks, an unknown workflow, the payload schema) is caught
 * and becomes this event's slot; the other events go on. */
static cJSON *
bulk_event(const cJSON *ev)
{
	cJSON *messages = cJSON_CreateArray(), *errs;
	char uuid[37], msg[4096];
	const char *id = transaction_id_for(ev, uuid);
	long wf;

	validate_bulk_event(ev, messages);
	if (messages->child)
		return slot_error(messages, id);
	wf = workflow_for(ev);
	if (wf < 0) {
		cJSON_AddItemToArray(messages, cJSON_CreateString("workflow_not_found"));
		return slot_error(messages, id);
	}
	errs = payload_schema_errors(ev, (size_t)wf);
	if (errs) {
		schema_message(errs, msg, sizeof(msg));
		cJSON_Delete(errs);
		cJSON_AddItemToArray(messages, cJSON_CreateString(msg));
		return slot_error(messages, id);
	}
	cJSON_Delete(messages);
	return accept_event(ev, (size_t)wf, 0, id);
}

void
events_bulk(const struct sb_request *req, struct sb_reply *rep)
{
	const cJSON *events = cJSON_GetObjectItemCaseSensitive(req->json, "events");
	cJSON *errors = cJSON_CreateObject(), *out;
	const cJSON *ev, *name;
	size_t size;
	int i = 0;

	validate_bulk(req->json, errors);
	if (errors_found(rep, req, errors))
		return;
	/* The size limit is checked for every event before any is processed:
	 * one oversize event fails the whole request. */
	cJSON_ArrayForEach(ev, events) {
		size = payload_size(ev);
		if (size > SB_MAX_PAYLOAD_BYTES) {
			name = cJSON_GetObjectItemCaseSensitive(ev, "name");
			reply_errorf(rep, 413, req->url,
			             "Event at index %d (workflow: \"%.200s\") has payload size (%zu "
			             "bytes) exceeds maximum allowed size of %d bytes (512KB). Note: "
			             "Attachments are excluded from this limit.",
			             i, cJSON_IsString(name) ? name->valuestring : "undefined", size,
			             SB_MAX_PAYLOAD_BYTES);
			return;
		}
		i++;
	}
	out = cJSON_CreateArray();
	cJSON_ArrayForEach(ev, events)
		cJSON_AddItemToArray(out, bulk_event(ev));
	reply_data(rep, 201, out);
}

void
events_cancel(const struct sb_request *req, struct sb_reply *rep)
{
	struct txn *t;
	int canceled = 0;

	store_lock();
	t = store_txn_find(req->route_arg);
	if (t && !t->canceled && t->pending_until && util_now_ms() < t->pending_until) {
		t->canceled = 1;
		canceled = 1;
	}
	store_unlock();
	if (canceled)
		world_append(world_cancel_record(req->route_arg));
	reply_data(rep, 200, cJSON_CreateBool(canceled));
}
