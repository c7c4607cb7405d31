/* import.c - recipients and bulk events from ID lists, CSV, JSON Lines and
 * JSON documents: the one events-file reader both front ends use.
 *
 * Events come one at a time from struct nc_event_reader, straight from the
 * FILE: JSON Lines a line at a time, CSV a record at a time, a JSON array
 * (or {"events": [...]}) an element at a time - cJSON cannot stream, so a
 * byte scanner finds each element's text and cJSON parses only that. A file
 * of 100,000 events is never held whole. JSON values
 * keep the text they were typed as (json_parse_typed), so 12345678901234567
 * and key order reach Novu unchanged.
 */
#include "import.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "jsonutil.h"
#include "textbuf.h"

#define MAX_PROBLEMS 100   /* a file's problems collected before stopping */

/* ---- files ---- */

enum nc_status
import_read_file(const char *path, char **text, size_t *len, struct nc_error *err)
{
	FILE *f;
	char *buf = NULL, *nb;
	size_t cap = 0, n = 0, got;

	*text = NULL;
	*len = 0;
	f = fopen(path, "rb");
	if (!f)
		return nc_error_set(err, NC_E_IO, NULL, "cannot open %s: %s", path, strerror(errno));
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 65536 * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory reading %s", path);
			}
			buf = nb;
		}
		got = fread(buf + n, 1, 65536, f);
		n += got;
		if (n > NC_IMPORT_MAX_BYTES) {
			free(buf);
			fclose(f);
			return nc_error_set(err, NC_E_IO, NULL, "%s is larger than %u MiB", path,
			                    NC_IMPORT_MAX_BYTES / (1024u * 1024u));
		}
		if (got < 65536)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return nc_error_set(err, NC_E_IO, NULL, "cannot read %s", path);
	}
	fclose(f);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return NC_OK;
}

/* ---- small growable arrays ---- */

struct strvec {
	char **v;
	size_t n, cap;
};

static int
strvec_push(struct strvec *s, const char *p, size_t len)
{
	char *copy;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		char **nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			return -1;
		s->v = nv;
		s->cap = cap;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, p, len);
	copy[len] = '\0';
	s->v[s->n++] = copy;
	return 0;
}

static void
strvec_clear(struct strvec *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- CSV (RFC 4180) ---- */

struct csv {
	const char *p, *end;
	char delim;
	long line;          /* line of the next record */
};

static const char *
skip_bom(const char *text, size_t *len)
{
	if (*len >= 3 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
	    (unsigned char)text[2] == 0xbf) {
		*len -= 3;
		return text + 3;
	}
	return text;
}

/* The delimiter of the header line: the first ',', ';' or tab outside
 * quotes; 0 when there is none. */
static char
sniff_delimiter(const char *p, const char *end)
{
	int quoted = 0;

	for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && (*p == ',' || *p == ';' || *p == '\t'))
			return *p;
	}
	return 0;
}

/* The cell being read. */
struct cell {
	char *buf;
	size_t len, cap;
	int quoted, at_start;
};

static int
cell_putc(struct cell *cl, char ch)
{
	if (cl->len + 2 > cl->cap) {
		size_t cap = cl->cap ? cl->cap * 2 : 64;
		char *nb = realloc(cl->buf, cap);

		if (!nb)
			return -1;
		cl->buf = nb;
		cl->cap = cap;
	}
	cl->buf[cl->len++] = ch;
	return 0;
}

/* End the cell: push it to fields and start the next. */
static int
cell_end(struct cell *cl, struct strvec *fields)
{
	if (strvec_push(fields, cl->buf ? cl->buf : "", cl->len) != 0)
		return -1;
	cl->len = 0;
	cl->at_start = 1;
	return 0;
}

/* Consume one character (or a doubled quote). Returns 1 at the end of the
 * record, 0 to go on, -1 when out of memory. */
static int
csv_step(struct csv *c, struct cell *cl, struct strvec *fields)
{
	char ch = *c->p;

	if (cl->quoted) {
		if (ch == '"' && c->p + 1 < c->end && c->p[1] == '"') {
			c->p += 2;
			return cell_putc(cl, '"');
		}
		c->p++;
		if (ch == '"') {
			cl->quoted = 0;
			return 0;
		}
		if (ch == '\n')
			c->line++;
		return cell_putc(cl, ch);
	}
	if (ch == '\r' || ch == '\n') {
		if (ch == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
			c->p++;
		c->p++;
		c->line++;
		return cell_end(cl, fields) ? -1 : 1;
	}
	c->p++;
	if (ch == '"' && cl->at_start) {
		cl->quoted = 1;
		cl->at_start = 0;
		return 0;
	}
	if (ch == c->delim)
		return cell_end(cl, fields);
	cl->at_start = 0;
	return cell_putc(cl, ch);
}

/* Read one record into fields. Returns 1 for a record, 0 at the end, -1 on
 * error (err set), 2 when the text ends inside a quoted cell (the caller may
 * have more lines to add). Blank lines are skipped. *line gets the record's
 * first line number. */
static int
csv_record(struct csv *c, struct strvec *fields, long *line, struct nc_error *err)
{
	struct cell cl = { NULL, 0, 0, 0, 1 };
	int rc = 0;

	strvec_clear(fields);
	while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
		if (*c->p == '\n')
			c->line++;
		c->p++;
	}
	if (c->p >= c->end)
		return 0;
	*line = c->line;
	while (c->p < c->end && (rc = csv_step(c, &cl, fields)) == 0)
		;
	if (rc == 0 && cl.quoted) {
		free(cl.buf);
		return 2;
	}
	if (rc == 0)
		rc = cell_end(&cl, fields) ? -1 : 1;   /* the last line had no newline */
	free(cl.buf);
	if (rc < 0) {
		nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
		return -1;
	}
	return 1;
}

/* ---- column roles ---- */

enum col_role {
	COL_ID, COL_EMAIL, COL_PHONE, COL_FIRST, COL_LAST, COL_AVATAR, COL_LOCALE,
	COL_TIMEZONE, COL_TOPIC, COL_DATA, COL_WORKFLOW, COL_TXN, COL_ACTOR, COL_TENANT,
	COL_PAYLOAD
};

struct column {
	enum col_role role;
	char *path;         /* data / payload path (dotted) */
	int json;           /* ":json" suffix: parse the cell */
};

/* Lowercase without '_', '-' and blanks: "first_name" == "firstName". */
static void
squash(const char *s, char *out, size_t size)
{
	size_t o = 0;

	for (; *s && o + 1 < size; s++)
		if (*s != '_' && *s != '-' && *s != ' ')
			out[o++] = (char)tolower((unsigned char)*s);
	out[o] = '\0';
}

static const struct {
	const char *name;
	enum col_role role;
	int events_only;
} known_columns[] = {
	{ "subscriberid", COL_ID, 0 }, { "id", COL_ID, 0 }, { "subscriber", COL_ID, 0 },
	{ "to", COL_ID, 1 },
	{ "email", COL_EMAIL, 0 }, { "phone", COL_PHONE, 0 }, { "firstname", COL_FIRST, 0 },
	{ "lastname", COL_LAST, 0 }, { "avatar", COL_AVATAR, 0 }, { "locale", COL_LOCALE, 0 },
	{ "timezone", COL_TIMEZONE, 0 }, { "topic", COL_TOPIC, 0 }, { "topickey", COL_TOPIC, 0 },
	{ "workflow", COL_WORKFLOW, 1 }, { "workflowid", COL_WORKFLOW, 1 },
	{ "name", COL_WORKFLOW, 1 }, { "transactionid", COL_TXN, 1 },
	{ "actor", COL_ACTOR, 1 }, { "tenant", COL_TENANT, 1 },
};

