/* bench_trigger.c - triggers over HTTP against the local sandbox: our client
 * (api_trigger through one reused libcurl handle, keep-alive) against
 *   - the curl command-line tool spawned once per request, as a shell script
 *     would do it (key read from a header file, never argv), and
 *   - libcurl with a fresh easy handle per request (no connection reuse).
 * All three send the same kind of request (same body shape, same headers,
 * a fresh transactionId and Idempotency-Key each), one at a time, to the
 * same sandbox started here on 127.0.0.1 with a high rate limit.
 *
 * usage: bench_trigger [--sandbox PATH] [--requests N] [--reps N] [--cli-reps N]
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "api.h"
#include "bench_util.h"
#include "http.h"
#include "request.h"
#include "uuid.h"

#ifndef NC_SANDBOX_BIN
#define NC_SANDBOX_BIN "novu-sandbox"
#endif

#ifndef NC_VERSION
#define NC_VERSION "0"
#endif
#define USER_AGENT "novu-console/" NC_VERSION
#define START_POLLS 200          /* x 25 ms: wait at most 5 s for the sandbox */
#define STOP_POLLS 200
#define MAX_REPS 32

extern char **environ;

struct options {
	const char *sandbox;
	size_t requests;
	int reps, cli_reps;
};

struct sandbox {
	pid_t pid;
	int port;
	char url[64];
	char key[64];
};

/* ---- the sandbox ---- */

static int
read_port(const char *path)
{
	FILE *f = fopen(path, "r");
	int port = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%d", &port) != 1)
		port = 0;
	fclose(f);
	return port;
}

static int
sandbox_start(struct sandbox *sb, const char *bin, const char *dir)
{
	char port_file[4096];
	char *argv[] = {
		bench_arg(bin), bench_arg("--port"), bench_arg("0"), bench_arg("--port-file"), port_file,
		bench_arg("--key"), sb->key, bench_arg("--rate-limit"), bench_arg("100000000"),
		bench_arg("--rate-window"), bench_arg("1"), bench_arg("--quiet"), NULL
	};
	posix_spawn_file_actions_t fa;
	struct timespec nap = { 0, 25 * 1000 * 1000 };
	int i, rc;

	snprintf(port_file, sizeof port_file, "%s/sandbox.port", dir);
	unlink(port_file);   /* a previous sandbox's port must not be read */
	sb->port = 0;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&sb->pid, bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		bench_progress("trigger: cannot start %s: %s", bin, strerror(rc));
		return -1;
	}
	for (i = 0; i < START_POLLS; i++) {
		sb->port = read_port(port_file);
		if (sb->port > 0)
			break;
		if (waitpid(sb->pid, &rc, WNOHANG) == sb->pid) {
			bench_progress("trigger: the sandbox exited at start");
			sb->pid = 0;
			return -1;
		}
		nanosleep(&nap, NULL);
	}
	if (sb->port <= 0) {
		bench_progress("trigger: the sandbox wrote no port within 5 s");
		return -1;
	}
	snprintf(sb->url, sizeof sb->url, "http://127.0.0.1:%d", sb->port);
	return 0;
}

static void
sandbox_stop(struct sandbox *sb)
{
	struct timespec nap = { 0, 25 * 1000 * 1000 };
	int i, st;

	if (sb->pid <= 0)
		return;
	kill(sb->pid, SIGTERM);
	for (i = 0; i < STOP_POLLS; i++) {
		if (waitpid(sb->pid, &st, WNOHANG) == sb->pid) {
			sb->pid = 0;
			return;
		}
		nanosleep(&nap, NULL);
	}
	kill(sb->pid, SIGKILL);
	waitpid(sb->pid, &st, 0);
	sb->pid = 0;
}

/* ---- the request every side sends ---- */

static int
make_event(struct nc_event *ev)
{
	char id[] = "user-001";
	struct nc_recipient r;

	event_init(ev);
	memset(&r, 0, sizeof r);
	r.kind = NC_RCPT_SUBSCRIBER_ID;
	r.id = id;
	if (nc_strset(&ev->workflow, "order-shipped") != 0 ||
	    nc_strset(&ev->payload_json, "{\"order\":{\"id\":\"A-1001\",\"carrier\":\"UPS\"},"
	              "\"trackingUrl\":\"https://example.com/track/A-1001\"}") != 0 ||
	    event_add_recipient(ev, &r) != NC_OK)
		return -1;
	return 0;
}

