/* novu-sandbox - a local emulator of the Novu REST API for novu-console.
 *
 * The console starts it when no API key is configured, so a new user can try
 * everything, and the tests run against it. It behaves like the Novu API
 * does: the events endpoints (trigger, bulk,
 * broadcast, cancel) with real validation, payload schemas, size limits,
 * Idempotency-Key handling and token-bucket rate limits; the pick lists
 * (/v2/workflows, /v2/subscribers, /v2/topics) over deterministic seed data;
 * and /v1/notifications showing what each transaction did, with delay and
 * digest workflows pending until --pending-seconds pass or a cancel.
 *
 * Usage:
 *   novu-sandbox [--port N | --listen-fd FD] [--port-file FILE] [--key KEY]
 *                [--latency-ms N]
 *                [--fail-rate P] [--fail-status CODE] [--drop-rate P]
 *                [--pending-seconds N] [--rate-limit TOKENS]
 *                [--rate-window SECONDS] [--seed N] [--quiet]
 *                [--state-dir DIR] [--no-idempotency]
 *
 *   --port N             listen on 127.0.0.1:N (default 0: a free port)
 *   --port-file FILE     write the bound port to FILE once listening
 *   --listen-fd FD       serve the socket FD, already bound and listening
 *                        (the console makes it, so it knows the URL at once
 *                        and draws its first frame while we start; clients
 *                        wait in its backlog until we accept)
 *   --key KEY            accepted secret (default sk_sandbox_local); requests
 *                        need "Authorization: ApiKey KEY", else 401
 *   --latency-ms N       delay every API answer by N ms
 *   --fail-rate P        answer a fraction P (0..1) of API requests with
 *                        --fail-status CODE (default 503; 429/503 carry
 *                        Retry-After: 1)
 *   --drop-rate P        close a fraction P of connections without answering
 *   --pending-seconds N  how long delay/digest transactions stay cancellable
 *                        (default 30; fractions allowed)
 *   --rate-limit TOKENS  bucket size per --rate-window SECONDS (defaults 300
 *                        and 5; burst floor(TOKENS*1.1); 0 turns limits off)
 *   --seed N             make random faults and generated ids repeatable
 *   --quiet              no per-request access log on stderr
 *   --no-idempotency     ignore Idempotency-Key (no replays, no 409/422, no
 *                        Idempotency-Key header): in Novu idempotency is a
 *                        per-organisation feature flag, like rate limits
 *   --state-dir DIR      keep the world (transactions, pending delay/digest
 *                        jobs, idempotency keys with their answers,
 *                        subscribers and tenants added by triggers) in
 *                        DIR/sandbox-world.jsonl and share it with every
 *                        sandbox using the same DIR (see world.h); without
 *                        it the world lives in memory only. The console
 *                        passes its state directory's sandbox/ here.
 *
 * The world keeps at most 100,000 transactions and 100,000 idempotency
 * keys; past that the oldest are forgotten (never refused). A hidden
 * --world-cap N lowers both caps, for tests. Both are found by hash, so a
 * trigger costs the same after 100,000 as after 10. Memory at the caps: a
 * peak RSS (VmHWM) of about 72 MB after 110,000 one-recipient triggers
 * with idempotency keys (Release build; see doc/sandbox-fidelity.md for
 * the measurement, sandbox/loadgen.js for the load). The journal is appended with
 * one write() per change and never fsync'ed per request: the world is a
 * convenience for trying things out, not a bank; a crash can lose the last
 * few records, and a torn last line is skipped on the next start.
 *
 * Once listening it prints exactly one line to stdout,
 *   novu-sandbox listening on http://127.0.0.1:PORT
 * and runs until SIGTERM or SIGINT, then shuts down cleanly.
 *
 * Test control endpoints (no auth, loopback only):
 *   POST /__sandbox/faults   {"failNext":N,"status":503,"retryAfter":1,
 *                             "dropNext":N,"latencyMs":N,"path":P} - one-shot
 *                             faults for the next N API requests (to path P
 *                             only, when given; null: any), and the latency
 *   GET  /__sandbox/faults   the current fault settings
 *   GET  /__sandbox/requests every API request so far ([?since=SEQ]):
 *                            {seq,method,path,query,idempotencyKey,bodySha,
 *                             bodySize,body,status,dropped,time,clientPort,
 *                             inFlight}
 *   POST /__sandbox/reset    clear the log, faults, rate buckets and the
 *                            world (transactions, idempotency keys, added
 *                            subscribers; with --state-dir also the file,
 *                            so other sandboxes on it start over too)
 *   GET  /__sandbox/health   {"ok":true}
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activity.h"
#include "config.h"
#include "events.h"
#include "faults.h"
#include "idem.h"
#include "ratelimit.h"
#include "reqlog.h"
#include "server.h"
#include "store.h"
#include "util.h"
#include "world.h"

/* Write the port through a temporary file and rename(), so a reader never
 * sees a half-written file. */
static int
write_port_file(const char *path, unsigned int port)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	FILE *f;
	int ok;

	if (!tmp)
		return -1;
	snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f) {
		free(tmp);
		return -1;
	}
	ok = fprintf(f, "%u\n", port) > 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/* Block the shutdown signals in every thread (MHD's threads inherit the
 * mask) and wait for one in the main thread. */
static void
block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
main(int argc, char **argv)
{
	struct sb_config cfg;
	struct sb_server *srv;
	sigset_t set;
	int sig = 0;

	switch (config_parse(&cfg, argc, argv)) {
	case CONFIG_EXIT_OK:
		return 0;
	case CONFIG_ERROR:
		return 2;
	case CONFIG_OK:
		break;
	}
	if (cfg.have_seed)
		util_rng_seed(cfg.seed);
	block_signals(&set);
	store_set_txn_cap((size_t)cfg.world_cap);
	idem_set_cap((size_t)cfg.world_cap);
	store_init();
	/* A world that cannot be saved must not keep the console from trying
	 * things out: carry on in memory. */
	if (cfg.state_dir && world_open(cfg.state_dir) != 0)
		fprintf(stderr, "novu-sandbox: keeping the world in memory only\n");
	events_init(cfg.pending_seconds);
	faults_init(&cfg);
	ratelimit_init(cfg.rate_limit, cfg.rate_window);

	srv = server_start(&cfg);
	if (!srv) {
		world_close();
		idem_free();
		store_free();
		return 1;
	}
	if (cfg.port_file && write_port_file(cfg.port_file, server_port(srv)) != 0)
		fprintf(stderr, "novu-sandbox: cannot write port file %s\n", cfg.port_file);
	printf("novu-sandbox listening on http://127.0.0.1:%u\n", server_port(srv));
	fflush(stdout);
	world_load();
	/* What the sandbox's own backend triggered: pending work to find. Once
	 * per world (fixed transactionIds), so every process sees the same. */
	activity_seed_world();

	sigwait(&set, &sig);
	if (!cfg.quiet)
		fprintf(stderr, "novu-sandbox: %s, shutting down\n",
		        sig == SIGINT ? "SIGINT" : "SIGTERM");
	server_stop(srv);
	reqlog_free();
	world_close();
	idem_free();
	store_free();
	return 0;
}
