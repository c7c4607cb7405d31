/* store.c - seeded data and the in-memory stores behind the API. */
#include "store.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashtab.h"
#include "preview.h"
#include "util.h"

#define SEED_SUBSCRIBERS 250
#define DATA_MAX 16384        /* largest subscriber `data` kept, serialised */

static const char order_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"order\":{\"type\":\"object\",\"description\":\"The order that shipped.\","
	"\"properties\":{"
	"\"id\":{\"type\":\"string\",\"minLength\":1,"
	"\"description\":\"Order number, as the shop shows it.\"},"
	"\"carrier\":{\"type\":\"string\",\"enum\":[\"UPS\",\"DHL\",\"FedEx\",\"USPS\"],"
	"\"default\":\"UPS\",\"description\":\"Who delivers the parcel.\"},"
	"\"shippedAt\":{\"type\":\"string\",\"format\":\"date-time\","
	"\"description\":\"When the parcel left the warehouse.\"},"
	"\"items\":{\"type\":\"array\",\"maxItems\":50,"
	"\"description\":\"What is in the parcel.\",\"items\":{\"type\":\"object\","
	"\"properties\":{"
	"\"sku\":{\"type\":\"string\",\"minLength\":1,\"description\":\"Stock-keeping unit.\"},"
	"\"name\":{\"type\":\"string\",\"description\":\"Product name the customer sees.\"},"
	"\"quantity\":{\"type\":\"integer\",\"minimum\":1,\"default\":1,"
	"\"description\":\"How many of it.\"}},"
	"\"required\":[\"sku\"]}}},"
	"\"required\":[\"id\"]},"
	"\"trackingUrl\":{\"type\":\"string\",\"format\":\"uri\","
	"\"description\":\"The carrier's tracking page.\"},"
	"\"customerEmail\":{\"type\":\"string\",\"format\":\"email\","
	"\"description\":\"Where the customer's replies go.\"}},"
	"\"required\":[\"order\"]}";

static const char order_example[] =
	"{\"order\":{\"id\":\"A-1001\",\"carrier\":\"UPS\"},"
	"\"trackingUrl\":\"https://example.com/track/A-1001\"}";

static const char reminder_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"invoiceId\":{\"type\":\"string\",\"description\":\"Invoice number.\"},"
	"\"amount\":{\"type\":\"number\",\"minimum\":0,\"description\":\"Amount due.\"},"
	"\"currency\":{\"type\":\"string\",\"enum\":[\"EUR\",\"USD\",\"GBP\"],"
	"\"default\":\"EUR\",\"description\":\"ISO 4217 code of the amount.\"},"
	"\"dueDate\":{\"type\":\"string\",\"format\":\"date\","
	"\"description\":\"Last day to pay without a late fee.\"},"
	"\"payUrl\":{\"type\":\"string\",\"format\":\"uri\","
	"\"description\":\"Where the customer pays.\"},"
	"\"billingContact\":{\"type\":\"object\","
	"\"description\":\"Who answers questions about the invoice.\",\"properties\":{"
	"\"name\":{\"type\":\"string\",\"default\":\"Billing team\"},"
	"\"email\":{\"type\":\"string\",\"format\":\"email\"}},"
	"\"required\":[\"email\"]},"
	"\"lines\":{\"type\":\"array\",\"description\":\"The invoice's lines.\","
	"\"items\":{\"type\":\"object\",\"properties\":{"
	"\"description\":{\"type\":\"string\"},"
	"\"amount\":{\"type\":\"number\"}},"
	"\"required\":[\"description\",\"amount\"]}}},"
	"\"required\":[]}";

static const char reminder_example[] =
	"{\"invoiceId\":\"INV-2041\",\"amount\":49.5,\"currency\":\"EUR\"}";

/* Six workflows covering what the console has to show: plain ones, one with
 * a digest, one with a delay (both stay pending), one INACTIVE and ones with
 * a payload schema. */
