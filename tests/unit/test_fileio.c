/* test_fileio.c - reading a whole file with a cap (fileio.c). */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

static char path[64];

static void
setup(void)
{
	int fd;

	snprintf(path, sizeof path, "/tmp/nc-fileio-XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
}

static void
teardown(void)
{
	unlink(path);
}

TestSuite(fileio, .init = setup, .fini = teardown);

static void
fill(size_t n)
{
	FILE *f = fopen(path, "wb");
	size_t i;

	cr_assert_not_null(f);
	for (i = 0; i < n; i++)
		fputc('a' + (int)(i % 26), f);
	fclose(f);
}

Test(fileio, sizes_around_the_cap)
{
	static const struct { size_t size, max; int want; } cases[] = {
		{ 0, 10, 0 }, { 1, 10, 0 }, { 10, 10, 0 }, { 11, 10, EFBIG },
		{ 0, 0, 0 }, { 1, 0, EFBIG },
		{ 4095, 4096, 0 }, { 4096, 4096, 0 }, { 4097, 4096, EFBIG },
		{ 100000, 100000, 0 }, { 100001, 100000, EFBIG }, { 300000, 100000, EFBIG },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unsigned flags;

		for (flags = 0; flags <= FILEIO_SECRET; flags++) {
			char *out = (char *)1;
			size_t len = 99;
			int e;

			fill(cases[i].size);
			e = fileio_read_path(path, cases[i].max, flags, &out, &len);
			cr_assert_eq(e, cases[i].want, "size %zu max %zu flags %u: %d", cases[i].size,
			             cases[i].max, flags, e);
			if (e) {
				cr_assert_null(out);
				continue;
			}
			cr_assert_eq(len, cases[i].size);
			cr_assert_eq(strlen(out), len, "NUL-terminated");
			if (len)
				cr_assert_eq(out[len - 1], 'a' + (int)((len - 1) % 26));
			free(out);
		}
	}
}

Test(fileio, missing_files_and_directories)
{
	char *out;
	size_t len;

	cr_assert_eq(fileio_read_path("/nonexistent/x", 10, 0, &out, &len), ENOENT);
	cr_assert_null(out);
	cr_assert_eq(fileio_read_path("/tmp", 10, 0, &out, &len), EISDIR);
}

Test(fileio, pipes_are_read_to_their_end)
{
	int fds[2];
	char *out;
	size_t len;

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(write(fds[1], "one\ntwo\n", 8), 8);
	close(fds[1]);
	cr_assert_eq(fileio_read_fd(fds[0], 100, 0, &out, &len), 0);
	close(fds[0]);
	cr_assert_str_eq(out, "one\ntwo\n");
	cr_assert_eq(len, 8);
	free(out);
}