static enum nc_status
classify(const char *header, int events, struct column *col, struct nc_error *err)
{
	char name[128], sq[128];
	size_t i, len;

	memset(col, 0, sizeof(*col));
	snprintf(name, sizeof(name), "%s", header);
	len = strlen(name);
	while (len && isspace((unsigned char)name[len - 1]))
		name[--len] = '\0';
	if (len > 5 && strcasecmp(name + len - 5, ":json") == 0) {
		col->json = 1;
		name[len - 5] = '\0';
	}
	if (strncmp(name, "data.", 5) == 0 && name[5]) {
		col->role = COL_DATA;
		col->path = strdup(name + 5);
		return col->path ? NC_OK : nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	squash(name, sq, sizeof(sq));
	for (i = 0; i < sizeof(known_columns) / sizeof(known_columns[0]); i++) {
		if (strcmp(sq, known_columns[i].name) == 0 &&
		    (events || !known_columns[i].events_only)) {
			col->role = known_columns[i].role;
			return NC_OK;
		}
	}
	if (!events)
		return nc_error_set(err, NC_E_INVALID, NULL, "unknown column \"%s\" (recipient "
		                    "columns: subscriberId, email, phone, firstName, lastName, "
		                    "avatar, locale, timezone, topic, data.<key>)", header);
	col->role = COL_PAYLOAD;
	if (!*name)
		return nc_error_set(err, NC_E_INVALID, NULL, "a column has no name");
	col->path = strdup(strncmp(name, "payload.", 8) == 0 && name[8] ? name + 8 : name);
	if (!col->path)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	return NC_OK;
}

static void
columns_free(struct column *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(cols[i].path);
	free(cols);
}

/* Set obj[path] = value, creating objects along a dotted path. */
static enum nc_status
set_path(cJSON *obj, const char *path, cJSON *value, const char *where, struct nc_error *err)
{
	char *copy = strdup(path), *part, *dot;
	cJSON *cur = obj, *next;

	if (!copy) {
		cJSON_Delete(value);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	part = copy;
	while ((dot = strchr(part, '.')) != NULL) {
		*dot = '\0';
		next = cJSON_GetObjectItemCaseSensitive(cur, part);
		if (!next) {
			next = cJSON_AddObjectToObject(cur, part);
		} else if (!cJSON_IsObject(next)) {
			/* `part` points into `copy`: report before freeing it. */
			nc_error_set(err, NC_E_INVALID, NULL, "%s: \"%s\" needs \"%s\" to be "
			             "an object", where, path, part);
			free(copy);
			cJSON_Delete(value);
			return NC_E_INVALID;
		}
		if (!next) {
			free(copy);
			cJSON_Delete(value);
			return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
		}
		cur = next;
		part = dot + 1;
	}
	if (cJSON_GetObjectItemCaseSensitive(cur, part))
		cJSON_DeleteItemFromObjectCaseSensitive(cur, part);
	if (!cJSON_AddItemToObject(cur, part, value)) {
		free(copy);
		cJSON_Delete(value);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	free(copy);
	return NC_OK;
}

/* A row, whatever it came from: recipient and event fields as strings,
 * data and payload as JSON objects. */
struct row {
	long line;
	char where[40];                 /* "line 5" or "event 3" for messages */
	char *fields[COL_PAYLOAD];      /* indexed by col_role, COL_DATA unused */
	cJSON *data;
	cJSON *payload;
};

static void
row_clear(struct row *r)
{
	size_t i;

	for (i = 0; i < COL_PAYLOAD; i++)
		free(r->fields[i]);
	cJSON_Delete(r->data);
	cJSON_Delete(r->payload);
	memset(r, 0, sizeof(*r));
}

static int
has(const struct row *r, enum col_role c)
{
	return r->fields[c] && *r->fields[c];
}

/* IDs, emails and the like never mean their surrounding blanks: a CSV
 * exported as "sub-1 , a@x.io" must not send the subscriber " sub-1 ", and
 * a cell of blanks is as empty as an empty one. */
static enum nc_status
row_set_field(struct row *r, enum col_role c, const char *v, struct nc_error *err)
{
	size_t n;
	char *copy;

	while (isspace((unsigned char)*v))
		v++;
	n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1]))
		n--;
	copy = strndup(v, n);
	if (!copy)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	free(r->fields[c]);
	r->fields[c] = copy;
	return NC_OK;
}

static enum nc_status
row_add_json(struct row *r, cJSON **target, const char *path, cJSON *value, int dotted,
             struct nc_error *err)
{
	if (!*target) {
		*target = cJSON_CreateObject();
		if (!*target) {
			cJSON_Delete(value);
			return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
		}
	}
	if (dotted)
		return set_path(*target, path, value, r->where, err);
	cJSON_DeleteItemFromObjectCaseSensitive(*target, path);
	if (!cJSON_AddItemToObject(*target, path, value)) {
		cJSON_Delete(value);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	return NC_OK;
}

/* Fill a row from CSV cells. */
static enum nc_status
row_from_cells(struct row *r, const struct column *cols, size_t ncols,
               const struct strvec *cells, struct nc_error *err)
{
	enum nc_status st;
	size_t i;

	if (cells->n > ncols)
		return nc_error_set(err, NC_E_INVALID, NULL, "%s: %zu cells but the header "
		                    "has %zu columns", r->where, cells->n, ncols);
	for (i = 0; i < cells->n; i++) {
		const struct column *c = &cols[i];
		const char *v = cells->v[i];
		cJSON *value;

		if (c->role != COL_DATA && c->role != COL_PAYLOAD) {
			st = row_set_field(r, c->role, v, err);
			if (st)
				return st;
			continue;
		}
		if (!*v)
			continue;       /* an empty cell sets nothing */
		if (c->json) {
			char what[160];
			size_t off;

			value = json_parse_typed(v, strlen(v), &off, what, sizeof(what));
			if (!value)
				return nc_error_set(err, NC_E_INVALID, NULL, "%s: column \"%s:json\" "
				                    "holds invalid JSON: %s", r->where, c->path, what);
		} else {
			value = cJSON_CreateString(v);
			if (!value)
				return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
		}
		st = row_add_json(r, c->role == COL_DATA ? &r->data : &r->payload, c->path, value,
		                  1, err);
		if (st)
			return st;
	}
	return NC_OK;
}

/* Turn the row's recipient columns into a recipient. */
static enum nc_status
row_recipient(const struct row *r, struct nc_recipient *out, struct nc_error *err)
{
	static const struct { enum col_role c; size_t off; } obj_fields[] = {
		{ COL_EMAIL, offsetof(struct nc_recipient, email) },
		{ COL_PHONE, offsetof(struct nc_recipient, phone) },
		{ COL_FIRST, offsetof(struct nc_recipient, first_name) },
		{ COL_LAST, offsetof(struct nc_recipient, last_name) },
		{ COL_AVATAR, offsetof(struct nc_recipient, avatar) },
		{ COL_LOCALE, offsetof(struct nc_recipient, locale) },
		{ COL_TIMEZONE, offsetof(struct nc_recipient, timezone) },
	};
	size_t i;
	int object = r->data != NULL;

	memset(out, 0, sizeof(*out));
	if (!has(r, COL_ID)) {
		if (has(r, COL_TOPIC)) {
			out->kind = NC_RCPT_TOPIC;
			if (nc_strset(&out->id, r->fields[COL_TOPIC]) != 0)
				return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
			return NC_OK;
		}
		return nc_error_set(err, NC_E_INVALID, "to", "%s: no subscriberId", r->where);
	}
	for (i = 0; i < sizeof(obj_fields) / sizeof(obj_fields[0]); i++)
		object |= has(r, obj_fields[i].c);
	out->kind = object ? NC_RCPT_SUBSCRIBER : NC_RCPT_SUBSCRIBER_ID;
	if (nc_strset(&out->id, r->fields[COL_ID]) != 0)
		goto oom;
	for (i = 0; object && i < sizeof(obj_fields) / sizeof(obj_fields[0]); i++)
		if (has(r, obj_fields[i].c) &&
		    nc_strset((char **)((char *)out + obj_fields[i].off), r->fields[obj_fields[i].c]))
			goto oom;
	if (r->data) {
		out->data_json = json_print_compact(r->data);
		if (!out->data_json)
			goto oom;
	}
	return NC_OK;
oom:
	recipient_clear(out);
	return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
}

/* Turn a row into an event. */
static enum nc_status
row_event(const struct row *r, const char *workflow, struct nc_event *ev,
          struct nc_error *err)
{
	struct nc_recipient rc;
	const char *wf = has(r, COL_WORKFLOW) ? r->fields[COL_WORKFLOW] : workflow;
	enum nc_status st;

