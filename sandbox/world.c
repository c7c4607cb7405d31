/* world.c - the journal behind world.h: record lines, replay, compaction
 * and reset. */
#include "world.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idem.h"
#include "util.h"

/* Compact at start when the journal has this many more lines than live
 * records, and more than twice as many. */
#define COMPACT_SLACK 1024
#define SNAPSHOT_FLUSH (1024 * 1024)

static struct {
	pthread_mutex_t mu;
	int enabled;
	int loading;       /* between world_open and world_load: mu is held */
	char *dir;
	char *path;
	int fd;
	dev_t dev;
	ino_t ino;
	off_t offset;      /* bytes read and applied */
	long lines;        /* record lines applied since the last (re)load */
	long bad;          /* unreadable lines skipped */
} w = { .mu = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

/* ---- record lines ---- */

static char *
to_line(cJSON *rec)
{
	char *text = cJSON_PrintUnformatted(rec);
	char *line = NULL;
	size_t n;

	cJSON_Delete(rec);
	if (!text)
		return NULL;
	n = strlen(text);
	line = realloc(text, n + 2);
	if (!line) {
		free(text);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

/* A transaction as a record: recipients by subscriberId and topic key, so
 * the line means the same in a process whose subscriber indexes differ. */
static cJSON *
txn_json(const struct txn *t)
{
	cJSON *rec = cJSON_CreateObject(), *to, *pair;
	const struct subscriber *s;
	const struct topic *tp;
	size_t r;

	cJSON_AddStringToObject(rec, "k", "txn");
	cJSON_AddStringToObject(rec, "id", t->transaction_id);
	cJSON_AddStringToObject(rec, "wf", store_workflow_at(t->wf)->workflow_id);
	cJSON_AddNumberToObject(rec, "at", (double)t->created_ms);
	cJSON_AddNumberToObject(rec, "until", (double)t->pending_until);
	cJSON_AddStringToObject(rec, "sev", t->severity);
	if (t->canceled)
		cJSON_AddBoolToObject(rec, "cx", 1);
	to = cJSON_AddArrayToObject(rec, "to");
	for (r = 0; r < t->nrecipients; r++) {
		s = store_subscriber_at((size_t)t->recipients[r].sub);
		tp = t->recipients[r].topic >= 0 ? store_topic_at((size_t)t->recipients[r].topic)
		                                 : NULL;
		pair = cJSON_CreateArray();
		cJSON_AddItemToArray(pair, cJSON_CreateString(s->subscriber_id));
		cJSON_AddItemToArray(pair, tp ? cJSON_CreateString(tp->key) : cJSON_CreateNull());
		cJSON_AddItemToArray(to, pair);
	}
	return rec;
}

static void
add_inline_subscriber(cJSON *subs, const cJSON *item)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(item, "type");

	if (cJSON_IsObject(item) && !(cJSON_IsString(type) && strcmp(type->valuestring, "Topic") == 0))
		cJSON_AddItemToArray(subs, cJSON_Duplicate(item, 1));
}

char *
world_txn_record(const struct txn *t, const cJSON *ev, int broadcast)
{
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(ev, "to");
	const cJSON *tenant = cJSON_GetObjectItemCaseSensitive(ev, "tenant");
	const cJSON *it, *tid;
	cJSON *rec, *subs;

	if (!w.enabled || !t)
		return NULL;
	rec = txn_json(t);
	/* Subscriber objects in the event were upserted: replay does the same. */
	subs = cJSON_AddArrayToObject(rec, "subs");
	if (cJSON_IsArray(to)) {
		cJSON_ArrayForEach(it, to)
			add_inline_subscriber(subs, it);
	} else {
		add_inline_subscriber(subs, to);
	}
	add_inline_subscriber(subs, cJSON_GetObjectItemCaseSensitive(ev, "actor"));
	tid = cJSON_GetObjectItemCaseSensitive(tenant, "identifier");
	if (broadcast && cJSON_IsString(tid))
		cJSON_AddStringToObject(rec, "tenant", tid->valuestring);
	return to_line(rec);
}

char *
world_cancel_record(const char *transaction_id)
{
	cJSON *rec;

	if (!w.enabled)
		return NULL;
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "k", "cancel");
	cJSON_AddStringToObject(rec, "id", transaction_id);
	return to_line(rec);
}

static cJSON *
idem_json(const struct idem_saved *s)
{
	cJSON *rec = cJSON_CreateObject();

	cJSON_AddStringToObject(rec, "k", "idem");
	cJSON_AddStringToObject(rec, "key", s->key);
	cJSON_AddStringToObject(rec, "hash", s->body_hash);
	cJSON_AddNumberToObject(rec, "status", s->status);
	if (s->body)
		cJSON_AddStringToObject(rec, "body", s->body);
	cJSON_AddNumberToObject(rec, "exp", (double)s->expires_ms);
	return rec;
}

char *
world_idem_record(const char *key, const char *body_hash, unsigned int status,
                  const char *body, int64_t expires_ms)
{
	struct idem_saved s = { key, body_hash, status, body, expires_ms };

	return w.enabled ? to_line(idem_json(&s)) : NULL;
}

/* ---- applying records (each one idempotent) ---- */

static const char *
str_of(const cJSON *rec, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t
num_of(const cJSON *rec, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, name);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

/* Recipients of a txn record; the store lock is held. Returns the count. */
static size_t
recipients_of(const cJSON *rec, struct recipient *out)
{
	const cJSON *pair, *sid, *tkey;
	size_t n = 0;
	long sub;

	cJSON_ArrayForEach(pair, cJSON_GetObjectItemCaseSensitive(rec, "to")) {
		sid = cJSON_GetArrayItem(pair, 0);
		tkey = cJSON_GetArrayItem(pair, 1);
		if (!cJSON_IsString(sid) || n == STORE_RECIPIENT_CAP)
			continue;
		sub = store_subscriber_find(sid->valuestring);
		if (sub < 0)
			sub = store_subscriber_upsert(sid);
		if (sub < 0)
			continue;
		out[n].sub = (int)sub;
		out[n].topic = cJSON_IsString(tkey) ? (int)store_topic_find(tkey->valuestring) : -1;
		n++;
	}
	return n;
}

static void
apply_txn(const cJSON *rec)
{
	static struct recipient list[STORE_RECIPIENT_CAP]; /* used under the store lock */
	struct txn_spec spec;
	const cJSON *it;
	const char *tenant = str_of(rec, "tenant");
	struct txn *t;
	long wf = str_of(rec, "wf") ? store_workflow_find(str_of(rec, "wf")) : -1;

	spec.transaction_id = str_of(rec, "id");
	if (wf < 0 || !spec.transaction_id)
		return;
	spec.wf = (size_t)wf;
	spec.severity = str_of(rec, "sev");
	spec.created_ms = num_of(rec, "at");
	spec.pending_until = num_of(rec, "until");
	store_lock();
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(rec, "subs"))
		store_subscriber_upsert(it);
	if (tenant)
		store_tenant_add(tenant);
	t = store_txn_find(spec.transaction_id);
	if (!t)
		t = store_txn_add(&spec, list, recipients_of(rec, list));
	if (t && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "cx")))
		t->canceled = 1;
	if (spec.created_ms > store_workflow_last_triggered(spec.wf))
		store_workflow_touch(spec.wf, spec.created_ms);
	store_unlock();
}