static const struct workflow workflows[] = {
	{ "66e0a1b2c3d4e5f6a7b8c9d0", "order-shipped", "Order shipped",
	  "Tell a customer their order is on its way.", { "orders", NULL }, 1,
	  { { "in-app-step", "In-app notice", "in_app" }, { "email-step", "Shipping email", "email" } },
	  2, order_schema, order_example, 1740909600000LL, 1750265100000LL, 1750414530000LL },
	{ "66e0a1b2c3d4e5f6a7b8c9e1", "welcome-onboarding", "Welcome onboarding",
	  "First messages a new user receives.", { "onboarding", "growth", NULL }, 1,
	  { { "in-app-welcome", "Welcome", "in_app" }, { "email-welcome", "Welcome email", "email" },
	    { "sms-tips", "Tips by SMS", "sms" } },
	  3, NULL, NULL, 1741167000000LL, 1746950400000LL, 1750356131000LL },
	{ "66e0a1b2c3d4e5f6a7b8c9e2", "comment-digest", "Comment digest",
	  "Collects comments and sends one summary.", { "social", NULL }, 1,
	  { { "digest-comments", "Digest comments", "digest" }, { "in-app-summary", "Summary", "in_app" },
	    { "email-summary", "Summary email", "email" } },
	  3, NULL, NULL, 1741608000000LL, 1748762400000LL, 0 },
	{ "66e0a1b2c3d4e5f6a7b8c9e3", "payment-reminder", "Payment reminder",
	  "Email now, SMS after a delay if still unpaid.", { "billing", NULL }, 1,
	  { { "email-reminder", "Reminder email", "email" }, { "wait-a-day", "Wait", "delay" },
	    { "sms-reminder", "Reminder SMS", "sms" } },
	  3, reminder_schema, reminder_example, 1742482800000LL, 1748603460000LL, 1750150800000LL },
	{ "66e0a1b2c3d4e5f6a7b8c9e4", "maintenance-notice", "Maintenance notice",
	  "Broadcast about planned downtime.", { "ops", NULL }, 1,
	  { { "in-app-notice", "Notice", "in_app" }, { "push-notice", "Push", "push" },
	    { "chat-notice", "Ops channel", "chat" } },
	  3, NULL, NULL, 1743494400000LL, 1749562200000LL, 0 },
	{ "66e0a1b2c3d4e5f6a7b8c9e5", "legacy-digest", "Legacy digest",
	  "The old weekly digest, switched off.", { "marketing", NULL }, 0,
	  { { "digest-weekly", "Weekly digest", "digest" }, { "email-digest", "Digest email", "email" } },
	  2, NULL, NULL, 1730800800000LL, 1749938400000LL, 0 },
};
#define NWORKFLOWS (sizeof(workflows) / sizeof(workflows[0]))

static const struct topic topics[] = {
	{ "66f2d1e0c8a7b6a5f4e3d2c1", "ops-team", "Operations team", 1746864000000LL, 1749562200000LL },
	{ "66f2d1e0c8a7b6a5f4e3d2c2", "beta-testers", "Beta testers", 1736935200000LL, 1748762400000LL },
	{ "66f2d1e0c8a7b6a5f4e3d2c3", "newsletter", "Newsletter", 1735689600000LL, 1735689600000LL },
	{ "66f2d1e0c8a7b6a5f4e3d2c4", "eu-customers", "EU customers", 1739174400000LL, 1750150800000LL },
	{ "66f2d1e0c8a7b6a5f4e3d2c5", "vip", "VIP customers", 1743494400000LL, 1743494400000LL },
};
#define NTOPICS (sizeof(topics) / sizeof(topics[0]))

/* Seed names, some deliberately non-ASCII, with an ASCII form for e-mails. */
static const char *const first_names[][2] = {
	{ "Jane", "jane" }, { "John", "john" }, { "Zoë", "zoe" }, { "José", "jose" },
	{ "Amélie", "amelie" }, { "Björn", "bjorn" }, { "Chloé", "chloe" }, { "Dmitri", "dmitri" },
	{ "Emma", "emma" }, { "François", "francois" }, { "Grace", "grace" }, { "Hiro", "hiro" },
	{ "Ingrid", "ingrid" }, { "Jürgen", "jurgen" }, { "Kai", "kai" }, { "Léa", "lea" },
	{ "Mateo", "mateo" }, { "Noah", "noah" }, { "Olivia", "olivia" }, { "Priya", "priya" },
	{ "Søren", "soren" }, { "Tomás", "tomas" }, { "Uma", "uma" }, { "Wei", "wei" },
};
static const char *const last_names[][2] = {
	{ "Doe", "doe" }, { "Smith", "smith" }, { "Ørsted", "orsted" }, { "Álvarez", "alvarez" },
	{ "Müller", "muller" }, { "Nakamura", "nakamura" }, { "Dubois", "dubois" },
	{ "Kowalski", "kowalski" }, { "Łukasiewicz", "lukasiewicz" }, { "Okafor", "okafor" },
	{ "Rossi", "rossi" }, { "Novak", "novak" }, { "Núñez", "nunez" }, { "Johansson", "johansson" },
	{ "García", "garcia" }, { "Patel", "patel" }, { "Brown", "brown" },
};
static const char *const locales[] = { "en-US", "de-DE", "fr-FR", "es-ES", "ja-JP", "nb-NO", "pt-BR" };
static const char *const timezones[] = { "America/New_York", "Europe/Berlin", "Europe/Paris",
	                                 "Europe/Madrid", "Asia/Tokyo", "Europe/Oslo",
	                                 "America/Sao_Paulo" };