	if (!wf)
		return nc_error_set(err, NC_E_INVALID, "name", "%s: no workflow (add a "
		                    "\"workflow\" column or choose a default)", r->where);
	st = row_recipient(r, &rc, err);
	if (st)
		return st;
	st = event_add_recipient(ev, &rc);
	recipient_clear(&rc);
	if (st)
		return nc_error_set(err, st, NULL, "out of memory");
	if (nc_strset(&ev->workflow, wf) ||
	    (has(r, COL_TXN) && nc_strset(&ev->transaction_id, r->fields[COL_TXN])) ||
	    (has(r, COL_ACTOR) && nc_strset(&ev->actor, r->fields[COL_ACTOR])) ||
	    (has(r, COL_TENANT) && nc_strset(&ev->tenant, r->fields[COL_TENANT])))
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	if (r->payload) {
		ev->payload_json = json_print_compact(r->payload);
		if (!ev->payload_json)
			return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	return NC_OK;
}

/* ---- result arrays ---- */

struct rcpt_vec {
	struct nc_recipient *v;
	size_t n, cap;
};

static enum nc_status
rcpt_push(struct rcpt_vec *rv, struct nc_recipient *r, struct nc_error *err)
{
	if (rv->n == rv->cap) {
		size_t cap = rv->cap ? rv->cap * 2 : 16;
		struct nc_recipient *nv = realloc(rv->v, cap * sizeof(*nv));

		if (!nv) {
			recipient_clear(r);
			return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
		}
		rv->v = nv;
		rv->cap = cap;
	}
	rv->v[rv->n++] = *r;    /* takes ownership */
	return NC_OK;
}

static void
rcpt_vec_free(struct rcpt_vec *rv)
{
	size_t i;

	for (i = 0; i < rv->n; i++)
		recipient_clear(&rv->v[i]);
	free(rv->v);
	memset(rv, 0, sizeof(*rv));
}

struct event_vec {
	struct nc_event *v;
	size_t n, cap;
};

/* A fresh initialised slot at the end. */
static struct nc_event *
event_slot(struct event_vec *ev, struct nc_error *err)
{
	if (ev->n == ev->cap) {
		size_t cap = ev->cap ? ev->cap * 2 : 16;
		struct nc_event *nv = realloc(ev->v, cap * sizeof(*nv));

		if (!nv) {
			nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
			return NULL;
		}
		ev->v = nv;
		ev->cap = cap;
	}
	event_init(&ev->v[ev->n]);
	return &ev->v[ev->n];
}

static void
event_vec_free(struct event_vec *ev)
{
	size_t i;

	for (i = 0; i < ev->n; i++)
		event_clear(&ev->v[i]);
	free(ev->v);
	memset(ev, 0, sizeof(*ev));
}

/* ---- lines ---- */

/* A FILE read a line at a time. */
struct line_src {
	FILE *f;
	char *buf;          /* the current line, without its line break */
	size_t cap, len;    /* len counts NUL bytes a line may hold */
	long line;          /* 1-based number of the line in buf */
	int held;           /* put back: src_next returns it again */
	struct textbuf pre; /* read before the first line (telling the format), */
	size_t pre_pos;     /* given out first */
};

/* getline(), after the bytes in s->pre. */
static ssize_t
src_getline(struct line_src *s)
{
	struct textbuf line = TEXTBUF_INIT(0);
	const char *p, *nl;
	size_t take;
	ssize_t n = 0;

	if (s->pre_pos >= s->pre.len)
		return getline(&s->buf, &s->cap, s->f);
	p = s->pre.data + s->pre_pos;
	nl = memchr(p, '\n', s->pre.len - s->pre_pos);
	take = nl ? (size_t)(nl - p) + 1 : s->pre.len - s->pre_pos;
	s->pre_pos += take;
	if (textbuf_append(&line, p, take) != 0)
		return -1;
	if (!nl) {
		char *rest = NULL;
		size_t cap = 0;

		n = getline(&rest, &cap, s->f);
		if (n > 0 && textbuf_append(&line, rest, (size_t)n) != 0)
			n = -2;
		free(rest);
	}
	if (s->pre_pos >= s->pre.len)
		textbuf_free(&s->pre);
	if (n < -1) {
		textbuf_free(&line);
		return -1;
	}
	free(s->buf);
	s->cap = line.len + 1;
	n = (ssize_t)line.len;
	s->buf = textbuf_steal(&line);
	return n;
}

static enum nc_status
src_next(struct line_src *s, int *got, struct nc_error *err)
{
	ssize_t n;

	*got = 1;
	if (s->held) {
		s->held = 0;
		return NC_OK;
	}
	errno = 0;
	n = src_getline(s);
	if (n < 0) {
		*got = 0;
		if (ferror(s->f))
			return nc_error_set(err, NC_E_IO, NULL, "cannot read the file: %s",
			                    strerror(errno));
		if (errno == ENOMEM)
			return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
		return NC_OK;
	}
	s->line++;
	if (s->line == 1 && n >= 3 && memcmp(s->buf, "\xef\xbb\xbf", 3) == 0) {
		memmove(s->buf, s->buf + 3, (size_t)n - 3 + 1);
		n -= 3;
	}
	if (n > 0 && s->buf[n - 1] == '\n')
		n--;
	if (n > 0 && s->buf[n - 1] == '\r')
		n--;
	s->buf[n] = '\0';
	s->len = (size_t)n;
	return NC_OK;
}

static int
line_is_blank(const struct line_src *s)
{
	size_t i;

	for (i = 0; i < s->len; i++)
		if (!isspace((unsigned char)s->buf[i]))
			return 0;
	return 1;
}

/* The next line that is not blank; *got = 0 at the end. */
static enum nc_status
src_next_nonblank(struct line_src *s, int *got, struct nc_error *err)
{
	enum nc_status st;

	while ((st = src_next(s, got, err)) == NC_OK && *got && line_is_blank(s))
		;
	return st;
}

/* ---- CSV records from a FILE ---- */

struct csv_stream {
	struct line_src *src;
	char delim;
	struct column *cols;
	size_t ncols;
	struct strvec cells;
};

/* The next record's cells into cs->cells (a quoted cell may span lines);
 * *got = 0 at the end. */
static enum nc_status
csv_next(struct csv_stream *cs, int *got, long *line, struct nc_error *err)
{
	struct textbuf rec = TEXTBUF_INIT(0);
	struct csv c;
	enum nc_status st;
	long first;
	int rc = 2;

	st = src_next_nonblank(cs->src, got, err);
	if (st != NC_OK || !*got)
		return st;
	first = cs->src->line;
	if (textbuf_append(&rec, cs->src->buf, cs->src->len) != 0)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	while (st == NC_OK && rc == 2) {
		if (memchr(rec.data, '\0', rec.len) != NULL) {
			st = nc_error_set(err, NC_E_INVALID, NULL, "line %ld: holds a NUL byte, which "
			                  "no cell can carry — remove it", first);
			break;
		}
		c.p = rec.data;
		c.end = rec.data + rec.len;
		c.delim = cs->delim;
		c.line = first;
		rc = csv_record(&c, &cs->cells, line, err);
		if (rc < 0)
			st = NC_E_NOMEM;
		if (rc != 2)
			break;
		st = src_next(cs->src, got, err);
		if (st == NC_OK && !*got)
			st = nc_error_set(err, NC_E_INVALID, NULL, "line %ld: a quoted cell is never "
			                  "closed (missing \")", first);
		else if (st == NC_OK && (textbuf_append(&rec, "\n", 1) != 0 ||
		                         textbuf_append(&rec, cs->src->buf, cs->src->len) != 0))
			st = nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	textbuf_free(&rec);
	*got = st == NC_OK;
	return st;
}

/* Read the header record: delimiter and column roles. */
static enum nc_status
csv_open(struct csv_stream *cs, struct line_src *src, int events, struct nc_error *err)
{
	enum nc_status st;
	long line;
	size_t i;
	int got;

	memset(cs, 0, sizeof(*cs));
	cs->src = src;
	st = src_next_nonblank(src, &got, err);
	if (st != NC_OK || !got)
		return st;
	cs->delim = sniff_delimiter(src->buf, src->buf + src->len);
	if (!cs->delim)
		cs->delim = ',';
	src->held = 1;
	st = csv_next(cs, &got, &line, err);
	if (st != NC_OK || !got)
		return st;
	cs->cols = calloc(cs->cells.n ? cs->cells.n : 1, sizeof(*cs->cols));
	if (!cs->cols)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	cs->ncols = cs->cells.n;
	for (i = 0; i < cs->ncols && st == NC_OK; i++)
		st = classify(cs->cells.v[i], events, &cs->cols[i], err);
	return st;
}

static void
csv_close(struct csv_stream *cs)
{
	strvec_clear(&cs->cells);
	columns_free(cs->cols, cs->ncols);
	memset(cs, 0, sizeof(*cs));
}

/* The next data row; *got = 0 at the end. */
static enum nc_status
csv_row(struct csv_stream *cs, struct row *r, int *got, struct nc_error *err)
{
	enum nc_status st;
	long line;

	memset(r, 0, sizeof(*r));
	st = csv_next(cs, got, &line, err);
	if (st != NC_OK || !*got)
		return st;
	r->line = line;
	snprintf(r->where, sizeof(r->where), "line %ld", line);
	return row_from_cells(r, cs->cols, cs->ncols, &cs->cells, err);
}

/* Text as a FILE, so text and files share one reader. The text is
 * borrowed and must outlive the FILE. */
static FILE *
text_file(const char *text, size_t len, struct nc_error *err)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, len, "r");

