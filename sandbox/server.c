/* server.c - libmicrohttpd glue and the request pipeline. */
#include "server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>

#include "control.h"
#include "events.h"
#include "exchange.h"
#include "faults.h"
#include "idem.h"
#include "lists.h"
#include "preview.h"
#include "ratelimit.h"
#include "reqlog.h"
#include "sha256.h"
#include "util.h"
#include "world.h"

/* Raw body limits: body-parser's 20 MB on /v1/events*, 100 KB elsewhere. */
#define EVENTS_BODY_LIMIT (20u * 1024 * 1024)
#define OTHER_BODY_LIMIT (100u * 1024)
#define CONTROL_BODY_LIMIT (1024u * 1024)
#define IDEMPOTENCY_DOCS "https://docs.novu.co/additional-resources/idempotency"

struct sb_server {
	struct MHD_Daemon *daemon;
	const struct sb_config *cfg;
	unsigned int port;
	char *auth_expected;   /* "ApiKey <key>" */
};

/* Per-request state kept between MHD's calls for one request. */
struct conn_ctx {
	char *body;
	size_t len, cap, limit;
	int too_large;
	int64_t start_ms;
};

typedef void (*route_fn)(const struct sb_request *, struct sb_reply *);

struct route {
	const char *method;
	const char *pattern;      /* ending in a wildcard: the rest is route_arg */
	route_fn handler;
	enum rl_category category;
	int cost;
	int json_body;            /* POST taking a JSON body (and idempotency) */
};

static const struct route routes[] = {
	{ "POST", "/v1/events/trigger", events_trigger, RL_TRIGGER, RL_COST_SINGLE, 1 },
	{ "POST", "/v1/events/trigger/bulk", events_bulk, RL_TRIGGER, RL_COST_BULK, 1 },
	{ "POST", "/v1/events/trigger/broadcast", events_broadcast, RL_TRIGGER, RL_COST_BULK, 1 },
	{ "DELETE", "/v1/events/trigger/*", events_cancel, RL_TRIGGER, RL_COST_SINGLE, 0 },
	{ "GET", "/v2/subscribers", lists_subscribers, RL_CONFIGURATION, RL_COST_SINGLE, 0 },
	{ "GET", "/v2/topics", lists_topics, RL_CONFIGURATION, RL_COST_SINGLE, 0 },
	{ "GET", "/v2/workflows", lists_workflows, RL_CONFIGURATION, RL_COST_SINGLE, 0 },
	{ "GET", "/v2/workflows/*", lists_workflow_get, RL_CONFIGURATION, RL_COST_SINGLE, 0 },
	/* Only .../step/{stepId}/preview: preview_handle answers 404 to the rest. */
	{ "POST", "/v2/workflows/*", preview_handle, RL_CONFIGURATION, RL_COST_SINGLE, 1 },
	{ "GET", "/v2/subscribers/*", lists_subscriber_get, RL_CONFIGURATION, RL_COST_SINGLE, 0 },
	{ "GET", "/v1/notifications", lists_notifications, RL_GLOBAL, RL_COST_SINGLE, 0 },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* Everything one API exchange accumulates on its way through the pipeline. */
struct exchange {
	struct sb_server *srv;
	struct MHD_Connection *conn;
	struct conn_ctx *ctx;
	struct sb_request req;
	struct sb_reply rep;
	char *path;
	char *url;
	char *query;               /* re-encoded query string or NULL */
	const char *idem_key;
	long latency_ms;           /* still to be waited before answering */
	struct rl_result rl;
	int have_rl;
};

/* ---- small helpers ---- */

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
append_encoded(char *out, size_t *used, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~' || c == '[' || c == ']' || c == ':') {
			out[(*used)++] = (char)c;
		} else {
			out[(*used)++] = '%';
			out[(*used)++] = hex[c >> 4];
			out[(*used)++] = hex[c & 0x0f];
		}
	}
	out[*used] = '\0';
}