#define NFIRST (sizeof(first_names) / sizeof(first_names[0]))
#define NLAST (sizeof(last_names) / sizeof(last_names[0]))
#define NLOCALES (sizeof(locales) / sizeof(locales[0]))

#define SEED_BASE_MS 1735689600000LL /* 2025-01-01T00:00:00Z */

static pthread_mutex_t store_mu = PTHREAD_MUTEX_INITIALIZER;
static cJSON *schemas[NWORKFLOWS];
static int64_t last_triggered[NWORKFLOWS];

static struct subscriber *subs[STORE_SUBSCRIBER_CAP];
static size_t nsubs;
static struct hashtab sub_index;   /* subscriberId -> index + 1 */

static char *tenants[STORE_TENANT_CAP];
static size_t ntenants;

/* Transactions: a ring of txn_cap, oldest at txn_head, and an index by
 * transactionId. */
static struct txn **txns;
static size_t txn_cap = STORE_TXN_CAP;
static size_t txn_head, ntxns;
static uint64_t txn_seq;
static struct hashtab txn_index;

/* ---- workflows ---- */

size_t
store_workflow_count(void)
{
	return NWORKFLOWS;
}

const struct workflow *
store_workflow_at(size_t i)
{
	return i < NWORKFLOWS ? &workflows[i] : NULL;
}

static void
workflow_slug(const struct workflow *w, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s_wf_%s", w->workflow_id, w->id);
}

long
store_workflow_find(const char *ident)
{
	char slug[160];
	size_t i;

	for (i = 0; i < NWORKFLOWS; i++) {
		workflow_slug(&workflows[i], slug, sizeof(slug));
		if (strcmp(workflows[i].workflow_id, ident) == 0 ||
		    strcmp(workflows[i].id, ident) == 0 || strcmp(slug, ident) == 0)
			return (long)i;
	}
	return -1;
}

const cJSON *
store_workflow_schema(size_t i)
{
	return i < NWORKFLOWS ? schemas[i] : NULL;
}

int
store_workflow_waits(size_t i)
{
	size_t s;

	for (s = 0; i < NWORKFLOWS && s < workflows[i].nsteps; s++)
		if (strcmp(workflows[i].steps[s].type, "delay") == 0 ||
		    strcmp(workflows[i].steps[s].type, "digest") == 0)
			return 1;
	return 0;
}

static void
add_time(cJSON *o, const char *name, int64_t ms)
{
	char ts[32];

	if (ms <= 0) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	util_iso_time(ms, ts, sizeof(ts));
	cJSON_AddStringToObject(o, name, ts);
}

void
store_step_object_id(const struct workflow *w, size_t s, char out[25])
{
	snprintf(out, 25, "%.20s%04x", w->id, (unsigned int)(0xa000 + s));
}

static cJSON *
step_json(const struct workflow *w, size_t s, int detail)
{
	cJSON *o = cJSON_CreateObject(), *controls;
	char oid[25], slug[96];

	store_step_object_id(w, s, oid);
	snprintf(slug, sizeof(slug), "%s_st_%s", w->steps[s].step_id, oid);
	if (detail) {
		cJSON_AddStringToObject(o, "_id", oid);
		cJSON_AddStringToObject(o, "stepId", w->steps[s].step_id);
		cJSON_AddStringToObject(o, "name", w->steps[s].name);
	}
	cJSON_AddStringToObject(o, "slug", slug);
	cJSON_AddStringToObject(o, "type", w->steps[s].type);
	if (detail) {
		cJSON_AddStringToObject(o, "origin", "novu-cloud");
		cJSON_AddStringToObject(o, "workflowId", w->workflow_id);
		cJSON_AddStringToObject(o, "workflowDatabaseId", w->id);
		controls = cJSON_AddObjectToObject(o, "controls");
		cJSON_AddItemToObject(controls, "values", preview_step_controls(w, s));
		cJSON_AddItemToObject(o, "controlValues", preview_step_controls(w, s));
		cJSON_AddItemToObject(o, "variables",
		                      cJSON_Parse("{\"type\":\"object\",\"properties\":{}}"));
	}
	return o;
}

