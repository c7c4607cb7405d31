/* cli.c - argv parsing and dispatch: headless subcommands, or the console
 * when none is given. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "bulkrun.h"
#include "jsonutil.h"
#include "commands.h"
#include "keysource.h"
#include "redact.h"
#include "textbuf.h"
#include "url.h"
#include "ui.h"

enum cmd_id {
	CMD_TUI, CMD_TRIGGER, CMD_BROADCAST, CMD_BULK, CMD_CANCEL, CMD_HISTORY,
	CMD_WORKFLOWS, CMD_SUBSCRIBERS, CMD_TOPICS, CMD_STATUS, CMD_PROFILES, CMD_KEYS,
	CMD_SANDBOX, CMD_PENDING, CMD_PREVIEW, CMD_COUNT
};

#define B(cmd) (1u << (cmd))
#define SENDS (B(CMD_TRIGGER) | B(CMD_BROADCAST))
#define LISTS (B(CMD_WORKFLOWS) | B(CMD_SUBSCRIBERS) | B(CMD_TOPICS))

struct command {
	const char *name;
	int (*run)(struct cli_ctx *c);
	int min_args, max_args;
	const char *usage;
	const char *summary;
	const char *missing;   /* what to say when the argument is missing */
};

static const struct command commands[CMD_COUNT] = {
	[CMD_TUI] = { "", NULL, 0, 0, "", "" },
	[CMD_TRIGGER] = { "trigger", cmd_trigger, 1, 1,
		"trigger WORKFLOW --to SUBSCRIBER_ID... [--topic KEY [--exclude ID]...]\n"
		"          [--payload JSON|@FILE] [--overrides JSON|@FILE] [--actor ID|JSON]\n"
		"          [--tenant ID|JSON] [--context JSON|@FILE] [--transaction-id ID]\n"
		"          [--idempotency-key KEY]\n"
		"          [--dry-run] [--check] [--json]",
		"trigger a workflow for up to 100 recipients (--check: only check the payload)",
		"give the WORKFLOW to trigger (novu-console workflows lists them)" },
	[CMD_BROADCAST] = { "broadcast", cmd_broadcast, 1, 1,
		"broadcast WORKFLOW [--payload JSON|@FILE] [--overrides JSON|@FILE] [--actor ID|JSON]\n"
		"          [--tenant ID|JSON] [--context JSON|@FILE] [--transaction-id ID]\n"
		"          [--idempotency-key KEY] [--dry-run] [--json] --yes",
		"send a workflow to every subscriber (needs --yes)",
		"give the WORKFLOW to broadcast (novu-console workflows lists them)" },
	[CMD_BULK] = { "bulk", cmd_bulk, 0, 1,
		"bulk FILE|- [--dry-run] [--json] [--parallel N] | bulk --resume [--parallel N] | bulk --drop",
		"trigger many events: CSV with a header, JSON Lines, a JSON array, or {\"events\":[...]}" },
	[CMD_CANCEL] = { "cancel", cmd_cancel, 1, 1, "cancel TRANSACTION_ID [--json]",
		"cancel pending delays and digests of a transaction",
		"give the TRANSACTION_ID to cancel (novu-console history lists them)" },
	[CMD_HISTORY] = { "history", cmd_history, 0, 0,
		"history [--json] [--limit N] [--search TEXT]",
		"list sends and cancels, newest first" },
	[CMD_WORKFLOWS] = { "workflows", cmd_workflows, 0, 0,
		"workflows [--search TEXT] [--limit N] [--json] | workflows --schema ID [--json]",
		"list workflows (--schema ID: its payload schema and an example)" },
	[CMD_SUBSCRIBERS] = { "subscribers", cmd_subscribers, 0, 0,
		"subscribers [--search SUBSCRIBER_ID] [--limit N] [--json]", "list subscribers" },
	[CMD_TOPICS] = { "topics", cmd_topics, 0, 0,
		"topics [--search KEY] [--limit N] [--json]", "list topics" },
	[CMD_STATUS] = { "status", cmd_status, 1, 1, "status TRANSACTION_ID [--json]",
		"delivery status of a transaction's jobs",
		"give the TRANSACTION_ID to look up (novu-console history lists them)" },
	[CMD_PROFILES] = { "profiles", cmd_profiles, 0, 0, "profiles",
		"list configured profiles and show the active one" },
	[CMD_KEYS] = { "keys", NULL, 0, 0, "keys", "print the console's key bindings" },
	[CMD_SANDBOX] = { "sandbox", cmd_sandbox, 1, 1, "sandbox reset",
		"forget the local sandbox's saved world (transactions, keys)",
		"give the action: reset" },
	[CMD_PENDING] = { "pending", NULL, 0, 0, CMD_PENDING_USAGE,
		"list (and --cancel) delays and digests still waiting, whoever sent them" },
	[CMD_PREVIEW] = { "preview", cmd_preview, 1, 1,
		"preview WORKFLOW [--step STEP_ID] [--to SUBSCRIBER_ID|JSON] [--payload JSON|@FILE]",
		"show what each step of a workflow will say (Novu renders it; nothing is sent)",
		"give the WORKFLOW to preview (novu-console workflows lists them)" },
};