/* n requests as ours would send them, each with a fresh transactionId and
 * Idempotency-Key, prepared before the clock starts. */
static struct nc_prepared *
prepare_all(struct nc_event *ev, size_t n)
{
	struct nc_prepared *p = calloc(n, sizeof *p);
	struct nc_error err = NC_ERROR_INIT;
	size_t i;

	for (i = 0; p && i < n; i++) {
		nc_strset(&ev->transaction_id, NULL);
		if (api_prepare_trigger(ev, NULL, &p[i], &err) != NC_OK) {
			bench_progress("trigger: prepare: %s", err.message ? err.message : "?");
			while (i > 0)
				prepared_clear(&p[--i]);
			free(p);
			p = NULL;
		}
	}
	nc_error_clear(&err);
	return p;
}

static void
prepared_free_all(struct nc_prepared *p, size_t n)
{
	size_t i;

	for (i = 0; p && i < n; i++)
		prepared_clear(&p[i]);
	free(p);
}

/* ---- ours ---- */

static int
ours_one(struct nc_client *c, struct nc_event *ev)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_trigger_result res;
	struct nc_send_info info;
	enum nc_status st;
	int ok;

	memset(&res, 0, sizeof res);
	memset(&info, 0, sizeof info);
	nc_strset(&ev->transaction_id, NULL);
	st = api_trigger(c, ev, NULL, &res, &info, &err);
	ok = st == NC_OK && trigger_result_ok(&res);
	if (!ok)
		bench_progress("trigger: ours failed: %s", err.message ? err.message :
		               res.status ? res.status : "?");
	trigger_result_clear(&res);
	send_info_clear(&info);
	nc_error_clear(&err);
	return ok ? 0 : -1;
}

/* ---- peer: a fresh libcurl easy handle per request ---- */

struct body { char buf[4096]; size_t len; };

static size_t
collect(char *data, size_t size, size_t nmemb, void *userp)
{
	struct body *b = userp;
	size_t n = size * nmemb, room = sizeof b->buf - 1 - b->len;

	memcpy(b->buf + b->len, data, n < room ? n : room);
	b->len += n < room ? n : room;
	b->buf[b->len] = '\0';
	return n;
}

