/* draft.c - atomic JSON drafts under the state directory. */
#include "draft.h"
#include "fileio.h"
#include "paths.h"
#include "textbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DRAFT_MAX_BYTES (16u * 1024u * 1024u)

char *
draft_state_dir(void)
{
	return paths_state_dir();
}

int
draft_name_valid(const char *name)
{
	size_t i;

	if (!name || !*name || strlen(name) > 64)
		return 0;
	for (i = 0; name[i]; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static char *
drafts_dir(void)
{
	char *state = draft_state_dir(), *dir;

	if (!state)
		return NULL;
	dir = nc_asprintf("%s/drafts", state);
	free(state);
	return dir;
}

char *
draft_path(const char *name)
{
	char *dir, *path;

	if (!draft_name_valid(name))
		return NULL;
	dir = drafts_dir();
	if (!dir)
		return NULL;
	path = malloc(strlen(dir) + strlen(name) + 8);
	if (path)
		sprintf(path, "%s/%s.json", dir, name);
	free(dir);
	return path;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

enum nc_status
draft_write(const char *name, const cJSON *doc, unsigned flags, struct nc_error *err)
{
	char *dir = NULL, *path = NULL, *tmp = NULL, *text = NULL;
	enum nc_status st = NC_OK;
	int fd = -1, e;

	if (!draft_name_valid(name))
		return nc_error_set(err, NC_E_USAGE, NULL, "invalid draft name \"%s\"",
		                    name ? name : "");
	dir = drafts_dir();
	path = draft_path(name);
	text = cJSON_Print(doc);
	if (!dir || !path || !text) {
		st = nc_error_set(err, NC_E_NOMEM, NULL, "out of memory saving a draft");
		goto out;
	}
	if ((e = paths_mkdir_private(dir)) != 0) {
		st = nc_error_set(err, NC_E_IO, NULL, "cannot create %s: %s", dir, strerror(e));
		goto out;
	}
	tmp = nc_asprintf("%s.tmp-XXXXXX", path);
	if (!tmp) {
		st = nc_error_set(err, NC_E_NOMEM, NULL, "out of memory saving a draft");
		goto out;
	}
	fd = mkstemp(tmp);   /* created 0600 */
	if (fd < 0) {
		st = nc_error_set(err, NC_E_IO, NULL, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, text, strlen(text)) != 0 || write_all(fd, "\n", 1) != 0 ||
	    ((flags & NC_DRAFT_SYNC) && fsync(fd) != 0)) {
		st = nc_error_set(err, NC_E_IO, NULL, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		st = nc_error_set(err, NC_E_IO, NULL, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		st = nc_error_set(err, NC_E_IO, NULL, "cannot replace %s: %s", path, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(text);
	free(path);
	free(dir);
	return st;
}

/* The draft's text, or *out NULL (NC_OK) when there is none. */
static enum nc_status
read_file(const char *path, char **out, struct nc_error *err)
{
	size_t len;
	int e = fileio_read_path(path, DRAFT_MAX_BYTES, 0, out, &len);

	if (e == ENOENT)
		return NC_OK;
	if (e == ENOMEM)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory reading %s", path);
	if (e == EFBIG)
		return nc_error_set(err, NC_E_IO, NULL, "%s is too large for a draft", path);
	if (e)
		return nc_error_set(err, NC_E_IO, NULL, "cannot read %s: %s", path, strerror(e));
	return NC_OK;
}

enum nc_status
draft_read(const char *name, cJSON **doc, struct nc_error *err)
{
	char *path, *text = NULL, *aside;
	enum nc_status st;

	*doc = NULL;
	if (!draft_name_valid(name))
		return nc_error_set(err, NC_E_USAGE, NULL, "invalid draft name \"%s\"",
		                    name ? name : "");
	path = draft_path(name);
	if (!path)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	st = read_file(path, &text, err);
	if (st != NC_OK || !text) {
		free(path);
		return st;
	}
	*doc = cJSON_Parse(text);
	free(text);
	if (*doc) {
		free(path);
		return NC_OK;
	}
	/* Keep the damaged file for the user rather than overwriting it with
	 * the next save. */
	aside = nc_asprintf("%s.corrupt", path);
	if (aside && rename(path, aside) == 0)
		st = nc_error_set(err, NC_E_IO, NULL, "draft %s was not valid JSON; moved to %s",
		                  path, aside);
	else
		st = nc_error_set(err, NC_E_IO, NULL, "draft %s is not valid JSON", path);
	free(aside);
	free(path);
	return st;
}

enum nc_status
draft_remove(const char *name, struct nc_error *err)
{
	char *path = draft_path(name);
	enum nc_status st = NC_OK;

	if (!path)
		return nc_error_set(err, NC_E_USAGE, NULL, "invalid draft name");
	if (unlink(path) != 0 && errno != ENOENT)
		st = nc_error_set(err, NC_E_IO, NULL, "cannot remove %s: %s", path, strerror(errno));
	free(path);
	return st;
}

/* ---- events ---- */

static int
add_str(cJSON *obj, const char *key, const char *value)
{
	if (!value)
		return 0;
	return cJSON_AddStringToObject(obj, key, value) ? 0 : -1;
}

static const char *const kind_names[] = { "subscriberId", "subscriber", "topic" };

static cJSON *
recipient_to_json(const struct nc_recipient *r)
{
	cJSON *o = cJSON_CreateObject(), *ex;
	size_t i;
	int bad = 0;

	if (!o)
		return NULL;
	bad |= add_str(o, "kind", kind_names[r->kind <= NC_RCPT_TOPIC ? r->kind : 0]);
	bad |= add_str(o, "id", r->id);
	bad |= add_str(o, "email", r->email);
	bad |= add_str(o, "phone", r->phone);
	bad |= add_str(o, "firstName", r->first_name);
	bad |= add_str(o, "lastName", r->last_name);
	bad |= add_str(o, "avatar", r->avatar);
	bad |= add_str(o, "locale", r->locale);
	bad |= add_str(o, "timezone", r->timezone);
	bad |= add_str(o, "data", r->data_json);
	if (r->nexclude) {
		ex = cJSON_AddArrayToObject(o, "exclude");
		if (!ex)
			bad = 1;
		for (i = 0; ex && i < r->nexclude; i++) {
			cJSON *s = cJSON_CreateString(r->exclude[i]);

			if (!s || !cJSON_AddItemToArray(ex, s))
				bad = 1;
		}
	}
	if (bad) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *
draft_event_to_json(const struct nc_event *ev)
{
	cJSON *o = cJSON_CreateObject(), *to;
	size_t i;
	int bad = 0;

	if (!o)
		return NULL;
	bad |= add_str(o, "workflow", ev->workflow);
	to = cJSON_AddArrayToObject(o, "to");
	if (!to)
		bad = 1;
	for (i = 0; to && i < ev->nto; i++) {
		cJSON *r = recipient_to_json(&ev->to[i]);

		if (!r || !cJSON_AddItemToArray(to, r)) {
			cJSON_Delete(r);
			bad = 1;
		}
	}
	bad |= add_str(o, "payload", ev->payload_json);
	bad |= add_str(o, "overrides", ev->overrides_json);
	bad |= add_str(o, "actor", ev->actor);
	bad |= add_str(o, "tenant", ev->tenant);
	bad |= add_str(o, "context", ev->context_json);
	bad |= add_str(o, "transactionId", ev->transaction_id);
	if (bad) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Copy obj[key] into *slot if it is a string; a missing key leaves NULL. */
static enum nc_status
take_str(char **slot, const cJSON *obj, const char *key, const char *where,
         struct nc_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v || cJSON_IsNull(v))
		return NC_OK;
	if (!cJSON_IsString(v))
		return nc_error_set(err, NC_E_INVALID, key, "draft %s\"%s\" must be a string",
		                    where, key);
	if (nc_strset(slot, v->valuestring) != 0)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	return NC_OK;
}

static enum nc_status
recipient_from_json(struct nc_recipient *r, const cJSON *o, struct nc_error *err)
{
	static const struct { const char *key; size_t off; } fields[] = {
		{ "id", offsetof(struct nc_recipient, id) },
		{ "email", offsetof(struct nc_recipient, email) },
		{ "phone", offsetof(struct nc_recipient, phone) },
		{ "firstName", offsetof(struct nc_recipient, first_name) },
		{ "lastName", offsetof(struct nc_recipient, last_name) },
		{ "avatar", offsetof(struct nc_recipient, avatar) },
		{ "locale", offsetof(struct nc_recipient, locale) },
		{ "timezone", offsetof(struct nc_recipient, timezone) },
		{ "data", offsetof(struct nc_recipient, data_json) },
	};
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "kind"));
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(o, "exclude"), *e;
	enum nc_status st;
	size_t i;

	if (!cJSON_IsObject(o))
		return nc_error_set(err, NC_E_INVALID, "to", "draft recipient must be an object");
	r->kind = NC_RCPT_SUBSCRIBER_ID;
	for (i = 0; kind && i < 3; i++)
		if (strcmp(kind, kind_names[i]) == 0)
			r->kind = (enum nc_recipient_kind)i;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		st = take_str((char **)((char *)r + fields[i].off), o, fields[i].key,
		              "recipient ", err);
		if (st)
			return st;
	}
	if (ex && !cJSON_IsArray(ex))
		return nc_error_set(err, NC_E_INVALID, "exclude",
		                    "draft recipient \"exclude\" must be an array");
	cJSON_ArrayForEach(e, ex) {
		if (!cJSON_IsString(e))
			return nc_error_set(err, NC_E_INVALID, "exclude",
			                    "draft recipient \"exclude\" must hold strings");
		st = recipient_add_exclude(r, e->valuestring);
		if (st)
			return nc_error_set(err, st, NULL, "out of memory");
	}
	return NC_OK;
}

enum nc_status
draft_event_from_json(struct nc_event *ev, const cJSON *obj, struct nc_error *err)
{
	const cJSON *to, *item;
	enum nc_status st = NC_OK;

	event_clear(ev);
	if (!cJSON_IsObject(obj))
		return nc_error_set(err, NC_E_INVALID, NULL, "draft event must be a JSON object");
	if ((st = take_str(&ev->workflow, obj, "workflow", "", err)) ||
	    (st = take_str(&ev->payload_json, obj, "payload", "", err)) ||
	    (st = take_str(&ev->overrides_json, obj, "overrides", "", err)) ||
	    (st = take_str(&ev->actor, obj, "actor", "", err)) ||
	    (st = take_str(&ev->tenant, obj, "tenant", "", err)) ||
	    (st = take_str(&ev->context_json, obj, "context", "", err)) ||
	    (st = take_str(&ev->transaction_id, obj, "transactionId", "", err)))
		goto fail;
	to = cJSON_GetObjectItemCaseSensitive(obj, "to");
	if (to && !cJSON_IsArray(to)) {
		st = nc_error_set(err, NC_E_INVALID, "to", "draft \"to\" must be an array");
		goto fail;
	}
	cJSON_ArrayForEach(item, to) {
		struct nc_recipient r;

		memset(&r, 0, sizeof(r));
		st = recipient_from_json(&r, item, err);
		if (st == NC_OK)
			st = event_add_recipient(ev, &r);
		recipient_clear(&r);
		if (st)
			goto fail;
	}
	return NC_OK;
fail:
	event_clear(ev);
	return st;
}