enum opt_id {
	OPT_PROFILE = 256, OPT_API_URL, OPT_TO, OPT_TOPIC, OPT_EXCLUDE, OPT_PAYLOAD,
	OPT_OVERRIDES, OPT_ACTOR, OPT_TENANT, OPT_CONTEXT, OPT_TXID, OPT_IDEM,
	OPT_DRY_RUN, OPT_JSON, OPT_YES, OPT_RESUME, OPT_DROP, OPT_LIMIT, OPT_SEARCH,
	OPT_MAX_FRAMES, OPT_MAX_WAIT, OPT_PARALLEL, OPT_KEY, OPT_VERSION, OPT_HELP, OPT_CHECK,
	OPT_SCHEMA, OPT_STEP
};

/* Which subcommands accept each option (global ones: all). */
static const struct {
	int id;
	unsigned allowed;
} option_scope[] = {
	{ OPT_TO, B(CMD_TRIGGER) | B(CMD_PREVIEW) }, { OPT_TOPIC, B(CMD_TRIGGER) },
	{ OPT_EXCLUDE, B(CMD_TRIGGER) },
	{ OPT_PAYLOAD, SENDS | B(CMD_PREVIEW) }, { OPT_STEP, B(CMD_PREVIEW) },
	{ OPT_OVERRIDES, SENDS }, { OPT_ACTOR, SENDS },
	{ OPT_TENANT, SENDS }, { OPT_CONTEXT, SENDS }, { OPT_TXID, SENDS },
	{ OPT_IDEM, SENDS | B(CMD_BULK) },
	{ OPT_DRY_RUN, SENDS | B(CMD_BULK) | B(CMD_CANCEL) },
	{ OPT_JSON, SENDS | B(CMD_BULK) | B(CMD_CANCEL) | B(CMD_HISTORY) | LISTS | B(CMD_STATUS) },
	{ OPT_YES, B(CMD_BROADCAST) }, { OPT_RESUME, B(CMD_BULK) }, { OPT_DROP, B(CMD_BULK) }, { OPT_PARALLEL, B(CMD_BULK) },
	{ OPT_LIMIT, B(CMD_HISTORY) | LISTS }, { OPT_SEARCH, B(CMD_HISTORY) | LISTS },
	{ OPT_MAX_FRAMES, B(CMD_TUI) },
	{ OPT_CHECK, B(CMD_TRIGGER) }, { OPT_SCHEMA, B(CMD_WORKFLOWS) },
};

