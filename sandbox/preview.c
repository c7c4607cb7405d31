/* preview.c - the seeded steps' content and the step preview endpoint.
 *
 * What Novu's preview usecase (apps/api/src/app/workflows-v2/usecases/
 * preview) does, and this file copies:
 * - the controls rendered are the request's controlValues, else the step's;
 * - every variable the controls use starts as its own placeholder,
 *   "{{payload.order.id}}" (keysToObject), and the request's previewPayload
 *   replaces the ones it gives: a missing variable renders as "{{path}}";
 * - the subscriber is a full mock (John Doe, user@example.com...) with the
 *   request's previewPayload.subscriber merged over it;
 * - a digest step before the one previewed has collected 3 events
 *   (DEFAULT_DIGEST_EVENTS_COUNT), so steps.<digest>.eventCount is 3;
 * - an unknown workflow or step is not an HTTP error: 201 with an empty
 *   result (createErrorResponse).
 * A template that does not compile (an output tag never closed) comes back
 * as result.error, a PreviewErrorDto (title, message, hint), as the spec
 * allows for every channel step. */
#include "preview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIGEST_MOCK_EVENTS 3
#define PATH_MAX_LEN 256

/* One step's controls. Channel steps use the texts; digest and delay steps
 * the amount and unit. */
struct step_content {
	const char *workflow_id, *step_id;
	const char *subject, *body;
	const char *primary_label, *primary_url;
	const char *secondary_label, *secondary_url;
	int amount;
	const char *unit;
};

