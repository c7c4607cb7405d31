/* histdb.c - the durable local record of every send and cancel (SQLite).
 *
 * Durability: WAL journal with synchronous=FULL, so a committed append
 * survives a crash of this process and of the machine; each append is one
 * transaction (one INSERT in autocommit mode), so a crash loses at most the
 * row being written. Concurrency: WAL lets readers run beside one writer and
 * the busy timeout makes a second console wait its turn instead of failing.
 * A handle is guarded by a mutex, so threads may share one.
 *
 * Schema changes go through PRAGMA user_version: migrate() brings an older
 * file up to HISTORY_SCHEMA; a newer file is refused, never rewritten.
 * A file SQLite cannot read is renamed aside, never deleted.
 */
#include "histdb.h"
#include "clock.h"
#include "paths.h"
#include "runlock.h"
#include "textbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define HISTORY_SCHEMA     4
#define BUSY_TIMEOUT_MS    5000

struct nc_history {
	sqlite3 *db;
	char *path;
	pthread_mutex_t lock;
	struct runlock *run_locks;   /* bulk runs this handle is sending */
};

/* Version 1. The entries table is read newest first by rowid (id), which is
 * its own index; transaction_id is looked up by histdb_set_cancel. Pending
 * bulk chunks have a partial index so finding unfinished runs stays cheap
 * however many finished ones accumulate. */
static const char SCHEMA_V1[] =
	"CREATE TABLE entries ("
	" id INTEGER PRIMARY KEY,"
	" time_ms INTEGER NOT NULL,"
	" profile TEXT, kind TEXT, workflow TEXT, recipients TEXT,"
	" transaction_id TEXT, idempotency_key TEXT,"
	" http_status INTEGER NOT NULL DEFAULT 0,"
	" response_status TEXT, error TEXT, cancel_outcome TEXT,"
	" request_json TEXT, response_json TEXT, batch_id TEXT);"
	"CREATE INDEX entries_transaction ON entries(transaction_id)"
	" WHERE transaction_id IS NOT NULL;"
	"CREATE TABLE bulk_runs ("
	" id INTEGER PRIMARY KEY,"
	" created_ms INTEGER NOT NULL,"
	" profile TEXT, source TEXT,"
	" nchunks INTEGER NOT NULL);"
	"CREATE TABLE bulk_chunks ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES bulk_runs(id),"
	" idx INTEGER NOT NULL,"
	" idempotency_key TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" done INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (run_id, idx));"
	"CREATE INDEX bulk_chunks_pending ON bulk_chunks(run_id) WHERE done = 0;";

/* Version 2: the send ledger. `scope` (then "PROFILE URL", now
 * "ENVIRONMENT URL": see SCOPE_SQL) is where a row was
 * sent, so a transactionId or key is checked against the same server only;
 * a bulk event row points at its chunk, which holds the request's answer
 * once for its 100 events. */
static const char SCHEMA_V2[] =
	"ALTER TABLE entries ADD COLUMN scope TEXT;"
	"ALTER TABLE entries ADD COLUMN chunk_id INTEGER;"
	"CREATE INDEX entries_idem ON entries(idempotency_key)"
	" WHERE idempotency_key IS NOT NULL AND chunk_id IS NULL;"
	"CREATE INDEX entries_chunk ON entries(chunk_id) WHERE chunk_id IS NOT NULL;"
	"ALTER TABLE bulk_chunks ADD COLUMN http_status INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE bulk_chunks ADD COLUMN response_json TEXT;";

/* Version 3: what each row shows, indexed for the History filter.
 *
 * ROW_STATUS_SQL is the one home of the row's Status column (the screen
 * reads it back from page queries as shown_status): the cancel outcome wins,
 * then the API status, then the HTTP code, then "failed" for an error
 * without an answer. ROW_TEXT_SQL is everything the filter searches: the
 * time as "YYYY-MM-DD HH:MM:SS" in local time (so both of the screen's forms,
 * "14:05:20" and "12-02 14:05", are substrings of it), kind, profile,
 * workflow, recipients, the shown status, the API status and "HTTP nnn" the
 * detail shows, and the full transactionId. Fields are joined by U+001F, which
 * nobody types, so a filter never matches across two fields.
 *
 * The text lives in an FTS5 table with the trigram tokenizer (substring
 * search through an index, any case), kept by triggers so every writer,
 * the send ledger's UPDATEs included, keeps it current; plain SQL, so
 * another program writing the file (sqlite3, a test) keeps it current too
 * (since version 4 the triggers note the rows and a filter re-enters them).
 * entries_total holds count(*), which SQLite would otherwise count by
 * walking every page of the table. */
#define ROW_STATUS_SQL(p) \
	"CASE WHEN ifnull(" p "cancel_outcome, '') <> '' THEN " p "cancel_outcome" \
	" WHEN ifnull(" p "response_status, '') <> '' THEN " p "response_status" \
	" WHEN " p "http_status <> 0 THEN 'HTTP ' || " p "http_status" \
	" WHEN " p "error IS NOT NULL THEN 'failed' ELSE '-' END"
#define ROW_TEXT_SQL(p) \
	"strftime('%Y-%m-%d %H:%M:%S', " p "time_ms / 1000, 'unixepoch', 'localtime')" \
	" || char(31) || ifnull(" p "kind, '') || char(31) || ifnull(" p "profile, '')" \
	" || char(31) || ifnull(" p "workflow, '') || char(31) || ifnull(" p "recipients, '')" \
	" || char(31) || (" ROW_STATUS_SQL(p) ") || char(31) || ifnull(" p "response_status, '')" \
	" || char(31) || CASE WHEN " p "http_status <> 0 THEN 'HTTP ' || " p "http_status" \
	" ELSE '' END || char(31) || ifnull(" p "transaction_id, '')"
#define ROW_TEXT_COLS "time_ms, kind, profile, workflow, recipients, transaction_id," \
	" http_status, response_status, error, cancel_outcome"

static const char SCHEMA_V3[] =
	"CREATE VIRTUAL TABLE entries_text USING fts5(shown, tokenize = 'trigram');"
	"CREATE TRIGGER entries_text_insert AFTER INSERT ON entries BEGIN"
	" INSERT INTO entries_text (rowid, shown) VALUES (new.id, " ROW_TEXT_SQL("new.") ");"
	" UPDATE entries_total SET n = n + 1; END;"
	"CREATE TRIGGER entries_text_update AFTER UPDATE OF id, " ROW_TEXT_COLS " ON entries BEGIN"
	" DELETE FROM entries_text WHERE rowid = old.id;"
	" INSERT INTO entries_text (rowid, shown) VALUES (new.id, " ROW_TEXT_SQL("new.") "); END;"
	"CREATE TRIGGER entries_text_delete AFTER DELETE ON entries BEGIN"
	" DELETE FROM entries_text WHERE rowid = old.id;"
	" UPDATE entries_total SET n = n - 1; END;"
	"CREATE TABLE entries_total (n INTEGER NOT NULL);"
	"INSERT INTO entries_total (n) SELECT count(*) FROM entries;"
	/* The rows written before this version. */
	"INSERT INTO entries_text (rowid, shown) SELECT id, " ROW_TEXT_SQL("") " FROM entries;";

/* Version 4: the filter index is brought up to date when it is read, not
 * on every write. Re-entering a row's text in the trigram index costs some
 * hundred times its UPDATE, and a bulk run updates each of its rows twice,
 * in about one commit per request: kept current by version 3's triggers,
 * the index was 85% of a 10,000-event run's time. Now text_catch_up()
 * enters, in one statement before a filter reads the index, the rows added
 * since (ids above entries_text_mark.upto) and the older rows the triggers
 * noted as changed (entries_text_stale). For 10,000 rows that costs about
 * what 100 of them cost one commit at a time. A row added and answered
 * between two filters, as every row of a bulk run is, is entered once. */
#define TEXT_MARK_SQL "(SELECT upto FROM entries_text_mark)"
static const char SCHEMA_V4[] =
	"DROP TRIGGER entries_text_insert;"
	"DROP TRIGGER entries_text_update;"
	"DROP TRIGGER entries_text_delete;"
	"CREATE TABLE entries_text_stale (id INTEGER PRIMARY KEY);"
	"CREATE TABLE entries_text_mark (upto INTEGER NOT NULL);"
	"INSERT INTO entries_text_mark (upto) SELECT ifnull(max(id), 0) FROM entries;"
	/* An id at or below the mark is noted: a row can reuse the id of a
	 * deleted one. */
	"CREATE TRIGGER entries_text_insert AFTER INSERT ON entries BEGIN"
	" INSERT OR IGNORE INTO entries_text_stale (id) SELECT new.id"
	" WHERE new.id <= " TEXT_MARK_SQL ";"
	" UPDATE entries_total SET n = n + 1; END;"
	"CREATE TRIGGER entries_text_update AFTER UPDATE OF id, " ROW_TEXT_COLS " ON entries BEGIN"
	" INSERT OR IGNORE INTO entries_text_stale (id) SELECT old.id"
	" WHERE old.id <= " TEXT_MARK_SQL ";"
	" INSERT OR IGNORE INTO entries_text_stale (id) SELECT new.id"
	" WHERE new.id <= " TEXT_MARK_SQL "; END;"
	"CREATE TRIGGER entries_text_delete AFTER DELETE ON entries BEGIN"
	" INSERT OR IGNORE INTO entries_text_stale (id) SELECT old.id"
	" WHERE old.id <= " TEXT_MARK_SQL ";"
	" UPDATE entries_total SET n = n - 1; END;";

/* Whether text_catch_up() has anything to do. */
static const char TEXT_BEHIND_SQL[] =
	"SELECT EXISTS (SELECT 1 FROM entries_text_stale)"
	" OR ifnull((SELECT max(id) FROM entries), 0) > " TEXT_MARK_SQL;

/* The noted rows' old text out (a row deleted since has none to put back),
 * the current text of those and of the rows added since in. */
static const char TEXT_CATCH_UP_SQL[] =
	"DELETE FROM entries_text WHERE rowid IN (SELECT id FROM entries_text_stale);"
	"INSERT INTO entries_text (rowid, shown) SELECT id, " ROW_TEXT_SQL("")
	" FROM entries WHERE id IN (SELECT id FROM entries_text_stale)"
	" OR id > " TEXT_MARK_SQL ";"
	"UPDATE entries_text_mark SET upto = max(upto, ifnull((SELECT max(id) FROM entries), 0));"
	"DELETE FROM entries_text_stale;";

#define ENTRY_COLS "id, time_ms, profile, kind, workflow, recipients, transaction_id," \
	" idempotency_key, http_status, response_status, error, cancel_outcome," \
	" request_json, response_json, batch_id, scope, chunk_id"

