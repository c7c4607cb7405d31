/* import.c - recipients and bulk events from ID lists, CSV and JSON Lines. */
#include "import.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "jsonutil.h"

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
 * error (err set). Blank lines are skipped. *line gets the record's first
 * line number. */
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
		nc_error_set(err, NC_E_INVALID, NULL, "line %ld: a quoted cell is never closed "
		             "(missing \")", *line);
		return -1;
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
	col->path = strdup(strncmp(name, "payload.", 8) == 0 && name[8] ? name + 8 : name);
	if (!col->path)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	if (!*col->path)
		return nc_error_set(err, NC_E_INVALID, NULL, "a column has no name");
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
			free(copy);
			cJSON_Delete(value);
			return nc_error_set(err, NC_E_INVALID, NULL, "%s: \"%s\" needs \"%s\" to be "
			                    "an object", where, path, part);
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
			value = cJSON_Parse(v);
			if (!value)
				return nc_error_set(err, NC_E_INVALID, NULL, "%s: column \"%s:json\" "
				                    "holds invalid JSON: %s", r->where, c->path, v);
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
row_event(const struct row *r, const struct nc_import_options *o, struct nc_event *ev,
          struct nc_error *err)
{
	struct nc_recipient rc;
	const char *wf = has(r, COL_WORKFLOW) ? r->fields[COL_WORKFLOW] :
		(o && o->workflow && *o->workflow ? o->workflow : NULL);
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

/* ---- CSV files ---- */

typedef enum nc_status (*row_fn)(void *ctx, const struct row *r, struct nc_error *err);

static enum nc_status
csv_each_row(const char *text, size_t len, int events, row_fn fn, void *ctx,
             struct nc_error *err)
{
	struct csv c;
	struct strvec cells = { 0 };
	struct column *cols = NULL;
	size_t ncols = 0, i;
	enum nc_status st = NC_OK;
	long line;
	int rc;

	c.p = text;
	c.end = text + len;
	c.line = 1;
	c.delim = sniff_delimiter(c.p, c.end);
	if (!c.delim)
		c.delim = ',';
	rc = csv_record(&c, &cells, &line, err);
	if (rc <= 0) {
		strvec_clear(&cells);
		return rc < 0 ? err->status : NC_OK;
	}
	cols = calloc(cells.n, sizeof(*cols));
	if (!cols) {
		strvec_clear(&cells);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	ncols = cells.n;
	for (i = 0; i < ncols && st == NC_OK; i++)
		st = classify(cells.v[i], events, &cols[i], err);
	while (st == NC_OK && (rc = csv_record(&c, &cells, &line, err)) > 0) {
		struct row r;

		memset(&r, 0, sizeof(r));
		r.line = line;
		snprintf(r.where, sizeof(r.where), "line %ld", line);
		st = row_from_cells(&r, cols, ncols, &cells, err);
		if (st == NC_OK)
			st = fn(ctx, &r, err);
		row_clear(&r);
	}
	if (rc < 0 && st == NC_OK)
		st = err ? err->status : NC_E_INVALID;
	strvec_clear(&cells);
	columns_free(cols, ncols);
	return st;
}

static enum nc_status
recipient_row(void *ctx, const struct row *r, struct nc_error *err)
{
	struct nc_recipient rc;
	enum nc_status st = row_recipient(r, &rc, err);

	if (st)
		return st;
	return rcpt_push(ctx, &rc, err);
}

struct event_ctx {
	struct event_vec *vec;
	const struct nc_import_options *opts;
};

static enum nc_status
event_row(void *ctx, const struct row *r, struct nc_error *err)
{
	struct event_ctx *ec = ctx;
	struct nc_event *ev = event_slot(ec->vec, err);
	enum nc_status st;

	if (!ev)
		return NC_E_NOMEM;
	st = row_event(r, ec->opts, ev, err);
	if (st) {
		event_clear(ev);
		return st;
	}
	ec->vec->n++;
	return NC_OK;
}

/* ---- recipients ---- */

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
	if (sniff_delimiter(p, text + len) || is_id_header(p, (size_t)(line_end - p)))
		st = csv_each_row(text, len, 0, recipient_row, &rv, err);
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

/* ---- events: JSON ---- */

/* "<where>: " in front of a message already in err. */
static void
prefix_where(struct nc_error *err, const char *where)
{
	char *m;
	size_t len;

	if (!err || !err->message)
		return;
	len = strlen(err->message) + strlen(where) + 3;
	m = malloc(len);
	if (m) {
		snprintf(m, len, "%s: %s", where, err->message);
		free(err->message);
		err->message = m;
	}
}

static enum nc_status
json_row(const cJSON *obj, const char *where, struct row *r, struct nc_error *err)
{
	const cJSON *item;
	enum nc_status st;

	snprintf(r->where, sizeof(r->where), "%s", where);
	cJSON_ArrayForEach(item, obj) {
		struct column col;
		const char *key = item->string;

		if (strcmp(key, "payload") == 0 && cJSON_IsObject(item)) {
			const cJSON *p;

			cJSON_ArrayForEach(p, item) {
				st = row_add_json(r, &r->payload, p->string, cJSON_Duplicate(p, 1), 0, err);
				if (st)
					return st;
			}
			continue;
		}
		if (strcmp(key, "data") == 0 && cJSON_IsObject(item)) {
			cJSON_Delete(r->data);
			r->data = cJSON_Duplicate(item, 1);
			if (!r->data)
				return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
			continue;
		}
		st = classify(key, 1, &col, err);
		if (st)
			return st;
		if (col.role == COL_PAYLOAD || col.role == COL_DATA) {
			st = row_add_json(r, col.role == COL_DATA ? &r->data : &r->payload, col.path,
			                  cJSON_Duplicate(item, 1), col.role == COL_DATA, err);
			free(col.path);
			if (st)
				return st;
			continue;
		}
		free(col.path);
		if (cJSON_IsString(item)) {
			st = row_set_field(r, col.role, item->valuestring, err);
		} else if (cJSON_IsNumber(item)) {
			char num[64];

			snprintf(num, sizeof(num), "%.17g", item->valuedouble);
			st = row_set_field(r, col.role, num, err);
		} else if (cJSON_IsNull(item)) {
			st = NC_OK;
		} else {
			st = nc_error_set(err, NC_E_INVALID, key, "%s: \"%s\" must be a string",
			                  where, key);
		}
		if (st)
			return st;
	}
	return NC_OK;
}

/* One JSON object (a JSON Lines line or an array element) into an event;
 * `where` names it in messages ("line 4", "event 2"). */
static enum nc_status
json_event(const cJSON *obj, const char *where, const struct nc_import_options *o,
           struct event_vec *vec, struct nc_error *err)
{
	struct nc_event *ev;
	enum nc_status st;

