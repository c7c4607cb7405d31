/* commands.h - the headless subcommands and what they share (internal to
 * cli/). cli.c parses argv into a struct cli_ctx; each cmd_* runs one
 * subcommand and returns the process exit code (see cli.h). */
#ifndef NC_CLI_COMMANDS_H
#define NC_CLI_COMMANDS_H

#include <stdio.h>
#include "apierror.h"
#include "request.h"
#include "session.h"

struct cli_ctx {
	FILE *out, *err;
	/* global options */
	const char *profile, *api_url;
	long max_wait_ms;        /* --max-wait, 0 when not given */
	/* subcommand options */
	int json, dry_run, yes, resume, drop;
	int check;               /* trigger --check: validate the payload, send nothing */
	const char *schema_of;   /* workflows --schema ID */
	int tui;                 /* the console, not a headless command */
	long limit;
	int parallel;            /* bulk --parallel, 0 when not given */
	const char *payload, *overrides, *context, *idempotency_key, *search;
	const char *step;        /* preview --step */
	struct nc_event ev;      /* workflow, recipients, actor, tenant, txid */
	char **args;             /* positional arguments after the subcommand */
	int nargs;
	struct nc_session session;
	int session_open;
};

int cmd_trigger(struct cli_ctx *c);
int cmd_broadcast(struct cli_ctx *c);
int cmd_bulk(struct cli_ctx *c);
int cmd_cancel(struct cli_ctx *c);
int cmd_history(struct cli_ctx *c);
int cmd_workflows(struct cli_ctx *c);
int cmd_subscribers(struct cli_ctx *c);
int cmd_topics(struct cli_ctx *c);
int cmd_status(struct cli_ctx *c);
int cmd_profiles(struct cli_ctx *c);
/* cmd_sandbox.c: `sandbox reset` clears the local sandbox's saved world. */
int cmd_sandbox(struct cli_ctx *c);

/* ---- cmd_schema.c ---- */
/* trigger --check: the payload (c->ev) against the workflow's payloadSchema;
 * 0 when it fits, 2 with one line per problem when not. */
int cli_check_payload(struct cli_ctx *c);
/* workflows --schema ID: the payloadSchema and an example payload. */
int cmd_workflow_schema(struct cli_ctx *c);

/* cmd_preview.c: `preview WORKFLOW`, each step as Novu renders it. */
int cmd_preview(struct cli_ctx *c);

/* ---- cmd_pending.c ---- */
#define CMD_PENDING_USAGE \
	"pending [--subscriber ID]... [--workflow ID]... [--topic KEY]\n" \
	"          [--since DURATION|TIME] [--until TIME] [--limit N] [--json]\n" \
	"          [--cancel [--yes]]"
/* `pending` reads its own options: argv is the command line without the
 * command word (argv[0] the program). */
int cmd_pending_main(struct cli_ctx *c, int argc, char **argv);

/* --max-wait SECONDS into c->max_wait_ms; -1 (the message printed) when
 * it is not a number of seconds above 0 and at most a day. */
int cli_set_max_wait(struct cli_ctx *c, const char *arg);

/* Open the session (profile, key or sandbox, client, history). offline: do
 * not start the sandbox (dry runs). Prints the error and returns its exit
 * code, or 0. */
int cli_open_session(struct cli_ctx *c, int offline);

/* ---- output.c ---- */
/* The client's retry callback (http.h): one stderr line per wait,
 * "novu-console: HTTP 503, retry 2/5 in 3.0 s". ctx is the cli_ctx. */
void cli_print_retry(void *ctx, const struct nc_retry_note *n);
/* "novu-console: <formatted error>" on c->err; returns the exit code for
 * st. */
int cli_report_error(struct cli_ctx *c, enum nc_status st, const struct nc_error *err);
/* Read "@FILE" (or "@-" for stdin) or return a copy of the literal text.
 * Caller frees; NULL with err set on failure. */
char *cli_read_arg_text(const char *arg, const char *field, struct nc_error *err);
/* Read a whole file ("-" = stdin), capped at 64 MiB. *len receives the size. */
char *cli_read_file(const char *path, size_t *len, struct nc_error *err);

#endif
