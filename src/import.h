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
 * Events (the bulk builder's import), one event per row:
 *   - CSV with a header row: "workflow" (or "name") - else the default
 *     workflow from the options; the recipient columns above (one recipient
 *     per row); "transactionId", "actor", "tenant"; every other column is a
 *     payload field. Dotted names nest ("order.id" -> {"order":{"id":..}}),
 *     a "payload." prefix is optional. Cells are strings, except in columns
 *     whose name ends in ":json" (the suffix is dropped), parsed as JSON.
 *   - JSON Lines: one JSON object per non-blank line. A line with a "to" key
 *     is a trigger event in wire format (request.h event_from_json), taking
 *     the default workflow when it has no "name". Any other object is a row
 *     like a CSV row: recipient keys, event keys, the rest payload (values
 *     keep their JSON types; a "payload" object is merged in as is).
 *   - a JSON array of such objects, or {"events":[...]}.
 *   CSV is RFC 4180: quoted cells may hold the delimiter, doubled quotes
 *   and line breaks; CRLF or LF; a UTF-8 byte order mark is skipped; the
 *   delimiter is the first of ',', ';', tab in the header line.
 *
 * Nothing here caps the count: the editor shows n/100 and bulk plans
 * chunks. Errors name the line (1-based, of the file) and column.
 * Ownership: *out arrays are malloc'd; clear each element (recipient_clear
 * / event_clear) and free the array.
 */
#ifndef NC_IMPORT_H
#define NC_IMPORT_H

#include <stddef.h>
#include "apierror.h"
#include "request.h"

#define NC_IMPORT_MAX_BYTES (64u * 1024u * 1024u)

struct nc_import_options {
	const char *workflow;    /* default workflow for rows without one, or NULL */
};

/* Read a whole file (at most NC_IMPORT_MAX_BYTES). Caller frees *text,
 * which is NUL-terminated. */
enum nc_status import_read_file(const char *path, char **text, size_t *len,
                                struct nc_error *err);

enum nc_status import_recipients(const char *text, size_t len,
                                 struct nc_recipient **out, size_t *n,
                                 struct nc_error *err);

enum nc_status import_events(const char *text, size_t len,
                             const struct nc_import_options *opts,
                             struct nc_event **out, size_t *n,
                             struct nc_error *err);

#endif
