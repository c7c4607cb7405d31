/* cmd_sandbox.c - `novu-console sandbox reset`: forget the local sandbox's
 * saved world (transactions, pending jobs, idempotency keys, subscribers
 * added by triggers). Works whether or not a sandbox is running: a running
 * one sees its journal gone and carries on with an empty world. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "paths.h"

/* Where the sandbox keeps its world: the directory session.c passes as
 * --state-dir, and the journal's name there (sandbox/world.h WORLD_FILE). */
#define SANDBOX_STATE_SUBDIR "sandbox"
#define SANDBOX_WORLD_FILE "sandbox-world.jsonl"

/* Path of the journal, or NULL (no home directory, out of memory). */
static char *
world_path(void)
{
	char *state = paths_state_dir();
	char *dir = state ? paths_join(state, SANDBOX_STATE_SUBDIR) : NULL;
	char *path = dir ? paths_join(dir, SANDBOX_WORLD_FILE) : NULL;

	free(state);
	free(dir);
	return path;
}

static int
sandbox_reset(struct cli_ctx *c)
{
	char *path = world_path();
	struct stat st;
	int rc = 0;

	if (!path) {
		fprintf(c->err, "novu-console: cannot find the state directory (is HOME set?)\n");
		return 4;
	}
	if ((stat(path, &st) != 0 && errno == ENOENT) || (st.st_size == 0 && unlink(path) == 0)) {
		/* A running sandbox keeps an empty journal open: nothing saved. */
		fprintf(c->out, "sandbox world already empty (nothing saved in %s)\n", path);
	} else if (unlink(path) != 0 && errno != ENOENT) {
		fprintf(c->err, "novu-console: cannot remove %s: %s\n", path, strerror(errno));
		rc = 4;
	} else {
		fprintf(c->out, "sandbox world reset: removed %s (%lld bytes); running sandboxes "
		        "start over empty\n", path, (long long)st.st_size);
	}
	free(path);
	return rc;
}

int
cmd_sandbox(struct cli_ctx *c)
{
	if (strcmp(c->args[0], "reset") == 0)
		return sandbox_reset(c);
	fprintf(c->err, "novu-console: unknown sandbox action '%s' (the one action is: reset)\n"
	        "\nusage: novu-console sandbox reset\n", c->args[0]);
	return 2;
}
