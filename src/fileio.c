/* fileio.c - read a whole file with a size cap. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIRST_CHUNK 4096

/* Grow *buf to cap bytes; a secret is copied and the old buffer wiped,
 * since realloc could leave a copy behind in freed memory. */
static int
grow(char **buf, size_t used, size_t cap, unsigned flags)
{
	char *nb;

	if (!(flags & FILEIO_SECRET)) {
		nb = realloc(*buf, cap);
		if (!nb)
			return ENOMEM;
		*buf = nb;
		return 0;
	}
	nb = malloc(cap);
	if (!nb)
		return ENOMEM;
	if (*buf) {
		memcpy(nb, *buf, used);
		explicit_bzero(*buf, used);
		free(*buf);
	}
	*buf = nb;
	return 0;
}

static void
discard(char *buf, size_t used, unsigned flags)
{
	if (buf && (flags & FILEIO_SECRET))
		explicit_bzero(buf, used);
	free(buf);
}

/* The next capacity: double, but at most one byte past max (that byte
 * tells a file of exactly max bytes from a larger one). */
static size_t
next_cap(size_t cap, size_t max)
{
	size_t want = cap ? cap * 2 : FIRST_CHUNK;

	if (want < cap || want > max + 2)
		want = max + 2;
	return want;
}

int
fileio_read_fd(int fd, size_t max, unsigned flags, char **out, size_t *len)
{
	char *buf = NULL;
	size_t used = 0, cap = 0;
	int e = 0;

	*out = NULL;
	*len = 0;
	for (;;) {
		ssize_t r;

		if (used + 1 >= cap) {
			if (cap == max + 2) {
				e = EFBIG;
				break;
			}
			cap = next_cap(cap, max);
			if ((e = grow(&buf, used, cap, flags)) != 0)
				break;
		}
		r = read(fd, buf + used, cap - 1 - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			break;
		}
		if (r == 0)
			break;
		used += (size_t)r;
	}
	if (!e && used > max)
		e = EFBIG;
	if (e) {
		discard(buf, used, flags);
		return e;
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
	return 0;
}

int
fileio_read_path(const char *path, size_t max, unsigned flags, char **out, size_t *len)
{
	int fd, e;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	e = fileio_read_fd(fd, max, flags, out, len);
	close(fd);
	return e;
}