	if (!cJSON_IsObject(obj))
		return nc_error_set(err, NC_E_INVALID, NULL, "%s: expected a JSON object", where);
	ev = event_slot(vec, err);
	if (!ev)
		return NC_E_NOMEM;
	if (cJSON_GetObjectItemCaseSensitive(obj, "to")) {
		/* Wire format; a missing name takes the default workflow. */
		cJSON *copy = cJSON_Duplicate(obj, 1);

		if (!copy)
			return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
		if (!cJSON_GetObjectItemCaseSensitive(copy, "name") && o && o->workflow &&
		    *o->workflow)
			cJSON_AddStringToObject(copy, "name", o->workflow);
		st = event_from_json(ev, copy, NULL, err);
		cJSON_Delete(copy);
		if (st == NC_OK && !ev->workflow)
			st = nc_error_set(err, NC_E_INVALID, "name", "no workflow (\"name\") and "
			                  "no default workflow");
		if (st)
			prefix_where(err, where);
	} else {
		struct row r;

		memset(&r, 0, sizeof(r));
		st = json_row(obj, where, &r, err);
		if (st == NC_OK)
			st = row_event(&r, o, ev, err);
		row_clear(&r);
	}
	if (st) {
		event_clear(ev);
		return st;
	}
	vec->n++;
	return NC_OK;
}

static enum nc_status
json_lines(const char *text, size_t len, const struct nc_import_options *o,
           struct event_vec *vec, struct nc_error *err)
{
	const char *p = text, *end = text + len;
	long line = 1;
	enum nc_status st;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *s = p;
		cJSON *obj;

		while (s < e && isspace((unsigned char)*s))
			s++;
		if (s < e) {
			char where[32];

			snprintf(where, sizeof(where), "line %ld", line);
			obj = json_parse_field(s, (size_t)(e - s), "line", 1, err);
			if (!obj) {
				prefix_where(err, where);
				return err ? err->status : NC_E_INVALID;
			}
			st = json_event(obj, where, o, vec, err);
			cJSON_Delete(obj);
			if (st)
				return st;
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	return NC_OK;
}

static enum nc_status
json_document(const char *text, size_t len, const struct nc_import_options *o,
              struct event_vec *vec, struct nc_error *err)
{
	cJSON *root = json_parse_field(text, len, "file", 0, err), *list, *item;
	enum nc_status st = NC_OK;
	long i = 0;

	if (!root)
		return err ? err->status : NC_E_INVALID;
	list = cJSON_IsArray(root) ? root : cJSON_GetObjectItemCaseSensitive(root, "events");
	if (!cJSON_IsArray(list)) {
		st = json_event(root, "the document", o, vec, err);
	} else {
		cJSON_ArrayForEach(item, list) {
			char where[32];

			snprintf(where, sizeof(where), "event %ld", i++);
			st = json_event(item, where, o, vec, err);
			if (st)
				break;
		}
	}
	cJSON_Delete(root);
	return st;
}

/* The text is one JSON document (array or object) rather than JSON Lines
 * when it parses as a whole. */
static int
whole_json(const char *text, size_t len)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	int ok = root != NULL;

	/* cJSON stops after the first value: JSON Lines has more behind it. */
	while (ok && end && end < text + len && *end) {
		if (!isspace((unsigned char)*end))
			ok = 0;
		end++;
	}
	cJSON_Delete(root);
	return ok;
}

enum nc_status
import_events(const char *text, size_t len, const struct nc_import_options *opts,
              struct nc_event **out, size_t *n, struct nc_error *err)
{
	struct event_vec vec = { 0 };
	struct event_ctx ec = { &vec, opts };
	const char *p;
	enum nc_status st;

	*out = NULL;
	*n = 0;
	text = skip_bom(text, &len);
	for (p = text; p < text + len && isspace((unsigned char)*p); p++)
		;
	if (p < text + len && *p == '[')
		st = json_document(text, len, opts, &vec, err);
	else if (p < text + len && *p == '{')
		st = whole_json(text, len) ? json_document(text, len, opts, &vec, err) :
			json_lines(text, len, opts, &vec, err);
	else
		st = csv_each_row(text, len, 1, event_row, &ec, err);
	if (st != NC_OK) {
		event_vec_free(&vec);
		return st;
	}
	if (!vec.n) {
		event_vec_free(&vec);
		return nc_error_set(err, NC_E_INVALID, NULL, "the file has no events");
	}
	*out = vec.v;
	*n = vec.n;
	return NC_OK;
}