/* The query as a string ("a=1&b=2"), re-encoded from MHD's decoded pairs. */
static char *
build_query(const struct sb_request *r)
{
	size_t need = 1, i, used = 0;
	char *out;

	if (r->nquery == 0)
		return NULL;
	for (i = 0; i < r->nquery; i++)
		need += 3 * (strlen(r->query[i].key) + strlen(r->query[i].value)) + 2;
	out = malloc(need);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (i = 0; i < r->nquery; i++) {
		if (i)
			out[used++] = '&';
		append_encoded(out, &used, r->query[i].key);
		out[used++] = '=';
		append_encoded(out, &used, r->query[i].value);
	}
	return out;
}

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct sb_request *r = cls;
	struct sb_param *p;

	(void)kind;
	if (r->nquery == SB_MAX_QUERY)
		return MHD_NO;
	p = &r->query[r->nquery];
	p->key = strdup(key ? key : "");
	p->value = strdup(value ? value : "");
	if (!p->key || !p->value) {
		free(p->key);
		free(p->value);
		return MHD_NO;
	}
	r->nquery++;
	return MHD_YES;
}

/* Path without trailing slashes (Express routes are not strict about it). */
static char *
normalize_path(const char *url)
{
	char *p = strdup(url && *url ? url : "/");
	size_t n;

	if (!p)
		return NULL;
	n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	return p;
}

static void
exchange_init(struct exchange *x, struct sb_server *srv, struct MHD_Connection *conn,
              struct conn_ctx *ctx, const char *method, const char *url)
{
	size_t n;

	memset(x, 0, sizeof(*x));
	x->srv = srv;
	x->conn = conn;
	x->ctx = ctx;
	x->req.method = method;
	x->path = normalize_path(url);
	x->req.path = x->path ? x->path : "/";
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &x->req);
	x->query = build_query(&x->req);
	n = strlen(x->req.path) + (x->query ? strlen(x->query) + 1 : 0) + 1;
	x->url = malloc(n);
	if (x->url)
		snprintf(x->url, n, "%s%s%s", x->req.path, x->query ? "?" : "",
		         x->query ? x->query : "");
	x->req.url = x->url ? x->url : x->req.path;
	x->req.body = ctx->body ? ctx->body : "";
	x->req.body_len = ctx->len;
	x->idem_key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key");
	/* Novu treats an empty key like no key at all. */
	if (x->idem_key && !*x->idem_key)
		x->idem_key = NULL;
}

static void
exchange_free(struct exchange *x)
{
	size_t i;

	for (i = 0; i < x->req.nquery; i++) {
		free(x->req.query[i].key);
		free(x->req.query[i].value);
	}
	cJSON_Delete(x->req.json);
	reply_free(&x->rep);
	free(x->path);
	free(x->url);
	free(x->query);
}

/* One access-log line on stderr; never the Authorization header. */
static void
access_log(const struct exchange *x, const char *outcome)
{
	char line[1024];

	if (x->srv->cfg->quiet)
		return;
	snprintf(line, sizeof(line), "novu-sandbox: %s %.400s -> %s (%lld ms)%s%.300s\n",
	         x->req.method, x->req.url, outcome,
	         (long long)(util_mono_ms() - x->ctx->start_ms), x->idem_key ? " idem=" : "",
	         x->idem_key ? x->idem_key : "");
	fputs(line, stderr);
}

static void
wait_latency(struct exchange *x)
{
	util_sleep_ms(x->latency_ms);
	x->latency_ms = 0;
}

