/* test_paths.c - the shared path helpers: ~ expansion and mkdir -p with
 * private new directories. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

Test(paths, expand_home)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "~/x/key", "/home/someone/x/key" }, { "~", "/home/someone" },
		{ "~/", "/home/someone/" }, { "/abs/~/x", "/abs/~/x" },
		{ "~other/x", "~other/x" }, { "rel", "rel" }, { "", "" },
	};
	size_t i;

	setenv("HOME", "/home/someone", 1);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = paths_expand_home(cases[i].in);

		cr_assert_str_eq(out, cases[i].out, "%s", cases[i].in);
		free(out);
	}
}

Test(paths, mkdir_private_makes_missing_parents_0700_and_keeps_existing_ones)
{
	char base[64], deep[128], mid[96], cmd[96];
	struct stat st;
	mode_t old = umask(022);

	snprintf(base, sizeof base, "/tmp/nc-paths-XXXXXX");
	cr_assert_not_null(mkdtemp(base));
	cr_assert_eq(chmod(base, 0755), 0);
	snprintf(mid, sizeof mid, "%s/a", base);
	snprintf(deep, sizeof deep, "%s/a/b/c", base);
	cr_assert_eq(paths_mkdir_private(deep), 0);
	cr_assert_eq(stat(deep, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	cr_assert_eq(stat(mid, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	cr_assert_eq(stat(base, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0755, "an existing directory is left alone");
	cr_assert_eq(paths_mkdir_private(deep), 0, "existing: nothing to do");
	snprintf(cmd, sizeof cmd, "%s/a/file", base);
	fclose(fopen(cmd, "w"));
	snprintf(deep, sizeof deep, "%s/a/file/sub", base);
	cr_assert_eq(paths_mkdir_private(deep), ENOTDIR);
	umask(old);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	cr_assert_eq(system(cmd), 0);
}