/* Default preferences: everything on, nothing read-only. */
static cJSON *
preferences_json(void)
{
	static const char *const channels[] = { "in_app", "email", "sms", "chat", "push" };
	cJSON *p = cJSON_CreateObject(), *def, *all, *ch;
	size_t i;

	cJSON_AddNullToObject(p, "user");
	def = cJSON_AddObjectToObject(p, "default");
	all = cJSON_AddObjectToObject(def, "all");
	cJSON_AddBoolToObject(all, "enabled", 1);
	cJSON_AddBoolToObject(all, "readOnly", 0);
	ch = cJSON_AddObjectToObject(def, "channels");
	for (i = 0; i < sizeof(channels) / sizeof(channels[0]); i++)
		cJSON_AddBoolToObject(cJSON_AddObjectToObject(ch, channels[i]), "enabled", 1);
	return p;
}

cJSON *
store_workflow_json(size_t i, int detail)
{
	const struct workflow *w = &workflows[i];
	cJSON *o = cJSON_CreateObject(), *arr;
	char slug[160];
	size_t s, k;

	workflow_slug(w, slug, sizeof(slug));
	cJSON_AddStringToObject(o, "_id", w->id);
	cJSON_AddStringToObject(o, "workflowId", w->workflow_id);
	cJSON_AddStringToObject(o, "slug", slug);
	cJSON_AddStringToObject(o, "name", w->name);
	cJSON_AddStringToObject(o, "description", w->description);
	arr = cJSON_AddArrayToObject(o, "tags");
	for (k = 0; w->tags[k]; k++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(w->tags[k]));
	cJSON_AddStringToObject(o, "status", w->active ? "ACTIVE" : "INACTIVE");
	cJSON_AddBoolToObject(o, "active", w->active);
	cJSON_AddStringToObject(o, "origin", "novu-cloud");
	/* Each step type once, in workflow order. */
	arr = cJSON_AddArrayToObject(o, "stepTypeOverviews");
	for (s = 0; s < w->nsteps; s++) {
		for (k = 0; k < s; k++)
			if (strcmp(w->steps[k].type, w->steps[s].type) == 0)
				break;
		if (k == s)
			cJSON_AddItemToArray(arr, cJSON_CreateString(w->steps[s].type));
	}
	arr = cJSON_AddArrayToObject(o, "steps");
	for (s = 0; s < w->nsteps; s++)
		cJSON_AddItemToArray(arr, step_json(w, s, detail));
	add_time(o, "lastTriggeredAt", last_triggered[i]);
	add_time(o, "createdAt", w->created_ms);
	add_time(o, "updatedAt", w->updated_ms);
	if (detail) {
		cJSON_AddItemToObject(o, "preferences", preferences_json());
		cJSON_AddStringToObject(o, "severity", "none");
		cJSON_AddBoolToObject(o, "isTranslationEnabled", 0);
		cJSON_AddBoolToObject(o, "validatePayload", schemas[i] != NULL);
		if (schemas[i])
			cJSON_AddItemToObject(o, "payloadSchema", cJSON_Duplicate(schemas[i], 1));
		if (w->payload_example)
			cJSON_AddItemToObject(o, "payloadExample", cJSON_Parse(w->payload_example));
	}
	return o;
}

int64_t
store_workflow_last_triggered(size_t i)
{
	return i < NWORKFLOWS ? last_triggered[i] : 0;
}

void
store_workflow_touch(size_t i, int64_t now_ms)
{
	if (i < NWORKFLOWS)
		last_triggered[i] = now_ms;
}

/* ---- subscribers ---- */

long
store_subscriber_find(const char *subscriber_id)
{
	void *v = hashtab_get(&sub_index, subscriber_id);

	return v ? (long)((uintptr_t)v - 1) : -1;
}