	if (!f)
		nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	return f;
}

/* ---- recipients ---- */

static enum nc_status
csv_recipients(const char *text, size_t len, struct rcpt_vec *rv, struct nc_error *err)
{
	struct line_src src;
	struct csv_stream cs;
	struct nc_recipient rc;
	struct row r;
	enum nc_status st;
	int got = 1;

	memset(&src, 0, sizeof(src));
	src.f = text_file(text, len, err);
	if (!src.f)
		return NC_E_NOMEM;
	st = csv_open(&cs, &src, 0, err);
	while (st == NC_OK && got) {
		st = csv_row(&cs, &r, &got, err);
		if (st == NC_OK && got) {
			st = row_recipient(&r, &rc, err);
			if (st == NC_OK)
				st = rcpt_push(rv, &rc, err);
		}
		row_clear(&r);
	}
	csv_close(&cs);
	free(src.buf);
	fclose(src.f);
	return st;
}

static int
is_id_header(const char *line, size_t len)
{
	char name[64], sq[64];

	if (len >= sizeof(name))
		return 0;
	memcpy(name, line, len);
	name[len] = '\0';
	squash(name, sq, sizeof(sq));
	return strcmp(sq, "subscriberid") == 0 || strcmp(sq, "id") == 0;
}

static enum nc_status
ids_file(const char *text, size_t len, struct rcpt_vec *rv, struct nc_error *err)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *s = p;
		struct nc_recipient r;

		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e > s && *s != '#') {
			memset(&r, 0, sizeof(r));
			r.kind = NC_RCPT_SUBSCRIBER_ID;
			r.id = malloc((size_t)(e - s) + 1);
			if (!r.id)
				return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
			memcpy(r.id, s, (size_t)(e - s));
			r.id[e - s] = '\0';
			if (rcpt_push(rv, &r, err) != NC_OK)
				return NC_E_NOMEM;
		}
		p = nl ? nl + 1 : end;
	}
	return NC_OK;
}

enum nc_status
import_recipients(const char *text, size_t len, struct nc_recipient **out, size_t *n,
                   struct nc_error *err)
{
	struct rcpt_vec rv = { 0 };
	const char *p, *line_end;
	enum nc_status st;

	*out = NULL;
	*n = 0;
	text = skip_bom(text, &len);
	/* The first non-blank line decides: CSV header or a plain ID. */
	for (p = text; p < text + len && isspace((unsigned char)*p); p++)
		;
	for (line_end = p; line_end < text + len && *line_end != '\n' && *line_end != '\r';
	     line_end++)
		;
	if (p == text + len)
		st = NC_OK;
	else if (sniff_delimiter(p, text + len) || is_id_header(p, (size_t)(line_end - p)))
		st = csv_recipients(text, len, &rv, err);
	else
		st = ids_file(text, len, &rv, err);
	if (st != NC_OK) {
		rcpt_vec_free(&rv);
		return st;
	}
	if (!rv.n) {
		rcpt_vec_free(&rv);
		return nc_error_set(err, NC_E_INVALID, NULL, "the file has no recipients");
	}
	*out = rv.v;
	*n = rv.n;
	return NC_OK;
}

/* ---- events: one JSON event object ---- */

/* Keys a JSON event may use instead of `to` for its one recipient, as the
 * CSV columns of the same names do. */
static const char *const row_keys[] = {
	"subscriberId", "email", "phone", "firstName", "lastName", "avatar", "locale",
	"timezone", "data", "topicKey",
};
#define ROW_KEYS_TEXT "subscriberId, email, phone, firstName, lastName, avatar, " \
	"locale, timezone, data or topicKey"