static const struct option long_options[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "api-url", required_argument, NULL, OPT_API_URL },
	{ "to", required_argument, NULL, OPT_TO },
	{ "topic", required_argument, NULL, OPT_TOPIC },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "payload", required_argument, NULL, OPT_PAYLOAD },
	{ "overrides", required_argument, NULL, OPT_OVERRIDES },
	{ "actor", required_argument, NULL, OPT_ACTOR },
	{ "tenant", required_argument, NULL, OPT_TENANT },
	{ "context", required_argument, NULL, OPT_CONTEXT },
	{ "transaction-id", required_argument, NULL, OPT_TXID },
	{ "idempotency-key", required_argument, NULL, OPT_IDEM },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ "drop", no_argument, NULL, OPT_DROP },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "search", required_argument, NULL, OPT_SEARCH },
	{ "step", required_argument, NULL, OPT_STEP },
	{ "max-frames", required_argument, NULL, OPT_MAX_FRAMES },
	{ "max-wait", required_argument, NULL, OPT_MAX_WAIT },
	{ "parallel", required_argument, NULL, OPT_PARALLEL },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "api-key", required_argument, NULL, OPT_KEY },
	{ "secret-key", required_argument, NULL, OPT_KEY },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "schema", required_argument, NULL, OPT_SCHEMA },
	{ NULL, 0, NULL, 0 },
};