static void
subscriber_free(struct subscriber *s)
{
	if (!s)
		return;
	free(s->subscriber_id);
	free(s->first_name);
	free(s->last_name);
	free(s->email);
	free(s->phone);
	free(s->avatar);
	free(s->locale);
	free(s->timezone);
	cJSON_Delete(s->data);
	free(s);
}

/* Append a subscriber with only its id; -1 when full. */
static long
subscriber_create(const char *subscriber_id, int64_t now_ms)
{
	struct subscriber *s;

	if (nsubs == STORE_SUBSCRIBER_CAP)
		return -1;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->subscriber_id = util_strndup_utf8(subscriber_id, STORE_FIELD_MAX);
	if (!s->subscriber_id) {
		free(s);
		return -1;
	}
	snprintf(s->id, sizeof(s->id), "66f1c0a2%016" PRIx64, (uint64_t)nsubs + 1);
	s->created_ms = s->updated_ms = now_ms;
	if (hashtab_put(&sub_index, s->subscriber_id, (void *)(uintptr_t)(nsubs + 1)) != 0) {
		subscriber_free(s);
		return -1;
	}
	subs[nsubs] = s;
	return (long)nsubs++;
}

static char *
xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
seed_subscribers(void)
{
	char id[16], email[96], phone[24];
	size_t i;

	for (i = 0; i < SEED_SUBSCRIBERS; i++) {
		const char *const *first = first_names[i % NFIRST];
		const char *const *last = last_names[i % NLAST];
		struct subscriber *s;
		long at;

		snprintf(id, sizeof(id), "user-%03zu", i + 1);
		at = subscriber_create(id, SEED_BASE_MS + (int64_t)i * 3600000);
		if (at < 0)
			return;
		s = subs[at];
		s->updated_ms = s->created_ms + (int64_t)(i % 60) * 60000 + 86400000;
		s->first_name = xstrdup(first[0]);
		s->last_name = xstrdup(last[0]);
		if (i % 10 != 9) {
			snprintf(email, sizeof(email), "%s.%s@example.com", first[1], last[1]);
			s->email = xstrdup(email);
		}
		if (i % 3 == 0) {
			snprintf(phone, sizeof(phone), "+1555%07zu", 1000 + i);
			s->phone = xstrdup(phone);
		}
		s->locale = xstrdup(locales[i % NLOCALES]);
		s->timezone = xstrdup(timezones[i % NLOCALES]);
		if (i % 4 == 0)
			s->data = cJSON_Parse(i % 8 == 0 ? "{\"plan\":\"pro\"}" : "{\"plan\":\"free\"}");
	}
}

size_t
store_subscriber_count(void)
{
	return nsubs;
}

const struct subscriber *
store_subscriber_at(size_t i)
{
	return i < nsubs ? subs[i] : NULL;
}

/* Set *field from a JSON string or null member; 1 if the member was there. */
static int
update_field(char **field, const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	char *copy;

	if (!v)
		return 0;
	if (cJSON_IsNull(v)) {
		free(*field);
		*field = NULL;
		return 1;
	}
	if (!cJSON_IsString(v))
		return 0;
	copy = util_strndup_utf8(v->valuestring, STORE_FIELD_MAX);
	if (!copy)
		return 0;
	free(*field);
	*field = copy;
	return 1;
}

static int
update_data(struct subscriber *s, const cJSON *obj)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "data");
	char *text;
	size_t len;

	if (!v)
		return 0;
	if (cJSON_IsNull(v)) {
		cJSON_Delete(s->data);
		s->data = NULL;
		return 1;
	}
	if (!cJSON_IsObject(v))
		return 0;
	/* Keep memory bounded: very large data objects are not stored. */
	text = cJSON_PrintUnformatted(v);
	len = text ? strlen(text) : DATA_MAX + 1;
	free(text);
	if (len > DATA_MAX)
		return 0;
	cJSON_Delete(s->data);
	s->data = cJSON_Duplicate(v, 1);
	return 1;
}

