/* cmd_pending.c - `novu-console pending`: list the transactions that still
 * have a delay or digest waiting (whoever triggered them) and, with
 * --cancel, cancel them all through ops_cancel_many (which records each in
 * History). It parses its own options: they belong to it alone. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "jsonutil.h"
#include "ops.h"
#include "pending.h"
#include "url.h"

#define PENDING_MAX_FILTERS 50

struct pending_args {
	const char *subscribers[PENDING_MAX_FILTERS];
	size_t nsubscribers;
	const char *workflows[PENDING_MAX_FILTERS];
	size_t nworkflows;
	const char *topic, *since, *until;
	long limit;
	int cancel;
};

static const char *const cmd_pending_usage = CMD_PENDING_USAGE;

static int
pending_usage(struct cli_ctx *c, const char *msg, const char *arg)
{
	fprintf(c->err, "novu-console: %s%s%s\nusage: novu-console %s\n", msg, arg ? " " : "",
	        arg ? arg : "", cmd_pending_usage);
	return 2;
}

static int
add_filter(const char **list, size_t *n, const char *v)
{
	if (*n == PENDING_MAX_FILTERS)
		return -1;
	list[(*n)++] = v;
	return 0;
}

enum { P_SUB = 300, P_WF, P_TOPIC, P_SINCE, P_UNTIL, P_LIMIT, P_JSON, P_CANCEL, P_YES,
       P_PROFILE, P_API_URL, P_MAX_WAIT, P_HELP };

static int
apply(struct cli_ctx *c, struct pending_args *a, int id, const char *arg)
{
	char why[256], *end;

	switch (id) {
	case P_SUB: return add_filter(a->subscribers, &a->nsubscribers, arg)
	                   ? pending_usage(c, "too many --subscriber", NULL) : 0;
	case P_WF: return add_filter(a->workflows, &a->nworkflows, arg)
	                  ? pending_usage(c, "too many --workflow", NULL) : 0;
	case P_TOPIC: a->topic = arg; return 0;
	case P_SINCE: a->since = arg; return 0;
	case P_UNTIL: a->until = arg; return 0;
	case P_JSON: c->json = 1; return 0;
	case P_CANCEL: a->cancel = 1; return 0;
	case P_YES: c->yes = 1; return 0;
	case P_PROFILE: c->profile = arg; return 0;
	case P_MAX_WAIT: return cli_set_max_wait(c, arg) ? 2 : 0;
	case P_LIMIT:
		a->limit = strtol(arg, &end, 10);
		return *end || end == arg || a->limit <= 0 || a->limit > 100000
		       ? pending_usage(c, "--limit takes a whole number above 0, not", arg) : 0;
	case P_API_URL:
		if (url_check_base(arg, NULL, why, sizeof(why)) == NC_OK) {
			c->api_url = arg;
			return 0;
		}
		fprintf(c->err, "novu-console: --api-url cannot be used: %s\n", why);
		return 2;
	default:
		return pending_usage(c, "unknown option or missing value:", NULL);
	}
}

static int
parse_args(struct cli_ctx *c, struct pending_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "subscriber", required_argument, NULL, P_SUB },
		{ "workflow", required_argument, NULL, P_WF },
		{ "topic", required_argument, NULL, P_TOPIC },
		{ "since", required_argument, NULL, P_SINCE },
		{ "until", required_argument, NULL, P_UNTIL },
		{ "limit", required_argument, NULL, P_LIMIT },
		{ "json", no_argument, NULL, P_JSON },
		{ "cancel", no_argument, NULL, P_CANCEL },
		{ "yes", no_argument, NULL, P_YES },
		{ "profile", required_argument, NULL, P_PROFILE },
		{ "api-url", required_argument, NULL, P_API_URL },
		{ "max-wait", required_argument, NULL, P_MAX_WAIT },
		{ "help", no_argument, NULL, P_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int id, rc;

	optind = 0;
	opterr = 0;
	while ((id = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (id == 'h' || id == P_HELP) {
			fprintf(c->out, "usage: novu-console %s\n", cmd_pending_usage);
			return -1;
		}
		if (id == '?')
			return pending_usage(c, "unknown option or missing value:", argv[optind - 1]);
		rc = apply(c, a, id, optarg);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return pending_usage(c, "unexpected argument", argv[optind]);
	return 0;
}

static int
parse_times(struct cli_ctx *c, const struct pending_args *a, struct nc_activity_query *q)
{
	int64_t now = clock_wall_ms();

	if (a->since && pending_parse_time(a->since, now, &q->after_ms))
		return pending_usage(c, "--since takes 30m, 2h, 7d or an ISO 8601 time, not",
		                     a->since);
	if (a->until && pending_parse_time(a->until, now, &q->before_ms))
		return pending_usage(c, "--until takes 30m, 2h, 7d or an ISO 8601 time, not",
		                     a->until);
	return 0;
}

/* ---- output ---- */

