/* test_trust.c - files and directories that others can write are refused
 * (trust.c), and profile_load applies it before reading a profile. */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"
#include "trust.h"

#define assert_has(hay, needle) \
	cr_assert(strstr((hay), (needle)) != NULL, "expected '%s' in: %s", (needle), (hay))

static char tmpdir[64], home[96], cfg[128], pdir[160];

/* tmpdir (0700, ours, in sticky /tmp) holds home/ and home/cfg/profiles. */
static void
setup(void)
{
	unsetenv("NOVU_API_URL");
	unsetenv("NOVU_CONSOLE_PROFILE");
	snprintf(tmpdir, sizeof tmpdir, "/tmp/nc-trust-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(home, sizeof home, "%s/home", tmpdir);
	snprintf(cfg, sizeof cfg, "%s/cfg", home);
	snprintf(pdir, sizeof pdir, "%s/profiles", cfg);
	cr_assert_eq(mkdir(home, 0700), 0);
	cr_assert_eq(mkdir(cfg, 0755), 0);
	cr_assert_eq(mkdir(pdir, 0755), 0);
	setenv("HOME", home, 1);
	setenv("NOVU_CONSOLE_CONFIG_DIR", cfg, 1);
}

static void
teardown(void)
{
	char cmd[128];

	chmod(tmpdir, 0700);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(trust, .init = setup, .fini = teardown);

static void
write_profile(const char *name, mode_t mode, char *path, size_t pathsz)
{
	int fd;

	snprintf(path, pathsz, "%s/%s.ini", pdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "[api]\nregion = eu\n", 18), 18);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* profile_load of `name`: NC_OK, or the message in msg. */
static enum nc_status
load(const char *name, char *msg, size_t msgsz)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;
	enum nc_status st = profile_load(&p, name, &err);

	snprintf(msg, msgsz, "%s", err.message ? err.message : "");
	nc_error_clear(&err);
	if (st == NC_OK)
		profile_clear(&p);
	return st;
}

Test(trust, private_and_read_only_for_others_profiles_load)
{
	char path[256], msg[1024];

	write_profile("mine", 0600, path, sizeof path);
	cr_assert_eq(load("mine", msg, sizeof msg), NC_OK, "%s", msg);
	write_profile("shared", 0644, path, sizeof path);
	cr_assert_eq(load("shared", msg, sizeof msg), NC_OK, "%s", msg);
}

Test(trust, a_profile_others_can_write_is_refused_with_the_fix)
{
	static const mode_t modes[] = { 0664, 0646, 0666 };
	char path[256], msg[1024], fix[300];
	size_t i;

	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		write_profile("open", modes[i], path, sizeof path);
		cr_assert_eq(load("open", msg, sizeof msg), NC_E_CONFIG, "mode %o", modes[i]);
		assert_has(msg, path);
		snprintf(fix, sizeof fix, "chmod go-w %s", path);
		assert_has(msg, fix);
	}
}

Test(trust, a_profile_owned_by_someone_else_is_refused_with_the_fix)
{
	char path[256], msg[1024], fix[300];

	write_profile("theirs", 0644, path, sizeof path);
	if (chown(path, 65534, (gid_t)-1) != 0)
		cr_skip_test("changing a file's owner needs root");
	cr_assert_eq(load("theirs", msg, sizeof msg), NC_E_CONFIG);
	snprintf(fix, sizeof fix, "chown $USER %s", path);
	assert_has(msg, fix);
	assert_has(msg, "uid 65534");
}

Test(trust, a_profile_directory_others_can_write_is_refused)
{
	char path[256], msg[1024], fix[300];

	write_profile("p", 0600, path, sizeof path);
	cr_assert_eq(chmod(pdir, 0777), 0);
	cr_assert_eq(load("p", msg, sizeof msg), NC_E_CONFIG);
	assert_has(msg, path);
	snprintf(fix, sizeof fix, "chmod go-w %s", pdir);
	assert_has(msg, fix);
	/* A parent, up to and including home, counts too. */
	cr_assert_eq(chmod(pdir, 0755), 0);
	cr_assert_eq(chmod(home, 0770), 0);
	cr_assert_eq(load("p", msg, sizeof msg), NC_E_CONFIG);
	snprintf(fix, sizeof fix, "chmod go-w %s", home);
	assert_has(msg, fix);
}

Test(trust, directories_above_home_are_not_ours_to_judge)
{
	char path[256], msg[1024];

	write_profile("p", 0600, path, sizeof path);
	cr_assert_eq(chmod(tmpdir, 0777), 0);   /* above home */
	cr_assert_eq(load("p", msg, sizeof msg), NC_OK, "%s", msg);
	/* Outside home the walk goes up to /, and finds it. */
	setenv("HOME", "/nonexistent-home", 1);
	cr_assert_eq(load("p", msg, sizeof msg), NC_E_CONFIG);
	assert_has(msg, tmpdir);
}

Test(trust, sticky_directories_like_tmp_are_fine)
{
	char path[256], msg[1024];

	write_profile("p", 0600, path, sizeof path);
	cr_assert_eq(chmod(pdir, 01777), 0);
	cr_assert_eq(load("p", msg, sizeof msg), NC_OK, "%s", msg);
}

Test(trust, missing_profiles_are_still_missing)
{
	char msg[1024];

	cr_assert_eq(chmod(pdir, 0777), 0);
	cr_assert_eq(load(NULL, msg, sizeof msg), NC_OK, "no default profile: built-in, %s", msg);
	cr_assert_eq(load("nope", msg, sizeof msg), NC_E_CONFIG);
	assert_has(msg, "no profile named 'nope'");
}

/* ---- the state directory (history, drafts) ---- */

Test(trust, state_directory_others_can_write_is_refused)
{
	struct nc_error err = NC_ERROR_INIT;
	char state[128], fix[200];

	snprintf(state, sizeof state, "%s/state", home);
	cr_assert_eq(trust_check_dir(state, "state directory", &err), NC_OK,
	             "a directory not made yet is fine");
	cr_assert_eq(mkdir(state, 0700), 0);
	cr_assert_eq(trust_check_dir(state, "state directory", &err), NC_OK, "%s", err.message);
	cr_assert_eq(chmod(state, 0775), 0);
	cr_assert_eq(trust_check_dir(state, "state directory", &err), NC_E_CONFIG);
	snprintf(fix, sizeof fix, "chmod go-w %s", state);
	assert_has(err.message, fix);
	assert_has(err.message, "state directory");
	nc_error_clear(&err);
}

Test(trust, file_rule_on_a_stat)
{
	struct nc_error err = NC_ERROR_INIT;
	struct stat st;

	memset(&st, 0, sizeof st);
	st.st_uid = getuid();
	st.st_mode = S_IFREG | 0644;
	cr_assert_eq(trust_check_file(&st, "/x/f", "profile", &err), NC_OK);
	st.st_uid = 0;
	cr_assert_eq(trust_check_file(&st, "/x/f", "profile", &err), NC_OK, "root's is fine");
	st.st_mode = S_IFREG | 0620;
	cr_assert_eq(trust_check_file(&st, "/x/f", "profile", &err), NC_E_CONFIG);
	assert_has(err.message, "chmod go-w /x/f");
	nc_error_clear(&err);
	st.st_mode = S_IFREG | 0600;
	st.st_uid = getuid() + 1000;
	cr_assert_eq(trust_check_file(&st, "/x/f", "profile", &err), NC_E_CONFIG);
	assert_has(err.message, "chown $USER /x/f");
	nc_error_clear(&err);
}
