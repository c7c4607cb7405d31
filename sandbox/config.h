/* config.h - the sandbox's command line. */
#ifndef SB_CONFIG_H
#define SB_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#define SB_DEFAULT_KEY "sk_sandbox_local"

struct sb_config {
	unsigned int port;         /* 0: pick a free port */
	const char *port_file;     /* NULL: none (points into argv) */
	int listen_fd;             /* -1: none; else a socket already bound and
	                              listening, handed over by whoever started
	                              us (the console), which knows its port */
	const char *key;           /* the accepted secret key (points into argv) */
	long latency_ms;
	double fail_rate;          /* 0..1 */
	unsigned int fail_status;  /* default 503 */
	double drop_rate;          /* 0..1 */
	double pending_seconds;    /* delay/digest window, default 30 */
	long rate_limit;           /* tokens per window; 0 disables limiting */
	long rate_window;          /* seconds */
	int have_seed;
	uint64_t seed;
	int quiet;
	const char *state_dir;     /* NULL: the world lives in memory only */
	long world_cap;            /* transactions and idempotency keys kept */
	int idempotency;           /* 0: Idempotency-Key ignored (--no-idempotency) */
};

enum config_result { CONFIG_OK, CONFIG_EXIT_OK, CONFIG_ERROR };

/* Fill cfg from argv. CONFIG_EXIT_OK: --help/--version was printed;
 * CONFIG_ERROR: a message was printed to stderr. */
enum config_result config_parse(struct sb_config *cfg, int argc, char **argv);

void config_usage(FILE *out);

#endif