static void
print_usage(FILE *f)
{
	int i;

	fprintf(f, "usage: novu-console [--profile NAME] [--api-url URL] [--max-wait SECONDS]\n"
	           "                    [COMMAND [ARGS]]\n\n"
	           "Without a command, opens the console. Commands:\n");
	for (i = 1; i < CMD_COUNT; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nUsage of each command:\n");
	for (i = 1; i < CMD_COUNT; i++)
		fprintf(f, "  novu-console %s\n", commands[i].usage);
	fprintf(f,
	        "\nThe API key comes from NOVU_SECRET_KEY (or NOVU_API_KEY) or the profile's\n"
	        "[secret] source, never from the command line. With no key configured, the\n"
	        "console starts the local sandbox (novu-sandbox) and talks to it.\n"
	        "--max-wait SECONDS bounds each HTTP call, its retries and their waits\n"
	        "included (default: the profile's [http] retry_max_time, 60); no single\n"
	        "wait is longer than 30 s, and each one is said on stderr.\n"
	        "Exit codes: 0 ok, 1 local failure (History/state storage, out of memory),\n"
	        "2 usage or validation error (nothing sent), 3 the API refused, 4 network\n"
	        "or server failure after retries.\n"
	        "See novu-console(1).\n");
}

static int usage_error(struct cli_ctx *c, enum cmd_id cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
usage_error(struct cli_ctx *c, enum cmd_id cmd, const char *fmt, ...)
{
	struct textbuf b = TEXTBUF_INIT(0);
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	(void)textbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	/* Arguments are echoed: a key pasted as one is hidden. */
	msg = redact_secrets(b.data ? b.data : "", keysource_env_key(NULL));
	textbuf_free(&b);
	fprintf(c->err, "novu-console: %s", msg ? msg : nc_status_message(NC_E_USAGE));
	free(msg);
	fprintf(c->err, "\nusage: novu-console %s\n", cmd == CMD_TUI
	        ? "[--profile NAME] [--api-url URL] [--max-wait SECONDS] [COMMAND [ARGS]] "
	          "(see --help)"
	        : commands[cmd].usage);
	return 2;
}

static enum cmd_id
find_command(const char *name)
{
	int i;

	for (i = 1; i < CMD_COUNT; i++)
		if (strcmp(commands[i].name, name) == 0)
			return (enum cmd_id)i;
	return CMD_COUNT;
}

static int
option_allowed(int id, enum cmd_id cmd)
{
	size_t i;

	for (i = 0; i < sizeof(option_scope) / sizeof(option_scope[0]); i++)
		if (option_scope[i].id == id)
			return (option_scope[i].allowed & B(cmd)) != 0;
	return 1; /* global */
}

static const char *
option_name(int id)
{
	const struct option *o;

	for (o = long_options; o->name; o++)
		if (o->val == id)
			return o->name;
	return "?";
}

static int
parse_long(const char *text, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v <= 0)
		return -1;
	*out = v;
	return 0;
}

/* --max-wait: seconds, fractions allowed, up to a day (the profile's
 * retry_max_time range). */
int
cli_set_max_wait(struct cli_ctx *c, const char *arg)
{
	char *end;
	double s;

	errno = 0;
	s = strtod(arg, &end);
	if (errno || end == arg || *end || !(s > 0) || s > 86400 || s * 1000 < 1) {
		fprintf(c->err, "novu-console: --max-wait %s: give the most seconds one HTTP call "
		                "may take, retries included: a number above 0 and at most 86400 "
		                "(e.g. --max-wait 30)\n", arg);
		return -1;
	}
	c->max_wait_ms = (long)(s * 1000 + 0.5);
	return 0;
}

/* --parallel: how many bulk requests may be in flight at once; the range
 * is the engine's (bulkrun.h). */
static int
set_parallel(struct cli_ctx *c, const char *arg)
{
	long n;

	if (parse_long(arg, &n) != 0 || n > NC_BULK_PARALLEL_MAX) {
		fprintf(c->err, "novu-console: --parallel %s: give how many bulk requests may be in "
		                "flight at once, a whole number from 1 to %d (default %d)\n", arg,
		        NC_BULK_PARALLEL_MAX, NC_BULK_PARALLEL_DEFAULT);
		return -1;
	}
	c->parallel = (int)n;
	return 0;
}

/* --to takes a subscriber ID, or a subscriber object as JSON, which is read
 * the way a bulk file's `to` would be. */
static int
add_to(struct cli_ctx *c, const char *arg)
{
	struct nc_recipient r = { .kind = NC_RCPT_SUBSCRIBER_ID };
	struct nc_event tmp;
	struct nc_error err = NC_ERROR_INIT;
	cJSON *obj, *wrap;
	int rc = 0;

	if (arg[0] != '{') {
		r.id = (char *)(uintptr_t)arg;
		return event_add_recipient(&c->ev, &r) ? -1 : 0;
	}
	event_init(&tmp);
	obj = json_parse_field(arg, strlen(arg), "--to", 1, &err);
	wrap = cJSON_CreateObject();
	if (!obj || !wrap || !cJSON_AddStringToObject(wrap, "name", "-") ||
	    !cJSON_AddItemToObject(wrap, "to", obj)) {
		cJSON_Delete(obj);
		rc = -1;
	} else if (event_from_json(&tmp, wrap, "--", &err) != NC_OK || tmp.nto != 1 ||
	           event_add_recipient(&c->ev, &tmp.to[0]) != NC_OK) {
		rc = -1;
	}
	if (rc)
		cli_report_error(c, NC_E_USAGE, &err);
	cJSON_Delete(wrap);
	event_clear(&tmp);
	nc_error_clear(&err);
	return rc;
}

static int
add_topic(struct cli_ctx *c, const char *key)
{
	struct nc_recipient r = { .kind = NC_RCPT_TOPIC };

	r.id = (char *)(uintptr_t)key;
	return event_add_recipient(&c->ev, &r) ? -1 : 0;
}

/* --exclude belongs to the --topic before it. */
static int
add_exclude(struct cli_ctx *c, const char *id)
{
	struct nc_recipient *last = c->ev.nto ? &c->ev.to[c->ev.nto - 1] : NULL;

	if (!last || last->kind != NC_RCPT_TOPIC) {
		fprintf(c->err, "novu-console: --exclude %s must follow the --topic it applies to\n", id);
		return -1;
	}
	return recipient_add_exclude(last, id) ? -1 : 0;
}

/* --api-url follows the profile's url rule; the reason never quotes it. */
static int
set_api_url(struct cli_ctx *c, const char *arg)
{
	char why[256];

	if (url_check_base(arg, NULL, why, sizeof(why)) != NC_OK) {
		fprintf(c->err, "novu-console: --api-url cannot be used: %s\n", why);
		return -1;
	}
	c->api_url = arg;
	return 0;
}

static int
apply_option(struct cli_ctx *c, int id, const char *arg, long *max_frames)
{
	switch (id) {
	case OPT_PROFILE: c->profile = arg; return 0;
	case OPT_API_URL: return set_api_url(c, arg);
	case OPT_MAX_WAIT: return cli_set_max_wait(c, arg);
	case OPT_PARALLEL: return set_parallel(c, arg);
	case OPT_TO: return add_to(c, arg);
	case OPT_TOPIC: return add_topic(c, arg);
	case OPT_EXCLUDE: return add_exclude(c, arg);
	case OPT_PAYLOAD: c->payload = arg; return 0;
	case OPT_OVERRIDES: c->overrides = arg; return 0;
	case OPT_CONTEXT: c->context = arg; return 0;
	case OPT_ACTOR: return nc_strset(&c->ev.actor, arg);
	case OPT_TENANT: return nc_strset(&c->ev.tenant, arg);
	case OPT_TXID: return nc_strset(&c->ev.transaction_id, arg);
	case OPT_IDEM: c->idempotency_key = arg; return 0;
	case OPT_DRY_RUN: c->dry_run = 1; return 0;
	case OPT_JSON: c->json = 1; return 0;
	case OPT_YES: c->yes = 1; return 0;
	case OPT_RESUME: c->resume = 1; return 0;
	case OPT_DROP: c->drop = 1; return 0;
	case OPT_CHECK: c->check = 1; return 0;
	case OPT_SCHEMA: c->schema_of = arg; return 0;
	case OPT_SEARCH: c->search = arg; return 0;
	case OPT_STEP: c->step = arg; return 0;
	case OPT_LIMIT:
		if (parse_long(arg, &c->limit) == 0)
			return 0;
		fprintf(c->err, "novu-console: --limit %s: give a whole number above 0\n", arg);
		return -1;
	case OPT_MAX_FRAMES:
		if (parse_long(arg, max_frames) == 0)
			return 0;
		fprintf(c->err, "novu-console: --max-frames %s: give a whole number above 0\n", arg);
		return -1;
	default:
		return -1;
	}
}

/* The subcommand is the first non-option word; global options may come
 * before or after it. */
static enum cmd_id
detect_command(int argc, char **argv, int *index)
{
	int i;
	const struct option *o;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (argv[i][0] != '-' || argv[i][1] == '\0') {
			*index = i;
			return find_command(argv[i]);
		}
		if (strchr(argv[i], '='))
			continue;
		if (argv[i][1] != '-')
			continue;
		/* "--opt VALUE": skip the value, so it is not taken for the command. */
		for (o = long_options; o->name; o++) {
			if (strcmp(argv[i] + 2, o->name) == 0) {
				i += o->has_arg == required_argument;
				break;
			}
		}
	}
	*index = 0;
	return CMD_TUI;
}