static enum MHD_Result
queue_reply(struct MHD_Connection *conn, const struct sb_reply *rep)
{
	static char empty[1];
	size_t len = rep->body ? strlen(rep->body) : 0;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t i;

	resp = MHD_create_response_from_buffer(len, rep->body ? rep->body : empty,
	                                       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	if (rep->body)
		MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	for (i = 0; i < rep->nheaders; i++)
		MHD_add_response_header(resp, rep->headers[i].name, rep->headers[i].value);
	ret = MHD_queue_response(conn, rep->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ---- pipeline steps: each returns 1 when it produced the reply ---- */

static void
fault_reply(struct exchange *x, const struct fault_decision *fd)
{
	const char *msg = http_reason(fd->status);
	cJSON *o, *ctx;
	char uuid[37];

	if (fd->status == 429)
		msg = "API rate limit exceeded";
	else if (fd->status == 500)
		msg = "Internal server error, contact support and provide them with the errorId";
	o = error_dto(fd->status, x->req.url, msg);
	if (fd->status == 500) {
		util_uuid4(uuid);
		cJSON_AddStringToObject(o, "errorId", uuid);
	}
	/* ErrorDto.ctx marks the failure as injected, for whoever reads it. */
	ctx = cJSON_AddObjectToObject(o, "ctx");
	cJSON_AddBoolToObject(ctx, "sandboxFault", 1);
	reply_json(&x->rep, fd->status, o);
	if (fd->retry_after >= 0)
		reply_header(&x->rep, "Retry-After", "%ld", fd->retry_after);
}

static const struct route *
match_route(struct exchange *x)
{
	char allow[64] = "";
	const struct route *r;
	size_t i, n;

	for (i = 0; i < NROUTES; i++) {
		r = &routes[i];
		n = strlen(r->pattern);
		if (n >= 2 && strcmp(r->pattern + n - 2, "/*") == 0) {
			if (strncmp(x->req.path, r->pattern, n - 1) != 0 || x->req.path[n - 1] == '\0')
				continue;
		} else if (strcmp(x->req.path, r->pattern) != 0) {
			continue;
		}
		if (strcmp(x->req.method, r->method) == 0) {
			if (r->pattern[n - 1] == '*')
				x->req.route_arg = x->req.path + n - 1;
			return r;
		}
		if (!strstr(allow, r->method)) {
			if (*allow)
				strncat(allow, ", ", sizeof(allow) - strlen(allow) - 1);
			strncat(allow, r->method, sizeof(allow) - strlen(allow) - 1);
		}
	}
	if (*allow) {
		reply_error(&x->rep, 405, x->req.url, "Method Not Allowed", 1);
		reply_header(&x->rep, "Allow", "%s", allow);
	} else {
		char msg[600];

		snprintf(msg, sizeof(msg), "Cannot %s %.500s", x->req.method, x->req.path);
		reply_error(&x->rep, 404, x->req.url, msg, 1);
	}
	return NULL;
}

static int
check_auth(struct exchange *x)
{
	const char *auth = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND,
	                                               MHD_HTTP_HEADER_AUTHORIZATION);

	if (auth && strcmp(auth, x->srv->auth_expected) == 0)
		return 0;
	reply_error(&x->rep, 401, x->req.url,
	            auth && starts_with(auth, "ApiKey ") ? "API Key not found" : "Unauthorized", 1);
	return 1;
}

static int
check_rate_limit(struct exchange *x, const struct route *r)
{
	if (!ratelimit_enabled())
		return 0;
	ratelimit_take(r->category, r->cost, &x->rl);
	x->have_rl = 1;
	if (x->rl.allowed)
		return 0;
	reply_error(&x->rep, 429, x->req.url, "API rate limit exceeded", 0);
	reply_header(&x->rep, "Retry-After", "%ld", x->rl.reset_s);
	return 1;
}

/* 1 if the media type of ct (parameters ignored) is type. */
static int
is_type(const char *ct, const char *type)
{
	size_t n = strlen(type);

	return ct && strncasecmp(ct, type, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode one form component (+ is a space, %XX a byte) of n bytes. */
static char *
form_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 &&
		           hex_value(s[i + 2]) >= 0) {
			out[o++] = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* A form body as body-parser's urlencoded parser gives it: an object of
 * strings (the sandbox does not build qs's nested a[b]=c objects). */
static cJSON *
parse_form(const char *body, size_t len)
{
	cJSON *o = cJSON_CreateObject();
	const char *p = body, *end = body + len, *amp, *eq;
	char *key, *val;

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (!amp)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		key = form_decode(p, (size_t)((eq ? eq : amp) - p));
		val = eq ? form_decode(eq + 1, (size_t)(amp - eq - 1)) : strdup("");
		if (key && val && *key)
			cJSON_AddStringToObject(o, key, val);
		free(key);
		free(val);
		p = amp + 1;
	}
	return o;
}

/* The body as Novu's parsers leave it (bootstrap.ts: body-parser json and
 * urlencoded): JSON is parsed, a form becomes an object, anything else is
 * ignored and the handler sees {} (so validation answers 422, not 415). */
static int
parse_body(struct exchange *x)
{
	const char *ct = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND,
	                                             MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *end = NULL;

	if (is_type(ct, "application/x-www-form-urlencoded")) {
		x->req.json = parse_form(x->req.body, x->req.body_len);
		return 0;
	}
	if (!is_type(ct, "application/json") || x->req.body_len == 0) {
		/* body-parser starts from req.body = {}. */
		x->req.json = cJSON_CreateObject();
		return 0;
	}
	x->req.json = cJSON_ParseWithLengthOpts(x->req.body, x->req.body_len, &end, 0);
	if (!x->req.json) {
		reply_errorf(&x->rep, 400, x->req.url, "Unexpected token in JSON at position %ld",
		             end ? (long)(end - x->req.body) : 0L);
		return 1;
	}
	if (!cJSON_IsObject(x->req.json)) {
		reply_error(&x->rep, 400, x->req.url, "Request body must be a JSON object", 1);
		return 1;
	}
	return 0;
}

/* Run the handler under Idempotency-Key rules (CONTRACT 4.4). */
static void
run_idempotent(struct exchange *x, const struct route *r)
{
	const char *key = x->idem_key;
	struct sb_reply replay;
	char hash[65], *canon, msg[1024];
	int64_t expires;

	if (strlen(key) > IDEM_KEY_MAX) {
		snprintf(msg, sizeof(msg),
		         "idempotencyKey \"%.600s\" has exceeded the maximum allowed length of "
		         "255 characters", key);
		reply_error(&x->rep, 400, x->req.url, msg, 1);
		return;
	}
	/* Identity is the re-serialised body: whitespace does not matter, key
	 * order does. */
	canon = cJSON_PrintUnformatted(x->req.json);
	sha256_hex(canon ? canon : "", canon ? strlen(canon) : 0, hash);
	free(canon);
	switch (idem_begin(key, hash, &replay)) {
	case IDEM_IN_FLIGHT:
		snprintf(msg, sizeof(msg),
		         "Request with key \"%s\" is currently being processed. Please retry "
		         "after 1 second", key);
		reply_error(&x->rep, 409, x->req.url, msg, 1);
		reply_header(&x->rep, "Retry-After", "1");
		reply_header(&x->rep, "Link", IDEMPOTENCY_DOCS);
		break;
	case IDEM_MISMATCH:
		snprintf(msg, sizeof(msg),
		         "Request with key \"%s\" is being reused for a different body", key);
		reply_error(&x->rep, 422, x->req.url, msg, 1);
		reply_header(&x->rep, "Link", IDEMPOTENCY_DOCS);
		break;
	case IDEM_REPLAY:
		reply_free(&x->rep);
		x->rep = replay;
		reply_header(&x->rep, "Idempotency-Replay", "true");
		break;
	case IDEM_NEW:
		/* The delay belongs to the handler: a second request with the same
		 * key arriving meanwhile sees it in flight (409). */
		wait_latency(x);
		r->handler(&x->req, &x->rep);
		expires = idem_finish(key, hash, &x->rep);
		if (expires)
			world_append(world_idem_record(key, hash, x->rep.status, x->rep.body,
			                               expires));
		break;
	}
	reply_header(&x->rep, "Idempotency-Key", "%s", key);
}

static void
add_rate_headers(struct exchange *x)
{
	if (!x->have_rl)
		return;
	reply_header(&x->rep, "RateLimit-Limit", "%ld", x->rl.limit);
	reply_header(&x->rep, "RateLimit-Remaining", "%ld", x->rl.remaining);
	reply_header(&x->rep, "RateLimit-Reset", "%ld", x->rl.reset_s);
	reply_header(&x->rep, "RateLimit-Policy", "%s", x->rl.policy);
}

/* Everything after fault injection, in Novu's order: route, auth, rate
 * limit, body checks, idempotency, then the handler. */
static void
dispatch(struct exchange *x)
{
	const struct route *r = match_route(x);

	if (!r || check_auth(x) || check_rate_limit(x, r))
		return;
	/* Another sandbox process may have changed the shared world. */
	world_sync();
	if (x->ctx->too_large) {
		reply_error(&x->rep, 413, x->req.url, "request entity too large", 0);
		return;
	}
	if (r->json_body && parse_body(x))
		return;
	/* Idempotency is a per-organisation feature flag in Novu. */
	if (r->json_body && x->idem_key && x->srv->cfg->idempotency &&
	    strcmp(x->req.method, "POST") == 0) {
		run_idempotent(x, r);
	} else {
		wait_latency(x);
		r->handler(&x->req, &x->rep);
	}
	world_flush();
}

/* The peer's TCP port: one per connection, for the request log. */
static unsigned int
client_port(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	if (sa && sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
	if (sa && sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	return 0;
}

/* One API request. Returns MHD_NO to drop the connection unanswered. */
static enum MHD_Result
handle_api(struct exchange *x)
{
	struct fault_decision fd;
	uint64_t seq;
	enum MHD_Result ret;
	char outcome[32];

	seq = reqlog_add(x->req.method, x->req.path, x->query, x->idem_key, x->req.body,
	                 x->req.body_len, client_port(x->conn));
	faults_decide(&fd, x->req.path);
	x->latency_ms = fd.latency_ms;
	if (fd.kind == FAULT_DROP) {
		wait_latency(x);
		reqlog_set_status(seq, 0);
		access_log(x, "dropped");
		return MHD_NO;
	}
	if (fd.kind == FAULT_FAIL)
		fault_reply(x, &fd);
	else
		dispatch(x);
	wait_latency(x);
	add_rate_headers(x);
	if (x->rep.status == 0)
		reply_error(&x->rep, 500, x->req.url, "Internal server error", 0);
	ret = queue_reply(x->conn, &x->rep);
	reqlog_set_status(seq, x->rep.status);
	snprintf(outcome, sizeof(outcome), "%u", x->rep.status);
	access_log(x, outcome);
	return ret;
}

static int
is_loopback(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return 0;
}

static enum MHD_Result
handle_control(struct exchange *x)
{
	enum MHD_Result ret;
	char outcome[32];

	if (!is_loopback(x->conn))
		reply_error(&x->rep, 403, x->req.url, "control endpoints are loopback only", 1);
	else if (x->ctx->too_large)
		reply_error(&x->rep, 413, x->req.url, "request entity too large", 0);
	else
		control_handle(&x->req, &x->rep);
	ret = queue_reply(x->conn, &x->rep);
	snprintf(outcome, sizeof(outcome), "%u", x->rep.status);
	access_log(x, outcome);
	return ret;
}

static size_t
body_limit(const char *url)
{
	if (url && starts_with(url, "/v1/events"))
		return EVENTS_BODY_LIMIT;
	if (url && starts_with(url, CONTROL_PREFIX))
		return CONTROL_BODY_LIMIT;
	return OTHER_BODY_LIMIT;
}

/* Keep upload data up to the limit; past it only remember it was too big. */
static void
append_body(struct conn_ctx *ctx, const char *data, size_t n)
{
	size_t want;
	char *grown;

	if (ctx->too_large)
		return;
	if (ctx->len + n > ctx->limit) {
		ctx->too_large = 1;
		free(ctx->body);
		ctx->body = NULL;
		ctx->len = ctx->cap = 0;
		return;
	}
	if (ctx->len + n + 1 > ctx->cap) {
		want = ctx->cap ? ctx->cap : 4096;
		while (want < ctx->len + n + 1)
			want *= 2;
		grown = realloc(ctx->body, want);
		if (!grown) {
			ctx->too_large = 1;
			return;
		}
		ctx->body = grown;
		ctx->cap = want;
	}
	memcpy(ctx->body + ctx->len, data, n);
	ctx->len += n;
	ctx->body[ctx->len] = '\0';
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size,
           void **con_cls)
{
	struct sb_server *srv = cls;
	struct conn_ctx *ctx = *con_cls;
	struct exchange x;
	enum MHD_Result ret;

	(void)version;
	if (!ctx) {
		ctx = calloc(1, sizeof(*ctx));
		if (!ctx)
			return MHD_NO;
		ctx->start_ms = util_mono_ms();
		ctx->limit = body_limit(url);
		*con_cls = ctx;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		append_body(ctx, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	exchange_init(&x, srv, conn, ctx, method, url);
	if (starts_with(x.req.path, CONTROL_PREFIX "/") || strcmp(x.req.path, CONTROL_PREFIX) == 0)
		ret = handle_control(&x);
	else
		ret = handle_api(&x);
	exchange_free(&x);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct conn_ctx *ctx = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (ctx) {
		free(ctx->body);
		free(ctx);
		*con_cls = NULL;
	}
}

/* The socket to serve: the one handed over (bound and listening already,
 * so clients that connected before we got here wait in its backlog), or a
 * new one on 127.0.0.1:cfg->port (0: any free port). -1 on failure. */
static int
listen_socket(const struct sb_config *cfg)
{
	struct sockaddr_in addr;
	int fd, on = 1;

	if (cfg->listen_fd >= 0) {
		/* As MHD's own listening sockets are: a connection reset between
		 * poll and accept must not block the accepting thread. */
		fcntl(cfg->listen_fd, F_SETFL, fcntl(cfg->listen_fd, F_GETFL) | O_NONBLOCK);
		fcntl(cfg->listen_fd, F_SETFD, FD_CLOEXEC);
		return cfg->listen_fd;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)cfg->port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 128) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static unsigned int
bound_port(int fd, unsigned int fallback)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len) != 0 || a.sin_family != AF_INET)
		return fallback;
	return ntohs(a.sin_port);
}

struct sb_server *
server_start(const struct sb_config *cfg)
{
	struct sb_server *srv = calloc(1, sizeof(*srv));
	int fd;
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
	size_t n;

	if (!srv)
		return NULL;
	srv->cfg = cfg;
	n = strlen("ApiKey ") + strlen(cfg->key) + 1;
	srv->auth_expected = malloc(n);
	if (!srv->auth_expected) {
		free(srv);
		return NULL;
	}
	snprintf(srv->auth_expected, n, "ApiKey %s", cfg->key);
	if (!cfg->quiet)
		flags |= MHD_USE_ERROR_LOG;
	fd = listen_socket(cfg);
	srv->daemon = fd < 0 ? NULL : MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)512,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_END);
	if (!srv->daemon) {
		if (fd >= 0 && fd != cfg->listen_fd)
			close(fd);
		fprintf(stderr, "novu-sandbox: cannot listen on 127.0.0.1:%u\n", cfg->port);
		free(srv->auth_expected);
		free(srv);
		return NULL;
	}
	srv->port = bound_port(fd, cfg->port);
	return srv;
}

unsigned int
server_port(const struct sb_server *s)
{
	return s->port;
}

void
server_stop(struct sb_server *s)
{
	if (!s)
		return;
	util_stop_sleepers();
	MHD_stop_daemon(s->daemon);
	free(s->auth_expected);
	free(s);
}
