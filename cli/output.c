/* output.c - reading argument files and reporting errors for the headless
 * commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "textbuf.h"

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

char *
cli_read_file(const char *path, size_t *len, struct nc_error *err)
{
	struct textbuf b = TEXTBUF_INIT(CLI_MAX_INPUT);
	char chunk[65536];
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t n;

	if (!f) {
		nc_error_set(err, NC_E_USAGE, NULL, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (textbuf_append(&b, chunk, n) != 0) {
			nc_error_set(err, NC_E_USAGE, NULL, "%s is larger than %u MiB", path,
			             CLI_MAX_INPUT >> 20);
			break;
		}
	}
	if (ferror(f) && !err->message)
		nc_error_set(err, NC_E_USAGE, NULL, "cannot read %s: %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	if (err->message) {
		textbuf_free(&b);
		return NULL;
	}
	if (textbuf_append(&b, "", 0) != 0) {
		textbuf_free(&b);
		return NULL;
	}
	*len = b.len;
	return textbuf_steal(&b);
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