/* The same columns of `entries e` in a join. */
#define ENTRY_COLS_E "e.id, e.time_ms, e.profile, e.kind, e.workflow, e.recipients," \
	" e.transaction_id, e.idempotency_key, e.http_status, e.response_status, e.error," \
	" e.cancel_outcome, e.request_json, e.response_json, e.batch_id, e.scope, e.chunk_id"

/* Rows as the History list reads them: ENTRY_COLS and the shown status. */
#define LIST_COLS ENTRY_COLS ", " ROW_STATUS_SQL("")

/* The ids of matching rows, from the index of what rows show: MATCH_IDS
 * for a filter of 3 or more characters (?1 is an FTS5 phrase, found through
 * the trigram index), LIKE_IDS for a shorter one, which no trigram can
 * narrow (?1 is a LIKE pattern; '\' escapes the user's own % and _; it
 * reads the same text, so both find the same rows). Both are followed by
 * " AND <rowid range>" in the queries below. */
#define MATCH_IDS "SELECT rowid FROM entries_text WHERE entries_text MATCH ?1"
#define LIKE_IDS "SELECT rowid FROM entries_text WHERE shown LIKE ?1 ESCAPE '\\'"

static const char INSERT_SQL[] =
	"INSERT INTO entries (time_ms, profile, kind, workflow, recipients,"
	" transaction_id, idempotency_key, http_status, response_status, error,"
	" cancel_outcome, request_json, response_json, batch_id, scope, chunk_id)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

/* ---- helpers ---- */

static int64_t
now_ms(void)
{
	return clock_wall_ms();
}

