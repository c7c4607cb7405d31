/* validate.c - field checks for trigger, bulk and broadcast bodies. */
#include "validate.h"

#include <stdio.h>
#include <string.h>

#include "exchange.h"

#define KEY_MAX 256

static int
is_present(const cJSON *v)
{
	return v && !cJSON_IsNull(v);
}

static void
key_of(char *out, const char *prefix, const char *field)
{
	snprintf(out, KEY_MAX, "%.200s%.50s", prefix, field);
}

/* A required string: present, a string. */
static void
require_string(const cJSON *obj, const char *prefix, const char *field, cJSON *errors)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
	char key[KEY_MAX], msg[160];

	key_of(key, prefix, field);
	if (!is_present(v)) {
		snprintf(msg, sizeof(msg), "%s should not be null or undefined", field);
		verr_add(errors, key, msg, v);
		snprintf(msg, sizeof(msg), "%s must be a string", field);
		verr_add(errors, key, msg, v);
	} else if (!cJSON_IsString(v)) {
		snprintf(msg, sizeof(msg), "%s must be a string", field);
		verr_add(errors, key, msg, v);
	}
}

/* An optional member that must have a given shape when present. */
static void
optional_kind(const cJSON *obj, const char *prefix, const char *field, int want_object,
              cJSON *errors)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
	char key[KEY_MAX], msg[160];

	if (!is_present(v))
		return;
	if (want_object ? cJSON_IsObject(v) : cJSON_IsString(v))
		return;
	key_of(key, prefix, field);
	snprintf(msg, sizeof(msg), "%s must be %s", field, want_object ? "an object" : "a string");
	verr_add(errors, key, msg, v);
}

/* SubscriberPayloadDto at key (e.g. "to.1" or "actor"). */
static void
validate_subscriber_obj(const cJSON *o, const char *key, cJSON *errors)
{
	static const char *const strings[] = { "firstName", "lastName", "email", "phone",
		                               "avatar", "locale", "timezone" };
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "subscriberId");
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(o, "channels");
	char prefix[KEY_MAX], k[KEY_MAX];
	size_t i;

	snprintf(prefix, sizeof(prefix), "%.200s.", key);
	if (!is_present(id)) {
		key_of(k, prefix, "subscriberId");
		verr_add(errors, k, "subscriberId should not be null or undefined", id);
	} else if (!cJSON_IsString(id)) {
		key_of(k, prefix, "subscriberId");
		verr_add(errors, k, "subscriberId must be a string", id);
	} else if (id->valuestring[0] == '\0') {
		key_of(k, prefix, "subscriberId");
		verr_add(errors, k, "subscriberId should not be empty", id);
	}
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		optional_kind(o, prefix, strings[i], 0, errors);
	optional_kind(o, prefix, "data", 1, errors);
	if (is_present(ch) && !cJSON_IsArray(ch)) {
		key_of(k, prefix, "channels");
		verr_add(errors, k, "channels must be an array", ch);
	}
}

static void
validate_topic_obj(const cJSON *o, const char *key, cJSON *errors)
{
	const cJSON *tk = cJSON_GetObjectItemCaseSensitive(o, "topicKey");
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(o, "exclude");
	const cJSON *it;
	char k[KEY_MAX];
	int bad = 0;

	snprintf(k, sizeof(k), "%.200s.topicKey", key);
	if (!is_present(tk)) {
		verr_add(errors, k, "topicKey should not be null or undefined", tk);
		verr_add(errors, k, "topicKey must be a string", tk);
	} else if (!cJSON_IsString(tk)) {
		verr_add(errors, k, "topicKey must be a string", tk);
	} else if (tk->valuestring[0] == '\0') {
		verr_add(errors, k, "topicKey should not be empty", tk);
	}
	if (!is_present(ex))
		return;
	if (!cJSON_IsArray(ex))
		bad = 1;
	cJSON_ArrayForEach(it, ex)
		bad |= !cJSON_IsString(it);
	if (bad) {
		snprintf(k, sizeof(k), "%.200s.exclude", key);
		verr_add(errors, k, "each value in exclude must be a string", ex);
	}
}