static int
run_tui(struct cli_ctx *c, long max_frames)
{
	struct ui_options uo = { 0 };
	const char *nd = getenv("NOVU_CONSOLE_NO_DISPLAY");
	int rc;

	uo.script = getenv("NOVU_CONSOLE_SCRIPT");
	uo.no_display = nd && *nd && strcmp(nd, "0") != 0;
	uo.max_frames = max_frames;
	if (!uo.script && !uo.no_display && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fprintf(c->err, "novu-console: the console needs a terminal; for scripts use the "
		                "headless commands (novu-console --help)\n");
		return 2;
	}
	c->tui = 1;
	rc = cli_open_session(c, 0);
	if (rc)
		return rc;
	return ui_run(&c->session, &uo);
}

static int
run_command(struct cli_ctx *c, enum cmd_id cmd, long max_frames)
{
	if (cmd == CMD_TUI) {
		if (c->nargs)
			return usage_error(c, cmd, "unexpected argument '%s'", c->args[0]);
		return run_tui(c, max_frames);
	}
	if (c->nargs < commands[cmd].min_args)
		return usage_error(c, cmd, "%s", commands[cmd].missing ? commands[cmd].missing
		                                  : "more arguments are needed");
	if (c->nargs > commands[cmd].max_args)
		return usage_error(c, cmd, "unexpected argument '%s'",
		                   c->args[commands[cmd].max_args]);
	if (cmd == CMD_KEYS) {
		ui_print_keymap(c->out);
		return 0;
	}
	return commands[cmd].run(c);
}

