/* draft.h - form drafts kept as JSON files under the state directory, so
 * nothing typed is lost to a crash, a kill or a failed send.
 *
 * Files: <state>/drafts/<name>.json where <state> is $NOVU_CONSOLE_STATE_DIR,
 * else $XDG_STATE_HOME/novu-console, else ~/.local/state/novu-console.
 * Directories are created 0700, files 0600. A write goes to a temporary
 * file in the same directory, then is renamed over the old one, so a reader
 * (or a crash or kill of the console) sees either the old draft or the new
 * one, never a mix. With NC_DRAFT_SYNC the file is also fsync'd before the
 * rename, so it survives a power cut; that costs a disk flush (milliseconds,
 * seconds on a busy disk), too much for a save on every keystroke.
 * Names are [A-Za-z0-9_-]{1,64}.
 *
 * Events are stored losslessly: the JSON-valued fields (payload, overrides,
 * context, subscriber data) are kept as the text the user typed, even when
 * it is not valid JSON yet.
 *
 * Ownership: returned strings and cJSON trees belong to the caller.
 */
#ifndef NC_DRAFT_H
#define NC_DRAFT_H

#include <cjson/cJSON.h>
#include "apierror.h"
#include "request.h"

#define NC_DRAFT_VERSION 1

/* The state directory (paths_state_dir(); not created). Caller frees; NULL on
 * OOM or when no home directory is known. */
char *draft_state_dir(void);
/* <state>/drafts/<name>.json, or NULL for an invalid name. Caller frees. */
char *draft_path(const char *name);
/* 1 if name is usable as a draft name. */
int draft_name_valid(const char *name);

#define NC_DRAFT_SYNC 1   /* draft_write flag: fsync before the rename */

/* Write doc (any JSON value) atomically as draft `name`. */
enum nc_status draft_write(const char *name, const cJSON *doc, unsigned flags,
                           struct nc_error *err);
/* Read draft `name`: *doc is NULL (and NC_OK) when there is none. A file
 * that does not parse is moved aside to <file>.corrupt and NC_E_IO is
 * returned with a message naming both paths. */
enum nc_status draft_read(const char *name, cJSON **doc, struct nc_error *err);
/* Delete draft `name`; NC_OK if there was none. */
enum nc_status draft_remove(const char *name, struct nc_error *err);

/* An event as a draft object:
 *   {"workflow":..., "to":[{"kind":"subscriberId"|"subscriber"|"topic",
 *    "id":..., "email":..., "phone":..., "firstName":..., "lastName":...,
 *    "avatar":..., "locale":..., "timezone":..., "data":"<text>",
 *    "exclude":[...]}], "payload":"<text>", "overrides":"<text>",
 *    "actor":..., "tenant":..., "context":"<text>", "transactionId":...}
 * Absent (NULL) strings are left out. NULL on OOM. */
cJSON *draft_event_to_json(const struct nc_event *ev);
/* The reverse. ev must be initialised (event_init); it is cleared first.
 * Unknown keys are ignored (a newer console's draft still loads); a value
 * of the wrong type is NC_E_INVALID naming the key. */
enum nc_status draft_event_from_json(struct nc_event *ev, const cJSON *obj,
                                     struct nc_error *err);

#endif
