/* errlog.h - every failed request of this session, for the Errors screen.
 *
 * Entries own a deep copy of the struct nc_error. The log keeps the newest
 * ERRLOG_MAX entries. `origin` says which form the request came from, so the
 * viewer can jump back into it.
 */
#ifndef NC_UI_ERRLOG_H
#define NC_UI_ERRLOG_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

#define ERRLOG_MAX 500

struct errlog_entry {
	int64_t time_ms;
	struct nc_error err;
	enum ui_screen origin;   /* SCR_TRIGGER, SCR_BROADCAST, SCR_BULK, ... */
	char *what;              /* "trigger order-shipped", "list workflows" */
};

struct errlog {
	struct errlog_entry *v;  /* oldest first */
	size_t n, cap;
	size_t unseen;           /* added since the Errors screen was last shown */
	unsigned long version;   /* bumped by every change, for views to notice */
};

void errlog_init(struct app *a);
void errlog_free(struct app *a);
/* Copy err into the log. */
void errlog_add(struct app *a, const struct nc_error *err, enum ui_screen origin,
                const char *what);
void errlog_clear(struct app *a);

#endif
