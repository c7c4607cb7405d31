/* bench_bulk_rss.c - peak memory of the headless `bulk` command sending a
 * big events file to the local sandbox, against the curl tool sending the
 * same events as the same 100-event requests, one process per request (the
 * leanest way a script sends them: one body in memory at a time).
 *
 * Ours runs once per file form (JSON Lines; a JSON array on one line, as
 * JSON.stringify writes it), each against a freshly started sandbox, with a
 * state directory of its own; its peak RSS is the child's ru_maxrss. The
 * peer's figure is the largest ru_maxrss of its processes.
 *
 * usage: bench_bulk_rss [--console PATH] [--sandbox PATH] [--events N]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#ifndef NC_SANDBOX_BIN
#define NC_SANDBOX_BIN "novu-sandbox"
#endif
#ifndef NC_CONSOLE_BIN
#define NC_CONSOLE_BIN "novu-console"
#endif
#define KEY "sk_bench_bulk_rss"
#define PER_REQUEST 100          /* events per bulk request (CONTRACT 4.5) */
#define START_POLLS 200          /* x 25 ms: wait at most 5 s for the sandbox */

extern char **environ;

struct child {
	long maxrss_kib;
	double seconds;
	int status;                  /* exit status, or -1 */
};

/* Spawn argv with stdin, stdout and stderr on /dev/null and wait for it;
 * its peak RSS from wait4. */
static int
run_child(char *const argv[], struct child *c)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	int64_t t0 = bench_now_ns();
	pid_t pid;
	int st, rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	c->status = -1;
	if (rc != 0)
		return -1;
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	c->seconds = (double)(bench_now_ns() - t0) / 1e9;
	c->maxrss_kib = ru.ru_maxrss;
	c->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return c->status == 0 ? 0 : -1;
}

/* ---- the sandbox ---- */

static pid_t
sandbox_start(const char *bin, const char *dir, char *url, size_t cap)
{
	char port_file[4096];
	char *argv[] = {
		bench_arg(bin), bench_arg("--port"), bench_arg("0"), bench_arg("--port-file"),
		port_file, bench_arg("--key"), bench_arg(KEY), bench_arg("--rate-limit"),
		bench_arg("0"), bench_arg("--quiet"), NULL
	};
	struct timespec nap = { 0, 25 * 1000 * 1000 };
	posix_spawn_file_actions_t fa;
	int i, port = 0, st;
	pid_t pid;
	FILE *f;

	snprintf(port_file, sizeof port_file, "%s/sandbox.port", dir);
	unlink(port_file);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	st = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (st != 0)
		return -1;
	for (i = 0; i < START_POLLS && port <= 0; i++) {
		nanosleep(&nap, NULL);
		if ((f = fopen(port_file, "r")) != NULL) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
		}
	}
	if (port <= 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return -1;
	}
	snprintf(url, cap, "http://127.0.0.1:%d", port);
	return pid;
}

static void
sandbox_stop(pid_t pid)
{
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
}

/* ---- the files ---- */

static void
put_event(FILE *f, size_t i)
{
	fprintf(f, "{\"name\":\"welcome-onboarding\",\"to\":\"user-%03zu\","
	        "\"payload\":{\"i\":%zu,\"note\":\"order shipped\"}}", i % 200 + 1, i);
}

/* The events as JSON Lines, as a one-line array, and as the peer's
 * request bodies ({"events":[...]}, 100 each, numbered from 0). */
static int
write_files(const char *dir, size_t n)
{
	char path[4200];
	FILE *lines, *array, *body = NULL;
	size_t i;
	int bad = 0;

	snprintf(path, sizeof path, "%s/events.jsonl", dir);
	lines = fopen(path, "w");
	snprintf(path, sizeof path, "%s/events.json", dir);
	array = fopen(path, "w");
	if (!lines || !array)
		bad = 1;
	for (i = 0; !bad && i < n; i++) {
		put_event(lines, i);
		fputc('\n', lines);
		fputc(i ? ',' : '[', array);
		put_event(array, i);
		if (i % PER_REQUEST == 0) {
			if (body)
				bad |= fclose(body) != 0;
			snprintf(path, sizeof path, "%s/body-%zu.json", dir, i / PER_REQUEST);
			body = fopen(path, "w");
			bad |= !body || fputs("{\"events\":[", body) < 0;
		} else {
			fputc(',', body);
		}
		if (body)
			put_event(body, i);
		if (body && (i % PER_REQUEST == PER_REQUEST - 1 || i + 1 == n))
			fputs("]}", body);
	}
	if (array)
		fputc(']', array);
	bad |= (body && fclose(body) != 0) | (lines && fclose(lines) != 0) |
	       (array && fclose(array) != 0);
	return bad ? -1 : 0;
}

/* ---- the two sides ---- */

static int
ours(const char *console, const char *sandbox, const char *dir, const char *file,
     struct child *c)
{
	char url[64], state[4200], path[4200];
	char *argv[] = { bench_arg(console), bench_arg("bulk"), path, NULL };
	pid_t sb = sandbox_start(sandbox, dir, url, sizeof url);
	int rc;