static const struct step_content contents[] = {
	{ "order-shipped", "in-app-step", "Order {{payload.order.id}} has shipped",
	  "Hi {{subscriber.firstName}}, your order {{payload.order.id}} is on its way with "
	  "{{payload.order.carrier}}.",
	  "Track package", "{{payload.trackingUrl}}",
	  "View order", "https://shop.example.com/orders/{{payload.order.id}}", 0, NULL },
	{ "order-shipped", "email-step", "Your order {{payload.order.id}} is on its way",
	  "<html><body><h1>Good news, {{subscriber.firstName}}!</h1>"
	  "<p>Your order <b>{{payload.order.id}}</b> left our warehouse with "
	  "{{payload.order.carrier}}.</p>"
	  "<p><a href=\"{{payload.trackingUrl}}\">Track your package</a></p>"
	  "<p>Questions? Visit our <a href=\"https://shop.example.com/help\">help centre</a>.</p>"
	  "</body></html>",
	  NULL, NULL, NULL, NULL, 0, NULL },
	{ "welcome-onboarding", "in-app-welcome", "Welcome, {{subscriber.firstName}}!",
	  "Your account is ready. The two-minute tour shows you around.",
	  "Start the tour", "https://app.example.com/tour", "Later", "https://app.example.com/",
	  0, NULL },
	{ "welcome-onboarding", "email-welcome", "Welcome to Example, {{subscriber.firstName}}",
	  "<h2>Hello {{subscriber.firstName}} {{subscriber.lastName}},</h2>"
	  "<p>Three things to try first:</p>"
	  "<ul><li>Create a project</li><li>Invite your team</li><li>Connect your calendar</li></ul>"
	  "<p><a href=\"https://app.example.com/getting-started\">Getting started guide</a></p>",
	  NULL, NULL, NULL, NULL, 0, NULL },
	{ "welcome-onboarding", "sms-tips", NULL,
	  "Hi {{subscriber.firstName}}, tip: invite your team at https://app.example.com/invite "
	  "- Reply STOP to opt out.",
	  NULL, NULL, NULL, NULL, 0, NULL },
	{ "comment-digest", "digest-comments", NULL, NULL, NULL, NULL, NULL, NULL, 1, "hours" },
	{ "comment-digest", "in-app-summary",
	  "{{steps.digest-comments.eventCount}} new comments",
	  "{{subscriber.firstName}}, people replied to {{payload.postTitle}}.",
	  "Read comments", "{{payload.postUrl}}", NULL, NULL, 0, NULL },
	{ "comment-digest", "email-summary",
	  "{{steps.digest-comments.eventCount}} new comments on {{payload.postTitle}}",
	  "<p>Hi {{subscriber.firstName}},</p>"
	  "<p>{{steps.digest-comments.eventCount}} people commented on "
	  "<a href=\"{{payload.postUrl}}\">{{payload.postTitle}}</a>.</p>"
	  "<p><a href=\"https://app.example.com/settings/notifications\">Notification "
	  "settings</a></p>",
	  NULL, NULL, NULL, NULL, 0, NULL },
	{ "payment-reminder", "email-reminder",
	  "Invoice {{payload.invoiceId}}: {{payload.amount}} {{payload.currency}} due",
	  "<p>Dear {{subscriber.firstName}} {{subscriber.lastName}},</p>"
	  "<p>Invoice <b>{{payload.invoiceId}}</b> for {{payload.amount}} "
	  "{{payload.currency}} is due.</p>"
	  "<p><a href=\"https://pay.example.com/{{payload.invoiceId}}\">Pay now</a></p>",
	  NULL, NULL, NULL, NULL, 0, NULL },
	{ "payment-reminder", "wait-a-day", NULL, NULL, NULL, NULL, NULL, NULL, 1, "days" },
	{ "payment-reminder", "sms-reminder", NULL,
	  "Reminder: invoice {{payload.invoiceId}} ({{payload.amount}} {{payload.currency}}) is "
	  "still unpaid. Pay at https://pay.example.com/{{payload.invoiceId}}",
	  NULL, NULL, NULL, NULL, 0, NULL },
	{ "maintenance-notice", "in-app-notice", "Planned maintenance",
	  "{{payload.service}} will be down from {{payload.startsAt}} for {{payload.duration}}.",
	  "Status page", "https://status.example.com", NULL, NULL, 0, NULL },
	{ "maintenance-notice", "push-notice", "Maintenance at {{payload.startsAt}}",
	  "{{payload.service}} will be briefly unavailable.", NULL, NULL, NULL, NULL, 0, NULL },
	{ "maintenance-notice", "chat-notice", NULL,
	  "Heads-up: maintenance of {{payload.service}} starts {{payload.startsAt}} "
	  "({{payload.duration}}). Details: https://status.example.com",
	  NULL, NULL, NULL, NULL, 0, NULL },
	{ "legacy-digest", "digest-weekly", NULL, NULL, NULL, NULL, NULL, NULL, 1, "weeks" },
	{ "legacy-digest", "email-digest", "Your weekly digest, {{subscriber.firstName}}",
	  "<p>{{steps.digest-weekly.eventCount}} updates this week.</p>"
	  "<p><a href=\"https://app.example.com/digest\">Read them all</a></p>",
	  NULL, NULL, NULL, NULL, 0, NULL },
};
#define NCONTENTS (sizeof(contents) / sizeof(contents[0]))

static const struct step_content *
content_for(const char *workflow_id, const char *step_id)
{
	size_t i;

	for (i = 0; i < NCONTENTS; i++)
		if (strcmp(contents[i].workflow_id, workflow_id) == 0 &&
		    strcmp(contents[i].step_id, step_id) == 0)
			return &contents[i];
	return NULL;
}

static int
is_wait_step(const char *type)
{
	return strcmp(type, "delay") == 0 || strcmp(type, "digest") == 0;
}

/* An action as Novu's in-app controls hold it: label and redirect.url. */
static void
add_action(cJSON *o, const char *name, const char *label, const char *url)
{
	cJSON *a, *r;

	if (!label)
		return;
	a = cJSON_AddObjectToObject(o, name);
	cJSON_AddStringToObject(a, "label", label);
	r = cJSON_AddObjectToObject(a, "redirect");
	cJSON_AddStringToObject(r, "url", url);
	cJSON_AddStringToObject(r, "target", "_blank");
}

