/* trust.c - refuse files and directories that others can write. */
#include "trust.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"

#define WRITABLE_BY_OTHERS (S_IWGRP | S_IWOTH)

static int
owner_trusted(uid_t uid)
{
	return uid == getuid() || uid == 0;
}

enum nc_status
trust_check_file(const struct stat *st, const char *path, const char *what,
                 struct nc_error *err)
{
	if (!owner_trusted(st->st_uid))
		return nc_error_set(err, NC_E_CONFIG, NULL, "refusing %s %s: it belongs to "
		                    "uid %lu, not to you (uid %lu), so someone else decides what "
		                    "it does. Run: chown $USER %s (as root), or copy it to a "
		                    "file of your own", what, path, (unsigned long)st->st_uid,
		                    (unsigned long)getuid(), path);
	if (st->st_mode & WRITABLE_BY_OTHERS)
		return nc_error_set(err, NC_E_CONFIG, NULL, "refusing %s %s: it is writable "
		                    "by group or others (mode %04o), so they could change what it "
		                    "does. Run: chmod go-w %s", what, path,
		                    (unsigned)(st->st_mode & 07777), path);
	return NC_OK;
}

/* One directory of the chain. Sticky and ours (or root's), like /tmp:
 * others may add entries but cannot rename or delete ours. */
static enum nc_status
check_one_dir(const char *dir, const char *what, const char *subject, struct nc_error *err)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return nc_error_set(err, NC_E_CONFIG, NULL, "refusing %s %s: cannot check "
		                    "directory %s: %s", what, subject, dir, strerror(errno));
	if (!owner_trusted(st.st_uid))
		return nc_error_set(err, NC_E_CONFIG, NULL, "refusing %s %s: directory %s "
		                    "belongs to uid %lu, not to you (uid %lu) or root, so its "
		                    "owner could replace what is in it. Run: chown $USER %s (as "
		                    "root), or keep the %s elsewhere", what, subject, dir,
		                    (unsigned long)st.st_uid, (unsigned long)getuid(), dir, what);
	if ((st.st_mode & WRITABLE_BY_OTHERS) && !(st.st_mode & S_ISVTX))
		return nc_error_set(err, NC_E_CONFIG, NULL, "refusing %s %s: directory %s is "
		                    "writable by group or others (mode %04o), so they could "
		                    "replace what is in it. Run: chmod go-w %s", what, subject,
		                    dir, (unsigned)(st.st_mode & 07777), dir);
	return NC_OK;
}

/* "/a/b" -> "/a", "/a" -> "/". */
static void
cut_last_component(char *path)
{
	char *slash = strrchr(path, '/');

	if (slash == path)
		path[1] = '\0';
	else if (slash)
		*slash = '\0';
}

/* dir (a real path) and its parents, up to home_real or /. */
static enum nc_status
check_chain(char *dir, const char *home_real, const char *what, const char *subject,
            struct nc_error *err)
{
	for (;;) {
		enum nc_status st = check_one_dir(dir, what, subject, err);

		if (st)
			return st;
		if (strcmp(dir, "/") == 0 || (home_real && strcmp(dir, home_real) == 0))
			return NC_OK;
		cut_last_component(dir);
	}
}

static enum nc_status
check_dir_for(const char *dir, const char *what, const char *subject, struct nc_error *err)
{
	char *real, *home, *home_real = NULL;
	enum nc_status st;

	real = realpath(dir, NULL);
	if (!real) {
		int e = errno;

		if (e == ENOENT || e == ENOTDIR)
			return NC_OK;
		return nc_error_set(err, e == ENOMEM ? NC_E_NOMEM : NC_E_CONFIG, NULL,
		                    "refusing %s %s: cannot check directory %s: %s", what,
		                    subject, dir, strerror(e));
	}
	home = paths_home();
	if (home)
		home_real = realpath(home, NULL);
	free(home);
	st = check_chain(real, home_real, what, subject, err);
	free(home_real);
	free(real);
	return st;
}

enum nc_status
trust_check_dir(const char *dir, const char *what, struct nc_error *err)
{
	return check_dir_for(dir, what, dir, err);
}

enum nc_status
trust_check_opened(int fd, const char *path, const char *what, struct nc_error *err)
{
	struct stat st;
	char *dir = strdup(strchr(path, '/') ? path : ".");
	enum nc_status rc;

	if (!dir)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	if (strchr(path, '/'))
		cut_last_component(dir);
	rc = check_dir_for(dir, what, path, err);
	free(dir);
	if (rc)
		return rc;
	if (fstat(fd, &st) != 0)
		return nc_error_set(err, NC_E_CONFIG, NULL, "cannot check %s %s: %s", what, path,
		                    strerror(errno));
	return trust_check_file(&st, path, what, err);
}
