/* test_runlock.c - bulk-run claims are kernel locks: a holder that dies,
 * even by SIGKILL, frees the claim, and a pid left in the table an older
 * version kept (now perhaps another program's) never blocks a resume. */
#include <criterion/criterion.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "histdb.h"

static char tmpdir[64];
static char dbpath[256];

static void
setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/nc-runlock-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof dbpath, "%s/history.db", tmpdir);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	(void)!system(cmd);
}

TestSuite(runlock, .init = setup, .fini = teardown);

static struct nc_history *
open_ok(void)
{
	struct nc_history *h = NULL;
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(histdb_open(dbpath, &h, &err), NC_OK, "%s", err.message ? err.message : "");
	nc_error_clear(&err);
	return h;
}

/* A child that claims run_id, says so on `ready`, then waits to be killed. */
static pid_t
child_holding(int64_t run_id)
{
	int ready[2];
	char byte;
	pid_t pid;

	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		struct nc_history *ch = NULL;
		struct nc_error err = NC_ERROR_INIT;
		long held = 0;

		if (histdb_open(dbpath, &ch, &err) != NC_OK ||
		    histdb_bulk_claim(ch, run_id, &held, &err) != NC_OK || held)
			_exit(1);
		(void)!write(ready[1], "x", 1);
		for (;;)
			pause();
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &byte, 1), 1, "the child claimed the run");
	close(ready[0]);
	return pid;
}

Test(runlock, a_claim_killed_with_sigkill_is_free_at_once)
{
	struct nc_history *h = open_ok();
	struct nc_error err = NC_ERROR_INIT;
	long holder = 0;
	pid_t child = child_holding(7);
	int status;

	cr_assert_eq(histdb_bulk_claim(h, 7, &holder, &err), NC_OK);
	cr_assert_eq(holder, (long)child, "the parent is refused and told who holds it");
	kill(child, SIGKILL);
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert_eq(histdb_bulk_claim(h, 7, &holder, &err), NC_OK);
	cr_assert_eq(holder, 0, "the kernel released the dead holder's lock");
	histdb_bulk_release(h, 7);
	histdb_close(h);
}

Test(runlock, a_live_pid_left_in_the_old_claims_table_does_not_block)
{
	struct nc_history *h = open_ok();
	struct nc_error err = NC_ERROR_INIT;
	sqlite3 *db;
	char sql[160];
	long holder = 0;

	/* What an older version left behind: a claim row whose pid now belongs
	 * to a live process that has nothing to do with the run (pid 1, or
	 * this very test's parent). */
	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS bulk_claims (run_id INTEGER "
	         "PRIMARY KEY, pid INTEGER NOT NULL); INSERT INTO bulk_claims VALUES (9, %ld);",
	         (long)getppid());
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	cr_assert_eq(histdb_bulk_claim(h, 9, &holder, &err), NC_OK);
	cr_assert_eq(holder, 0, "the stale row is not a claim");
	histdb_bulk_release(h, 9);
	histdb_close(h);
}

Test(runlock, the_lock_file_is_private_and_a_released_claim_is_free)
{
	struct nc_history *h = open_ok(), *h2 = open_ok();
	struct nc_error err = NC_ERROR_INIT;
	char path[300];
	struct stat st;
	long holder = 0;

	cr_assert_eq(histdb_bulk_claim(h, 3, &holder, &err), NC_OK);
	cr_assert_eq(holder, 0);
	cr_assert_eq(histdb_bulk_claim(h, 3, &holder, &err), NC_OK);
	cr_assert_eq(holder, 0, "claiming again through the same handle is fine");
	snprintf(path, sizeof path, "%s/bulk-run-3.lock", tmpdir);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(histdb_bulk_claim(h2, 3, &holder, &err), NC_OK);
	cr_assert_eq(holder, (long)getpid(), "another handle is refused while it is held");
	histdb_bulk_release(h, 3);
	cr_assert_eq(histdb_bulk_claim(h2, 3, &holder, &err), NC_OK);
	cr_assert_eq(holder, 0, "released: free for the next");
	histdb_bulk_release(h2, 3);
	histdb_close(h);
	histdb_close(h2);
}