/* One recipient: a subscriberId string, a subscriber or a topic object. */
static void
validate_recipient(const cJSON *r, const char *key, cJSON *errors)
{
	const cJSON *type;
	char k[KEY_MAX];

	if (cJSON_IsString(r)) {
		if (r->valuestring[0] == '\0')
			verr_add(errors, key, "subscriberId should not be empty", r);
		return;
	}
	if (!cJSON_IsObject(r)) {
		verr_add(errors, key,
		         "each value in to must be a subscriberId string, a subscriber object "
		         "or a topic object", r);
		return;
	}
	type = cJSON_GetObjectItemCaseSensitive(r, "type");
	if (is_present(type) && !(cJSON_IsString(type) &&
	                          (strcmp(type->valuestring, "Subscriber") == 0 ||
	                           strcmp(type->valuestring, "Topic") == 0))) {
		snprintf(k, sizeof(k), "%.200s.type", key);
		verr_add(errors, k, "type must be one of the following values: Subscriber, Topic",
		         type);
		return;
	}
	if (cJSON_IsString(type) && strcmp(type->valuestring, "Topic") == 0)
		validate_topic_obj(r, key, errors);
	else
		validate_subscriber_obj(r, key, errors);
}

static void
validate_to(const cJSON *ev, const char *prefix, cJSON *errors)
{
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(ev, "to");
	const cJSON *it;
	char key[KEY_MAX], sub[KEY_MAX];
	int i = 0;

	key_of(key, prefix, "to");
	if (!is_present(to)) {
		verr_add(errors, key, "to should not be null or undefined", to);
		return;
	}
	if (!cJSON_IsArray(to)) {
		if (cJSON_IsString(to) || cJSON_IsObject(to))
			validate_recipient(to, key, errors);
		else
			verr_add(errors, key,
			         "to must be a subscriberId string, a subscriber or topic object, "
			         "or an array of them", to);
		return;
	}
	if (cJSON_GetArraySize(to) > SB_MAX_RECIPIENTS) {
		verr_add(errors, key, "to must contain no more than 100 elements", NULL);
		return;
	}
	cJSON_ArrayForEach(it, to) {
		snprintf(sub, sizeof(sub), "%.200s.%d", key, i++);
		validate_recipient(it, sub, errors);
	}
}

/* actor: a subscriberId string or a SubscriberPayloadDto. */
static void
validate_actor(const cJSON *ev, const char *prefix, cJSON *errors)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(ev, "actor");
	char key[KEY_MAX];

	if (!is_present(a) || cJSON_IsString(a))
		return;
	key_of(key, prefix, "actor");
	if (cJSON_IsObject(a))
		validate_subscriber_obj(a, key, errors);
	else
		verr_add(errors, key, "actor must be a subscriberId string or a subscriber object", a);
}

static void
validate_tenant(const cJSON *ev, const char *prefix, cJSON *errors)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(ev, "tenant");
	char key[KEY_MAX], p2[KEY_MAX];

	if (!is_present(t) || cJSON_IsString(t))
		return;
	key_of(key, prefix, "tenant");
	if (!cJSON_IsObject(t)) {
		verr_add(errors, key, "tenant must be an identifier string or a tenant object", t);
		return;
	}
	snprintf(p2, sizeof(p2), "%.200s.", key);
	optional_kind(t, p2, "identifier", 0, errors);
	optional_kind(t, p2, "name", 0, errors);
	optional_kind(t, p2, "data", 1, errors);
}

/* Context type and id: ^[a-zA-Z0-9_-]+$, 1..100 characters. */
static int
context_token_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 100)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static void
validate_context(const cJSON *ev, const char *prefix, cJSON *errors)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(ev, "context");
	const cJSON *it, *id, *data;
	char key[KEY_MAX], k2[KEY_MAX];

	if (!is_present(c))
		return;
	key_of(key, prefix, "context");
	if (!cJSON_IsObject(c)) {
		verr_add(errors, key, "context must be an object", c);
		return;
	}
	cJSON_ArrayForEach(it, c) {
		snprintf(k2, sizeof(k2), "%.100s.%.120s", key, it->string);
		if (!context_token_ok(it->string)) {
			verr_add(errors, k2,
			         "context type must match ^[a-zA-Z0-9_-]+$ and be 1-100 characters", it);
			continue;
		}
		id = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "id") : it;
		data = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "data") : NULL;
		if (!cJSON_IsString(id) || !context_token_ok(id->valuestring))
			verr_add(errors, k2,
			         "context id must be a string matching ^[a-zA-Z0-9_-]+$ (1-100 "
			         "characters), alone or as {\"id\", \"data\"}", it);
		else if (is_present(data) && !cJSON_IsObject(data))
			verr_add(errors, k2, "context data must be an object", it);
	}
}

