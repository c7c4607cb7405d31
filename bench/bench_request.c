/* bench_request.c - building a 100-event bulk body: request_build_bulk (which
 * validates every event and parses its JSON fields from the text the user
 * typed) plus json_print_compact, against Node.js doing the same work with
 * JSON.parse / object literals / JSON.stringify (bench/request_peer.js).
 *
 * Two comparisons, each checked to produce byte-identical text:
 *   serialise only:  json_print_compact(tree)      vs JSON.stringify(object)
 *   build + print:   request_build_bulk + print    vs JSON.parse of the JSON
 *                                                     fields + JSON.stringify
 *
 * usage: bench_request [--reps N] [--node PATH]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bench_util.h"
#include "jsonutil.h"
#include "request.h"

#ifndef NC_BENCH_DIR
#define NC_BENCH_DIR "bench"
#endif

#define NEVENTS 100
#define MIN_REP_SECONDS 0.05
#define MAX_ITERS 100000
#define MAX_REPS 32

static const char *const workflows[] = {
	"order-shipped", "welcome-onboarding", "comment-digest", "payment-reminder",
	"maintenance-notice"
};

/* Event i of the bulk, as the form or an import would hold it: JSON fields
 * as multi-line text, some recipients as full subscriber objects, some
 * topics with exclusions, non-ASCII text and escapes in the payload. */
static int
make_event(struct nc_event *ev, size_t i)
{
	char buf[1024], id[32], email[64], txid[40], ex1[] = "user-001", ex2[] = "user-002";
	struct nc_recipient r;
	int bad = 0;

	event_init(ev);
	bad |= nc_strset(&ev->workflow, workflows[i % 5]);
	memset(&r, 0, sizeof r);
	snprintf(id, sizeof id, "user-%03zu", i + 1);
	r.kind = NC_RCPT_SUBSCRIBER_ID;
	r.id = id;
	bad |= event_add_recipient(ev, &r) != NC_OK;
	if (i % 3 == 0) {
		char first[] = "Zoë", last[] = "Doe", locale[] = "en-US", data[64];

		snprintf(id, sizeof id, "user-%03zu", i + 101);
		snprintf(email, sizeof email, "zoe.%zu@example.com", i);
		snprintf(data, sizeof data, "{\n  \"plan\": \"pro\",\n  \"seats\": %zu\n}", i % 40);
		memset(&r, 0, sizeof r);
		r.kind = NC_RCPT_SUBSCRIBER;
		r.id = id;
		r.email = email;
		r.first_name = first;
		r.last_name = last;
		r.locale = locale;
		r.data_json = data;
		bad |= event_add_recipient(ev, &r) != NC_OK;
	}
	if (i % 4 == 0) {
		char topic[] = "ops-team";

		memset(&r, 0, sizeof r);
		r.kind = NC_RCPT_TOPIC;
		r.id = topic;
		bad |= event_add_recipient(ev, &r) != NC_OK;
		bad |= recipient_add_exclude(&ev->to[ev->nto - 1], ex1) != NC_OK;
		bad |= recipient_add_exclude(&ev->to[ev->nto - 1], ex2) != NC_OK;
	}
	snprintf(buf, sizeof buf,
	         "{\n  \"order\": {\n    \"id\": \"A-%zu\",\n    \"carrier\": \"UPS\",\n"
	         "    \"items\": [{\"sku\": \"SKU-1\", \"qty\": 2}, {\"sku\": \"SKU-2\", \"qty\": 1}],\n"
	         "    \"total\": %zu\n  },\n  \"trackingUrl\": \"https://example.com/track/A-%zu\",\n"
	         "  \"gift\": %s,\n  \"note\": \"Café \\\"crème\\\" – à bientôt\\n\"\n}",
	         1000 + i, 1999 + i, 1000 + i, i % 2 ? "true" : "false");
	bad |= nc_strset(&ev->payload_json, buf);
	if (i % 5 == 0)
		bad |= nc_strset(&ev->overrides_json, "{\n  \"severity\": \"high\"\n}");
	if (i % 2)
		bad |= nc_strset(&ev->actor, "admin-bot");
	if (i % 7 == 0)
		bad |= nc_strset(&ev->context_json, "{\"tenant\": \"org-acme\", \"app\": "
		                 "{\"id\": \"console\", \"data\": {\"region\": \"eu\"}}}");
	snprintf(txid, sizeof txid, "7f9c2d3e-8a41-4b6e-9d1a-%012zx", 0x2c5e8f0b4a00 + i);
	bad |= nc_strset(&ev->transaction_id, txid);
	return bad ? -1 : 0;
}

/* ---- ours ---- */

struct ctx {
	const struct nc_event *evs;
	const cJSON *tree;
	size_t out_len;
};

typedef int (*op_fn)(struct ctx *c);

