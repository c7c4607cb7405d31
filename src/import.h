/* import.h - files into recipients and bulk events.
 *
 * Recipients (the recipients editor's import):
 *   - a list of subscriber IDs, one per line (blank lines and lines starting
 *     with '#' are skipped; surrounding blanks trimmed); or
 *   - CSV with a header row. The ID column is "subscriberId" (also "id",
 *     "subscriber_id", "subscriber"); the optional columns email, phone,
 *     firstName, lastName, avatar, locale, timezone (case-insensitive, also
 *     snake_case) make the row a subscriber object; data.<key> columns go
 *     into its data object. A row whose ID is empty is an error naming the
 *     line. A "topic"/"topicKey" column makes the row a topic when its ID
 *     cell is empty.
 *   The file is CSV when its first non-blank line contains a ',', ';' or
 *   tab outside quotes, or is a known ID header by itself.
 *
 * Events (the bulk builder's import and the headless `bulk` command read
 * them with the same reader), one event per row/line/element:
 *   - CSV with a header row: "workflow" (or "workflowId", "name") - else the
 *     default workflow from the options; the recipient columns above (one
 *     recipient per row; "to" is another name for the ID column);
 *     "transactionId", "actor", "tenant"; every other column is a payload
 *     field. Dotted names nest ("order.id" -> {"order":{"id":..}}), a
 *     "payload." prefix is optional. Cells are strings, except in columns
 *     whose name ends in ":json" (the suffix is dropped), read as JSON.
 *     Header names are matched leniently (case, '_', '-' and blanks
 *     ignored).
 *   - JSON Lines: one JSON event object per non-blank line.
 *   - a JSON array of event objects, or {"events":[...]} (nothing else
 *     next to "events"), or one event object over several lines.
 *   A JSON event object takes exactly these keys (case-sensitive):
 *     the wire keys of a trigger event: name, to, payload, overrides,
 *     transactionId, actor, tenant, context (request.h event_from_json;
 *     actor and tenant also in their object forms);
 *     "workflowId" or "workflow" for name;
 *     instead of "to", one recipient's keys as the CSV columns have them:
 *     subscriberId, email, phone, firstName, lastName, avatar, locale,
 *     timezone, data (a subscriber), or topicKey alone (a topic).
 *   Any other key is refused with a field error naming it and these keys;
 *   a missing name takes the default workflow.
 *   JSON values are kept as typed (numbers, key order; jsonutil.h
 *   json_parse_typed). A string holding \u0000 is refused where it is an
 *   ID or other string field, and kept as typed inside payload data.
 *   CSV is RFC 4180: quoted cells may hold the delimiter, doubled quotes
 *   and line breaks; CRLF or LF; a UTF-8 byte order mark is skipped; the
 *   delimiter is the first of ',', ';', tab in the header line.
 *   The format is told by the first non-blank line: '[' or a '{' line that
 *   is not a whole JSON value starts a JSON document, a whole JSON object
 *   (other than {"events": ...}) starts JSON Lines, anything else is CSV.
 *
 * Memory: JSON Lines are read a line at a time, CSV a record at a time and
 * a JSON array (also as {"events": [...]}) an element at a time (a small
 * scanner finds each element's text, cJSON parses that one), so a file of
 * any number of events is never held whole by the reader. A '[' or
 * {"events": [ is told from the file's first bytes, and the document is
 * read through stdio's buffer from there, so an array on one line is not
 * held as a line either. Held whole, up to NC_IMPORT_MAX_BYTES: one event
 * object spread over lines, and an object whose first key is not
 * "events".
 *
 * Errors name the event: "line 4: to[0]: ..." (JSON Lines and CSV, 1-based
 * lines of the file) or "events[250].payload: ..." (documents, counted
 * from the start of the file). Nothing here caps the count: the editor
 * shows n/100 and bulk plans chunks.
 * Ownership: *out arrays are malloc'd; clear each element (recipient_clear
 * / event_clear) and free the array. A reader is owned by its opener and
 * freed by event_reader_close.
 */
#ifndef NC_IMPORT_H
#define NC_IMPORT_H

#include <stddef.h>
#include "apierror.h"
#include "request.h"

#define NC_IMPORT_MAX_BYTES (64u * 1024u * 1024u)

struct nc_import_options {
	const char *workflow;    /* default workflow for events without one, or NULL */
	int validate;            /* also check each event (event_validate, bulk entry) */
};

/* Read a whole file (at most NC_IMPORT_MAX_BYTES). Caller frees *text,
 * which is NUL-terminated. */
enum nc_status import_read_file(const char *path, char **text, size_t *len,
                                struct nc_error *err);

enum nc_status import_recipients(const char *text, size_t len,
                                 struct nc_recipient **out, size_t *n,
                                 struct nc_error *err);

/* Events one at a time. Open from a path ("-" is standard input) or from
 * text (borrowed: it must outlive the reader); the format is decided on
 * opening, and an empty file, a broken JSON document or a bad CSV header
 * fail there. The options are copied. */
struct nc_event_reader;
enum nc_status event_reader_open_file(struct nc_event_reader **r, const char *path,
                                      const struct nc_import_options *opts,
                                      struct nc_error *err);
enum nc_status event_reader_open_text(struct nc_event_reader **r, const char *text,
                                      size_t len, const struct nc_import_options *opts,
                                      struct nc_error *err);

/* NC_READ_EVENT: *ev holds the next event (caller: event_clear).
 * NC_READ_END: no more events. NC_READ_ERROR: that event is bad or the file
 * cannot be read; err says why (err->status) and *ev is left empty. After
 * a bad event, calling again goes on with the next one; after an error
 * the file cannot be read past (JSON syntax in a document, an unclosed CSV
 * quote, I/O), the next call returns NC_READ_END. ev need not be
 * initialised. */
enum nc_read { NC_READ_ERROR = -1, NC_READ_END = 0, NC_READ_EVENT = 1 };
enum nc_read event_reader_next(struct nc_event_reader *r, struct nc_event *ev,
                               struct nc_error *err);
void event_reader_close(struct nc_event_reader *r);   /* NULL is fine */

/* Every problem of a file in one pass: the next good event, bad ones
 * skipped with their problems gathered in err (up to 100, then the reader
 * stops, as it does when the file cannot be read on). */
enum nc_read event_reader_next_good(struct nc_event_reader *r, struct nc_event *ev,
                                    struct nc_error *err);
/* The worst problem event_reader_next_good has met so far (NC_OK: none);
 * once it has returned NC_READ_END without a single event, the file holds
 * no events: NC_E_INVALID, said in err. */
enum nc_status event_reader_outcome(struct nc_event_reader *r, struct nc_error *err);

/* Every event of a text or a file in memory (the console's bulk builder
 * edits them; bulk --dry-run prints them), through event_reader_next_good:
 * a file with a problem or without events is an error. */
enum nc_status import_events_text(const char *text, size_t len,
                                  const struct nc_import_options *opts,
                                  struct nc_event **out, size_t *n,
                                  struct nc_error *err);
enum nc_status import_events_file(const char *path,
                                  const struct nc_import_options *opts,
                                  struct nc_event **out, size_t *n,
                                  struct nc_error *err);

#endif