long
store_subscriber_upsert(const cJSON *item)
{
	static const char *const names[] = { "firstName", "lastName", "email", "phone",
		                             "avatar", "locale", "timezone" };
	const cJSON *idv;
	struct subscriber *s;
	char **fields[7];
	int changed = 0;
	long at;
	size_t k;

	idv = cJSON_IsString(item) ? item : cJSON_GetObjectItemCaseSensitive(item, "subscriberId");
	if (!cJSON_IsString(idv) || idv->valuestring[0] == '\0')
		return -1;
	at = store_subscriber_find(idv->valuestring);
	if (at < 0) {
		at = subscriber_create(idv->valuestring, util_now_ms());
		if (at >= 0)
			subs[at]->touched = 1;
	}
	if (at < 0 || !cJSON_IsObject(item))
		return at;
	s = subs[at];
	fields[0] = &s->first_name;
	fields[1] = &s->last_name;
	fields[2] = &s->email;
	fields[3] = &s->phone;
	fields[4] = &s->avatar;
	fields[5] = &s->locale;
	fields[6] = &s->timezone;
	for (k = 0; k < 7; k++)
		changed |= update_field(fields[k], item, names[k]);
	changed |= update_data(s, item);
	if (changed) {
		s->updated_ms = util_now_ms();
		s->touched = 1;
	}
	return at;
}

static void
add_str_or_null(cJSON *o, const char *name, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, name, v);
	else
		cJSON_AddNullToObject(o, name);
}

cJSON *
store_subscriber_json(const struct subscriber *s)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "_id", s->id);
	cJSON_AddStringToObject(o, "subscriberId", s->subscriber_id);
	add_str_or_null(o, "firstName", s->first_name);
	add_str_or_null(o, "lastName", s->last_name);
	add_str_or_null(o, "email", s->email);
	add_str_or_null(o, "phone", s->phone);
	add_str_or_null(o, "avatar", s->avatar);
	add_str_or_null(o, "locale", s->locale);
	add_str_or_null(o, "timezone", s->timezone);
	if (s->data)
		cJSON_AddItemToObject(o, "data", cJSON_Duplicate(s->data, 1));
	else
		cJSON_AddNullToObject(o, "data");
	cJSON_AddStringToObject(o, "_organizationId", "66a0b1c2d3e4f5a6b7c8d9e0");
	cJSON_AddStringToObject(o, "_environmentId", "66a0b1c2d3e4f5a6b7c8d9e1");
	cJSON_AddBoolToObject(o, "deleted", 0);
	add_time(o, "createdAt", s->created_ms);
	add_time(o, "updatedAt", s->updated_ms);
	return o;
}

/* ---- topics ---- */

size_t
store_topic_count(void)
{
	return NTOPICS;
}

const struct topic *
store_topic_at(size_t i)
{
	return i < NTOPICS ? &topics[i] : NULL;
}

long
store_topic_find(const char *key)
{
	size_t i;

	for (i = 0; i < NTOPICS; i++)
		if (strcmp(topics[i].key, key) == 0)
			return (long)i;
	return -1;
}

int
store_topic_has(size_t t, size_t sub)
{
	if (sub >= SEED_SUBSCRIBERS)
		return 0;
	switch (t) {
	case 0: return sub < 6;                       /* user-001..006 */
	case 1: return sub >= 9 && sub < 29;          /* user-010..029 */
	case 2: return sub % 5 == 4;                  /* every fifth */
	case 3: return sub % NLOCALES >= 1 && sub % NLOCALES <= 3; /* de/fr/es */
	case 4: return sub >= 99 && sub < 104;        /* user-100..104 */
	default: return 0;
	}
}

cJSON *
store_topic_json(const struct topic *t)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "_id", t->id);
	cJSON_AddStringToObject(o, "key", t->key);
	cJSON_AddStringToObject(o, "name", t->name);
	add_time(o, "createdAt", t->created_ms);
	add_time(o, "updatedAt", t->updated_ms);
	return o;
}

/* ---- tenants ---- */

int
store_tenant_exists(const char *identifier)
{
	size_t i;

	for (i = 0; i < ntenants; i++)
		if (strcmp(tenants[i], identifier) == 0)
			return 1;
	return 0;
}

int
store_tenant_add(const char *identifier)
{
	char *copy;

	if (ntenants == STORE_TENANT_CAP || !*identifier || store_tenant_exists(identifier))
		return 0;
	copy = util_strndup_utf8(identifier, STORE_FIELD_MAX);
	if (!copy)
		return 0;
	tenants[ntenants++] = copy;
	return 1;
}

size_t
store_tenant_count(void)
{
	return ntenants;
}

const char *
store_tenant_at(size_t i)
{
	return i < ntenants ? tenants[i] : NULL;
}