static void
format_ms(int64_t ms, char *buf, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms && gmtime_r(&t, &tm))
		strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(buf, cap, "-");
}

static cJSON *
txn_json(const struct nc_activity_txn *t)
{
	cJSON *o = cJSON_CreateObject();
	char when[32];

	format_ms(t->created_ms, when, sizeof(when));
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddStringToObject(o, "workflow", t->workflow ? t->workflow : "");
	cJSON_AddStringToObject(o, "subscribers", t->subscribers ? t->subscribers : "");
	cJSON_AddStringToObject(o, "transactionId", t->transaction_id);
	cJSON_AddBoolToObject(o, "pending", t->pending);
	if (t->wait_type)
		cJSON_AddStringToObject(o, "waiting", t->wait_type);
	if (t->until_ms) {
		format_ms(t->until_ms, when, sizeof(when));
		cJSON_AddStringToObject(o, "until", when);
		cJSON_AddBoolToObject(o, "untilApproximate", 1);
	}
	if (t->schedule)
		cJSON_AddStringToObject(o, "schedule", t->schedule);
	if (t->events >= 0)
		cJSON_AddNumberToObject(o, "events", t->events);
	return o;
}

static void
print_list(struct cli_ctx *c, const struct nc_activity_list *l)
{
	char when[32], wait[160], *text;
	cJSON *arr;
	size_t i;

	if (c->json) {
		arr = cJSON_CreateArray();
		for (i = 0; i < l->n; i++)
			cJSON_AddItemToArray(arr, txn_json(&l->items[i]));
		text = cJSON_Print(arr);
		if (text)
			fprintf(c->out, "%s\n", text);
		free(text);
		cJSON_Delete(arr);
		return;
	}
	for (i = 0; i < l->n; i++) {
		format_ms(l->items[i].created_ms, when, sizeof(when));
		pending_describe_wait(&l->items[i], wait, sizeof(wait));
		fprintf(c->out, "%s  %-20s %-36s %-24s %s\n", when,
		        l->items[i].workflow ? l->items[i].workflow : "-", l->items[i].transaction_id,
		        l->items[i].subscribers ? l->items[i].subscribers : "-", wait);
	}
	if (l->n == 0)
		fprintf(c->err, "novu-console: nothing pending matches (read %ld notification%s)\n",
		        l->notifications, l->notifications == 1 ? "" : "s");
	if (l->stopped_early)
		fprintf(c->err, "novu-console: stopped after %ld page%s (%ld notifications); the "
		        "feed has more: narrow it with --since/--subscriber or raise --limit\n",
		        l->pages, l->pages == 1 ? "" : "s", l->notifications);
}

/* ---- cancel ---- */

/* Ask on the terminal; without one, only --yes goes ahead. 0: go. */
static int
confirm_cancel(struct cli_ctx *c, size_t n)
{
	char line[16];

	if (c->yes)
		return 0;
	if (!isatty(STDIN_FILENO)) {
		fprintf(c->err, "novu-console: not cancelling %zu transaction%s without a terminal "
		        "to ask on; add --yes\n", n, n == 1 ? "" : "s");
		return 2;
	}
	fprintf(c->err, "cancel the %zu transaction%s found? [y/N] ", n, n == 1 ? "" : "s");
	fflush(c->err);
	if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y')) {
		fprintf(c->err, "novu-console: declined; nothing was cancelled\n");
		return 2;
	}
	return 0;
}