	if (sb < 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s", dir, file);
	snprintf(state, sizeof state, "%s/state-%s", dir, file);
	setenv("NOVU_API_URL", url, 1);
	setenv("NOVU_SECRET_KEY", KEY, 1);
	setenv("NOVU_CONSOLE_STATE_DIR", state, 1);
	rc = run_child(argv, c);
	sandbox_stop(sb);
	return rc;
}

static int
peer(const char *sandbox, const char *dir, size_t nreq, struct child *c)
{
	char url[128], base[64], hdr[4200], body[4200];
	char *argv[] = {
		bench_arg("curl"), bench_arg("-q"), bench_arg("-sS"), bench_arg("-f"),
		bench_arg("-o"), bench_arg("/dev/null"), bench_arg("-H"), hdr, bench_arg("-H"),
		bench_arg("Content-Type: application/json"), bench_arg("--data-binary"), body, url,
		NULL
	};
	struct child one;
	pid_t sb = sandbox_start(sandbox, dir, base, sizeof base);
	size_t k;
	int rc = 0;
	FILE *f;

	if (sb < 0)
		return -1;
	snprintf(url, sizeof url, "%s/v1/events/trigger/bulk", base);
	snprintf(hdr, sizeof hdr, "@%s/auth.header", dir);
	f = fopen(hdr + 1, "w");
	if (!f || fprintf(f, "Authorization: ApiKey %s\n", KEY) < 0)
		rc = -1;
	if (f && fclose(f) != 0)
		rc = -1;
	c->maxrss_kib = 0;
	c->seconds = 0;
	c->status = rc;
	for (k = 0; rc == 0 && k < nreq; k++) {
		snprintf(body, sizeof body, "@%s/body-%zu.json", dir, k);
		rc = run_child(argv, &one);
		c->seconds += one.seconds;
		if (one.maxrss_kib > c->maxrss_kib)
			c->maxrss_kib = one.maxrss_kib;
	}
	sandbox_stop(sb);
	if (rc != 0)
		c->status = one.status;
	return rc;
}

static void
row(const char *what, size_t n, const struct child *o, const struct child *p)
{
	char label[160], count[32], ov[32], pv[96], ratio[32];

	snprintf(label, sizeof label, "Bulk of %s events, %s: peak RSS (lower is better)",
	         bench_count(n, count, sizeof count), what);
	snprintf(ov, sizeof ov, "%.1f MiB", (double)o->maxrss_kib / 1024.0);
	snprintf(pv, sizeof pv, "%.1f MiB (curl tool, a process per request)",
	         (double)p->maxrss_kib / 1024.0);
	snprintf(ratio, sizeof ratio, "%.2f×", (double)p->maxrss_kib / (double)o->maxrss_kib);
	bench_row_text(label, ov, pv, ratio);
}

int
main(int argc, char **argv)
{
	const char *console = NC_CONSOLE_BIN, *sandbox = NC_SANDBOX_BIN;
	struct child lines = { 0, 0, -1 }, array = lines, curl = lines;
	size_t n = 100000, nreq;
	char *dir, config[4200], count[32];
	int i, rc = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--console") == 0 && i + 1 < argc)
			console = argv[++i];
		else if (strcmp(argv[i], "--sandbox") == 0 && i + 1 < argc)
			sandbox = argv[++i];
		else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
			n = strtoul(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: bench_bulk_rss [--console PATH] [--sandbox PATH] "
			        "[--events N]\n");
			return 2;
		}
	}
	nreq = (n + PER_REQUEST - 1) / PER_REQUEST;
	dir = bench_make_tmpdir(NULL, "bench-bulk-rss");
	if (!dir || n == 0 || write_files(dir, n) != 0) {
		bench_progress("bulk-rss: set-up failed");
		goto out;
	}
	/* A profile directory of its own: the user's profiles play no part. */
	snprintf(config, sizeof config, "%s/config", dir);
	setenv("NOVU_CONSOLE_CONFIG_DIR", config, 1);
	bench_progress("bulk-rss: %zu events, JSON Lines", n);
	if (ours(console, sandbox, dir, "events.jsonl", &lines) != 0)
		bench_progress("bulk-rss: bulk of JSON Lines failed (exit %d)", lines.status);
	bench_progress("bulk-rss: %zu events, one-line JSON array", n);
	if (ours(console, sandbox, dir, "events.json", &array) != 0)
		bench_progress("bulk-rss: bulk of the JSON array failed (exit %d)", array.status);
	bench_progress("bulk-rss: the curl tool, %zu requests", nreq);
	if (peer(sandbox, dir, nreq, &curl) != 0)
		bench_progress("bulk-rss: the curl tool failed (exit %d)", curl.status);
	if (lines.status == 0 && array.status == 0 && curl.status == 0) {
		row("JSON Lines", n, &lines, &curl);
		row("a JSON array on one line", n, &array, &curl);
		rc = 0;
	}
	bench_note("`novu-console bulk FILE` against a fresh sandbox on 127.0.0.1 "
	           "(--rate-limit 0), with a state directory of its own; %s events of about "
	           "100 bytes each, sent as %zu requests of %d. Peak RSS is the process's "
	           "ru_maxrss (wait4). Took %.1f s (JSON Lines) and %.1f s (array).",
	           bench_count(n, count, sizeof count), nreq, PER_REQUEST, lines.seconds,
	           array.seconds);
	bench_note("Peer: the same events as the same %zu bulk bodies, one `curl` process "
	           "per request (--data-binary @file, the key from a header file), against a "
	           "fresh sandbox: the largest ru_maxrss of those processes, %.1f s in all.",
	           nreq, curl.seconds);
out:
	if (dir)
		bench_rmtree(dir);
	free(dir);
	return rc;
}