static int
is_row_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(row_keys) / sizeof(row_keys[0]); i++)
		if (strcmp(key, row_keys[i]) == 0)
			return 1;
	return 0;
}

static enum nc_status
add_copy(cJSON *obj, const char *key, const cJSON *val, struct nc_error *err)
{
	cJSON *dup = cJSON_Duplicate(val, 1);

	if (!dup || !cJSON_AddItemToObject(obj, key, dup)) {
		cJSON_Delete(dup);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	return NC_OK;
}

/* A key for a message: printable, at most 40 bytes. */
static void
shown_key(const char *key, char *out, size_t size)
{
	size_t o = 0;

	for (; *key && o + 4 < size && o < 40; key++)
		out[o++] = (unsigned char)*key < 0x20 || *key == '"' ? '?' : *key;
	if (*key && o + 4 < size)
		out[o++] = '.', out[o++] = '.', out[o++] = '.';
	out[o] = '\0';
}

/* The row keys (rc) as the event's one `to` entry. */
static enum nc_status
add_row_recipient(cJSON *wire, cJSON *rc, const char *prefix, struct nc_error *err)
{
	const cJSON *topic = cJSON_GetObjectItemCaseSensitive(rc, "topicKey");
	cJSON *t;

	if (cJSON_HasObjectItem(wire, "to"))
		return event_problem(err, prefix, "to", "give either \"to\" or one recipient's "
		                     ROW_KEYS_TEXT ", not both");
	if (topic && cJSON_GetArraySize(rc) > 1)
		return event_problem(err, prefix, "topicKey", "names a topic, which has no "
		                     "subscriber keys — give topicKey alone, or use \"to\"");
	if (!topic) {
		cJSON_AddItemToObject(wire, "to", cJSON_Duplicate(rc, 1));
		return cJSON_HasObjectItem(wire, "to") ? NC_OK :
			nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	t = cJSON_AddObjectToObject(wire, "to");
	if (!t || !cJSON_AddStringToObject(t, "type", "Topic") ||
	    add_copy(t, "topicKey", topic, err) != NC_OK)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	return NC_OK;
}

/* The event object in wire form (request.h event_from_json): row keys
 * become its one recipient, "workflow" is workflowId, and the default
 * workflow fills a missing name. Unknown keys are refused here, naming
 * every key a file may use. */
static enum nc_status
wire_form(const cJSON *obj, const char *workflow, const char *prefix, cJSON **out,
          struct nc_error *err)
{
	cJSON *wire = cJSON_CreateObject(), *rc = cJSON_CreateObject();
	enum nc_status st = NC_OK, bad = NC_OK;
	const cJSON *k;
	char key[48];

	if (!wire || !rc)
		st = nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	for (k = obj->child; k && st == NC_OK; k = k->next) {
		if (event_is_wire_key(k->string) || strcmp(k->string, "bridgeUrl") == 0)
			st = add_copy(wire, k->string, k, err);
		else if (strcmp(k->string, "workflow") == 0)
			st = add_copy(wire, "workflowId", k, err);
		else if (is_row_key(k->string))
			st = add_copy(rc, k->string, k, err);
		else {
			shown_key(k->string, key, sizeof(key));
			bad = event_problem(err, prefix, *k->string ? key : "", "unknown key \"%s\"; "
			                    "an event has " NC_EVENT_KEYS_TEXT ", or instead of \"to\" "
			                    "one recipient's " ROW_KEYS_TEXT, key);
		}
	}
	if (st == NC_OK && rc && rc->child)
		st = add_row_recipient(wire, rc, prefix, err);
	if (st == NC_OK && !cJSON_HasObjectItem(wire, "name") &&
	    !cJSON_HasObjectItem(wire, "workflowId") && workflow &&
	    !cJSON_AddStringToObject(wire, "name", workflow))
		st = nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	cJSON_Delete(rc);
	if (st == NC_OK && bad != NC_OK)
		st = bad;
	if (st != NC_OK) {
		cJSON_Delete(wire);
		return st;
	}
	*out = wire;
	return NC_OK;
}

/* One JSON event object into ev; `prefix` names it ("line 4: ",
 * "events[2]."). */
static enum nc_status
json_event(const cJSON *obj, const char *workflow, int validate, const char *prefix,
           struct nc_event *ev, struct nc_error *err)
{
	cJSON *wire = NULL;
	enum nc_status st;

	if (!cJSON_IsObject(obj))
		return event_problem(err, prefix, "", "must be an event object {...}, not %s",
		                     json_kind(obj));
	st = wire_form(obj, workflow, prefix, &wire, err);
	if (st == NC_OK)
		st = event_from_json(ev, wire, prefix, err);
	cJSON_Delete(wire);
	if (st == NC_OK && (!ev->workflow || !*ev->workflow))
		st = event_problem(err, prefix, "name", "no workflow — add \"name\" "
		                   "(its trigger identifier) or choose a default workflow");
	if (st == NC_OK && validate)
		st = event_validate(ev, NC_USE_BULK_ENTRY, prefix, err);
	return st;
}

/* ---- the events reader ---- */

enum reader_format { RD_CSV, RD_LINES, RD_DOCUMENT, RD_STREAM };

/* RD_STREAM: where the reader is in [event, event, ...]. */
enum stream_state { ARR_START, ARR_AFTER, ARR_CLOSED, ARR_DONE };

struct nc_event_reader {
	FILE *f;
	int close_f;
	struct line_src src;
	char *workflow;              /* the default, or NULL */
	int validate;
	enum reader_format fmt;
	int done;                    /* nothing more can be read */
	enum nc_status st;           /* of the last event_reader_next */
	struct csv_stream csv;       /* RD_CSV */
	cJSON *doc;                  /* RD_DOCUMENT: one object, parsed whole */
	const cJSON *item;           /* its next event */
	int single;                  /* the document is one event object */
	size_t index;
	/* RD_STREAM: a JSON array read one element at a time, top level or
	 * as the "events" member of {"events": [...]} (wrapped), a byte at a
	 * time through stdio's buffer (bytes): one long line (an array as
	 * JSON.stringify writes it) is never held, only the element being read.
	 * RD_DOCUMENT goes through the file's lines (src). */
	int bytes;
	long line, col;              /* bytes: where the next byte is */
	size_t pos;                  /* else: next byte in src.buf; src.len: the line break */
	int eof;
	enum stream_state arr;
	int wrapped;
	/* event_reader_next_good: the worst problem, events read, and whether
	 * it stopped (too many problems, or the file cannot be read on) */
	enum nc_status worst;
	size_t good;
	int at_end, stopped;
};

static enum nc_status
error_at(long line, long col, const char *what, struct nc_error *err)
{
	nc_error_set(err, NC_E_INVALID, "events", "events file: invalid JSON at line %ld, "
	             "column %ld: %s", line, col, what);
	if (err && err->nfields > 0) {
		err->fields[err->nfields - 1].line = line;
		err->fields[err->nfields - 1].column = col;
	}
	return NC_E_INVALID;
}

/* A JSON error at byte `off` of text that starts at line/col of the file. */
static enum nc_status
error_in_text(const char *text, size_t off, long line, long col, const char *what,
              struct nc_error *err)
{
	long l, c;

	json_offset_to_linecol(text, off, &l, &c);
	return error_at(line + l - 1, l == 1 ? col + c - 1 : c, what, err);
}

/* {"events":[...]}: nothing next to "events", and it is an array. */
static enum nc_status
wrapper_events(struct nc_event_reader *r, struct nc_error *err)
{
	const cJSON *events = cJSON_GetObjectItemCaseSensitive(r->doc, "events"), *k;
	enum nc_status st = NC_OK;
	char key[48];

	for (k = r->doc->child; k; k = k->next) {
		if (strcmp(k->string, "events") == 0)
			continue;
		shown_key(k->string, key, sizeof(key));
		st = event_problem(err, "", "events", "unknown key \"%s\" next to \"events\" — a "
		                   "bulk file holds only {\"events\": [...]}", key);
	}
	if (!cJSON_IsArray(events))
		return event_problem(err, "", "events", "must be an array of event objects, not %s",
		                     events ? json_kind(events) : "missing");
	r->item = events->child;
	return st;
}

/* ---- JSON documents, a byte at a time ---- */

/* The next byte of the file ('\n' between lines), or -1 at the end. */
static int
cur_peek(struct nc_event_reader *r)
{
	int got = 0, c;

	if (r->bytes) {
		c = r->eof ? EOF : getc(r->f);
		if (c == EOF) {
			r->eof = 1;
			return -1;
		}
		ungetc(c, r->f);
		return c;
	}
	while (!r->eof && r->pos > r->src.len) {
		if (src_next(&r->src, &got, NULL) != NC_OK || !got)
			r->eof = 1;
		else
			r->pos = 0;
	}
	if (r->eof)
		return -1;
	return r->pos == r->src.len ? '\n' : (unsigned char)r->src.buf[r->pos];
}

static void
cur_take(struct nc_event_reader *r)
{
	int c;

	if (!r->bytes) {
		r->pos++;
		return;
	}
	c = getc(r->f);
	if (c == '\n') {
		r->line++;
		r->col = 1;
	} else if (c != EOF && (c & 0xc0) != 0x80) {
		r->col++;       /* UTF-8 continuation bytes are not characters */
	}
}

static int
cur_skip_space(struct nc_event_reader *r)
{
	int c;

	while ((c = cur_peek(r)) >= 0 && c <= 0x20)
		cur_take(r);
	return c;
}

/* Line and column (characters) of the next byte. */
static void
cur_where(struct nc_event_reader *r, long *line, long *col)
{
	if (r->bytes) {
		*line = r->line;
		*col = r->col;
		return;
	}
	*line = r->src.line;
	json_offset_to_linecol(r->src.buf, r->pos < r->src.len ? r->pos : r->src.len, NULL, col);
}

/* "expected X, found Y" at the next byte. */
static enum nc_status
cur_error(struct nc_event_reader *r, const char *expected, struct nc_error *err)
{
	char what[160], found[32];
	long line, col;
	int c = cur_peek(r);

	if (c < 0)
		snprintf(found, sizeof(found), "end of input");
	else if (c > 0x20 && c < 0x7f)
		snprintf(found, sizeof(found), "'%c'", c);
	else
		snprintf(found, sizeof(found), "byte 0x%02x", c);
	snprintf(what, sizeof(what), "%s, found %s", expected, found);
	cur_where(r, &line, &col);
	r->done = 1;
	return error_at(line, col, what, err);
}

/* Copy one JSON value's bytes into out, by brackets and strings only
 * (json_parse_typed judges them): from the next non-blank byte, or go on
 * with `depth` containers already open. */
static enum nc_status
capture_value(struct nc_event_reader *r, struct textbuf *out, int depth,
              struct nc_error *err)
{
	int c, in_str = 0, esc = 0;
	char ch;

	while ((c = cur_peek(r)) >= 0) {
		if (!in_str && depth == 0 && out->len > 0 &&
		    (c == ',' || c == ']' || c == '}' || c <= 0x20))
			break;          /* the end of a number or literal */
		if (!in_str && depth == 0 && (c == ']' || c == '}'))
			break;          /* no value here: the parser says so */
		ch = (char)c;
		if (textbuf_append(out, &ch, 1) != 0)
			return nc_error_set(err, NC_E_IO, "events", "events file: one event may be at "
			                    "most %u MiB", NC_IMPORT_MAX_BYTES / (1024u * 1024u));
		cur_take(r);
		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"' && (in_str = 0, depth == 0))
				break;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && --depth == 0) {
			break;
		}
	}
	return NC_OK;
}

/* The next value of the file, parsed; NULL with err set when it is not
 * JSON. */
static cJSON *
read_value(struct nc_event_reader *r, int depth, struct textbuf *text, long line,
           long col, struct nc_error *err)
{
	char what[192];
	size_t off;
	cJSON *v;

	if (capture_value(r, text, depth, err) != NC_OK) {
		r->done = 1;
		return NULL;
	}
	v = json_parse_typed(text->data ? text->data : "", text->len, &off, what, sizeof(what));
	if (!v) {
		r->done = 1;
		error_in_text(text->data ? text->data : "", off, line, col, what, err);
	}
	return v;
}

/* After the document: only blanks may follow. */
static enum nc_status
expect_end(struct nc_event_reader *r, struct nc_error *err)
{
	if (cur_skip_space(r) >= 0)
		return cur_error(r, "expected nothing more after the JSON value", err);
	return r->eof && r->src.f && ferror(r->src.f) ?
		nc_error_set(err, NC_E_IO, NULL, "cannot read the file") : NC_OK;
}

/* {"events": ...}: a key's token and its ':'; *is_events tells which. */
static enum nc_status
read_key(struct nc_event_reader *r, struct textbuf *key, struct nc_error *err)
{
	if (cur_skip_space(r) != '"')
		return cur_error(r, "expected a \"key\"", err);
	capture_value(r, key, 0, err);
	if (cur_skip_space(r) != ':')
		return cur_error(r, "expected ':' after the key", err);
	cur_take(r);
	cur_skip_space(r);
	return NC_OK;
}

/* A whole object from its '{' (already in text, with the first key when
 * `depth` is 1), held in memory: one event, or {.., "events": [...]}
 * with "events" not first. */
static enum nc_status
read_whole_object(struct nc_event_reader *r, struct textbuf *text, long line, long col,
                  struct nc_error *err)
{
	r->fmt = RD_DOCUMENT;
	r->doc = read_value(r, 1, text, line, col, err);
	if (!r->doc)
		return err ? err->status : NC_E_INVALID;
	if (expect_end(r, err) != NC_OK)
		return NC_E_INVALID;
	if (cJSON_HasObjectItem(r->doc, "events"))
		return wrapper_events(r, err);
	r->item = r->doc;
	r->single = 1;
	return NC_OK;
}

/* A document that is an object but not {"events": [...]}: held whole
 * (its '{' is the next byte). */
static enum nc_status
open_document(struct nc_event_reader *r, struct nc_error *err)
{
	struct textbuf text = TEXTBUF_INIT(NC_IMPORT_MAX_BYTES);
	enum nc_status st;
	long line, col;

	cur_skip_space(r);
	cur_where(r, &line, &col);
	cur_take(r);
	textbuf_puts(&text, "{");
	st = read_whole_object(r, &text, line, col, err);
	textbuf_free(&text);
	return st;
}

/* After the array: the rest of {"events": [...] ...}, whose other keys
 * are refused one by one; END when the document is complete. */
static enum nc_status
after_array(struct nc_event_reader *r, int *got, struct nc_error *err)
{
	struct textbuf key = TEXTBUF_INIT(256), val = TEXTBUF_INIT(NC_IMPORT_MAX_BYTES);
	enum nc_status st = NC_OK;
	int c;

	*got = 0;
	if (!r->wrapped || (c = cur_skip_space(r)) == '}') {
		if (r->wrapped)
			cur_take(r);
		r->arr = ARR_DONE;
		r->done = 1;
		return expect_end(r, err);
	}
	if (c != ',')
		return cur_error(r, "expected ',' or '}'", err);
	cur_take(r);
	st = read_key(r, &key, err);
	if (st == NC_OK)
		st = capture_value(r, &val, 0, err);
	if (st == NC_OK) {
		char shown[48];
		size_t off;
		cJSON *name = json_parse_explain(key.data, key.len, &off, NULL, 0);

		shown_key(cJSON_IsString(name) ? name->valuestring : "?", shown, sizeof(shown));
		cJSON_Delete(name);
		st = event_problem(err, "", "events", "unknown key \"%s\" next to \"events\" — a "
		                   "bulk file holds only {\"events\": [...]}", shown);
	}
	textbuf_free(&key);
	textbuf_free(&val);
	return st;
}

/* The next element of the array as an event. */
static enum nc_status
next_streamed(struct nc_event_reader *r, struct nc_event *ev, int *got,
              struct nc_error *err)
{
	struct textbuf text = TEXTBUF_INIT(NC_IMPORT_MAX_BYTES);
	char prefix[48];
	enum nc_status st;
	long line, col;
	cJSON *item;
	int c;

	*got = 0;
	if (r->arr == ARR_CLOSED)
		return after_array(r, got, err);
	c = cur_skip_space(r);
	if ((r->arr == ARR_START || r->arr == ARR_AFTER) && c == ']') {
		cur_take(r);
		r->arr = ARR_CLOSED;
		return after_array(r, got, err);
	}
	if (r->arr == ARR_AFTER) {
		if (c != ',')
			return cur_error(r, "expected ',' or ']'", err);
		cur_take(r);
		if (cur_skip_space(r) == ']')
			return cur_error(r, "expected a value (remove the trailing comma)", err);
	}
	cur_where(r, &line, &col);
	item = read_value(r, 0, &text, line, col, err);
	textbuf_free(&text);
	if (!item)
		return err ? err->status : NC_E_INVALID;
	*got = 1;
	r->arr = ARR_AFTER;
	snprintf(prefix, sizeof(prefix), "events[%zu].", r->index++);
	st = json_event(item, r->workflow, r->validate, prefix, ev, err);
	cJSON_Delete(item);
	return st;
}

/* A first line that is a whole JSON value (not the {"events": ...}
 * wrapper) starts JSON Lines. */
static int
starts_json_lines(const struct line_src *s)
{
	size_t off;
	cJSON *one = json_parse_typed(s->buf, s->len, &off, NULL, 0);
	int lines = one && !cJSON_HasObjectItem(one, "events");

	cJSON_Delete(one);
	return lines;
}

/* Decide the format from the first non-blank line (the bytes looked at
 * already are given back to the line reader first). */
static enum nc_status
sniff_line(struct nc_event_reader *r, struct nc_error *err)
{
	enum nc_status st;
	const char *p;
	int got = 1;

	st = src_next_nonblank(&r->src, &got, err);
	if (st == NC_OK && !got)
		st = nc_error_set(err, NC_E_INVALID, "events", "events file is empty — expected "
		                  "CSV with a header row, JSON Lines, a JSON array of events or "
		                  "{\"events\": [...]}");
	if (st != NC_OK)
		return st;
	for (p = r->src.buf; isspace((unsigned char)*p); p++)
		;
	if (*p == '{' && starts_json_lines(&r->src)) {
		r->fmt = RD_LINES;
		r->src.held = 1;
	} else if (*p == '{') {
		r->pos = (size_t)(p - r->src.buf);
		st = open_document(r, err);
	} else {
		r->fmt = RD_CSV;
		r->src.held = 1;
		st = csv_open(&r->csv, &r->src, 1, err);
	}
	return st;
}

/* Take the next byte into seen; -1 at the end. */
static int
sniff_take(struct nc_event_reader *r, struct textbuf *seen)
{
	int c = getc(r->f);
	char ch = (char)c;

	if (c != EOF && textbuf_append(seen, &ch, 1) != 0)
		return -1;
	return c;
}

static int
sniff_skip_space(struct nc_event_reader *r, struct textbuf *seen)
{
	int c;

	while ((c = sniff_take(r, seen)) != EOF && c <= 0x20)
		;
	return c;
}

/* After '{': whether {"events": [ follows (seen holds what was read). */
static int
sniff_events_key(struct nc_event_reader *r, struct textbuf *seen)
{
	static const char key[] = "\"events\"";
	size_t i;

	if (sniff_skip_space(r, seen) != '"')
		return 0;
	for (i = 1; i < sizeof(key) - 1; i++)
		if (sniff_take(r, seen) != key[i])
			return 0;
	return sniff_skip_space(r, seen) == ':' && sniff_skip_space(r, seen) == '[';
}

/* A JSON array, or {"events": [ ...: streamed from here on, a byte at a
 * time; seen (the first non-blank line's bytes so far, a byte order mark
 * first, perhaps) tells where the next byte is. */
static void
stream_from(struct nc_event_reader *r, const struct textbuf *seen, long first_line,
            int wrapped)
{
	const char *p = seen->data;
	size_t n = seen->len;
	long l, c;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 && first_line == 1) {
		p += 3;
		n -= 3;
	}
	json_offset_to_linecol(p, n, &l, &c);
	r->bytes = 1;
	r->line = first_line + l - 1;
	r->col = c;
	r->fmt = RD_STREAM;
	r->arr = ARR_START;
	r->wrapped = wrapped;
}