static void
apply_cancel(const cJSON *rec)
{
	const char *id = str_of(rec, "id");
	struct txn *t;

	if (!id)
		return;
	store_lock();
	t = store_txn_find(id);
	if (t)
		t->canceled = 1;
	store_unlock();
}

static void
apply_idem(const cJSON *rec)
{
	struct idem_saved s;

	s.key = str_of(rec, "key");
	s.body_hash = str_of(rec, "hash");
	s.status = (unsigned int)num_of(rec, "status");
	s.body = str_of(rec, "body");
	s.expires_ms = num_of(rec, "exp");
	if (s.key && s.body_hash)
		idem_restore(&s);
}

static void
apply_simple(const cJSON *rec, const char *kind)
{
	store_lock();
	if (strcmp(kind, "sub") == 0)
		store_subscriber_upsert(cJSON_GetObjectItemCaseSensitive(rec, "sub"));
	else if (strcmp(kind, "tenant") == 0 && str_of(rec, "id"))
		store_tenant_add(str_of(rec, "id"));
	store_unlock();
}

static void
apply_line(const char *line, size_t len)
{
	cJSON *rec = cJSON_ParseWithLength(line, len);
	const char *kind = str_of(rec, "k");

	if (!kind) {
		/* A torn or hand-edited line: skip it, keep the rest. */
		w.bad++;
		cJSON_Delete(rec);
		return;
	}
	if (strcmp(kind, "txn") == 0)
		apply_txn(rec);
	else if (strcmp(kind, "cancel") == 0)
		apply_cancel(rec);
	else if (strcmp(kind, "idem") == 0)
		apply_idem(rec);
	else
		apply_simple(rec, kind);
	w.lines++;
	cJSON_Delete(rec);
}