static int
is_corrupt(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

/* Turn the connection's last error into an nc_error. */
static enum nc_status
db_fail(struct nc_history *h, struct nc_error *err, const char *what)
{
	int rc = sqlite3_errcode(h->db) & 0xff;
	const char *msg = sqlite3_errmsg(h->db);

	if (rc == SQLITE_NOMEM)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	if (is_corrupt(rc))
		return nc_error_set(err, NC_E_IO, NULL, "history %s is damaged (%s) while "
		                    "%s: quit, then move the file aside or recover it with "
		                    "sqlite3 %s .recover", h->path, msg, what, h->path);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return nc_error_set(err, NC_E_IO, NULL, "history %s stayed locked by another "
		                    "process for %d s while %s; try again", h->path,
		                    BUSY_TIMEOUT_MS / 1000, what);
	return nc_error_set(err, NC_E_IO, NULL, "history %s: cannot %s: %s", h->path,
	                    what, msg);
}

static int
exec_sql(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Copy a text column; *nomem set when a non-NULL value could not be copied. */
static char *
column_dup(sqlite3_stmt *st, int i, int *nomem)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	char *s;

	if (!t)
		return NULL;
	s = strdup((const char *)t);
	if (!s)
		*nomem = 1;
	return s;
}

/* ---- paths and files ---- */

char *
histdb_default_path(void)
{
	char *dir = paths_state_dir(), *out;

	if (!dir)
		return NULL;
	out = paths_join(dir, "history.db");
	free(dir);
	return out;
}

/* mkdir -p for the directories above path; new ones are private (0700). */
/* The directory of path, made private (0700) where missing. */
static int
make_parent_dirs(const char *path)
{
	char *dir = strdup(path), *p;
	int e = 0;

	if (!dir)
		return ENOMEM;
	p = strrchr(dir, '/');
	if (p && p != dir) {
		*p = '\0';
		e = paths_mkdir_private(dir);
	}
	free(dir);
	return e;
}

/* Create the file ourselves so it is 0600 from the start; SQLite gives the
 * -wal and -shm files the same mode. */
static int
create_private_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* Rename path (and its -wal/-shm companions) to PATH.corrupt-<time>[-n].
 * The companions must move too: a stale WAL would be replayed into the new
 * database. Returns the new name (malloc'd) or NULL with errno set. */
static char *
move_aside(const char *path)
{
	static const char *const companions[] = { "-wal", "-shm" };
	long t = (long)time(NULL);
	char *aside = NULL;
	int n;
	size_t i;

	for (n = 0; n < 100; n++) {
		free(aside);
		aside = n ? nc_asprintf("%s.corrupt-%ld-%d", path, t, n)
		          : nc_asprintf("%s.corrupt-%ld", path, t);
		if (!aside) {
			errno = ENOMEM;
			return NULL;
		}
		if (access(aside, F_OK) != 0 && errno == ENOENT)
			break;
	}
	if (n == 100 || rename(path, aside) != 0) {
		if (n == 100)
			errno = EEXIST;
		free(aside);
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		char *from = nc_asprintf("%s%s", path, companions[i]);
		char *to = nc_asprintf("%s%s", aside, companions[i]);

		if (from && to && access(from, F_OK) == 0)
			rename(from, to);
		free(from);
		free(to);
	}
	return aside;
}

/* ---- opening ---- */

static int
read_user_version(sqlite3 *db, int *version)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Bring the schema to HISTORY_SCHEMA inside one write transaction, so two
 * consoles starting at once do not both create it. *newer is set when the
 * file comes from a later version of the program. */
static int
migrate(sqlite3 *db, int *newer)
{
	int version = 0, rc;

	*newer = 0;
	rc = exec_sql(db, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK)
		return rc;
	rc = read_user_version(db, &version);
	if (rc == SQLITE_OK && version > HISTORY_SCHEMA)
		*newer = version;
	if (rc == SQLITE_OK && !*newer && version < 1) {
		rc = exec_sql(db, SCHEMA_V1);
		if (rc == SQLITE_OK)
			rc = exec_sql(db, "PRAGMA user_version = 1");
	}
	if (rc == SQLITE_OK && !*newer && version < 2) {
		rc = exec_sql(db, SCHEMA_V2);
		if (rc == SQLITE_OK)
			rc = exec_sql(db, "PRAGMA user_version = 2");
	}
	if (rc == SQLITE_OK && !*newer && version < 3) {
		rc = exec_sql(db, SCHEMA_V3);
		if (rc == SQLITE_OK)
			rc = exec_sql(db, "PRAGMA user_version = 3");
	}
	if (rc == SQLITE_OK && !*newer && version < 4) {
		rc = exec_sql(db, SCHEMA_V4);
		if (rc == SQLITE_OK)
			rc = exec_sql(db, "PRAGMA user_version = 4");
	}
	if (rc == SQLITE_OK && !*newer)
		rc = exec_sql(db, "COMMIT");
	else
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Touch the pages a first screen reads, so a damaged file is found here and
 * moved aside rather than failing later. SQLite itself checks the header and
 * that the file is as long as the header says. */
static int
probe(sqlite3 *db)
{
	static const char *const sql[] = {
		"SELECT count(*) FROM sqlite_master",
		"SELECT " ENTRY_COLS " FROM entries ORDER BY id DESC LIMIT 50",
		"SELECT max(run_id) FROM bulk_chunks WHERE done = 0",
	};
	size_t i;

	for (i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *st;
		int rc = sqlite3_prepare_v2(db, sql[i], -1, &st, NULL);

		if (rc != SQLITE_OK)
			return rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return rc;
	}
	return SQLITE_OK;
}

/* A headless command is one short process: by default SQLite would make a
 * new WAL file on its first write (and fsync the directory for it), then
 * copy it into the database and delete it on close, three fsyncs more than
 * the send's own two. The WAL is kept between processes instead and copied
 * back as it fills (every 1000 pages, SQLite's default), and cut back to
 * 4 MiB after a bulk run made it large. Each commit is as durable as
 * before: synchronous=FULL still fsyncs the WAL. */
static void
keep_wal(sqlite3 *db)
{
	int on = 1;

	sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	exec_sql(db, "PRAGMA journal_size_limit = 4194304");
}

/* Open and prepare one database file. On failure *db is closed and NULL and
 * msg receives SQLite's text. */
static int
open_db(const char *path, sqlite3 **db, int *newer, char *msg, size_t msgsz)
{
	int rc;

	*newer = 0;
	rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(*db, BUSY_TIMEOUT_MS);
		rc = exec_sql(*db, "PRAGMA journal_mode = WAL");
	}
	if (rc == SQLITE_OK)
		rc = exec_sql(*db, "PRAGMA synchronous = FULL");
	if (rc == SQLITE_OK)
		keep_wal(*db);
	if (rc == SQLITE_OK)
		rc = migrate(*db, newer);
	if (rc == SQLITE_OK && !*newer)
		rc = probe(*db);
	if (rc != SQLITE_OK || *newer) {
		snprintf(msg, msgsz, "%s", *db ? sqlite3_errmsg(*db) : "out of memory");
		sqlite3_close_v2(*db);
		*db = NULL;
		if (rc == SQLITE_OK)
			rc = SQLITE_ERROR;
	}
	return rc;
}

/* open_db(), again while the file is busy. SQLite calls the busy handler for
 * ordinary lock waits, but returns SQLITE_BUSY at once where waiting could
 * deadlock: two consoles creating the file together both try to switch it
 * to WAL. Starting over (and so dropping our own lock) resolves that. */
static int
open_db_retrying(const char *path, sqlite3 **db, int *newer, char *msg, size_t msgsz)
{
	struct timespec pause = { 0, 0 };
	int rc, waited_ms = 0;

	for (;;) {
		rc = open_db(path, db, newer, msg, msgsz);
		if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= BUSY_TIMEOUT_MS)
			return rc;
		/* 10-40 ms, different per process so the two do not stay in step */
		pause.tv_nsec = (10 + (long)((getpid() + waited_ms) % 31)) * 1000000L;
		nanosleep(&pause, NULL);
		waited_ms += (int)(pause.tv_nsec / 1000000L);
	}
}

static enum nc_status
open_failed(const char *path, int rc, int newer, const char *msg, struct nc_error *err)
{
	if (newer)
		return nc_error_set(err, NC_E_IO, NULL, "history %s was written by a newer "
		                    "novu-console (schema %d, this one knows %d); it was left "
		                    "untouched", path, newer, HISTORY_SCHEMA);
	if ((rc & 0xff) == SQLITE_NOMEM)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	if ((rc & 0xff) == SQLITE_BUSY)
		return nc_error_set(err, NC_E_IO, NULL, "history %s stayed locked by another "
		                    "process for %d s: %s", path, BUSY_TIMEOUT_MS / 1000, msg);
	return nc_error_set(err, NC_E_IO, NULL, "cannot open history %s: %s", path, msg);
}

/* Another console may have moved a damaged file aside and started a new one
 * while we were reading the old one: then retry rather than move theirs. */
static int
replaced_since(const char *path, const struct stat *before)
{
	struct stat now;

	return stat(path, &now) == 0 &&
	       (now.st_ino != before->st_ino || now.st_dev != before->st_dev);
}

enum nc_status
histdb_open(const char *path, struct nc_history **out, struct nc_error *err)
{
	struct nc_history *h;
	sqlite3 *db = NULL;
	char msg[256], *aside = NULL, *def = NULL;
	struct stat before;
	int rc, e, newer;

	*out = NULL;
	if (!path) {
		path = def = histdb_default_path();
		if (!path)
			return nc_error_set(err, NC_E_IO, NULL, "cannot find where to keep "
			                    "history: set HOME or NOVU_CONSOLE_STATE_DIR");
	}
	e = make_parent_dirs(path);
	if (!e)
		e = create_private_file(path);
	if (e) {
		nc_error_set(err, e == ENOMEM ? NC_E_NOMEM : NC_E_IO, NULL,
		             "cannot create history %s: %s", path, strerror(e));
		free(def);
		return e == ENOMEM ? NC_E_NOMEM : NC_E_IO;
	}
	if (stat(path, &before) != 0)
		memset(&before, 0, sizeof before);
	rc = open_db_retrying(path, &db, &newer, msg, sizeof msg);
	if (rc != SQLITE_OK && is_corrupt(rc) && replaced_since(path, &before))
		rc = open_db_retrying(path, &db, &newer, msg, sizeof msg);
	if (rc != SQLITE_OK && is_corrupt(rc) && !newer) {
		aside = move_aside(path);
		if (!aside) {
			e = errno;
			nc_error_set(err, NC_E_IO, NULL, "history %s is not a readable database "
			             "(%s) and could not be moved aside: %s", path, msg, strerror(e));
			free(def);
			return NC_E_IO;
		}
		e = create_private_file(path);
		rc = e ? SQLITE_CANTOPEN : open_db_retrying(path, &db, &newer, msg, sizeof msg);
		if (e)
			snprintf(msg, sizeof msg, "%s", strerror(e));
	}
	if (rc != SQLITE_OK) {
		enum nc_status st = open_failed(path, rc, newer, msg, err);

		free(aside);
		free(def);
		return st;
	}
	h = calloc(1, sizeof *h);
	if (h)
		h->path = strdup(path);
	if (!h || !h->path) {
		free(h);
		sqlite3_close_v2(db);
		free(aside);
		free(def);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	h->db = db;
	pthread_mutex_init(&h->lock, NULL);
	if (aside)
		nc_error_set(err, NC_OK, NULL, "history %s was not a readable database; it "
		             "was moved to %s and a new history was started", path, aside);
	free(aside);
	free(def);
	*out = h;
	return NC_OK;
}

void
histdb_close(struct nc_history *h)
{
	if (!h)
		return;
	runlock_drop_all(&h->run_locks);
	sqlite3_close_v2(h->db);
	pthread_mutex_destroy(&h->lock);
	free(h->path);
	free(h);
}

/* ---- entries ---- */

void
histdb_entry_clear(struct nc_history_entry *e)
{
	if (!e)
		return;
	free(e->profile);
	free(e->kind);
	free(e->workflow);
	free(e->recipients);
	free(e->transaction_id);
	free(e->idempotency_key);
	free(e->response_status);
	free(e->error);
	free(e->cancel_outcome);
	free(e->request_json);
	free(e->response_json);
	free(e->batch_id);
	free(e->scope);
	free(e->shown_status);
	memset(e, 0, sizeof *e);
}

static void
bind_entry(sqlite3_stmt *st, const struct nc_history_entry *e)
{
	sqlite3_bind_int64(st, 1, e->time_ms);
	bind_text(st, 2, e->profile);
	bind_text(st, 3, e->kind);
	bind_text(st, 4, e->workflow);
	bind_text(st, 5, e->recipients);
	bind_text(st, 6, e->transaction_id);
	bind_text(st, 7, e->idempotency_key);
	sqlite3_bind_int64(st, 8, e->http_status);
	bind_text(st, 9, e->response_status);
	bind_text(st, 10, e->error);
	bind_text(st, 11, e->cancel_outcome);
	bind_text(st, 12, e->request_json);
	bind_text(st, 13, e->response_json);
	bind_text(st, 14, e->batch_id);
	bind_text(st, 15, e->scope);
	if (e->chunk_id)
		sqlite3_bind_int64(st, 16, e->chunk_id);
	else
		sqlite3_bind_null(st, 16);
}

/* Fill e from a row selected with ENTRY_COLS. Returns 0, or -1 when out of
 * memory (e is then cleared). */
static int
row_to_entry(sqlite3_stmt *st, struct nc_history_entry *e)
{
	int nomem = 0;

	memset(e, 0, sizeof *e);
	e->id = sqlite3_column_int64(st, 0);
	e->time_ms = sqlite3_column_int64(st, 1);
	e->profile = column_dup(st, 2, &nomem);
	e->kind = column_dup(st, 3, &nomem);
	e->workflow = column_dup(st, 4, &nomem);
	e->recipients = column_dup(st, 5, &nomem);
	e->transaction_id = column_dup(st, 6, &nomem);
	e->idempotency_key = column_dup(st, 7, &nomem);
	e->http_status = (long)sqlite3_column_int64(st, 8);
	e->response_status = column_dup(st, 9, &nomem);
	e->error = column_dup(st, 10, &nomem);
	e->cancel_outcome = column_dup(st, 11, &nomem);
	e->request_json = column_dup(st, 12, &nomem);
	e->response_json = column_dup(st, 13, &nomem);
	e->batch_id = column_dup(st, 14, &nomem);
	e->scope = column_dup(st, 15, &nomem);
	e->chunk_id = sqlite3_column_int64(st, 16);
	if (sqlite3_column_count(st) > 17)   /* LIST_COLS */
		e->shown_status = column_dup(st, 17, &nomem);
	if (nomem) {
		histdb_entry_clear(e);
		return -1;
	}
	return 0;
}

/* Insert with a prepared INSERT_SQL statement; fills e->id and e->time_ms. */
static int
insert_entry(struct nc_history *h, sqlite3_stmt *st, struct nc_history_entry *e)
{
	int rc;

	if (e->time_ms == 0)
		e->time_ms = now_ms();
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	bind_entry(st, e);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		return rc;
	e->id = sqlite3_last_insert_rowid(h->db);
	return SQLITE_OK;
}

enum nc_status
histdb_append(struct nc_history *h, struct nc_history_entry *e, struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	enum nc_status ret = NC_OK;

	pthread_mutex_lock(&h->lock);
	if (sqlite3_prepare_v2(h->db, INSERT_SQL, -1, &st, NULL) != SQLITE_OK ||
	    insert_entry(h, st, e) != SQLITE_OK)
		ret = db_fail(h, err, "record the entry");
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

enum nc_status
histdb_append_many(struct nc_history *h, struct nc_history_entry *entries, size_t n,
                    struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	enum nc_status ret = NC_OK;
	size_t i;

	pthread_mutex_lock(&h->lock);
	if (exec_sql(h->db, "BEGIN IMMEDIATE") != SQLITE_OK) {
		ret = db_fail(h, err, "start recording entries");
		goto out;
	}
	if (sqlite3_prepare_v2(h->db, INSERT_SQL, -1, &st, NULL) != SQLITE_OK)
		ret = db_fail(h, err, "record the entries");
	for (i = 0; !ret && i < n; i++)
		if (insert_entry(h, st, &entries[i]) != SQLITE_OK)
			ret = db_fail(h, err, "record the entries");
	sqlite3_finalize(st);
	if (!ret && exec_sql(h->db, "COMMIT") != SQLITE_OK)
		ret = db_fail(h, err, "commit the entries");
	if (ret) {
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		for (i = 0; i < n; i++)
			entries[i].id = 0;
	}
out:
	pthread_mutex_unlock(&h->lock);
	return ret;
}

/* How a filter is looked up: not at all, row by row, or through the index. */
enum filter_way { FILTER_ALL, FILTER_LIKE, FILTER_MATCH };

/* Trigrams need 3 characters (not bytes: UTF-8 continuation bytes do not
 * count). */
#define TRIGRAM 3

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* "%filter%" with the user's %, _ and \ made literal. */
static char *
like_pattern(const char *filter)
{
	char *pat = malloc(2 * strlen(filter) + 3), *w;

	if (!pat)
		return NULL;
	w = pat;
	*w++ = '%';
	for (; *filter; filter++) {
		if (*filter == '%' || *filter == '_' || *filter == '\\')
			*w++ = '\\';
		*w++ = *filter;
	}
	*w++ = '%';
	*w = '\0';
	return pat;
}

/* An FTS5 phrase: the filter in double quotes, its own quotes doubled; the
 * trigram tokenizer turns it into consecutive trigrams, i.e. a substring. */
static char *
match_phrase(const char *filter)
{
	char *ph = malloc(2 * strlen(filter) + 3), *w;

	if (!ph)
		return NULL;
	w = ph;
	*w++ = '"';
	for (; *filter; filter++) {
		if (*filter == '"')
			*w++ = '"';
		*w++ = *filter;
	}
	*w++ = '"';
	*w = '\0';
	return ph;
}

/* Bring the filter index up to date with the rows added and changed since
 * it was last read (SCHEMA_V4), in one transaction. The caller holds
 * h->lock. Cheap when nothing changed: two lookups. */
static enum nc_status
text_catch_up(struct nc_history *h, struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	int stale = 0;

	if (sqlite3_prepare_v2(h->db, TEXT_BEHIND_SQL, -1, &st, NULL) != SQLITE_OK)
		return db_fail(h, err, "read the filter index");
	if (sqlite3_step(st) == SQLITE_ROW)
		stale = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!stale)
		return NC_OK;
	if (exec_sql(h->db, "BEGIN IMMEDIATE") != SQLITE_OK)
		return db_fail(h, err, "bring the filter index up to date");
	if (exec_sql(h->db, TEXT_CATCH_UP_SQL) != SQLITE_OK ||
	    exec_sql(h->db, "COMMIT") != SQLITE_OK) {
		enum nc_status ret = db_fail(h, err, "bring the filter index up to date");

		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		return ret;
	}
	return NC_OK;
}

/* Which way filter goes, and the text bound as ?1 (malloc'd; NULL for
 * FILTER_ALL). -1 when out of memory. */
static int
filter_arg(const char *filter, enum filter_way *way, char **arg)
{
	*arg = NULL;
	*way = !filter || !*filter ? FILTER_ALL
	     : utf8_chars(filter) >= TRIGRAM ? FILTER_MATCH : FILTER_LIKE;
	if (*way == FILTER_ALL)
		return 0;
	*arg = *way == FILTER_MATCH ? match_phrase(filter) : like_pattern(filter);
	return *arg ? 0 : -1;
}

/* Step a SELECT of ENTRY_COLS into a growing array. */
static enum nc_status
collect_entries(struct nc_history *h, sqlite3_stmt *st, struct nc_history_entry **out,
                size_t *n, struct nc_error *err)
{
	struct nc_history_entry *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct nc_history_entry *nv = realloc(v, ncap * sizeof *nv);

			if (!nv)
				break;
			v = nv;
			cap = ncap;
		}
		if (row_to_entry(st, &v[cnt]) != 0)
			break;
		cnt++;
	}
	if (rc == SQLITE_DONE) {
		*out = v;
		*n = cnt;
		return NC_OK;
	}
	while (cnt > 0)
		histdb_entry_clear(&v[--cnt]);
	free(v);
	if (rc == SQLITE_ROW)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	return db_fail(h, err, "read the history");
}

