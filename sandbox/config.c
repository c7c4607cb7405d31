/* config.c - parse the command line (both "--opt V" and "--opt=V"). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

enum opt_id {
	OPT_PORT, OPT_PORT_FILE, OPT_LISTEN_FD, OPT_KEY, OPT_LATENCY, OPT_FAIL_RATE, OPT_FAIL_STATUS,
	OPT_DROP_RATE, OPT_PENDING, OPT_RATE_LIMIT, OPT_RATE_WINDOW, OPT_SEED, OPT_QUIET,
	OPT_STATE_DIR, OPT_WORLD_CAP, OPT_NO_IDEM, OPT_HELP, OPT_VERSION
};

struct opt_def {
	const char *name;
	enum opt_id id;
	int has_arg;
};

static const struct opt_def opt_defs[] = {
	{ "--port", OPT_PORT, 1 },
	{ "--port-file", OPT_PORT_FILE, 1 },
	{ "--listen-fd", OPT_LISTEN_FD, 1 },
	{ "--key", OPT_KEY, 1 },
	{ "--latency-ms", OPT_LATENCY, 1 },
	{ "--fail-rate", OPT_FAIL_RATE, 1 },
	{ "--fail-status", OPT_FAIL_STATUS, 1 },
	{ "--drop-rate", OPT_DROP_RATE, 1 },
	{ "--pending-seconds", OPT_PENDING, 1 },
	{ "--rate-limit", OPT_RATE_LIMIT, 1 },
	{ "--rate-window", OPT_RATE_WINDOW, 1 },
	{ "--seed", OPT_SEED, 1 },
	{ "--quiet", OPT_QUIET, 0 },
	{ "--state-dir", OPT_STATE_DIR, 1 },
	{ "--no-idempotency", OPT_NO_IDEM, 0 },
	/* Not in the usage text: lets tests reach the caps with a few requests. */
	{ "--world-cap", OPT_WORLD_CAP, 1 },
	{ "--help", OPT_HELP, 0 },
	{ "-h", OPT_HELP, 0 },
	{ "--version", OPT_VERSION, 0 },
};

void
config_usage(FILE *out)
{
	fputs("usage: novu-sandbox [--port N | --listen-fd FD] [--port-file FILE] [--key KEY]\n"
	      "                    [--latency-ms N]\n"
	      "                    [--fail-rate P] [--fail-status CODE] [--drop-rate P]\n"
	      "                    [--pending-seconds N] [--rate-limit TOKENS]\n"
	      "                    [--rate-window SECONDS] [--seed N] [--quiet]\n"
	      "                    [--state-dir DIR] [--no-idempotency]\n"
	      "A local emulator of the Novu REST API on 127.0.0.1 (see sandbox/main.c).\n",
	      out);
}

static const struct opt_def *
find_opt(const char *arg, const char **inline_val)
{
	size_t i, n;

	*inline_val = NULL;
	for (i = 0; i < sizeof(opt_defs) / sizeof(opt_defs[0]); i++) {
		n = strlen(opt_defs[i].name);
		if (strncmp(arg, opt_defs[i].name, n) != 0)
			continue;
		if (arg[n] == '\0')
			return &opt_defs[i];
		if (arg[n] == '=' && opt_defs[i].has_arg) {
			*inline_val = arg + n + 1;
			return &opt_defs[i];
		}
	}
	return NULL;
}

/* Store one option's value; 0 on success. */
static int
apply_opt(struct sb_config *cfg, enum opt_id id, const char *v)
{
	long l;
	double d;

	switch (id) {
	case OPT_PORT:
		if (util_parse_long(v, 0, 65535, &l))
			return -1;
		cfg->port = (unsigned int)l;
		return 0;
	case OPT_PORT_FILE:
		cfg->port_file = v;
		return *v ? 0 : -1;
	case OPT_LISTEN_FD:
		if (util_parse_long(v, 0, 65535, &l))
			return -1;
		cfg->listen_fd = (int)l;
		return 0;
	case OPT_KEY:
		cfg->key = v;
		return *v ? 0 : -1;
	case OPT_LATENCY:
		return util_parse_long(v, 0, 3600000, &cfg->latency_ms);
	case OPT_FAIL_RATE:
		return util_parse_double(v, 0.0, 1.0, &cfg->fail_rate);
	case OPT_FAIL_STATUS:
		if (util_parse_long(v, 100, 599, &l))
			return -1;
		cfg->fail_status = (unsigned int)l;
		return 0;
	case OPT_DROP_RATE:
		return util_parse_double(v, 0.0, 1.0, &cfg->drop_rate);
	case OPT_PENDING:
		if (util_parse_double(v, 0.0, 86400.0 * 7, &d))
			return -1;
		cfg->pending_seconds = d;
		return 0;
	case OPT_RATE_LIMIT:
		return util_parse_long(v, 0, 100000000, &cfg->rate_limit);
	case OPT_RATE_WINDOW:
		return util_parse_long(v, 1, 86400, &cfg->rate_window);
	case OPT_SEED: {
		char *end;

		cfg->seed = strtoull(v, &end, 10);
		cfg->have_seed = 1;
		return (*v && *end == '\0') ? 0 : -1;
	}
	case OPT_QUIET:
		cfg->quiet = 1;
		return 0;
	case OPT_STATE_DIR:
		cfg->state_dir = v;
		return *v ? 0 : -1;
	case OPT_NO_IDEM:
		cfg->idempotency = 0;
		return 0;
	case OPT_WORLD_CAP:
		return util_parse_long(v, 1, 10000000, &cfg->world_cap);
	case OPT_HELP:
	case OPT_VERSION:
		return 0;
	}
	return -1;
}

enum config_result
config_parse(struct sb_config *cfg, int argc, char **argv)
{
	const struct opt_def *def;
	const char *val;
	int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->listen_fd = -1;
	cfg->key = SB_DEFAULT_KEY;
	cfg->fail_status = 503;
	cfg->pending_seconds = 30;
	cfg->rate_limit = 300;
	cfg->rate_window = 5;
	cfg->world_cap = 100000;
	cfg->idempotency = 1;
	for (i = 1; i < argc; i++) {
		def = find_opt(argv[i], &val);
		if (!def) {
			fprintf(stderr, "novu-sandbox: unknown option '%s'\n", argv[i]);
			config_usage(stderr);
			return CONFIG_ERROR;
		}
		if (def->id == OPT_HELP) {
			config_usage(stdout);
			return CONFIG_EXIT_OK;
		}
		if (def->id == OPT_VERSION) {
#ifdef NC_VERSION
			printf("novu-sandbox %s\n", NC_VERSION);
#else
			puts("novu-sandbox");
#endif
			return CONFIG_EXIT_OK;
		}
		if (def->has_arg && !val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "novu-sandbox: %s needs a value\n", def->name);
				return CONFIG_ERROR;
			}
			val = argv[++i];
		}
		if (apply_opt(cfg, def->id, val ? val : "") != 0) {
			fprintf(stderr, "novu-sandbox: bad value '%s' for %s\n", val ? val : "",
			        def->name);
			return CONFIG_ERROR;
		}
	}
	return CONFIG_OK;
}