/* Worst of the outcomes: 4 (network/server) over 3 (refused) over 0. */
static int
cancel_exit_code(const enum nc_status *sts, size_t n)
{
	int rc = 0, e;
	size_t i;

	for (i = 0; i < n; i++) {
		e = nc_status_exit_code(sts[i]);
		if (e == 4 || (e && rc != 4 && e > rc))
			rc = e;
	}
	return rc;
}

static void
print_outcome(struct cli_ctx *c, const char *txid, const struct nc_cancel_outcome *o)
{
	cJSON *obj;
	char *text;

	if (!c->json) {
		fprintf(c->out, "%-36s %s\n", txid, o->outcome ? o->outcome : "failed");
		return;
	}
	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "transactionId", txid);
	cJSON_AddBoolToObject(obj, "cancelled", o->cancelled);
	cJSON_AddStringToObject(obj, "outcome", o->outcome ? o->outcome : "failed");
	text = cJSON_PrintUnformatted(obj);
	if (text)
		fprintf(c->out, "%s\n", text);
	free(text);
	cJSON_Delete(obj);
}

static int
cancel_listed(struct cli_ctx *c, const struct nc_activity_list *l)
{
	const char **ids = calloc(l->n ? l->n : 1, sizeof(*ids));
	struct nc_cancel_outcome *outs = calloc(l->n ? l->n : 1, sizeof(*outs));
	enum nc_status *sts = calloc(l->n ? l->n : 1, sizeof(*sts));
	struct nc_error *errs = calloc(l->n ? l->n : 1, sizeof(*errs));
	struct nc_ops ops;
	size_t i, done = 0;
	int rc = 1;

	if (ids && outs && sts && errs) {
		for (i = 0; i < l->n; i++) {
			ids[i] = l->items[i].transaction_id;
			nc_error_init(&errs[i]);
		}
		session_ops(&c->session, &ops);
		done = ops_cancel_many(&ops, ids, l->n, outs, sts, errs, NULL, NULL);
		for (i = 0; i < done; i++)
			print_outcome(c, ids[i], &outs[i]);
		rc = cancel_exit_code(sts, done);
	}
	for (i = 0; outs && errs && i < l->n; i++) {
		cancel_outcome_clear(&outs[i]);
		nc_error_clear(&errs[i]);
	}
	free(ids);
	free(outs);
	free(sts);
	free(errs);
	return rc;
}

int
cmd_pending_main(struct cli_ctx *c, int argc, char **argv)
{
	struct pending_args a;
	struct nc_activity_query q;
	struct nc_activity_list l;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_ops ops;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&q, 0, sizeof(q));
	rc = parse_args(c, &a, argc, argv);
	if (!rc)
		rc = parse_times(c, &a, &q);
	if (!rc)
		rc = cli_open_session(c, 0);
	if (rc)
		return rc;
	q.subscriber_ids = a.subscribers;
	q.nsubscribers = a.nsubscribers;
	q.workflows = a.workflows;
	q.nworkflows = a.nworkflows;
	q.topic_key = a.topic;
	q.limit = a.limit;
	q.pending_only = 1;
	session_ops(&c->session, &ops);
	if (activity_read(ops.client, &q, NULL, NULL, &l, &err) != NC_OK) {
		rc = cli_report_error(c, err.status ? err.status : NC_E_API, &err);
		nc_error_clear(&err);
		return rc;
	}
	if (!a.cancel || !c->json)
		print_list(c, &l);
	if (a.cancel && l.n)
		rc = confirm_cancel(c, l.n);
	if (a.cancel && l.n && !rc)
		rc = cancel_listed(c, &l);
	activity_list_clear(&l);
	return rc;
}