/* Prepare sql, bind arg as ?1 (when there is one) and run it. */
static enum nc_status
query_entries(struct nc_history *h, const char *sql, const char *arg,
              int64_t arg2, int64_t arg3, struct nc_history_entry **out, size_t *n,
              struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	enum nc_status ret;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&h->lock);
	ret = arg ? text_catch_up(h, err) : NC_OK;   /* a filter reads the index */
	if (ret != NC_OK) {
		/* err says why */
	} else if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = db_fail(h, err, "read the history");
	} else {
		if (arg)
			sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, arg2);
		sqlite3_bind_int64(st, 3, arg3);
		ret = collect_entries(h, st, out, n, err);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

/* query_entries with the SQL picked by how the filter is looked up:
 * sql[FILTER_ALL], sql[FILTER_LIKE] or sql[FILTER_MATCH]. */
static enum nc_status
query_filtered(struct nc_history *h, const char *const sql[3], const char *filter,
               int64_t arg2, int64_t arg3, struct nc_history_entry **out, size_t *n,
               struct nc_error *err)
{
	enum filter_way way;
	char *arg;
	enum nc_status ret;

	*out = NULL;
	*n = 0;
	if (filter_arg(filter, &way, &arg) != 0)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	ret = query_entries(h, sql[way], arg, arg2, arg3, out, n, err);
	free(arg);
	return ret;
}