static int
op_build_print(struct ctx *c)
{
	struct nc_error err = NC_ERROR_INIT;
	cJSON *tree = request_build_bulk(c->evs, NEVENTS, &err);
	char *text = tree ? json_print_compact(tree) : NULL;
	int rc = text ? 0 : -1;

	if (text)
		c->out_len = strlen(text);
	else
		bench_progress("request: build failed: %s", err.message ? err.message : "?");
	free(text);
	cJSON_Delete(tree);
	nc_error_clear(&err);
	return rc;
}

static int
op_print(struct ctx *c)
{
	char *text = json_print_compact(c->tree);

	if (!text)
		return -1;
	c->out_len = strlen(text);
	free(text);
	return 0;
}

/* How many calls make one repetition last MIN_REP_SECONDS; the calibrating
 * call is also the warm-up. 0 on error. */
static long
calibrate(op_fn fn, struct ctx *c)
{
	int64_t t0 = bench_now_ns();
	double once;
	long iters;

	if (fn(c) != 0)
		return 0;
	once = (double)(bench_now_ns() - t0) / 1e9;
	iters = once > 0 ? (long)(MIN_REP_SECONDS / once) : MAX_ITERS;
	return iters < 1 ? 1 : iters > MAX_ITERS ? MAX_ITERS : iters;
}

/* Seconds per call over one repetition of iters calls; -1 on error. */
static double
one_rep(op_fn fn, struct ctx *c, long iters)
{
	int64_t t0 = bench_now_ns();
	long k;

	for (k = 0; k < iters; k++)
		if (fn(c) != 0)
			return -1;
	return (double)(bench_now_ns() - t0) / 1e9 / (double)iters;
}

/* ---- the files the Node peer reads ---- */

static int
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fputs(text, f) < 0 ? -1 : 0;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

static void
replace_with_text(cJSON *obj, const char *key, const char *text)
{
	if (text && *text && cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, cJSON_CreateString(text));
}

/* The model as Node gets it: the wire body with every JSON-valued field put
 * back as the text the user typed, so Node has the same parsing to do. */
static char *
model_text(const cJSON *body, const struct nc_event *evs)
{
	cJSON *m = cJSON_Duplicate(body, 1), *ev, *to, *r;
	size_t i = 0, j;
	char *text;

	if (!m)
		return NULL;
	cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(m, "events")) {
		if (i >= NEVENTS)
			break;
		replace_with_text(ev, "payload", evs[i].payload_json);
		replace_with_text(ev, "overrides", evs[i].overrides_json);
		replace_with_text(ev, "context", evs[i].context_json);
		to = cJSON_GetObjectItemCaseSensitive(ev, "to");
		j = 0;
		cJSON_ArrayForEach(r, to) {
			if (j < evs[i].nto && cJSON_IsObject(r))
				replace_with_text(r, "data", evs[i].to[j].data_json);
			j++;
		}
		i++;
	}
	text = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	return text;
}

struct node_result {
	double stringify_s, build_s;
	int same_stringify, same_build;
	char version[32];
};

static int
run_node(const char *node, const char *dir, int reps, struct node_result *nr)
{
	char model[4096], body[4096], reps_s[16], *out = NULL;
	char script[] = NC_BENCH_DIR "/request_peer.js";
	char *argv[] = { bench_arg(node), script, model, body, reps_s, NULL };
	cJSON *j;
	const char *v;
	int rc;

	snprintf(model, sizeof model, "%s/model.json", dir);
	snprintf(body, sizeof body, "%s/body.json", dir);
	snprintf(reps_s, sizeof reps_s, "%d", reps);
	rc = bench_run_capture(argv, &out, NULL);
	j = rc == 0 && out ? cJSON_Parse(out) : NULL;
	free(out);
	if (!j) {
		bench_progress("request: node failed (exit %d)", rc);
		return -1;
	}
	nr->stringify_s = json_num(j, "stringify_us", -1) / 1e6;
	nr->build_s = json_num(j, "build_us", -1) / 1e6;
	nr->same_stringify = json_bool(j, "identical_stringify", 0);
	nr->same_build = json_bool(j, "identical_build", 0);
	v = json_str(j, "node");
	snprintf(nr->version, sizeof nr->version, "%s", v ? v : "?");
	cJSON_Delete(j);
	return nr->stringify_s > 0 && nr->build_s > 0 ? 0 : -1;
}

/* ---- main ---- */

static int
prepare_files(const char *dir, struct nc_event *evs, cJSON **tree, size_t *body_len)
{
	struct nc_error err = NC_ERROR_INIT;
	char path[4096], *body = NULL, *model = NULL;
	int rc = -1;

	*tree = request_build_bulk(evs, NEVENTS, &err);
	if (!*tree) {
		bench_progress("request: the bulk does not build: %s",
		               err.message ? err.message : "?");
		nc_error_clear(&err);
		return -1;
	}
	body = json_print_compact(*tree);
	model = body ? model_text(*tree, evs) : NULL;
	if (body && model) {
		*body_len = strlen(body);
		snprintf(path, sizeof path, "%s/body.json", dir);
		rc = write_text(path, body);
		snprintf(path, sizeof path, "%s/model.json", dir);
		rc |= write_text(path, model);
	}
	free(body);
	free(model);
	return rc;
}