/* ---- the file ---- */

static int
open_journal(void)
{
	struct stat st;

	w.fd = open(w.path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (w.fd < 0 || fstat(w.fd, &st) != 0)
		return -1;
	w.dev = st.st_dev;
	w.ino = st.st_ino;
	w.offset = 0;
	w.lines = 0;
	return 0;
}

/* Apply every complete line from w.offset to the end of the file; a line
 * still being written stays for the next call. */
static void
read_tail(void)
{
	struct stat st;
	char *buf, *p, *nl, *end;
	size_t want;
	ssize_t got;

	if (fstat(w.fd, &st) != 0 || st.st_size <= w.offset)
		return;
	want = (size_t)(st.st_size - w.offset);
	buf = malloc(want);
	if (!buf)
		return;
	got = pread(w.fd, buf, want, w.offset);
	if (got > 0) {
		end = buf + got;
		for (p = buf; p < end && (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1)
			if (nl > p)
				apply_line(p, (size_t)(nl - p));
		w.offset += (off_t)(p - buf);
	}
	free(buf);
}

static void
clear_memory(void)
{
	store_lock();
	store_clear_world();
	store_unlock();
	idem_reset();
}

/* The file was replaced, truncated or removed: start over from it. */
static void
reload(void)
{
	if (w.fd >= 0)
		close(w.fd);
	clear_memory();
	if (open_journal() != 0) {
		fprintf(stderr, "novu-sandbox: cannot reopen %s: %s\n", w.path, strerror(errno));
		return;
	}
	read_tail();
}

/* 1 when the path no longer names our open file, or it got shorter. */
static int
replaced(struct stat *st)
{
	if (stat(w.path, st) != 0)
		return 1;
	return st->st_dev != w.dev || st->st_ino != w.ino || st->st_size < w.offset;
}

void
world_sync(void)
{
	struct stat st;

	if (!w.enabled)
		return;
	pthread_mutex_lock(&w.mu);
	if (w.fd < 0 || replaced(&st))
		reload();
	else if (st.st_size > w.offset)
		read_tail();
	pthread_mutex_unlock(&w.mu);
}

/* Lines queued by this thread's request, written by world_flush(). */
static __thread struct {
	char *data;
	size_t len, cap;
} queued;

void
world_append(char *line)
{
	size_t n = line ? strlen(line) : 0;
	char *grown;

	if (!line)
		return;
	if (queued.len + n > queued.cap) {
		grown = realloc(queued.data, queued.len + n + 1024);
		if (!grown) {
			free(line);
			return;
		}
		queued.data = grown;
		queued.cap = queued.len + n + 1024;
	}
	memcpy(queued.data + queued.len, line, n);
	queued.len += n;
	free(line);
}

/* Write buf as one write(): concurrent appenders never interleave. */
static void
write_locked(const char *buf, size_t len)
{
	int reloaded = 0;
	struct stat st;
	off_t end;

	if (w.fd >= 0 && flock(w.fd, LOCK_SH) == 0 && replaced(&st)) {
		flock(w.fd, LOCK_UN);
		reload();
		reloaded = 1;
		if (w.fd >= 0)
			flock(w.fd, LOCK_SH);
	}
	if (w.fd >= 0 && write(w.fd, buf, len) == (ssize_t)len) {
		/* Our own lines right where we stopped reading: no need to read
		 * them back. After a reload the memory lost them: read them back. */
		end = lseek(w.fd, 0, SEEK_CUR);
		if (!reloaded && end - (off_t)len == w.offset)
			w.offset = end;
	}
	if (w.fd >= 0)
		flock(w.fd, LOCK_UN);
}

void
world_flush(void)
{
	if (queued.len) {
		pthread_mutex_lock(&w.mu);
		write_locked(queued.data, queued.len);
		pthread_mutex_unlock(&w.mu);
	}
	/* Freed every time: MHD's connection threads come and go. */
	free(queued.data);
	queued.data = NULL;
	queued.len = queued.cap = 0;
}

/* ---- snapshot ---- */

struct outbuf {
	int fd;
	char *data;
	size_t len, cap;
	int failed;
	long records;
};

static void
out_flush(struct outbuf *o)
{
	size_t done = 0;
	ssize_t n;

	while (!o->failed && done < o->len) {
		n = write(o->fd, o->data + done, o->len - done);
		if (n <= 0)
			o->failed = 1;
		else
			done += (size_t)n;
	}
	o->len = 0;
}

static void
out_record(struct outbuf *o, cJSON *rec)
{
	char *line = to_line(rec);
	size_t n = line ? strlen(line) : 0;
	char *grown;

	if (!line) {
		o->failed = 1;
		return;
	}
	if (o->len + n > o->cap) {
		grown = realloc(o->data, o->len + n + SNAPSHOT_FLUSH);
		if (!grown) {
			free(line);
			o->failed = 1;
			return;
		}
		o->data = grown;
		o->cap = o->len + n + SNAPSHOT_FLUSH;
	}
	memcpy(o->data + o->len, line, n);
	o->len += n;
	o->records++;
	free(line);
	if (o->len >= SNAPSHOT_FLUSH)
		out_flush(o);
}

static void
out_idem(const struct idem_saved *s, void *arg)
{
	out_record(arg, idem_json(s));
}

/* Every live record, subscribers and tenants before the transactions that
 * name them. The store lock is held. */
static void
write_snapshot(struct outbuf *o)
{
	const struct subscriber *s;
	cJSON *rec;
	size_t i;

	for (i = 0; i < store_subscriber_count(); i++) {
		s = store_subscriber_at(i);
		if (!s->touched)
			continue;
		rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "k", "sub");
		cJSON_AddItemToObject(rec, "sub", store_subscriber_json(s));
		out_record(o, rec);
	}
	for (i = 0; i < store_tenant_count(); i++) {
		rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "k", "tenant");
		cJSON_AddStringToObject(rec, "id", store_tenant_at(i));
		out_record(o, rec);
	}
	for (i = 0; i < store_txn_count(); i++)
		out_record(o, txn_json(store_txn_at(i)));
	idem_each_finished(out_idem, o);
	out_flush(o);
}