static int64_t
clamp_limit(size_t v)
{
	return v > (size_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* Parameter numbers are fixed (?1 filter, ?2, ?3) so every query can go
 * through query_entries(); binding a number a text does not use only makes
 * sqlite3_bind_* return SQLITE_RANGE, which is ignored. The filtered forms
 * pick the ids in the index's own rowid order and LIMIT there, so only
 * the rows shown are read from entries. */
#define IDS_BELOW(ids) "SELECT " LIST_COLS " FROM entries WHERE id IN (" ids \
	" AND rowid < ?2 ORDER BY rowid DESC LIMIT ?3) ORDER BY id DESC"
#define IDS_ABOVE(ids) "SELECT " LIST_COLS " FROM entries WHERE id IN (" ids \
	" AND rowid > ?2 ORDER BY rowid ASC LIMIT ?3) ORDER BY id DESC"
#define IDS_AT(ids) "SELECT " LIST_COLS " FROM entries WHERE id IN (" ids \
	" ORDER BY rowid DESC LIMIT ?3 OFFSET ?2) ORDER BY id DESC"

enum nc_status
histdb_page(struct nc_history *h, const char *filter, int64_t before_id, size_t limit,
             struct nc_history_entry **out, size_t *n, struct nc_error *err)
{
	static const char *const sql[3] = {
		"SELECT " LIST_COLS " FROM entries WHERE id < ?2 ORDER BY id DESC LIMIT ?3",
		IDS_BELOW(LIKE_IDS), IDS_BELOW(MATCH_IDS),
	};

	return query_filtered(h, sql, filter, before_id > 0 ? before_id : INT64_MAX,
	                      clamp_limit(limit), out, n, err);
}

enum nc_status
histdb_page_newer(struct nc_history *h, const char *filter, int64_t after_id, size_t limit,
                  struct nc_history_entry **out, size_t *n, struct nc_error *err)
{
	static const char *const sql[3] = {
		"SELECT " LIST_COLS " FROM entries WHERE id IN (SELECT id FROM entries"
		" WHERE id > ?2 ORDER BY id ASC LIMIT ?3) ORDER BY id DESC",
		IDS_ABOVE(LIKE_IDS), IDS_ABOVE(MATCH_IDS),
	};

	return query_filtered(h, sql, filter, after_id, clamp_limit(limit), out, n, err);
}

enum nc_status
histdb_slice(struct nc_history *h, const char *filter, size_t offset, size_t limit,
              struct nc_history_entry **out, size_t *n, struct nc_error *err)
{
	static const char *const sql[3] = {
		"SELECT " LIST_COLS " FROM entries ORDER BY id DESC LIMIT ?3 OFFSET ?2",
		IDS_AT(LIKE_IDS), IDS_AT(MATCH_IDS),
	};

	return query_filtered(h, sql, filter, clamp_limit(offset), clamp_limit(limit),
	                      out, n, err);
}

/* A count(*) picked by how the filter is looked up (sql[FILTER_ALL],
 * [FILTER_LIKE] or [FILTER_MATCH]): ?1 the filter, ?2 and ?3 as given. */
static enum nc_status
count_filtered(struct nc_history *h, const char *const sql[3], const char *filter,
               int64_t arg2, int64_t arg3, size_t *count, struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	enum filter_way way;
	enum nc_status ret;
	char *arg;

	*count = 0;
	if (filter_arg(filter, &way, &arg) != 0)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	pthread_mutex_lock(&h->lock);
	ret = arg ? text_catch_up(h, err) : NC_OK;
	if (ret != NC_OK) {
		/* err says why */
	} else if (sqlite3_prepare_v2(h->db, sql[way], -1, &st, NULL) != SQLITE_OK) {
		ret = db_fail(h, err, "count the history");
	} else {
		if (arg)
			sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, arg2);
		sqlite3_bind_int64(st, 3, arg3);
		if (sqlite3_step(st) == SQLITE_ROW)
			*count = (size_t)sqlite3_column_int64(st, 0);
		else
			ret = db_fail(h, err, "count the history");
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	free(arg);
	return ret;
}

/* A cap of 0 counts everything: LIMIT -1. */
static int64_t
count_cap(size_t cap)
{
	return cap ? clamp_limit(cap) : -1;
}

enum nc_status
histdb_count_upto(struct nc_history *h, const char *filter, size_t cap, size_t *count,
                  struct nc_error *err)
{
	static const char *const sql[3] = {
		"SELECT n FROM entries_total",
		"SELECT count(*) FROM (" LIKE_IDS " LIMIT ?3)",
		"SELECT count(*) FROM (" MATCH_IDS " LIMIT ?3)",
	};

	return count_filtered(h, sql, filter, 0, count_cap(cap), count, err);
}

enum nc_status
histdb_count(struct nc_history *h, const char *filter, size_t *count, struct nc_error *err)
{
	return histdb_count_upto(h, filter, 0, count, err);
}

/* Matching ids in rowid order, up to ?2. The index is read oldest first
 * (FTS5 walks its lists backwards at about half the speed), so when fewer
 * than the cap match, this one pass holds the count and the newest rows. */
#define FIRST_IDS(ids, order) ids " ORDER BY rowid " order " LIMIT ?2"

/* Up to cap matching ids into ids[], oldest first (desc: newest first). */
static int
collect_ids(sqlite3 *db, enum filter_way way, const char *arg, int desc, size_t cap,
            int64_t *ids, size_t *n)
{
	static const char *const sql[2][2] = {
		{ FIRST_IDS(LIKE_IDS, "ASC"), FIRST_IDS(LIKE_IDS, "DESC") },
		{ FIRST_IDS(MATCH_IDS, "ASC"), FIRST_IDS(MATCH_IDS, "DESC") },
	};
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(db, sql[way == FILTER_MATCH][desc != 0], -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, clamp_limit(cap));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* The newest `limit` of the matching ids, newest first, into ids[]: the
 * last of the count's pass reversed when it saw them all, else a pass of
 * their own from the newest end (cheap then: cap or more rows match). */
static int
newest_ids(sqlite3 *db, enum filter_way way, const char *arg, size_t count, size_t cap,
           size_t limit, int64_t *ids, size_t *n)
{
	size_t i;
	int64_t t;

	if (count >= cap)
		return collect_ids(db, way, arg, 1, limit, ids, n);
	if (count > limit) {
		memmove(ids, ids + count - limit, limit * sizeof(*ids));
		count = limit;
	}
	for (i = 0; i < count / 2; i++) {
		t = ids[i];
		ids[i] = ids[count - 1 - i];
		ids[count - 1 - i] = t;
	}
	*n = count;
	return 0;
}

/* The rows of ids[0..n), in that order (an id with no row is skipped). */
static int
rows_by_id(sqlite3 *db, const int64_t *ids, size_t n, struct nc_history_entry *v,
           size_t *got)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = 0;

	*got = 0;
	if (sqlite3_prepare_v2(db, "SELECT " LIST_COLS " FROM entries WHERE id = ?1", -1, &st,
	                       NULL) != SQLITE_OK)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, ids[i]);
		switch (sqlite3_step(st)) {
		case SQLITE_ROW:
			rc = row_to_entry(st, &v[*got]);   /* -1: out of memory */
			*got += rc == 0;
			break;
		case SQLITE_DONE:   /* no such row: skipped */
			break;
		default:
			rc = -1;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Count and first page of a filter, in one read transaction. The caller
 * holds h->lock; ids has room for cap ids, v for limit rows. */
static enum nc_status
filter_first_locked(struct nc_history *h, enum filter_way way, const char *arg, size_t cap,
                    size_t limit, int64_t *ids, size_t *count, struct nc_history_entry *v,
                    size_t *n, struct nc_error *err)
{
	enum nc_status ret = text_catch_up(h, err);
	size_t nids = 0;

	if (ret != NC_OK)
		return ret;
	if (exec_sql(h->db, "BEGIN") != SQLITE_OK)
		return db_fail(h, err, "read the history");
	if (collect_ids(h->db, way, arg, 0, cap, ids, count) != 0 ||
	    newest_ids(h->db, way, arg, *count, cap, limit, ids, &nids) != 0 ||
	    rows_by_id(h->db, ids, nids, v, n) != 0)
		ret = db_fail(h, err, "read the history");
	sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
	return ret;
}

enum nc_status
histdb_filter_first(struct nc_history *h, const char *filter, size_t cap, size_t limit,
                    size_t *count, struct nc_history_entry **out, size_t *n,
                    struct nc_error *err)
{
	struct nc_history_entry *v;
	enum filter_way way;
	enum nc_status ret;
	int64_t *ids;
	char *arg;

	*count = *n = 0;
	*out = NULL;
	if (filter_arg(filter, &way, &arg) != 0)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	if (way == FILTER_ALL || cap < limit) {
		free(arg);
		ret = histdb_count_upto(h, filter, cap, count, err);
		return ret == NC_OK ? histdb_page(h, filter, 0, limit, out, n, err) : ret;
	}
	ids = malloc(cap * sizeof(*ids));
	v = calloc(limit ? limit : 1, sizeof(*v));
	if (!ids || !v) {
		ret = nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	} else {
		pthread_mutex_lock(&h->lock);
		ret = filter_first_locked(h, way, arg, cap, limit, ids, count, v, n, err);
		pthread_mutex_unlock(&h->lock);
	}
	if (ret == NC_OK) {
		*out = v;
	} else {
		while (*n)
			histdb_entry_clear(&v[--*n]);
		free(v);
		*count = 0;
	}
	free(ids);
	free(arg);
	return ret;
}

enum nc_status
histdb_count_newer(struct nc_history *h, const char *filter, int64_t after_id, size_t cap,
                   size_t *count, struct nc_error *err)
{
	static const char *const sql[3] = {
		"SELECT count(*) FROM (SELECT id FROM entries WHERE id > ?2 LIMIT ?3)",
		"SELECT count(*) FROM (" LIKE_IDS " AND rowid > ?2 LIMIT ?3)",
		"SELECT count(*) FROM (" MATCH_IDS " AND rowid > ?2 LIMIT ?3)",
	};

	return count_filtered(h, sql, filter, after_id, count_cap(cap), count, err);
}

enum nc_status
histdb_data_version(struct nc_history *h, int64_t *version, struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	enum nc_status ret = NC_OK;

	*version = 0;
	pthread_mutex_lock(&h->lock);
	if (sqlite3_prepare_v2(h->db, "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		ret = db_fail(h, err, "read the history");
	else
		*version = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

enum nc_status
histdb_get_entry(struct nc_history *h, int64_t id, struct nc_history_entry *out,
                  struct nc_error *err)
{
	struct nc_history_entry *v;
	size_t n;
	enum nc_status st;

	memset(out, 0, sizeof *out);
	/* A bulk event's answer is its request's, kept once on the chunk. */
	st = query_entries(h, "SELECT e.id, e.time_ms, e.profile, e.kind, e.workflow,"
	                   " e.recipients, e.transaction_id, e.idempotency_key, e.http_status,"
	                   " e.response_status, e.error, e.cancel_outcome, e.request_json,"
	                   " COALESCE(e.response_json, c.response_json), e.batch_id, e.scope,"
	                   " e.chunk_id, " ROW_STATUS_SQL("e.") " FROM entries e LEFT JOIN bulk_chunks c ON c.id = e.chunk_id"
	                   " WHERE e.id = ?2", NULL, id, 0, &v, &n, err);
	if (st)
		return st;
	if (n == 0) {
		free(v);
		return nc_error_set(err, NC_E_USAGE, NULL, "there is no history entry #%"
		                    PRId64, id);
	}
	*out = v[0];
	free(v);
	return NC_OK;
}

/* ---- the send ledger: claims, results, bulk runs with event rows ---- */

/* Rows of the same environment and server (?2, "ENVIRONMENT URL"). Rows
 * from before scopes were kept (NULL) count everywhere: their server is not
 * known, and a transactionId is unique enough that treating it as used
 * costs nothing. Rows from before scopes named the environment were scoped
 * "PROFILE URL": they count for that profile (?3) on that URL. */
#define LEGACY_SCOPE_SQL(scope, profile) \
	"ifnull(" profile ", '') || substr(" scope ", instr(" scope ", ' '))"
#define SCOPE_SQL "(scope = ?2 OR scope IS NULL OR scope = " LEGACY_SCOPE_SQL("?2", "?3") ")"

/* The newest row matching sql (binds ?1 text, ?2 scope, ?3 profile) into
 * *found. Returns 1 found, 0 none, -1 on error (the connection holds it). */
static int
find_row(struct nc_history *h, const char *sql, const char *arg,
         const struct nc_history_entry *e, struct nc_history_entry *found)
{
	sqlite3_stmt *st;
	int rc, ret;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind_text(st, 1, arg);
	bind_text(st, 2, e->scope);
	bind_text(st, 3, e->profile);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ret = row_to_entry(st, found) == 0 ? 1 : -1;
	else
		ret = rc == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return ret;
}

static const char FIND_KEY_SQL[] =
	"SELECT " ENTRY_COLS " FROM entries WHERE idempotency_key = ?1"
	" AND chunk_id IS NULL AND kind <> 'cancel' AND " SCOPE_SQL
	" ORDER BY id DESC LIMIT 1";
/* A row whose request was refused (no status kept) did not use its
 * transactionId; every other send row did, or may have. */
static const char FIND_TXID_SQL[] =
	"SELECT " ENTRY_COLS " FROM entries WHERE transaction_id = ?1"
	" AND kind <> 'cancel' AND response_status IS NOT NULL AND " SCOPE_SQL
	" ORDER BY id DESC LIMIT 1";

static int
same_text(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Decide with the write lock held; 0 or -1 on a database error. */
static int
judge_claim(struct nc_history *h, struct nc_history_entry *e, enum histdb_verdict *v,
            struct nc_history_entry *found)
{
	int hit;

	if (e->idempotency_key) {
		hit = find_row(h, FIND_KEY_SQL, e->idempotency_key, e, found);
		if (hit < 0)
			return -1;
		if (hit) {
			*v = same_text(found->request_json, e->request_json) ? HISTDB_RETRY
			                                                     : HISTDB_KEY_CHANGED;
			return 0;
		}
	}
	hit = e->transaction_id ? find_row(h, FIND_TXID_SQL, e->transaction_id, e, found) : 0;
	if (hit < 0)
		return -1;
	if (hit) {
		*v = HISTDB_TXID_TAKEN;
		return 0;
	}
	*v = HISTDB_NEW;
	return 0;
}

enum nc_status
histdb_claim_send(struct nc_history *h, struct nc_history_entry *e, enum histdb_verdict *v,
                  struct nc_history_entry *found, struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	enum nc_status ret = NC_OK;

	memset(found, 0, sizeof *found);
	*v = HISTDB_NEW;
	pthread_mutex_lock(&h->lock);
	/* IMMEDIATE: the look-up and the insert hold the write lock together,
	 * so two consoles cannot both claim one transactionId. */
	if (exec_sql(h->db, "BEGIN IMMEDIATE") != SQLITE_OK) {
		ret = db_fail(h, err, "check the history before sending");
		goto out;
	}
	if (judge_claim(h, e, v, found) != 0) {
		ret = db_fail(h, err, "check the history before sending");
	} else if (*v == HISTDB_NEW) {
		if (sqlite3_prepare_v2(h->db, INSERT_SQL, -1, &st, NULL) != SQLITE_OK ||
		    insert_entry(h, st, e) != SQLITE_OK)
			ret = db_fail(h, err, "record the send before it leaves");
	}
	if (!ret && exec_sql(h->db, "COMMIT") != SQLITE_OK)
		ret = db_fail(h, err, "record the send before it leaves");
	if (ret) {
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		e->id = 0;
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

enum nc_status
histdb_finish_send(struct nc_history *h, int64_t id, const struct nc_history_entry *r,
                   struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	enum nc_status ret = NC_OK;

	pthread_mutex_lock(&h->lock);
	if (sqlite3_prepare_v2(h->db, "UPDATE entries SET http_status = ?1,"
	                       " response_status = ?2, error = ?3, response_json = ?4,"
	                       " transaction_id = COALESCE(?5, transaction_id),"
	                       " time_ms = CASE WHEN ?6 > 0 THEN ?6 ELSE time_ms END"
	                       " WHERE id = ?7", -1, &st, NULL) != SQLITE_OK) {
		ret = db_fail(h, err, "record the answer");
	} else {
		sqlite3_bind_int64(st, 1, r->http_status);
		bind_text(st, 2, r->response_status);
		bind_text(st, 3, r->error);
		bind_text(st, 4, r->response_json);
		bind_text(st, 5, r->transaction_id);
		sqlite3_bind_int64(st, 6, r->time_ms);
		sqlite3_bind_int64(st, 7, id);
		if (sqlite3_step(st) != SQLITE_DONE)
			ret = db_fail(h, err, "record the answer");
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

/* Update the cancelled transaction's rows; 1 when there were any. */
static int
set_cancel_rows(struct nc_history *h, const struct nc_history_entry *c, int *rows)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(h->db, "UPDATE entries SET cancel_outcome = ?1"
	                       " WHERE transaction_id = ?4 AND kind <> 'cancel'"
	                       " AND " SCOPE_SQL
	                       /* A later "nothing pending" must not hide that an
	                        * earlier cancel did cancel. */
	                       " AND (cancel_outcome IS NULL OR cancel_outcome <> 'cancelled')",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind_text(st, 1, c->cancel_outcome);
	bind_text(st, 2, c->scope);
	bind_text(st, 3, c->profile);
	bind_text(st, 4, c->transaction_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	*rows = sqlite3_changes(h->db);
	return 0;
}

/* 1 when a send or cancel row of this transaction exists in scope. */
static int
has_rows(struct nc_history *h, const struct nc_history_entry *c, const char *kind_sql)
{
	char sql[256];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof sql, "SELECT 1 FROM entries WHERE transaction_id = ?1 AND %s"
	         " AND " SCOPE_SQL " LIMIT 1", kind_sql);
	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind_text(st, 1, c->transaction_id);
	bind_text(st, 2, c->scope);
	bind_text(st, 3, c->profile);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The latest cancel of a transaction nobody recorded sending: its own row,
 * kept up to date rather than one more row per cancel. */
static int
upsert_cancel_row(struct nc_history *h, struct nc_history_entry *c)
{
	sqlite3_stmt *st = NULL;
	int have = has_rows(h, c, "kind = 'cancel'"), rc;

	if (have < 0)
		return -1;
	if (!have) {
		rc = sqlite3_prepare_v2(h->db, INSERT_SQL, -1, &st, NULL) == SQLITE_OK &&
		     insert_entry(h, st, c) == SQLITE_OK ? 0 : -1;
		sqlite3_finalize(st);
		return rc;
	}
	if (sqlite3_prepare_v2(h->db, "UPDATE entries SET cancel_outcome = ?1,"
	                       " response_status = ?1, http_status = ?5, error = ?6,"
	                       " response_json = ?7, time_ms = ?8"
	                       " WHERE transaction_id = ?4 AND kind = 'cancel' AND " SCOPE_SQL
	                       " AND (cancel_outcome IS NULL OR cancel_outcome <> 'cancelled')",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind_text(st, 1, c->cancel_outcome);
	bind_text(st, 2, c->scope);
	bind_text(st, 3, c->profile);
	bind_text(st, 4, c->transaction_id);
	sqlite3_bind_int64(st, 5, c->http_status);
	bind_text(st, 6, c->error);
	bind_text(st, 7, c->response_json);
	sqlite3_bind_int64(st, 8, c->time_ms ? c->time_ms : now_ms());
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

enum nc_status
histdb_record_cancel(struct nc_history *h, struct nc_history_entry *c, int *own_row,
                     struct nc_error *err)
{
	enum nc_status ret = NC_OK;
	int rows = 0, sent;

	*own_row = 0;
	if (!c->transaction_id || !*c->transaction_id)
		return nc_error_set(err, NC_E_USAGE, NULL, "a cancel outcome needs a "
		                    "transactionId");
	pthread_mutex_lock(&h->lock);
	if (exec_sql(h->db, "BEGIN IMMEDIATE") != SQLITE_OK) {
		ret = db_fail(h, err, "record the cancel");
		goto out;
	}
	sent = set_cancel_rows(h, c, &rows) == 0 ? has_rows(h, c, "kind <> 'cancel'") : -1;
	if (sent == 0) {
		*own_row = 1;
		sent = upsert_cancel_row(h, c) == 0 ? 0 : -1;
	}
	if (sent < 0 || exec_sql(h->db, "COMMIT") != SQLITE_OK) {
		ret = db_fail(h, err, "record the cancel");
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	}
out:
	pthread_mutex_unlock(&h->lock);
	return ret;
}

/* Any send row of the transaction, refused ones too. */
static const char FIND_SEND_SQL[] =
	"SELECT " ENTRY_COLS " FROM entries WHERE transaction_id = ?1"
	" AND kind <> 'cancel' AND " SCOPE_SQL " ORDER BY id DESC LIMIT 1";

enum nc_status
histdb_latest_sends(struct nc_history *h, const char *scope, const char *profile,
                    const char *const *txids, size_t n, struct nc_history_entry *out,
                    struct nc_error *err)
{
	struct nc_history_entry key;
	enum nc_status ret = NC_OK;
	size_t i;

	memset(&key, 0, sizeof key);
	key.scope = (char *)(uintptr_t)scope;
	key.profile = (char *)(uintptr_t)profile;
	memset(out, 0, n * sizeof *out);
	pthread_mutex_lock(&h->lock);
	/* One read transaction: a consistent picture, and one lock. */
	if (exec_sql(h->db, "BEGIN") != SQLITE_OK) {
		ret = db_fail(h, err, "read the history");
		goto out;
	}
	for (i = 0; i < n && !ret; i++)
		if (txids[i] && find_row(h, FIND_SEND_SQL, txids[i], &key, &out[i]) < 0)
			ret = db_fail(h, err, "read the history");
	sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
	if (ret)
		for (i = 0; i < n; i++)
			histdb_entry_clear(&out[i]);
out:
	pthread_mutex_unlock(&h->lock);
	return ret;
}

/* A send row of this environment and server (?2 the scope, ?3 the
 * profile): SCOPE_SQL, or a row of an older version (scoped "PROFILE URL",
 * its environment unknown) of any profile on this URL. */
#define HERE_SQL \
	"(" SCOPE_SQL " OR (scope NOT LIKE 'key:%' AND scope NOT LIKE 'no-key %'" \
	" AND substr(scope, -length(substr(?2, instr(?2, ' ')))) = substr(?2, instr(?2, ' '))))"
/* The transaction's newest send row, one sent here first, and whether it
 * was (the last column). */
static const char FIND_SEND_ANY_SQL[] =
	"SELECT " ENTRY_COLS ", " HERE_SQL " AS here FROM entries"
	" WHERE transaction_id = ?1 AND kind <> 'cancel' ORDER BY here DESC, id DESC LIMIT 1";

enum nc_status
histdb_sent_elsewhere(struct nc_history *h, const char *transaction_id, const char *scope,
                      const char *profile, struct nc_history_entry *found,
                      struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	enum nc_status ret = NC_OK;
	int rc;

	memset(found, 0, sizeof *found);
	pthread_mutex_lock(&h->lock);
	rc = sqlite3_prepare_v2(h->db, FIND_SEND_ANY_SQL, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		bind_text(st, 1, transaction_id);
		bind_text(st, 2, scope);
		bind_text(st, 3, profile);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_int(st, sqlite3_column_count(st) - 1) == 0 &&
		    row_to_entry(st, found) != 0)
			ret = nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	} else if (rc != SQLITE_DONE) {
		ret = db_fail(h, err, "read the history");
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

/* ---- resumable bulk runs ---- */

/* Claims are kernel locks on a file per run next to the database
 * (runlock.h): a holder that dies, even by SIGKILL, frees its claim, and a
 * PID reused by another program never blocks a resume. (Older versions kept
 * pids in a bulk_claims table; it is no longer read.) */
static char *
history_dir(const struct nc_history *h)
{
	char *dir = strdup(h->path), *slash = dir ? strrchr(dir, '/') : NULL;

	if (slash && slash != dir)
		*slash = '\0';
	else if (dir)
		strcpy(dir, slash ? "/" : ".");
	return dir;
}

enum nc_status
histdb_bulk_claim(struct nc_history *h, int64_t run_id, long *holder, struct nc_error *err)
{
	char *dir = history_dir(h);
	int rc;

	*holder = 0;
	if (!dir)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	pthread_mutex_lock(&h->lock);
	rc = runlock_take(&h->run_locks, dir, run_id, holder);
	pthread_mutex_unlock(&h->lock);
	if (rc > 1)
		nc_error_set(err, NC_E_IO, NULL, "cannot lock bulk run %lld in %s: %s",
		             (long long)run_id, dir, strerror(rc));
	free(dir);
	return rc > 1 ? NC_E_IO : NC_OK;
}

void
histdb_bulk_release(struct nc_history *h, int64_t run_id)
{
	pthread_mutex_lock(&h->lock);
	runlock_drop(&h->run_locks, run_id);
	pthread_mutex_unlock(&h->lock);
}

void
bulk_chunk_clear(struct nc_bulk_chunk *c)
{
	if (!c)
		return;
	free(c->idempotency_key);
	free(c->body);
	memset(c, 0, sizeof *c);
}

/* A run stored a chunk at a time inside one write transaction: the run
 * row first, then each chunk with its event rows. Statements are prepared
 * once, as a run may hold 100,000 events. */
struct histdb_bulk_writer {
	struct nc_history *h;
	struct nc_history_entry tmpl;  /* borrowed profile and scope */
	int64_t run_id;
	size_t nchunks;
	sqlite3_stmt *find, *chunk, *event;
};

/* Rows that used a transactionId (as FIND_TXID_SQL), leaving out the rows
 * of the run being stored: two events of one file with the same ID are the
 * file's business, not a send already made. */
static const char FIND_TXID_OUTSIDE_RUN_SQL[] =
	"SELECT 1 FROM entries WHERE transaction_id = ?1"
	" AND kind <> 'cancel' AND response_status IS NOT NULL AND " SCOPE_SQL
	" AND NOT EXISTS (SELECT 1 FROM bulk_chunks c WHERE c.id = entries.chunk_id"
	" AND c.run_id = ?4) LIMIT 1";

static int
writer_prepare(struct histdb_bulk_writer *w, const char *source)
{
	sqlite3 *db = w->h->db;
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, "INSERT INTO bulk_runs (created_ms, profile, source,"
	                        " nchunks) VALUES (?, ?, ?, 0)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, now_ms());
	bind_text(st, 2, w->tmpl.scope);
	bind_text(st, 3, source);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	w->run_id = sqlite3_last_insert_rowid(db);
	rc = sqlite3_prepare_v2(db, FIND_TXID_OUTSIDE_RUN_SQL, -1, &w->find, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO bulk_chunks (run_id, idx,"
		                        " idempotency_key, body) VALUES (?, ?, ?, ?)", -1,
		                        &w->chunk, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, INSERT_SQL, -1, &w->event, NULL);
	return rc;
}

static void
writer_free(struct histdb_bulk_writer *w)
{
	sqlite3_finalize(w->find);
	sqlite3_finalize(w->chunk);
	sqlite3_finalize(w->event);
	free(w);
}

enum nc_status
histdb_bulk_begin(struct nc_history *h, const struct nc_history_entry *tmpl,
                  const char *source, struct histdb_bulk_writer **out, struct nc_error *err)
{
	struct histdb_bulk_writer *w = calloc(1, sizeof(*w));
	enum nc_status ret = NC_OK;

	*out = NULL;
	if (!w)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	w->h = h;
	w->tmpl.profile = tmpl->profile;
	w->tmpl.scope = tmpl->scope;
	pthread_mutex_lock(&h->lock);
	if (exec_sql(h->db, "BEGIN IMMEDIATE") != SQLITE_OK) {
		ret = db_fail(h, err, "start storing the bulk run");
	} else if (writer_prepare(w, source) != SQLITE_OK) {
		ret = db_fail(h, err, "store the bulk run");
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	}
	if (ret) {
		writer_free(w);
		pthread_mutex_unlock(&h->lock);
		return ret;
	}
	*out = w;
	return NC_OK;
}

/* Indices (in the chunk) of events whose transactionId was used already. */
static int
writer_find_taken(struct histdb_bulk_writer *w, const struct histdb_bulk_event *evs,
                  size_t n, size_t *taken, size_t *ntaken)
{
	size_t i;
	int rc;

	*ntaken = 0;
	for (i = 0; i < n; i++) {
		sqlite3_reset(w->find);
		bind_text(w->find, 1, evs[i].transaction_id);
		bind_text(w->find, 2, w->tmpl.scope);
		bind_text(w->find, 3, w->tmpl.profile);
		sqlite3_bind_int64(w->find, 4, w->run_id);
		rc = sqlite3_step(w->find);
		if (rc == SQLITE_ROW)
			taken[(*ntaken)++] = i;
		else if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* The chunk's row and one "queued" row per event, pointing at it. */
static int
writer_insert(struct histdb_bulk_writer *w, const char *body, const char *key,
              const struct histdb_bulk_event *evs, size_t n)
{
	struct nc_history_entry e;
	int64_t chunk_id;
	char batch[64];
	size_t i;
	int rc;

	sqlite3_reset(w->chunk);
	sqlite3_bind_int64(w->chunk, 1, w->run_id);
	sqlite3_bind_int64(w->chunk, 2, (int64_t)w->nchunks);
	bind_text(w->chunk, 3, key);
	bind_text(w->chunk, 4, body);
	if (sqlite3_step(w->chunk) != SQLITE_DONE)
		return -1;
	chunk_id = sqlite3_last_insert_rowid(w->h->db);
	snprintf(batch, sizeof batch, "%" PRId64 ":%zu", w->run_id, w->nchunks);
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof e);
		e.profile = w->tmpl.profile;
		e.scope = w->tmpl.scope;
		e.kind = (char *)(uintptr_t)"bulk";
		e.workflow = (char *)(uintptr_t)evs[i].workflow;
		e.recipients = (char *)(uintptr_t)evs[i].recipients;
		e.transaction_id = (char *)(uintptr_t)evs[i].transaction_id;
		e.idempotency_key = (char *)(uintptr_t)key;
		e.response_status = (char *)(uintptr_t)HISTDB_QUEUED;
		e.request_json = (char *)(uintptr_t)evs[i].request_json;
		e.batch_id = batch;
		e.chunk_id = chunk_id;
		rc = insert_entry(w->h, w->event, &e);
		if (rc != SQLITE_OK)
			return -1;
	}
	w->nchunks++;
	return 0;
}

enum nc_status
histdb_bulk_add_chunk(struct histdb_bulk_writer *w, const char *body, const char *key,
                      const struct histdb_bulk_event *evs, size_t nevents, size_t *taken,
                      size_t *ntaken, struct nc_error *err)
{
	*ntaken = 0;
	if (!body || !key || nevents == 0 || nevents > HISTDB_EVENTS_PER_CHUNK)
		return nc_error_set(err, NC_E_USAGE, NULL, "bulk chunk %zu needs a body, an "
		                    "idempotency key and 1 to %d events", w->nchunks,
		                    HISTDB_EVENTS_PER_CHUNK);
	if (writer_find_taken(w, evs, nevents, taken, ntaken) != 0)
		return db_fail(w->h, err, "check the history before sending");
	if (*ntaken == 0 && writer_insert(w, body, key, evs, nevents) != 0)
		return db_fail(w->h, err, "store the bulk run");
	return NC_OK;
}

enum nc_status
histdb_bulk_repeated_ids(struct histdb_bulk_writer *w, char **ids, size_t max, size_t *n,
                         struct nc_error *err)
{
	sqlite3_stmt *st;
	enum nc_status ret = NC_OK;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(w->h->db, "SELECT e.transaction_id FROM entries e"
	                       " JOIN bulk_chunks c ON c.id = e.chunk_id WHERE c.run_id = ?1"
	                       " GROUP BY e.transaction_id HAVING count(*) > 1 LIMIT ?2",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(w->h, err, "check the run's transactionIds");
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		ids[*n] = strdup((const char *)sqlite3_column_text(st, 0));
		if (!ids[*n]) {
			ret = nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
			break;
		}
		(*n)++;
	}
	if (!ret && rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_fail(w->h, err, "check the run's transactionIds");
	sqlite3_finalize(st);
	return ret;
}

enum nc_status
histdb_bulk_commit(struct histdb_bulk_writer *w, int64_t *run_id, struct nc_error *err)
{
	struct nc_history *h = w->h;
	enum nc_status ret = NC_OK;
	char sql[96];

	*run_id = 0;
	snprintf(sql, sizeof sql, "UPDATE bulk_runs SET nchunks = %zu WHERE id = %" PRId64,
	         w->nchunks, w->run_id);
	if (w->nchunks == 0)
		ret = nc_error_set(err, NC_E_USAGE, NULL, "a bulk run needs at least one chunk");
	else if (exec_sql(h->db, sql) != SQLITE_OK || exec_sql(h->db, "COMMIT") != SQLITE_OK)
		ret = db_fail(h, err, "store the bulk run");
	if (ret)
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	else
		*run_id = w->run_id;
	writer_free(w);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

void
histdb_bulk_abort(struct histdb_bulk_writer *w)
{
	struct nc_history *h;

	if (!w)
		return;
	h = w->h;
	sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	writer_free(w);
	pthread_mutex_unlock(&h->lock);
}

/* Every chunk checked; any taken ID (indices across the run in *taken)
 * and nothing stays stored. */
enum nc_status
histdb_bulk_create(struct nc_history *h, const struct nc_history_entry *tmpl,
                   const char *source, char **bodies, char **keys, size_t nchunks,
                   const struct histdb_bulk_event *evs, size_t nevents, size_t **taken,
                   size_t *ntaken, int64_t *run_id, struct nc_error *err)
{
	struct histdb_bulk_writer *w = NULL;
	size_t k, i, first, count, got;
	enum nc_status ret;

	*run_id = 0;
	*taken = NULL;
	*ntaken = 0;
	if (nchunks == 0 || nchunks != (nevents + HISTDB_EVENTS_PER_CHUNK - 1) /
	                                HISTDB_EVENTS_PER_CHUNK)
		return nc_error_set(err, NC_E_USAGE, NULL, "a bulk run of %zu events cannot have "
		                    "%zu chunks", nevents, nchunks);
	*taken = calloc(nevents, sizeof **taken);
	ret = *taken ? histdb_bulk_begin(h, tmpl, source, &w, err)
	             : nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	for (k = 0; ret == NC_OK && k < nchunks; k++) {
		first = k * HISTDB_EVENTS_PER_CHUNK;
		count = nevents - first < HISTDB_EVENTS_PER_CHUNK ? nevents - first
		                                                  : HISTDB_EVENTS_PER_CHUNK;
		ret = histdb_bulk_add_chunk(w, bodies[k], keys[k], evs + first, count,
		                            *taken + *ntaken, &got, err);
		for (i = 0; i < got; i++)
			(*taken)[*ntaken + i] += first;
		*ntaken += got;
	}
	if (ret == NC_OK && *ntaken > 0) {
		histdb_bulk_abort(w);
		return NC_OK;
	}
	free(*taken);
	*taken = NULL;
	*ntaken = 0;
	if (ret == NC_OK)
		return histdb_bulk_commit(w, run_id, err);
	histdb_bulk_abort(w);
	return ret;
}

/* 1 if run_id exists, 0 if not, -1 on a database error. */
static int
run_exists(struct nc_history *h, int64_t run_id)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(h->db, "SELECT 1 FROM bulk_runs WHERE id = ?", -1, &st,
	                       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static enum nc_status
collect_chunks(struct nc_history *h, sqlite3_stmt *st, int64_t run_id,
               struct nc_bulk_chunk **out, size_t *n, struct nc_error *err)
{
	struct nc_bulk_chunk *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc, nomem = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct nc_bulk_chunk *c;

		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct nc_bulk_chunk *nv = realloc(v, ncap * sizeof *nv);

			if (!nv) {
				nomem = 1;
				break;
			}
			v = nv;
			cap = ncap;
		}
		c = &v[cnt++];
		memset(c, 0, sizeof *c);
		c->run_id = run_id;
		c->index = (size_t)sqlite3_column_int64(st, 0);
		c->idempotency_key = column_dup(st, 1, &nomem);
		c->done = sqlite3_column_int(st, 2);
		c->id = sqlite3_column_int64(st, 3);
		c->nevents = (size_t)sqlite3_column_int64(st, 4);
		if (nomem)
			break;
	}
	if (rc == SQLITE_DONE && !nomem) {
		*out = v;
		*n = cnt;
		return NC_OK;
	}
	while (cnt > 0)
		bulk_chunk_clear(&v[--cnt]);
	free(v);
	if (nomem)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	return db_fail(h, err, "read the bulk run");
}

enum nc_status
histdb_bulk_pending(struct nc_history *h, int64_t run_id, struct nc_bulk_chunk **out,
                     size_t *n, struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	enum nc_status ret;
	int exists;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&h->lock);
	exists = run_exists(h, run_id);
	if (exists < 0)
		ret = db_fail(h, err, "read the bulk run");
	else if (!exists)
		ret = nc_error_set(err, NC_E_USAGE, NULL, "there is no bulk run #%" PRId64,
		                   run_id);
	else if (sqlite3_prepare_v2(h->db, "SELECT idx, idempotency_key, done, id,"
	                            " (SELECT COUNT(*) FROM entries e WHERE e.chunk_id = c.id)"
	                            " FROM bulk_chunks c WHERE run_id = ? AND done = 0"
	                            " ORDER BY idx", -1, &st, NULL) != SQLITE_OK)
		ret = db_fail(h, err, "read the bulk run");
	else {
		sqlite3_bind_int64(st, 1, run_id);
		ret = collect_chunks(h, st, run_id, out, n, err);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

enum nc_status
histdb_bulk_chunk_body(struct nc_history *h, int64_t chunk_id, char **body,
                       struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	enum nc_status ret = NC_OK;
	int nomem = 0, rc;

	*body = NULL;
	pthread_mutex_lock(&h->lock);
	if (sqlite3_prepare_v2(h->db, "SELECT body FROM bulk_chunks WHERE id = ?", -1, &st,
	                       NULL) != SQLITE_OK) {
		ret = db_fail(h, err, "read the bulk request");
	} else {
		sqlite3_bind_int64(st, 1, chunk_id);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*body = column_dup(st, 0, &nomem);
		if (nomem)
			ret = nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
		else if (rc == SQLITE_DONE)
			ret = nc_error_set(err, NC_E_IO, NULL, "bulk request %" PRId64
			                   " is not in History", chunk_id);
		else if (rc != SQLITE_ROW)
			ret = db_fail(h, err, "read the bulk request");
		else if (!*body)
			ret = nc_error_set(err, NC_E_IO, NULL, "bulk request %" PRId64
			                   " has no stored body", chunk_id);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

/* The statements of one histdb_bulk_record() call, prepared once for all
 * its chunks: a turn records up to NC_BULK_PARALLEL_MAX answers and as
 * many departures, and preparing costs about as much as running them. */
struct record_stmts {
	sqlite3_stmt *chunk;      /* the chunk's own row */
	sqlite3_stmt *events;     /* its event rows, in order */
	sqlite3_stmt *up;         /* one event row's result */
	sqlite3_stmt *up_txid;    /* the same, with another transactionId */
	sqlite3_stmt *leaving;    /* the chunk's events become "unknown" */
};

/* The transactionId is set only where the answer gave another one: setting
 * it, even to the same value, rewrites the row's entry in the
 * transactionId index, a random page of it per row, a hundred a request. */
#define EVENT_ROW_SET "UPDATE entries SET http_status = ?2, response_status = ?3," \
	" error = ?4, time_ms = ?6"

static void
record_stmts_free(struct record_stmts *s)
{
	sqlite3_finalize(s->chunk);
	sqlite3_finalize(s->events);
	sqlite3_finalize(s->up);
	sqlite3_finalize(s->up_txid);
	sqlite3_finalize(s->leaving);
	memset(s, 0, sizeof(*s));
}

static int
record_stmts_prepare(sqlite3 *db, struct record_stmts *s)
{
	memset(s, 0, sizeof(*s));
	if (sqlite3_prepare_v2(db, "UPDATE bulk_chunks SET http_status = ?2, response_json = ?3,"
	                       " done = ?4 WHERE id = ?1", -1, &s->chunk, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT id, transaction_id FROM entries WHERE chunk_id = ?1"
	                       " ORDER BY id", -1, &s->events, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, EVENT_ROW_SET " WHERE id = ?1", -1, &s->up, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, EVENT_ROW_SET ", transaction_id = ?5 WHERE id = ?1", -1,
	                       &s->up_txid, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE entries SET response_status = '" HISTDB_UNKNOWN "',"
	                       " error = ?2 WHERE chunk_id = ?1", -1, &s->leaving,
	                       NULL) != SQLITE_OK) {
		record_stmts_free(s);
		return -1;
	}
	return 0;
}

/* Run a prepared UPDATE; reset for the next use. */
static int
step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The chunk's own row: its answer once, and whether it is settled. */
static int
update_chunk(sqlite3 *db, sqlite3_stmt *st, const struct histdb_chunk_outcome *o)
{
	sqlite3_bind_int64(st, 1, o->chunk_id);
	sqlite3_bind_int64(st, 2, o->http_status);
	bind_text(st, 3, o->response_json);
	sqlite3_bind_int(st, 4, o->settled ? 1 : 0);
	return step_done(st) == 0 && sqlite3_changes(db) == 1 ? 0 : -1;
}

/* Each event row of the chunk, in the order they were stored (= the order
 * of the events in the body, = the order of the answer's slots). */
static int
update_event_rows(const struct record_stmts *s, const struct histdb_chunk_outcome *o)
{
	sqlite3_stmt *st;
	size_t i = 0;
	int rc;

	sqlite3_bind_int64(s->events, 1, o->chunk_id);
	while ((rc = sqlite3_step(s->events)) == SQLITE_ROW) {
		const struct histdb_event_result *r = o->results && i < o->nresults ?
		                                      &o->results[i] : NULL;
		const char *stored = (const char *)sqlite3_column_text(s->events, 1);

		st = r && r->transaction_id && !same_text(r->transaction_id, stored) ?
		     s->up_txid : s->up;
		sqlite3_bind_int64(st, 1, sqlite3_column_int64(s->events, 0));
		sqlite3_bind_int64(st, 2, o->http_status);
		bind_text(st, 3, r ? r->status : o->status);
		bind_text(st, 4, r ? r->error : o->error);
		if (st == s->up_txid)
			bind_text(st, 5, r->transaction_id);
		sqlite3_bind_int64(st, 6, now_ms());
		if (step_done(st) != 0)
			break;
		i++;
	}
	sqlite3_reset(s->events);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The chunk's events become "unknown": it may be accepted from here on. */
static int
mark_leaving(sqlite3_stmt *st, int64_t chunk_id)
{
	sqlite3_bind_int64(st, 1, chunk_id);
	bind_text(st, 2, HISTDB_UNKNOWN_WHY);
	return step_done(st);
}

static int
record_all(sqlite3 *db, const struct histdb_chunk_outcome *answers, size_t nanswers,
           const int64_t *leaving, size_t nleaving)
{
	struct record_stmts s;
	int rc = 0;
	size_t i;

	if (record_stmts_prepare(db, &s) != 0)
		return -1;
	for (i = 0; rc == 0 && i < nanswers; i++)
		rc = update_chunk(db, s.chunk, &answers[i]) != 0 ||
		     update_event_rows(&s, &answers[i]) != 0;
	for (i = 0; rc == 0 && i < nleaving; i++)
		rc = mark_leaving(s.leaving, leaving[i]);
	record_stmts_free(&s);
	return rc;
}

enum nc_status
histdb_bulk_record(struct nc_history *h, const struct histdb_chunk_outcome *answers,
                   size_t nanswers, const int64_t *leaving, size_t nleaving,
                   struct nc_error *err)
{
	enum nc_status ret = NC_OK;

	pthread_mutex_lock(&h->lock);
	/* One transaction: a kill while recording leaves each chunk as it was
	 * (unknown, resumable), never half its events answered, and no chunk
	 * leaves before it reads "unknown" on disk. */
	if (exec_sql(h->db, "BEGIN IMMEDIATE") != SQLITE_OK) {
		ret = db_fail(h, err, "record the bulk requests");
	} else if (record_all(h->db, answers, nanswers, leaving, nleaving) != 0 ||
	           exec_sql(h->db, "COMMIT") != SQLITE_OK) {
		ret = db_fail(h, err, "record the bulk requests");
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	}
	pthread_mutex_unlock(&h->lock);
	return ret;
}

enum nc_status
histdb_bulk_run_entries(struct nc_history *h, int64_t run_id, struct nc_history_entry **out,
                        size_t *n, struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	enum nc_status ret;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&h->lock);
	if (sqlite3_prepare_v2(h->db, "SELECT " ENTRY_COLS_E " FROM entries e"
	                       " JOIN bulk_chunks c ON c.id = e.chunk_id"
	                       " WHERE c.run_id = ?1 ORDER BY e.id", -1, &st, NULL) != SQLITE_OK) {
		ret = db_fail(h, err, "read the bulk run");
	} else {
		sqlite3_bind_int64(st, 1, run_id);
		ret = collect_entries(h, st, out, n, err);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

/* The events of run_id's unfinished chunks: ?2 picks unknown (1) or not. */
static const char DROP_COUNT_SQL[] =
	"SELECT count(*) FROM entries e JOIN bulk_chunks c ON c.id = e.chunk_id"
	" WHERE c.run_id = ?1 AND c.done = 0"
	" AND (e.response_status IS '" HISTDB_UNKNOWN "') = ?2";

static int
drop_all(sqlite3 *db, int64_t run_id, size_t *dropped, size_t *unknown)
{
	sqlite3_stmt *count = NULL, *rows = NULL, *chunks = NULL;
	char why[96];
	int rc = -1;

	snprintf(why, sizeof why, "never sent: its bulk run %" PRId64 " was given up", run_id);
	if (sqlite3_prepare_v2(db, DROP_COUNT_SQL, -1, &count, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE entries SET response_status = '" HISTDB_DROPPED "',"
	                       " error = ?2 WHERE response_status IS NOT '" HISTDB_UNKNOWN "'"
	                       " AND chunk_id IN (SELECT id FROM bulk_chunks"
	                       " WHERE run_id = ?1 AND done = 0)", -1, &rows, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE bulk_chunks SET done = 1 WHERE run_id = ?1 AND done = 0",
	                       -1, &chunks, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(count, 1, run_id);
	sqlite3_bind_int(count, 2, 1);
	if (sqlite3_step(count) != SQLITE_ROW)
		goto out;
	*unknown = (size_t)sqlite3_column_int64(count, 0);
	sqlite3_bind_int64(rows, 1, run_id);
	bind_text(rows, 2, why);
	if (step_done(rows) != 0)
		goto out;
	*dropped = (size_t)sqlite3_changes(db);
	sqlite3_bind_int64(chunks, 1, run_id);
	rc = step_done(chunks);
out:
	sqlite3_finalize(count);
	sqlite3_finalize(rows);
	sqlite3_finalize(chunks);
	return rc;
}

enum nc_status
histdb_bulk_drop(struct nc_history *h, int64_t run_id, size_t *dropped, size_t *unknown,
                 struct nc_error *err)
{
	enum nc_status ret = NC_OK;
	int exists;

	*dropped = *unknown = 0;
	pthread_mutex_lock(&h->lock);
	if (exec_sql(h->db, "BEGIN IMMEDIATE") != SQLITE_OK) {
		ret = db_fail(h, err, "drop the bulk run");
		goto out;
	}
	exists = run_exists(h, run_id);
	if (exists == 0)
		ret = nc_error_set(err, NC_E_USAGE, NULL, "there is no bulk run #%" PRId64, run_id);
	else if (exists < 0 || drop_all(h->db, run_id, dropped, unknown) != 0 ||
	         exec_sql(h->db, "COMMIT") != SQLITE_OK)
		ret = db_fail(h, err, "drop the bulk run");
	if (ret) {
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		*dropped = *unknown = 0;
	}
out:
	pthread_mutex_unlock(&h->lock);
	return ret;
}

enum nc_status
histdb_bulk_chunk_pending(struct nc_history *h, int64_t chunk_id, int *pending,
                          struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	enum nc_status ret = NC_OK;
	int rc;

	*pending = 0;
	pthread_mutex_lock(&h->lock);
	if (sqlite3_prepare_v2(h->db, "SELECT done = 0 FROM bulk_chunks WHERE id = ?1", -1, &st,
	                       NULL) != SQLITE_OK) {
		ret = db_fail(h, err, "read the bulk request");
	} else {
		sqlite3_bind_int64(st, 1, chunk_id);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*pending = sqlite3_column_int(st, 0);
		else if (rc != SQLITE_DONE)
			ret = db_fail(h, err, "read the bulk request");
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

enum nc_status
histdb_bulk_last_unfinished(struct nc_history *h, const char *scope, const char *profile,
                            int64_t *run_id, struct nc_error *err)
{
	sqlite3_stmt *st = NULL;
	enum nc_status ret = NC_OK;

	*run_id = 0;
	pthread_mutex_lock(&h->lock);
	if (sqlite3_prepare_v2(h->db, "SELECT max(c.run_id) FROM bulk_chunks c"
	                       " JOIN bulk_runs r ON r.id = c.run_id"
	                       " WHERE c.done = 0 AND (?1 IS NULL OR r.profile = ?1"
	                       " OR r.profile = " LEGACY_SCOPE_SQL("?1", "?2") ")",
	                       -1, &st, NULL) != SQLITE_OK) {
		ret = db_fail(h, err, "look for unfinished bulk runs");
	} else {
		bind_text(st, 1, scope);
		bind_text(st, 2, profile);
		if (sqlite3_step(st) != SQLITE_ROW)
			ret = db_fail(h, err, "look for unfinished bulk runs");
		else
			*run_id = sqlite3_column_int64(st, 0);   /* NULL reads as 0 */
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

