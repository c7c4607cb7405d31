/* ui.h - the full-screen console's entry point (the screens live in ui/).
 * ui/ never calls libcurl: it talks to Novu only through the core (api.h),
 * from a worker thread so the screen never freezes. */
#ifndef NC_UI_H
#define NC_UI_H

#include <stdio.h>

#include "session.h"

struct ui_options {
	const char *script;      /* NOVU_CONSOLE_SCRIPT: keys/commands from a file */
	int no_display;          /* NOVU_CONSOLE_NO_DISPLAY: render to /dev/null */
	long max_frames;         /* --max-frames N: quit after N frames (0 = no limit) */
};

/* Run the console until the user quits. Returns a process exit code. */
int ui_run(struct nc_session *s, const struct ui_options *o);

/* Print the key table for `novu-console keys` and the README: every key
 * with its help text, exactly as the help screen shows them (both are
 * generated from the key tables). Needs no terminal. */
void ui_print_keymap(FILE *out);

#endif