static void
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Replace the journal by a snapshot of memory (the exclusive lock on the
 * old file is held). The new file becomes ours; others see the new inode
 * and reload from it. */
static void
compact(const char *dir)
{
	struct outbuf o = { -1, NULL, 0, 0, 0, 0 };
	size_t n = strlen(w.path) + 32;
	char *tmp = malloc(n);
	int old = w.fd;

	if (!tmp)
		return;
	snprintf(tmp, n, "%s.tmp%ld", w.path, (long)getpid());
	o.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (o.fd >= 0) {
		store_lock();
		write_snapshot(&o);
		store_unlock();
		o.failed |= fsync(o.fd) != 0;
		o.failed |= close(o.fd) != 0;
	}
	free(o.data);
	if (o.fd < 0 || o.failed || rename(tmp, w.path) != 0) {
		unlink(tmp);
		free(tmp);
		return;
	}
	free(tmp);
	fsync_dir(dir);
	if (open_journal() != 0) {
		w.fd = old;
		return;
	}
	/* The snapshot is what memory holds already. */
	w.offset = lseek(w.fd, 0, SEEK_END);
	w.lines = o.records;
	close(old);
}

/* A last line without its newline (a writer died mid-line) is closed off
 * so the next record starts on a line of its own. */
static void
terminate_torn_line(void)
{
	struct stat st;
	char last;

	if (fstat(w.fd, &st) == 0 && st.st_size > 0 &&
	    pread(w.fd, &last, 1, st.st_size - 1) == 1 && last != '\n' &&
	    write(w.fd, "\n", 1) != 1)
		fprintf(stderr, "novu-sandbox: cannot repair %s\n", w.path);
}