static int
fresh_one(const struct sandbox *sb, const struct nc_prepared *p)
{
	char url[256], auth[128], idem[320];
	struct curl_slist *h = NULL;
	struct body b = { .len = 0 };
	long status = 0;
	CURL *c = curl_easy_init();
	CURLcode rc;

	if (!c)
		return -1;
	snprintf(url, sizeof url, "%s%s", sb->url, p->path);
	snprintf(auth, sizeof auth, "Authorization: ApiKey %s", sb->key);
	snprintf(idem, sizeof idem, "Idempotency-Key: %s", p->idempotency_key);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Accept: application/json");
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	h = curl_slist_append(h, idem);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, p->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(p->body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (rc != CURLE_OK || status != 201 || !strstr(b.buf, "\"processed\"")) {
		bench_progress("trigger: fresh handle failed: %s, HTTP %ld: %.200s",
		               curl_easy_strerror(rc), status, b.buf);
		return -1;
	}
	return 0;
}

/* ---- peer: the curl tool, one process per request ---- */

static int
cli_one(const struct sandbox *sb, const struct nc_prepared *p, const char *header_file)
{
	char url[256], hfile[4200], idem[320];
	char *out = NULL;
	char *argv[] = {
		bench_arg("curl"), bench_arg("-q"), bench_arg("-sS"), bench_arg("--max-time"), bench_arg("30"),
		bench_arg("-H"), hfile, bench_arg("-H"), bench_arg("Accept: application/json"),
		bench_arg("-H"), bench_arg("Content-Type: application/json"), bench_arg("-H"), idem,
		bench_arg("-A"), bench_arg(USER_AGENT), bench_arg("--data-binary"), p->body,
		bench_arg("-w"), bench_arg("\n%{http_code}"), url, NULL
	};
	const char *code;
	int rc;

	snprintf(url, sizeof url, "%s%s", sb->url, p->path);
	snprintf(hfile, sizeof hfile, "@%s", header_file);
	snprintf(idem, sizeof idem, "Idempotency-Key: %s", p->idempotency_key);
	rc = bench_run_capture(argv, &out, NULL);
	code = out ? strrchr(out, '\n') : NULL;
	if (rc != 0 || !code || strcmp(code, "\n201") != 0 || !strstr(out, "\"processed\"")) {
		bench_progress("trigger: curl tool failed (exit %d): %.200s", rc,
		               out ? out : "");
		free(out);
		return -1;
	}
	free(out);
	return 0;
}

/* ---- timing ---- */

enum side { OURS, FRESH, CLI };

struct run {
	struct sandbox *sb;
	const char *sandbox_bin, *dir;
	struct nc_event ev;
	const char *header_file;
};

static struct nc_client *
new_client(const struct sandbox *sb)
{
	struct nc_client_config cfg;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_client *c = NULL;

	client_config_defaults(&cfg);
	cfg.base_url = sb->url;
	cfg.secret_key = sb->key;
	if (client_new(&cfg, &c, &err) != NC_OK)
		bench_progress("trigger: client_new: %s", err.message ? err.message : "?");
	nc_error_clear(&err);
	return c;
}

/* Requests per second of one repetition of n requests; -1 on failure.
 * Every repetition gets a freshly started sandbox: the sandbox keeps every
 * transaction and idempotency key and looks them up linearly, so a long-
 * running one answers more slowly as it fills, which would penalise
 * whichever side ran later (and the fastest side the most). */
static double
one_rep(struct run *r, enum side side, size_t n)
{
	struct nc_prepared *p = NULL;
	struct nc_client *client = NULL;
	int64_t t0 = 0;
	size_t i;
	int rc = sandbox_start(r->sb, r->sandbox_bin, r->dir);

	if (rc == 0 && side == OURS && !(client = new_client(r->sb)))
		rc = -1;
	if (rc == 0 && side != OURS && !(p = prepare_all(&r->ev, n)))
		rc = -1;
	if (rc == 0) {
		t0 = bench_now_ns();
		for (i = 0; rc == 0 && i < n; i++) {
			if (side == OURS)
				rc = ours_one(client, &r->ev);
			else if (side == FRESH)
				rc = fresh_one(r->sb, &p[i]);
			else
				rc = cli_one(r->sb, &p[i], r->header_file);
		}
		t0 = bench_now_ns() - t0;
	}
	client_free(client);
	prepared_free_all(p, n);
	sandbox_stop(r->sb);
	return rc == 0 && t0 > 0 ? (double)n / ((double)t0 / 1e9) : -1;
}

/* Repetitions of the three clients, alternating round by round so they see
 * the same load on the machine: ours and the fresh handle `reps` times, the
 * curl tool `cli_reps` times, each after one warm-up request. Medians of
 * requests/second go to out[OURS], out[FRESH], out[CLI] (-1 when failed). */
static void
measure_all(struct run *r, const struct options *o, double out[3])
{
	double v[3][MAX_REPS];
	int want[3], got[3] = { 0, 0, 0 }, ok[3], round, s, rounds;

	want[OURS] = want[FRESH] = o->reps;
	want[CLI] = o->cli_reps;
	rounds = o->reps > o->cli_reps ? o->reps : o->cli_reps;
	for (s = 0; s < 3; s++)
		ok[s] = one_rep(r, (enum side)s, 1) >= 0;
	for (round = 0; round < rounds; round++) {
		double now[3] = { 0, 0, 0 };

		for (s = 0; s < 3; s++) {
			if (!ok[s] || round >= want[s])
				continue;
			now[s] = v[s][got[s]] = one_rep(r, (enum side)s, o->requests);
			if (now[s] < 0)
				ok[s] = 0;
			else
				got[s]++;
		}
		bench_progress("trigger: round %d of %d: ours %.0f, fresh handle %.0f, curl tool "
		               "%.0f req/s", round + 1, rounds, now[OURS], now[FRESH], now[CLI]);
	}
	for (s = 0; s < 3; s++)
		out[s] = ok[s] ? bench_median(v[s], (size_t)got[s]) : -1;
}

static int
write_header_file(const char *path, const char *key)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f;

	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -1;
	}
	fprintf(f, "Authorization: ApiKey %s\n", key);
	return fclose(f) == 0 ? 0 : -1;
}