/* ---- transactions ---- */

static void
txn_free(struct txn *t)
{
	if (!t)
		return;
	free(t->transaction_id);
	free(t->recipients);
	free(t);
}

struct txn *
store_txn_find(const char *transaction_id)
{
	return hashtab_get(&txn_index, transaction_id);
}

void
store_set_txn_cap(size_t cap)
{
	txn_cap = cap ? cap : 1;
}

/* Forget the oldest transaction. */
static void
txn_evict_oldest(void)
{
	struct txn *old = txns[txn_head];

	hashtab_remove(&txn_index, old->transaction_id);
	txn_free(old);
	txns[txn_head] = NULL;
	txn_head = (txn_head + 1) % txn_cap;
	ntxns--;
}

static struct txn *
txn_new(const struct txn_spec *spec, const struct recipient *r, size_t n)
{
	struct txn *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->transaction_id = strdup(spec->transaction_id);
	t->recipients = n ? malloc(n * sizeof(*r)) : NULL;
	if (!t->transaction_id || (n && !t->recipients)) {
		txn_free(t);
		return NULL;
	}
	if (n)
		memcpy(t->recipients, r, n * sizeof(*r));
	t->nrecipients = n;
	t->wf = spec->wf;
	t->created_ms = spec->created_ms;
	t->pending_until = spec->pending_until;
	t->wait_ms = spec->pending_until ? spec->pending_until - spec->created_ms : 0;
	snprintf(t->severity, sizeof(t->severity), "%s", spec->severity ? spec->severity : "none");
	return t;
}

struct txn *
store_txn_add(const struct txn_spec *spec, const struct recipient *r, size_t n)
{
	struct txn *t;

	if (!txns) {
		txns = calloc(txn_cap, sizeof(*txns));
		if (!txns)
			return NULL;
	}
	t = txn_new(spec, r, n > STORE_RECIPIENT_CAP ? STORE_RECIPIENT_CAP : n);
	if (!t)
		return NULL;
	if (ntxns == txn_cap)
		txn_evict_oldest();
	if (hashtab_put(&txn_index, t->transaction_id, t) != 0) {
		txn_free(t);
		return NULL;
	}
	t->seq = ++txn_seq;
	txns[(txn_head + ntxns) % txn_cap] = t;
	ntxns++;
	return t;
}

size_t
store_txn_count(void)
{
	return ntxns;
}

struct txn *
store_txn_at(size_t i)
{
	return i < ntxns ? txns[(txn_head + i) % txn_cap] : NULL;
}

/* ---- life cycle ---- */

void
store_lock(void)
{
	pthread_mutex_lock(&store_mu);
}

void
store_unlock(void)
{
	pthread_mutex_unlock(&store_mu);
}

static void
txns_clear(void)
{
	while (ntxns > 0)
		txn_evict_oldest();
	txn_head = 0;
	hashtab_clear(&txn_index);
}

/* Everything a trigger can have added to the seeded subscribers and
 * tenants goes; the seed is built again. */
static void
people_clear(void)
{
	size_t i;

	for (i = 0; i < nsubs; i++)
		subscriber_free(subs[i]);
	nsubs = 0;
	hashtab_clear(&sub_index);
	for (i = 0; i < ntenants; i++)
		free(tenants[i]);
	ntenants = 0;
}

static void
people_seed(void)
{
	seed_subscribers();
	store_tenant_add("org-acme");
	store_tenant_add("org-globex");
}

void
store_clear_world(void)
{
	size_t i;

	txns_clear();
	people_clear();
	people_seed();
	for (i = 0; i < NWORKFLOWS; i++)
		last_triggered[i] = workflows[i].seed_last_triggered_ms;
}

void
store_init(void)
{
	size_t i;

	for (i = 0; i < NWORKFLOWS; i++) {
		schemas[i] = workflows[i].payload_schema ? cJSON_Parse(workflows[i].payload_schema)
		                                         : NULL;
		last_triggered[i] = workflows[i].seed_last_triggered_ms;
	}
	people_seed();
}

void
store_free(void)
{
	size_t i;

	for (i = 0; i < NWORKFLOWS; i++) {
		cJSON_Delete(schemas[i]);
		schemas[i] = NULL;
	}
	people_clear();
	hashtab_free(&sub_index);
	txns_clear();
	hashtab_free(&txn_index);
	free(txns);
	txns = NULL;
}