static int
make_dir(const char *dir)
{
	char *copy = strdup(dir), *p;
	int rc = 0;

	if (!copy)
		return -1;
	for (p = copy + 1; *p && rc == 0; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	if (rc == 0 && mkdir(copy, 0700) != 0 && errno != EEXIST)
		rc = -1;
	free(copy);
	return rc;
}

int
world_open(const char *dir)
{
	size_t n = strlen(dir) + sizeof("/" WORLD_FILE);

	if (make_dir(dir) != 0) {
		fprintf(stderr, "novu-sandbox: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	w.path = malloc(n);
	w.dir = strdup(dir);
	if (!w.path || !w.dir) {
		world_close();
		return -1;
	}
	snprintf(w.path, n, "%s/%s", dir, WORLD_FILE);
	if (open_journal() != 0) {
		fprintf(stderr, "novu-sandbox: cannot open %s: %s\n", w.path, strerror(errno));
		world_close();
		return -1;
	}
	w.enabled = 1;
	/* Requests wait on this lock until world_load() has read the journal. */
	pthread_mutex_lock(&w.mu);
	w.loading = 1;
	return 0;
}

void
world_load(void)
{
	long live;

	if (!w.loading)
		return;
	flock(w.fd, LOCK_EX);
	terminate_torn_line();
	read_tail();
	live = (long)(store_txn_count() + idem_count());
	if (w.lines > 2 * live + COMPACT_SLACK)
		compact(w.dir);
	flock(w.fd, LOCK_UN);
	if (w.bad)
		fprintf(stderr, "novu-sandbox: skipped %ld unreadable line(s) in %s\n", w.bad, w.path);
	w.loading = 0;
	pthread_mutex_unlock(&w.mu);
}

void
world_reset(void)
{
	pthread_mutex_lock(&w.mu);
	if (w.enabled && w.fd >= 0) {
		/* Truncating in place would let a slow appender's line survive at
		 * an offset others have not read; a new empty file is unambiguous. */
		flock(w.fd, LOCK_EX);
		if (unlink(w.path) != 0 && errno != ENOENT)
			fprintf(stderr, "novu-sandbox: cannot remove %s: %s\n", w.path, strerror(errno));
		flock(w.fd, LOCK_UN);
		reload();
	} else {
		clear_memory();
	}
	pthread_mutex_unlock(&w.mu);
}

void
world_close(void)
{
	if (!w.loading)
		pthread_mutex_lock(&w.mu);
	w.loading = 0;
	if (w.fd >= 0)
		close(w.fd);
	w.fd = -1;
	w.enabled = 0;
	free(w.path);
	free(w.dir);
	w.path = w.dir = NULL;
	pthread_mutex_unlock(&w.mu);
}
