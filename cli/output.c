/* output.c - reading argument files and reporting errors for the headless
 * commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "fileio.h"

#define CLI_MAX_INPUT (64u * 1024u * 1024u)

int
cli_report_error(struct cli_ctx *c, enum nc_status st, const struct nc_error *err)
{
	char *text = err ? nc_error_format(err) : NULL;

	if (text && *text)
		fprintf(c->err, "novu-console: %s%s", text,
		        text[strlen(text) - 1] == '\n' ? "" : "\n");
	else
		fprintf(c->err, "novu-console: %s\n", nc_status_message(st));
	free(text);
	return nc_status_exit_code(st);
}

void
cli_print_retry(void *ctx, const struct nc_retry_note *n)
{
	struct cli_ctx *c = ctx;
	char line[256];

	retry_note_text(n, line, sizeof(line));
	fprintf(c->err, "novu-console: %s\n", line);
	fflush(c->err);
}

char *
cli_read_file(const char *path, size_t *len, struct nc_error *err)
{
	char *text;
	int e = strcmp(path, "-") == 0
	        ? fileio_read_fd(STDIN_FILENO, CLI_MAX_INPUT, 0, &text, len)
	        : fileio_read_path(path, CLI_MAX_INPUT, 0, &text, len);

	if (e == EFBIG)
		nc_error_set(err, NC_E_USAGE, NULL, "%s is larger than %u MiB", path,
		             CLI_MAX_INPUT >> 20);
	else if (e == ENOMEM)
		nc_error_set(err, NC_E_NOMEM, NULL, "out of memory reading %s", path);
	else if (e)
		nc_error_set(err, NC_E_USAGE, NULL, "cannot read %s: %s", path, strerror(e));
	return text;
}

char *
cli_read_arg_text(const char *arg, const char *field, struct nc_error *err)
{
	size_t len;
	char *text;

	if (arg[0] != '@')
		return strdup(arg);
	text = cli_read_file(arg + 1, &len, err);
	if (!text && err->message) {
		/* Say which option the file was for. */
		char *msg = err->message;
		err->message = NULL;
		nc_error_set(err, NC_E_USAGE, field, "%s: %s", field, msg);
		free(msg);
	}
	return text;
}