/* Tell the format from the file's first bytes, reading no more of it than
 * that: a first non-blank byte '[' or {"events": [ starts a streamed
 * document; anything else is told by its first non-blank line. */
static enum nc_status
sniff_format(struct nc_event_reader *r, struct nc_error *err)
{
	struct textbuf seen = TEXTBUF_INIT(0);
	long line = 1;
	int c;

	c = sniff_take(r, &seen);
	if (c == 0xef && sniff_take(r, &seen) == 0xbb && sniff_take(r, &seen) == 0xbf)
		c = sniff_take(r, &seen);       /* after a byte order mark */
	for (; c != EOF && isspace(c); c = sniff_take(r, &seen)) {
		if (c == '\n') {
			line++;
			textbuf_free(&seen);    /* a blank line: counted, not kept */
		}
	}
	if (c == '[' || (c == '{' && sniff_events_key(r, &seen))) {
		stream_from(r, &seen, line, c == '{');
		textbuf_free(&seen);
		return NC_OK;
	}
	r->src.line = line - 1;
	r->src.pre = seen;
	return sniff_line(r, err);
}

static enum nc_status
reader_open(struct nc_event_reader **out, FILE *f, int close_f,
            const struct nc_import_options *opts, struct nc_error *err)
{
	struct nc_event_reader *r = calloc(1, sizeof(*r));
	enum nc_status st;

	*out = NULL;
	if (!r || (opts && opts->workflow && *opts->workflow &&
	           !(r->workflow = strdup(opts->workflow)))) {
		free(r);
		if (close_f)
			fclose(f);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	r->f = f;
	r->close_f = close_f;
	r->src.f = f;
	r->validate = opts && opts->validate;
	st = sniff_format(r, err);
	if (st != NC_OK) {
		event_reader_close(r);
		return st;
	}
	*out = r;
	return NC_OK;
}

enum nc_status
event_reader_open_file(struct nc_event_reader **out, const char *path,
                       const struct nc_import_options *opts, struct nc_error *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");

	*out = NULL;
	if (!f)
		return nc_error_set(err, NC_E_IO, NULL, "cannot open %s: %s", path, strerror(errno));
	return reader_open(out, f, f != stdin, opts, err);
}

enum nc_status
event_reader_open_text(struct nc_event_reader **out, const char *text, size_t len,
                       const struct nc_import_options *opts, struct nc_error *err)
{
	FILE *f;

	*out = NULL;
	if (!text || !len)
		text = "", len = 0;
	f = len ? text_file(text, len, err) : fopen("/dev/null", "rb");
	if (!f)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	return reader_open(out, f, 1, opts, err);
}

void
event_reader_close(struct nc_event_reader *r)
{
	if (!r)
		return;
	csv_close(&r->csv);
	cJSON_Delete(r->doc);
	free(r->src.buf);
	free(r->workflow);
	if (r->close_f)
		fclose(r->f);
	free(r);
}

static enum nc_status
next_csv(struct nc_event_reader *r, struct nc_event *ev, int *got, struct nc_error *err)
{
	struct row row;
	char prefix[48];
	enum nc_status st = csv_row(&r->csv, &row, got, err);

	if (st != NC_OK && !*got)
		r->done = 1;            /* the file itself cannot be read on */
	if (st == NC_OK && *got)
		st = row_event(&row, r->workflow, ev, err);
	if (st == NC_OK && *got && r->validate) {
		snprintf(prefix, sizeof(prefix), "line %ld: ", row.line);
		st = event_validate(ev, NC_USE_BULK_ENTRY, prefix, err);
	}
	row_clear(&row);
	return st;
}

static enum nc_status
next_line(struct nc_event_reader *r, struct nc_event *ev, int *got, struct nc_error *err)
{
	char what[192], prefix[48];
	enum nc_status st;
	size_t off;
	long col;
	cJSON *obj;

	st = src_next_nonblank(&r->src, got, err);
	if (st != NC_OK || !*got) {
		r->done = 1;
		return st;
	}
	obj = json_parse_typed(r->src.buf, r->src.len, &off, what, sizeof(what));
	if (!obj) {
		json_offset_to_linecol(r->src.buf, off, NULL, &col);
		snprintf(prefix, sizeof(prefix), "line %ld", r->src.line);
		nc_error_set(err, NC_E_INVALID, prefix, "line %ld, column %ld: invalid JSON: %s",
		             r->src.line, col, what);
		if (err && err->nfields > 0) {
			err->fields[err->nfields - 1].line = r->src.line;
			err->fields[err->nfields - 1].column = col;
		}
		return NC_E_INVALID;
	}
	snprintf(prefix, sizeof(prefix), "line %ld: ", r->src.line);
	st = json_event(obj, r->workflow, r->validate, prefix, ev, err);
	cJSON_Delete(obj);
	return st;
}

static enum nc_status
next_element(struct nc_event_reader *r, struct nc_event *ev, int *got, struct nc_error *err)
{
	const cJSON *item = r->item;
	char prefix[48] = "";

	*got = item != NULL;
	if (!item) {
		r->done = 1;
		return NC_OK;
	}
	r->item = r->single ? NULL : item->next;
	if (!r->single)
		snprintf(prefix, sizeof(prefix), "events[%zu].", r->index++);
	return json_event(item, r->workflow, r->validate, prefix, ev, err);
}

enum nc_read
event_reader_next(struct nc_event_reader *r, struct nc_event *ev, struct nc_error *err)
{
	int got = 0;

	event_init(ev);
	r->st = NC_OK;
	if (r->done)
		return NC_READ_END;
	if (r->fmt == RD_CSV)
		r->st = next_csv(r, ev, &got, err);
	else if (r->fmt == RD_LINES)
		r->st = next_line(r, ev, &got, err);
	else if (r->fmt == RD_STREAM)
		r->st = next_streamed(r, ev, &got, err);
	else
		r->st = next_element(r, ev, &got, err);
	if (r->st != NC_OK) {
		event_clear(ev);
		if (r->st == NC_E_NOMEM || r->st == NC_E_IO)
			r->done = 1;
		return NC_READ_ERROR;
	}
	return got ? NC_READ_EVENT : NC_READ_END;
}

/* ---- every problem of a file at once ---- */

enum nc_read
event_reader_next_good(struct nc_event_reader *r, struct nc_event *ev, struct nc_error *err)
{
	enum nc_read rd;

	for (;;) {
		rd = r->stopped ? NC_READ_END : event_reader_next(r, ev, err);
		if (rd == NC_READ_EVENT) {
			r->good++;
			return rd;
		}
		if (rd == NC_READ_END) {
			r->at_end = 1;
			return rd;
		}
		if (r->worst == NC_OK || r->st != NC_E_INVALID)
			r->worst = r->st;
		if (r->st != NC_E_INVALID) {
			r->stopped = 1;
		} else if (err && err->nfields >= MAX_PROBLEMS) {
			nc_error_add_field(err, "events", "stopped after 100 problems — fix these "
			                   "and load the file again", NULL, NULL);
			r->stopped = 1;
		}
	}
}

enum nc_status
event_reader_outcome(struct nc_event_reader *r, struct nc_error *err)
{
	if (r->worst == NC_OK && r->at_end && r->good == 0) {
		r->worst = nc_error_set(err, NC_E_INVALID, "events",
		                        "events: the file holds no events");
	}
	return r->worst;
}

/* ---- whole files ---- */

static enum nc_status
collect_events(struct nc_event_reader *r, struct nc_event **out, size_t *n,
               struct nc_error *err)
{
	struct event_vec vec = { 0 };
	enum nc_status st = NC_OK;
	struct nc_event *slot;

	while ((slot = event_slot(&vec, err)) != NULL &&
	       event_reader_next_good(r, slot, err) == NC_READ_EVENT)
		vec.n++;
	if (!slot)
		st = NC_E_NOMEM;
	if (st == NC_OK)
		st = event_reader_outcome(r, err);
	if (st != NC_OK) {
		event_vec_free(&vec);
		return st;
	}
	*out = vec.v;
	*n = vec.n;
	return NC_OK;
}

enum nc_status
import_events_text(const char *text, size_t len, const struct nc_import_options *opts,
                   struct nc_event **out, size_t *n, struct nc_error *err)
{
	struct nc_event_reader *r;
	enum nc_status st;

	*out = NULL;
	*n = 0;
	st = event_reader_open_text(&r, text, len, opts, err);
	if (st == NC_OK)
		st = collect_events(r, out, n, err);
	event_reader_close(r);
	return st;
}

enum nc_status
import_events_file(const char *path, const struct nc_import_options *opts,
                   struct nc_event **out, size_t *n, struct nc_error *err)
{
	struct nc_event_reader *r;
	enum nc_status st;

	*out = NULL;
	*n = 0;
	st = event_reader_open_file(&r, path, opts, err);
	if (st == NC_OK)
		st = collect_events(r, out, n, err);
	event_reader_close(r);
	return st;
}