/* One getopt pass over argv without the command word; GNU getopt moves the
 * positional arguments to the end, so options may come anywhere. */
static int
parse_options(struct cli_ctx *c, enum cmd_id cmd, int argc, char **argv, long *max_frames)
{
	int id;

	optind = 0; /* 0: full re-initialisation in glibc */
	opterr = 0;
	while ((id = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		if (id == '?')
			return usage_error(c, cmd, "unknown option or missing value: '%s'",
			                   argv[optind - 1]);
		if (id == 'h' || id == OPT_HELP) {
			if (cmd == CMD_TUI)
				print_usage(c->out);
			else
				fprintf(c->out, "usage: novu-console %s\n", commands[cmd].usage);
			return -1;
		}
		if (id == OPT_VERSION) {
			fprintf(c->out, "novu-console %s\n", NC_VERSION);
			return -1;
		}
		if (id == OPT_KEY) {
			fprintf(c->err, "novu-console: the API key is never taken on the command line "
			                "(it would show in ps and shell history); set NOVU_SECRET_KEY "
			                "or a profile's [secret] source\n");
			return 2;
		}
		if (!option_allowed(id, cmd))
			return usage_error(c, cmd, "--%s is not an option of this command",
			                   option_name(id));
		if (apply_option(c, id, optarg, max_frames) != 0)
			return 2;
	}
	c->args = argv + optind;
	c->nargs = argc - optind;
	return 0;
}

static int
parse_and_run(struct cli_ctx *c, int argc, char **argv)
{
	int cmd_index, i, n = 0, rc;
	long max_frames = 0;
	enum cmd_id cmd = detect_command(argc, argv, &cmd_index);
	char **av;

	if (cmd == CMD_COUNT)
		return usage_error(c, CMD_TUI, "unknown command '%s'", argv[cmd_index]);
	av = calloc((size_t)argc + 1, sizeof(*av));
	if (!av)
		return 1;
	for (i = 0; i < argc; i++)
		if (i != cmd_index || i == 0)
			av[n++] = argv[i];
	/* pending parses its own options (see cmd_pending.c). */
	rc = cmd == CMD_PENDING ? cmd_pending_main(c, n, av)
	                        : parse_options(c, cmd, n, av, &max_frames);
	if (rc == 0 && cmd != CMD_PENDING)
		rc = run_command(c, cmd, max_frames);
	free(av);
	return rc < 0 ? 0 : rc;
}

int
cli_main(int argc, char **argv, FILE *out, FILE *errout)
{
	struct cli_ctx c;
	int rc;

	/* The key lives in this process: keep it out of core dumps (and other
	 * users' debuggers). A closed pipe (| head) must not kill a bulk run
	 * half-way: writes fail instead and the run completes and is recorded. */
	prctl(PR_SET_DUMPABLE, 0);
	signal(SIGPIPE, SIG_IGN);
	memset(&c, 0, sizeof(c));
	c.out = out;
	c.err = errout;
	event_init(&c.ev);
	rc = parse_and_run(&c, argc, argv);
	if (c.session_open)
		session_close(&c.session);
	event_clear(&c.ev);
	fflush(out);
	return rc;
}