cJSON *
preview_step_controls(const struct workflow *w, size_t step)
{
	const struct wf_step *st = &w->steps[step];
	const struct step_content *c = content_for(w->workflow_id, st->step_id);
	cJSON *v = cJSON_CreateObject();

	if (!c)
		return v;
	if (is_wait_step(st->type)) {
		cJSON_AddStringToObject(v, "type", "regular");
		cJSON_AddNumberToObject(v, "amount", c->amount);
		cJSON_AddStringToObject(v, "unit", c->unit);
		return v;
	}
	if (c->subject)
		cJSON_AddStringToObject(v, "subject", c->subject);
	cJSON_AddStringToObject(v, "body", c->body);
	add_action(v, "primaryAction", c->primary_label, c->primary_url);
	add_action(v, "secondaryAction", c->secondary_label, c->secondary_url);
	if (strcmp(st->type, "email") == 0)
		cJSON_AddStringToObject(v, "editorType", "html");
	return v;
}

/* ---- rendering ---- */

/* The value at a dotted path ("payload.order.id", "steps.d.events.0"). */
static const cJSON *
lookup(const cJSON *ctx, const char *path)
{
	char buf[PATH_MAX_LEN], *seg, *save = NULL;
	const cJSON *at = ctx;

	if (strlen(path) >= sizeof(buf))
		return NULL;
	strcpy(buf, path);
	for (seg = strtok_r(buf, ".", &save); seg && at; seg = strtok_r(NULL, ".", &save)) {
		if (cJSON_IsArray(at))
			at = cJSON_GetArrayItem(at, atoi(seg));
		else if (cJSON_IsObject(at))
			at = cJSON_GetObjectItemCaseSensitive(at, seg);
		else
			return NULL;
	}
	return at;
}

/* Set a dotted path in o, making the objects on the way (an existing
 * non-object on the way stops it). */
static void
set_path(cJSON *o, const char *path, cJSON *value)
{
	char buf[PATH_MAX_LEN], *dot;
	cJSON *next;

	if (strlen(path) >= sizeof(buf) || !cJSON_IsObject(o)) {
		cJSON_Delete(value);
		return;
	}
	strcpy(buf, path);
	dot = strchr(buf, '.');
	if (!dot) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, buf);
		cJSON_AddItemToObject(o, buf, value);
		return;
	}
	*dot = '\0';
	next = cJSON_GetObjectItemCaseSensitive(o, buf);
	if (!next)
		next = cJSON_AddObjectToObject(o, buf);
	set_path(next, dot + 1, value);
}

/* The text a value renders as: strings as they are, null as nothing,
 * anything else as JSON. Caller frees. */
static char *
value_text(const cJSON *v)
{
	if (cJSON_IsString(v))
		return strdup(v->valuestring);
	if (cJSON_IsNull(v))
		return strdup("");
	return cJSON_PrintUnformatted(v);
}

struct out {
	char *s;
	size_t len, cap;
	int bad;
};