static void
report(double print_s, double build_s, const struct node_result *nr, size_t body_len,
       int reps)
{
	char label[160], ours[32];

	snprintf(label, sizeof label, "Bulk body, %d events (%.1f kB): serialise the built tree",
	         NEVENTS, (double)body_len / 1e3);
	if (nr)
		bench_row_time(label, print_s, "Node JSON.stringify", nr->stringify_s);
	else {
		bench_format_time(print_s, ours, sizeof ours);
		bench_row_text(label, ours, "node not available", "n/a");
	}
	snprintf(label, sizeof label, "Bulk body, %d events: build from the typed text + "
	         "serialise", NEVENTS);
	if (nr)
		bench_row_time(label, build_s, "Node JSON.parse + JSON.stringify", nr->build_s);
	else {
		bench_format_time(build_s, ours, sizeof ours);
		bench_row_text(label, ours, "node not available", "n/a");
	}
	bench_note("Serialise: ours is json_print_compact of the request_build_bulk tree; the "
	           "peer is JSON.stringify of the same object in Node.js %s (after a warm-up, "
	           "so V8 has compiled it).", nr ? nr->version : "(not run)");
	bench_note("Build + serialise: ours is request_build_bulk + json_print_compact from the "
	           "event model, whose payload/overrides/context/data fields hold the text the "
	           "user typed (multi-line JSON); it validates every event (recipients, JSON "
	           "objects, context keys, the 512 KB event limit) and parses those texts. The "
	           "peer does only the parsing and building: JSON.parse of the same texts, "
	           "object literals in the same key order, JSON.stringify; it validates nothing.");
	if (nr)
		bench_note("Both sides produced byte-identical bodies: serialise %s, build %s.",
		           nr->same_stringify ? "yes" : "NO", nr->same_build ? "yes" : "NO");
	bench_note("Per call, median of %d repetitions on each side, each of as many calls as "
	           "last >= %.0f ms; the sides alternate, one Node process (with its own "
	           "warm-up) per repetition.", reps, MIN_REP_SECONDS * 1e3);
}

/* Repetitions alternate: ours (serialise, build), then one Node process
 * doing one repetition of each (after its own warm-up), and again, so a
 * change of load on the machine touches both sides alike. */
static int
run(const char *dir, const char *node, int reps)
{
	struct nc_event evs[NEVENTS];
	struct node_result nr, one;
	struct ctx c;
	cJSON *tree = NULL;
	double vp[MAX_REPS], vb[MAX_REPS], np[MAX_REPS], nb[MAX_REPS];
	size_t i, made = 0, body_len = 0;
	long ip, ib;
	int r, rc = -1, nnode = 0, have_node = 1;

	memset(&nr, 0, sizeof nr);
	for (i = 0; i < NEVENTS; i++, made++)
		if (make_event(&evs[i], i) != 0)
			break;
	if (made == NEVENTS && prepare_files(dir, evs, &tree, &body_len) == 0) {
		c.evs = evs;
		c.tree = tree;
		ip = calibrate(op_print, &c);
		ib = calibrate(op_build_print, &c);
		for (r = 0; ip && ib && r < reps; r++) {
			bench_progress("request: round %d of %d", r + 1, reps);
			vp[r] = one_rep(op_print, &c, ip);
			vb[r] = one_rep(op_build_print, &c, ib);
			if (vp[r] < 0 || vb[r] < 0)
				break;
			if (have_node && run_node(node, dir, 1, &one) == 0) {
				np[nnode] = one.stringify_s;
				nb[nnode++] = one.build_s;
				nr = one;
			} else {
				have_node = 0;
			}
		}
		if (ip && ib && r == reps) {
			rc = 0;
			nr.stringify_s = bench_median(np, (size_t)nnode);
			nr.build_s = bench_median(nb, (size_t)nnode);
			report(bench_median(vp, (size_t)reps), bench_median(vb, (size_t)reps),
			       have_node ? &nr : NULL, body_len, reps);
		}
	}
	cJSON_Delete(tree);
	for (i = 0; i < made; i++)
		event_clear(&evs[i]);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *node = "node";
	char *dir;
	int reps = 7, i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (strcmp(argv[i], "--node") == 0 && i + 1 < argc)
			node = argv[++i];
		else {
			fprintf(stderr, "usage: bench_request [--reps N] [--node PATH]\n");
			return 2;
		}
	}
	if (reps < 1 || reps > MAX_REPS) {
		fprintf(stderr, "bench_request: --reps 1..%d\n", MAX_REPS);
		return 2;
	}
	dir = bench_make_tmpdir(NULL, "bench-request");
	if (!dir) {
		fprintf(stderr, "bench_request: cannot create a directory: %s\n", strerror(errno));
		return 1;
	}
	rc = run(dir, node, reps);
	bench_rmtree(dir);
	free(dir);
	return rc == 0 ? 0 : 1;
}