/* Private and loopback hosts are refused, as the real API does. */
static void
validate_bridge_url(const cJSON *ev, const char *prefix, cJSON *errors)
{
	static const char *const private_hosts[] = { "localhost", "127.", "10.", "192.168.",
		                                     "169.254.", "0.", "[" };
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(ev, "bridgeUrl");
	char key[KEY_MAX];
	const char *host;
	int bad = 0;
	size_t i;

	if (!is_present(b))
		return;
	if (!cJSON_IsString(b) || strncmp(b->valuestring, "https://", 8) != 0) {
		bad = 1;
	} else {
		host = b->valuestring + 8;
		for (i = 0; i < sizeof(private_hosts) / sizeof(private_hosts[0]); i++)
			if (strncmp(host, private_hosts[i], strlen(private_hosts[i])) == 0)
				bad = 1;
	}
	if (bad) {
		key_of(key, prefix, "bridgeUrl");
		verr_add(errors, key, "bridgeUrl must be a public https URL", b);
	}
}

/* Members shared by trigger and broadcast. */
static void
validate_common(const cJSON *ev, const char *prefix, cJSON *errors)
{
	require_string(ev, prefix, "name", errors);
	optional_kind(ev, prefix, "overrides", 1, errors);
	optional_kind(ev, prefix, "transactionId", 0, errors);
	validate_actor(ev, prefix, errors);
	validate_tenant(ev, prefix, errors);
	validate_context(ev, prefix, errors);
}

void
validate_trigger(const cJSON *ev, const char *prefix, cJSON *errors)
{
	validate_common(ev, prefix, errors);
	validate_to(ev, prefix, errors);
	optional_kind(ev, prefix, "payload", 1, errors);
	validate_bridge_url(ev, prefix, errors);
}

void
validate_broadcast(const cJSON *ev, cJSON *errors)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(ev, "payload");

	validate_common(ev, "", errors);
	if (!is_present(p)) {
		verr_add(errors, "payload", "payload should not be null or undefined", p);
		verr_add(errors, "payload", "payload must be an object", p);
	} else if (!cJSON_IsObject(p)) {
		verr_add(errors, "payload", "payload must be an object", p);
	}
}

/* BulkTriggerEventDto validates only the array (IsArray, ArrayNotEmpty,
 * ArrayMaxSize(100)): its events are not nested-validated, so a malformed
 * event reaches the use case and fails its own slot. */
void
validate_bulk(const cJSON *body, cJSON *errors)
{
	const cJSON *events = cJSON_GetObjectItemCaseSensitive(body, "events");

	if (!is_present(events)) {
		verr_add(errors, "events", "events should not be null or undefined", events);
		verr_add(errors, "events", "events must be an array", events);
		return;
	}
	if (!cJSON_IsArray(events)) {
		verr_add(errors, "events", "events must be an array", events);
		return;
	}
	if (cJSON_GetArraySize(events) == 0) {
		verr_add(errors, "events", "events should not be empty", events);
		return;
	}
	if (cJSON_GetArraySize(events) > SB_MAX_BULK_EVENTS)
		verr_add(errors, "events", "events must contain no more than 100 elements", NULL);
}

static void
add_message(cJSON *messages, const char *text)
{
	cJSON_AddItemToArray(messages, cJSON_CreateString(text));
}

/* ParseEventRequestMulticastCommand, as process-bulk-trigger builds it from
 * one event: identifier (= name), payload and to must be defined, the
 * transactionId a string when given. Messages name the command's fields. */
void
validate_bulk_event(const cJSON *ev, cJSON *messages)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(ev, "name");
	const cJSON *tid = cJSON_GetObjectItemCaseSensitive(ev, "transactionId");

	if (!is_present(name))
		add_message(messages, "identifier should not be null or undefined");
	if (!cJSON_IsString(name))
		add_message(messages, "identifier must be a string");
	if (!is_present(cJSON_GetObjectItemCaseSensitive(ev, "payload")))
		add_message(messages, "payload should not be null or undefined");
	if (is_present(tid) && !cJSON_IsString(tid))
		add_message(messages, "transactionId must be a string");
	if (!is_present(cJSON_GetObjectItemCaseSensitive(ev, "to")))
		add_message(messages, "to should not be null or undefined");
}
