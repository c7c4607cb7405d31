/* runlock.c - per-run OFD locks (see runlock.h). */
#define _GNU_SOURCE   /* F_OFD_SETLK (Linux 3.15) */
#include "runlock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OPEN_TRIES 5   /* a lock file replaced under us: open again */

struct runlock {
	int64_t run_id;
	int fd;
	struct runlock *next;
};

static void
lock_path(const char *dir, int64_t run_id, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/bulk-run-%" PRId64 ".lock", dir, run_id);
}

static long
read_holder(int fd)
{
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid = n > 0 ? strtol(buf, NULL, 10) : 0;

	return pid > 0 ? pid : -1;
}

static void
write_holder(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, buf, (size_t)n, 0);
}

/* 1 when fd is still the file at path (not unlinked or replaced). */
static int
still_linked(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* Open and lock; *fd_out on success (0), 1 when held elsewhere, else errno. */
static int
lock_file(const char *path, int *fd_out, long *holder)
{
	struct flock fl;
	int fd, tries, e;

	for (tries = 0; tries < OPEN_TRIES; tries++) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return errno;
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
			e = errno;
			if (e == EAGAIN || e == EACCES)
				*holder = read_holder(fd);
			close(fd);
			return e == EAGAIN || e == EACCES ? 1 : e;
		}
		if (still_linked(fd, path)) {
			*fd_out = fd;
			return 0;
		}
		close(fd);
	}
	return EAGAIN;
}

int
runlock_take(struct runlock **set, const char *dir, int64_t run_id, long *holder)
{
	struct runlock *l;
	char path[4096];
	int fd = -1, rc;

	*holder = 0;
	for (l = *set; l; l = l->next)
		if (l->run_id == run_id)
			return 0;
	lock_path(dir, run_id, path, sizeof(path));
	rc = lock_file(path, &fd, holder);
	if (rc)
		return rc;
	l = malloc(sizeof(*l));
	if (!l) {
		close(fd);
		return ENOMEM;
	}
	write_holder(fd);
	l->run_id = run_id;
	l->fd = fd;
	l->next = *set;
	*set = l;
	return 0;
}

void
runlock_drop(struct runlock **set, int64_t run_id)
{
	struct runlock **p, *l;

	for (p = set; (l = *p) != NULL; p = &l->next) {
		if (l->run_id == run_id) {
			*p = l->next;
			/* The file stays: unlinking it would let a waiter lock an
			 * orphaned inode while a newcomer locks a new one. */
			close(l->fd);
			free(l);
			return;
		}
	}
}

void
runlock_drop_all(struct runlock **set)
{
	while (*set)
		runlock_drop(set, (*set)->run_id);
}