static void
out_put(struct out *o, const char *s, size_t n)
{
	char *grown;

	if (o->bad)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t want = o->cap ? o->cap * 2 : 256;

		while (want < o->len + n + 1)
			want *= 2;
		grown = realloc(o->s, want);
		if (!grown) {
			o->bad = 1;
			return;
		}
		o->s = grown;
		o->cap = want;
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

/* Line and column (from 1) of p in tmpl, as LiquidJS reports them. */
static void
position(const char *tmpl, const char *p, int *line, int *col)
{
	const char *q;

	*line = *col = 1;
	for (q = tmpl; q < p; q++) {
		if (*q == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* One output tag's inner text [b, e), trimmed, into out as its value. */
static void
render_tag(struct out *o, const char *b, const char *e, const cJSON *ctx, cJSON *example)
{
	char path[PATH_MAX_LEN], holder[PATH_MAX_LEN + 4], *text;
	const cJSON *v;
	size_t n;

	while (b < e && (*b == ' ' || *b == '\t' || *b == '\n'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
		e--;
	n = (size_t)(e - b) < sizeof(path) - 1 ? (size_t)(e - b) : sizeof(path) - 1;
	memcpy(path, b, n);
	path[n] = '\0';
	snprintf(holder, sizeof(holder), "{{%s}}", path);
	v = lookup(ctx, path);
	text = v ? value_text(v) : strdup(holder);
	if (example && strncmp(path, "payload.", 8) == 0)
		set_path(example, path, v ? cJSON_Duplicate(v, 1) : cJSON_CreateString(holder));
	if (text)
		out_put(o, text, strlen(text));
	else
		o->bad = 1;
	free(text);
}

char *
preview_render(const char *tmpl, const cJSON *ctx, cJSON *example, char *error,
               size_t error_size)
{
	struct out o = { NULL, 0, 0, 0 };
	const char *p = tmpl, *open, *close;
	int line, col;

	out_put(&o, "", 0);
	while ((open = strstr(p, "{{")) != NULL) {
		out_put(&o, p, (size_t)(open - p));
		close = strstr(open + 2, "}}");
		if (!close) {
			position(tmpl, open, &line, &col);
			snprintf(error, error_size, "output \"%.40s\" not closed, line:%d, col:%d",
			         open, line, col);
			free(o.s);
			return NULL;
		}
		render_tag(&o, open + 2, close, ctx, example);
		p = close + 2;
	}
	out_put(&o, p, strlen(p));
	if (o.bad) {
		free(o.s);
		snprintf(error, error_size, "out of memory");
		return NULL;
	}
	return o.s;
}

/* ---- the endpoint ---- */

/* Novu's mock subscriber (createFullSubscriberObject), with the request's
 * fields over it. */
static cJSON *
preview_subscriber(const cJSON *given)
{
	cJSON *s = cJSON_CreateObject();
	const cJSON *f;

	cJSON_AddStringToObject(s, "subscriberId", "123456");
	cJSON_AddStringToObject(s, "firstName", "John");
	cJSON_AddStringToObject(s, "lastName", "Doe");
	cJSON_AddStringToObject(s, "email", "user@example.com");
	cJSON_AddStringToObject(s, "phone", "+1234567890");
	cJSON_AddStringToObject(s, "avatar", "https://example.com/avatar.png");
	cJSON_AddStringToObject(s, "locale", "en-US");
	cJSON_AddStringToObject(s, "timezone", "America/New_York");
	cJSON_AddObjectToObject(s, "data");
	cJSON_ArrayForEach(f, given) {
		cJSON_DeleteItemFromObjectCaseSensitive(s, f->string);
		cJSON_AddItemToObject(s, f->string, cJSON_Duplicate(f, 1));
	}
	return s;
}

/* steps.<id> for every digest before step: the events it collected. */
static cJSON *
preview_steps(const struct workflow *w, size_t step, const cJSON *given)
{
	cJSON *steps = cJSON_CreateObject(), *d, *events, *ev;
	char id[24];
	size_t s;
	int i;

	for (s = 0; s < step; s++) {
		if (strcmp(w->steps[s].type, "digest") != 0)
			continue;
		d = cJSON_AddObjectToObject(steps, w->steps[s].step_id);
		cJSON_AddNumberToObject(d, "eventCount", DIGEST_MOCK_EVENTS);
		events = cJSON_AddArrayToObject(d, "events");
		for (i = 0; i < DIGEST_MOCK_EVENTS; i++) {
			ev = cJSON_CreateObject();
			snprintf(id, sizeof(id), "example-id-%d", i + 1);
			cJSON_AddStringToObject(ev, "id", id);
			cJSON_AddObjectToObject(ev, "payload");
			cJSON_AddItemToArray(events, ev);
		}
	}
	cJSON_ArrayForEach(d, given) {
		cJSON_DeleteItemFromObjectCaseSensitive(steps, d->string);
		cJSON_AddItemToObject(steps, d->string, cJSON_Duplicate(d, 1));
	}
	return steps;
}

/* Render every string in v (in place); 0, or -1 with error set. */
static int
render_strings(cJSON *v, const cJSON *ctx, cJSON *example, char *error, size_t error_size)
{
	cJSON *item;
	char *text;

	if (cJSON_IsString(v)) {
		text = preview_render(v->valuestring, ctx, example, error, error_size);
		if (!text)
			return -1;
		cJSON_SetValuestring(v, text);
		free(text);
		return 0;
	}
	cJSON_ArrayForEach(item, v)
		if (render_strings(item, ctx, example, error, error_size) != 0)
			return -1;
	return 0;
}

/* The controls a step type's render output keeps (framework output
 * schemas: email {subject, body}, in_app {subject, body, avatar, actions,
 * redirect, data}, ...). */
static int
output_key(const char *type, const char *key)
{
	static const char *const in_app[] = { "subject", "body", "avatar", "primaryAction",
		                              "secondaryAction", "redirect", "data", NULL };
	static const char *const subject_body[] = { "subject", "body", NULL };
	static const char *const body[] = { "body", NULL };
	static const char *const wait[] = { "type", "amount", "unit", "digestKey", NULL };
	const char *const *keys = body;
	size_t i;

	if (strcmp(type, "in_app") == 0)
		keys = in_app;
	else if (strcmp(type, "email") == 0 || strcmp(type, "push") == 0)
		keys = subject_body;
	else if (is_wait_step(type))
		keys = wait;
	for (i = 0; keys[i]; i++)
		if (strcmp(keys[i], key) == 0)
			return 1;
	return 0;
}

static cJSON *
preview_error_dto(const char *message)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "title", "Template error");
	cJSON_AddStringToObject(e, "message", message);
	cJSON_AddStringToObject(e, "hint", "Close every {{ with }} in the step's content, "
	                                   "then preview again.");
	return e;
}

/* The result object: {type, preview} or {type, error}. */
static cJSON *
render_result(const char *type, const cJSON *controls, const cJSON *ctx, cJSON *example)
{
	cJSON *result = cJSON_CreateObject(), *preview = cJSON_CreateObject();
	const cJSON *c;
	char error[160];

	cJSON_AddStringToObject(result, "type", type);
	cJSON_ArrayForEach(c, controls)
		if (output_key(type, c->string))
			cJSON_AddItemToObject(preview, c->string, cJSON_Duplicate(c, 1));
	if (render_strings(preview, ctx, example, error, sizeof(error)) != 0) {
		cJSON_Delete(preview);
		cJSON_AddItemToObject(result, "error", preview_error_dto(error));
		return result;
	}
	cJSON_AddItemToObject(result, "preview", preview);
	return result;
}

/* Index of the step with that stepId or _id (stepIdOrInternalId), or -1. */
static long
step_find(const struct workflow *w, const char *ident)
{
	char oid[25];
	size_t s;

	for (s = 0; s < w->nsteps; s++) {
		store_step_object_id(w, s, oid);
		if (strcmp(w->steps[s].step_id, ident) == 0 || strcmp(oid, ident) == 0)
			return (long)s;
	}
	return -1;
}

/* Split "WF/step/STEP/preview" into its two ids (written into a copy). */
static int
split_route(const char *arg, char *buf, size_t cap, const char **wf, const char **step)
{
	char *mid, *end;
	size_t n = strlen(arg);

	if (n >= cap || n < 8 || strcmp(arg + n - 8, "/preview") != 0)
		return -1;
	memcpy(buf, arg, n - 8);
	buf[n - 8] = '\0';
	mid = strstr(buf, "/step/");
	if (!mid || mid == buf)
		return -1;
	*mid = '\0';
	end = mid + 6;
	if (!*end || strchr(end, '/'))
		return -1;
	*wf = buf;
	*step = end;
	return 0;
}

/* A request body member that, when given, must be an object. */
static int
check_object(cJSON *errors, const cJSON *body, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
	char msg[96];

	if (!v || cJSON_IsObject(v))
		return 0;
	snprintf(msg, sizeof(msg), "%s must be an object", name);
	verr_add(errors, name, msg, v);
	return 1;
}

static cJSON *
empty_answer(void)
{
	cJSON *doc = cJSON_CreateObject(), *d = cJSON_AddObjectToObject(doc, "data");
	cJSON *r = cJSON_AddObjectToObject(d, "result");

	cJSON_AddObjectToObject(r, "preview");
	cJSON_AddObjectToObject(d, "previewPayloadExample");
	cJSON_AddNullToObject(d, "schema");
	return doc;
}

static cJSON *
render_answer(const struct workflow *w, size_t s, const cJSON *body)
{
	const cJSON *given = cJSON_GetObjectItemCaseSensitive(body, "previewPayload");
	const cJSON *controls_in = cJSON_GetObjectItemCaseSensitive(body, "controlValues");
	cJSON *controls = controls_in ? cJSON_Duplicate(controls_in, 1)
	                              : preview_step_controls(w, s);
	cJSON *ctx = cJSON_CreateObject(), *example = cJSON_CreateObject();
	cJSON *doc = cJSON_CreateObject(), *d = cJSON_AddObjectToObject(doc, "data");
	const cJSON *payload = cJSON_GetObjectItemCaseSensitive(given, "payload");
	cJSON *ex, *used;

	cJSON_AddItemToObject(ctx, "subscriber",
	                      preview_subscriber(cJSON_GetObjectItemCaseSensitive(given, "subscriber")));
	cJSON_AddItemToObject(ctx, "payload", payload ? cJSON_Duplicate(payload, 1)
	                                              : cJSON_CreateObject());
	cJSON_AddItemToObject(ctx, "steps",
	                      preview_steps(w, s, cJSON_GetObjectItemCaseSensitive(given, "steps")));
	cJSON_AddItemToObject(d, "result", render_result(w->steps[s].type, controls, ctx, example));
	ex = cJSON_AddObjectToObject(d, "previewPayloadExample");
	used = cJSON_DetachItemFromObject(example, "payload");
	cJSON_AddItemToObject(ex, "payload", used ? used : cJSON_CreateObject());
	cJSON_AddItemToObject(ex, "subscriber", cJSON_DetachItemFromObject(ctx, "subscriber"));
	cJSON_AddItemToObject(ex, "steps", cJSON_DetachItemFromObject(ctx, "steps"));
	cJSON_AddNullToObject(d, "schema");
	cJSON_Delete(example);
	cJSON_Delete(controls);
	cJSON_Delete(ctx);
	return doc;
}

void
preview_handle(const struct sb_request *req, struct sb_reply *rep)
{
	char buf[1024];
	const char *wf_id, *step_id;
	const struct workflow *w;
	cJSON *errors;
	long wf, s;

	if (split_route(req->route_arg, buf, sizeof(buf), &wf_id, &step_id) != 0) {
		reply_errorf(rep, 404, req->url, "Cannot POST %.500s", req->path);
		return;
	}
	errors = cJSON_CreateObject();
	if (check_object(errors, req->json, "controlValues") |
	    check_object(errors, req->json, "previewPayload")) {
		reply_validation(rep, req->url, errors);
		return;
	}
	cJSON_Delete(errors);
	wf = store_workflow_find(wf_id);
	w = wf >= 0 ? store_workflow_at((size_t)wf) : NULL;
	s = w ? step_find(w, step_id) : -1;
	if (s < 0) {
		reply_json(rep, 201, empty_answer());
		return;
	}
	reply_json(rep, 201, render_answer(w, (size_t)s, req->json));
}