static int
parse_args(int argc, char **argv, struct options *o)
{
	int i;

	o->sandbox = NC_SANDBOX_BIN;
	o->requests = 500;
	o->reps = 5;
	o->cli_reps = 3;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sandbox") == 0 && i + 1 < argc)
			o->sandbox = argv[++i];
		else if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc)
			o->requests = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			o->reps = atoi(argv[++i]);
		else if (strcmp(argv[i], "--cli-reps") == 0 && i + 1 < argc)
			o->cli_reps = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: bench_trigger [--sandbox PATH] [--requests N]"
			        " [--reps N] [--cli-reps N]\n");
			return -1;
		}
	}
	if (o->requests < 1 || o->requests > 100000 || o->reps < 1 || o->reps > MAX_REPS ||
	    o->cli_reps < 1 || o->cli_reps > MAX_REPS) {
		fprintf(stderr, "bench_trigger: --requests 1..100000, --reps 1..%d\n", MAX_REPS);
		return -1;
	}
	return 0;
}

static int
run_all(const struct options *o, struct run *r)
{
	char label[128], count[32];
	double rate[3], ours, fresh, cli;

	bench_progress("trigger: %zu requests per run; ours and fresh handle x %d, curl tool"
	               " x %d", o->requests, o->reps, o->cli_reps);
	measure_all(r, o, rate);
	ours = rate[OURS];
	fresh = rate[FRESH];
	cli = rate[CLI];
	if (ours < 0)
		return -1;
	bench_count(o->requests, count, sizeof count);
	snprintf(label, sizeof label, "Triggers over HTTP, %s sequential (vs curl tool)", count);
	if (cli > 0)
		bench_row_rate(label, ours, "curl tool per request", cli, "req/s");
	else
		bench_row_text(label, "-", "curl tool failed", "n/a");
	snprintf(label, sizeof label, "Triggers over HTTP, %s sequential (vs fresh handle)",
	         count);
	if (fresh > 0)
		bench_row_rate(label, ours, "libcurl, new handle per request", fresh, "req/s");
	else
		bench_row_text(label, "-", "fresh handle failed", "n/a");
	bench_note("Per request: ours %.0f µs, fresh libcurl handle %.0f µs, curl tool %.0f µs "
	           "(the inverse of the rates).", 1e6 / ours, fresh > 0 ? 1e6 / fresh : 0,
	           cli > 0 ? 1e6 / cli : 0);
	return cli > 0 && fresh > 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct sandbox sb;
	struct run r;
	char header_file[4200], uuid[NC_UUID_LEN + 1], *dir;
	int rc = 1;

	if (parse_args(argc, argv, &o) != 0)
		return 2;
	memset(&sb, 0, sizeof sb);
	memset(&r, 0, sizeof r);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	dir = bench_make_tmpdir(NULL, "bench-trigger");
	if (!dir || uuid_v4(uuid) != 0)
		goto out;
	/* A throwaway key for this run's sandboxes only. */
	snprintf(sb.key, sizeof sb.key, "sk_bench_%.8s", uuid);
	snprintf(header_file, sizeof header_file, "%s/auth.header", dir);
	if (write_header_file(header_file, sb.key) != 0 || make_event(&r.ev) != 0) {
		bench_progress("trigger: set-up failed");
		goto out;
	}
	r.sb = &sb;
	r.sandbox_bin = o.sandbox;
	r.dir = dir;
	r.header_file = header_file;
	rc = run_all(&o, &r) == 0 ? 0 : 1;
	bench_note("Each request: POST /v1/events/trigger to the sandbox on 127.0.0.1 (plain "
	           "HTTP, no added latency), workflow order-shipped, one subscriber, a small "
	           "payload, a fresh transactionId and Idempotency-Key; headers Authorization, "
	           "Accept, Content-Type, Idempotency-Key, User-Agent. Every answer is checked "
	           "(201, status processed). Each run of %zu starts a fresh sandbox (it slows "
	           "down as it stores more transactions and keys).", o.requests);
	bench_note("Ours: api_trigger, which also validates the event and builds the body on "
	           "each call, through one client (one libcurl handle, kept-alive connection). "
	           "The peers get their bodies prepared before the clock starts.");
	bench_note("Curl tool: one `curl` process per request, spawned directly (no shell), "
	           "the key read from a header file (-H @file), output captured through a pipe. "
	           "Median of %d runs of %zu requests; the other two: median of %d runs; the "
	           "three alternate run by run.", o.cli_reps, o.requests, o.reps);
out:
	event_clear(&r.ev);
	sandbox_stop(&sb);
	bench_rmtree(dir);
	free(dir);
	curl_global_cleanup();
	return rc;
}
