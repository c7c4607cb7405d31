/* keysource.c - the secret key from the environment, a command or a file.
 *
 * The key command runs with fork/execvp and no shell: its stdin is
 * /dev/null, none of our descriptors leak into it, and it is stopped after
 * KEY_COMMAND_TIMEOUT_MS. Messages name only argv[0], since the arguments
 * may be anything, even a key.
 */
#include "keysource.h"
#include "clock.h"
#include "fileio.h"
#include "paths.h"
#include "profile.h"
#include "redact.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KEY_MAX_BYTES       (64 * 1024)   /* read cap for key files/commands */
#define KEY_COMMAND_TIMEOUT_MS 30000
#define STDERR_KEEP         1024          /* command stderr shown on failure */

void
keysource_free_secret(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
wipe_free(char *buf, size_t size)
{
	if (buf) {
		explicit_bzero(buf, size);
		free(buf);
	}
}

/* ---- commands as words ---- */

void
keysource_argv_free(struct keysource_argv *a)
{
	free(a->argv);
	free(a->buf);
	memset(a, 0, sizeof *a);
}

int
keysource_split_command(const char *cmd, struct keysource_argv *a)
{
	size_t len = strlen(cmd);
	char *w;
	int in_word = 0;
	char quote = 0;

	memset(a, 0, sizeof *a);
	a->buf = malloc(2 * len + 2);
	a->argv = calloc(len / 2 + 2, sizeof *a->argv);
	if (!a->buf || !a->argv) {
		keysource_argv_free(a);
		return -2;
	}
	w = a->buf;
	for (; *cmd; cmd++) {
		char ch = *cmd;

		if (quote == '\'') {
			if (ch == '\'')
				quote = 0;
			else
				*w++ = ch;
			continue;
		}
		if (quote == '"') {
			if (ch == '"')
				quote = 0;
			else if (ch == '\\' && (cmd[1] == '"' || cmd[1] == '\\'))
				*w++ = *++cmd;
			else
				*w++ = ch;
			continue;
		}
		if (ch == ' ' || ch == '\t') {
			if (in_word) {
				*w++ = '\0';
				in_word = 0;
			}
			continue;
		}
		if (!in_word) {
			a->argv[a->argc++] = w;
			in_word = 1;
		}
		if (ch == '\'' || ch == '"')
			quote = ch;
		else if (ch == '\\') {
			if (!cmd[1]) {
				keysource_argv_free(a);
				return -1;
			}
			*w++ = *++cmd;
		} else
			*w++ = ch;
	}
	if (quote) {
		keysource_argv_free(a);
		return -1;
	}
	*w = '\0';
	a->argv[a->argc] = NULL;
	return 0;
}

const char *
keysource_env_key(const char **var)
{
	static const char *const vars[] = { "NOVU_SECRET_KEY", "NOVU_API_KEY" };
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);

		if (v && *v) {
			if (var)
				*var = vars[i];
			return v;
		}
	}
	return NULL;
}

/* ---- the secret key ---- */

/* Take ownership of `raw`, a buffer of rawsz bytes (wiped whole and freed
 * here in every case): trim it, drop an "ApiKey " prefix a user may have
 * pasted, and check it is one token. */
static enum nc_status
set_key(struct nc_profile *p, char *raw, size_t rawsz, const char *origin,
        struct nc_error *err)
{
	char *s = raw, *e, *key;
	const char *q;

	while (*s && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	if (strncmp(s, "ApiKey ", 7) == 0)
		s += 7;
	if (!*s) {
		wipe_free(raw, rawsz);
		return nc_error_set(err, NC_E_CONFIG, NULL, "the key from %s is empty", origin);
	}
	for (q = s; *q; q++) {
		if ((unsigned char)*q <= ' ' || *q == 0x7f) {
			wipe_free(raw, rawsz);
			return nc_error_set(err, NC_E_CONFIG, NULL, "the key from %s contains "
			                    "spaces or control characters; it must be the key "
			                    "alone on one line", origin);
		}
	}
	key = strdup(s);
	wipe_free(raw, rawsz);
	p->key_origin = strdup(origin);
	if (!key || !p->key_origin) {
		keysource_free_secret(key);
		free(p->key_origin);
		p->key_origin = NULL;
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	p->secret_key = key;
	return NC_OK;
}

static enum nc_status
key_from_env(struct nc_profile *p, const char *var, struct nc_error *err)
{
	const char *v = getenv(var);
	char *raw, origin[300];

	if (!v || !*v) {
		if (p->path)
			return nc_error_set(err, NC_E_CONFIG, NULL, "profile '%s' reads the key "
			                    "from $%s, which is not set: export %s=... or change "
			                    "[secret] in %s", p->name, var, var, p->path);
		return nc_error_set(err, NC_E_CONFIG, NULL, "the key variable $%s is not "
		                    "set: export %s=...", var, var);
	}
	raw = strdup(v);
	if (!raw)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	snprintf(origin, sizeof origin, "env %s", var);
	return set_key(p, raw, strlen(raw) + 1, origin, err);
}

/* First line of a buffer (the rest is wiped). */
static void
keep_first_line(char *buf)
{
	char *nl = strchr(buf, '\n');

	if (nl)
		explicit_bzero(nl, strlen(nl));
}

static enum nc_status
key_from_file(struct nc_profile *p, struct nc_error *err)
{
	char origin[1100];
	char *path, *buf;
	struct stat st;
	size_t used = 0;
	int fd, e;

	path = paths_expand_home(p->key_file);
	if (!path)
		return nc_error_set(err, NC_E_CONFIG, NULL, "cannot expand %s: HOME is not "
		                    "set", p->key_file);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		nc_error_set(err, NC_E_CONFIG, NULL, "cannot open key file %s: %s%s", path,
		             strerror(e), e == ENOENT ? " (fix [secret] file = ... in the "
		             "profile, or create the file with mode 600)" : "");
		free(path);
		return NC_E_CONFIG;
	}
	/* Check the file we opened, not the name: no race with a swap. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		nc_error_set(err, NC_E_CONFIG, NULL, "key file %s is not a regular file", path);
		free(path);
		return NC_E_CONFIG;
	}
	if (st.st_uid != getuid()) {
		close(fd);
		nc_error_set(err, NC_E_CONFIG, NULL, "key file %s belongs to uid %lu, not "
		             "to you (uid %lu): use a key file you own (mode 600)", path,
		             (unsigned long)st.st_uid, (unsigned long)getuid());
		free(path);
		return NC_E_CONFIG;
	}
	if (st.st_mode & 077) {
		close(fd);
		nc_error_set(err, NC_E_CONFIG, NULL, "UNPROTECTED KEY FILE: %s has mode %04o, "
		             "so others can read the key; the key was not used. Run: "
		             "chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
		free(path);
		return NC_E_CONFIG;
	}
	e = fileio_read_fd(fd, KEY_MAX_BYTES, FILEIO_SECRET, &buf, &used);
	close(fd);
	if (e) {
		enum nc_status rc = e == ENOMEM ? NC_E_NOMEM : NC_E_CONFIG;

		if (e == EFBIG)
			nc_error_set(err, rc, NULL, "key file %s is larger than %d bytes; it must "
			             "hold the key alone", path, KEY_MAX_BYTES);
		else
			nc_error_set(err, rc, NULL, "cannot read key file %s: %s", path, strerror(e));
		free(path);
		return rc;
	}
	if (memchr(buf, '\0', used))
		buf[0] = '\0';  /* binary: report as no key rather than half of one */
	keep_first_line(buf);
	free(path);
	snprintf(origin, sizeof origin, "file %s", p->key_file);
	return set_key(p, buf, used + 1, origin, err);
}

/* ---- key command: fork/execvp, no shell ---- */

struct cmd_out {
	char *out;         /* stdout, capped at KEY_MAX_BYTES */
	size_t out_len;
	char err[STDERR_KEEP + 1];
	size_t err_len;
	int exec_errno;    /* execvp failed with this */
	int status;        /* waitpid status */
	int timed_out;
};

static long
now_ms(void)
{
	return (long)clock_mono_ms();
}

static void
close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* pipe2() is a GNU extension; the window between pipe() and FD_CLOEXEC only
 * matters if another thread forks meanwhile, and then the child merely holds
 * a pipe end a little longer. */
static int
pipe_cloexec(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* In the child: only async-signal-safe calls until execvp. */
static void __attribute__((noreturn))
child_exec(char **argv, int out_w, int err_w, int status_w)
{
	sigset_t none;
	long fd, maxfd = sysconf(_SC_OPEN_MAX);
	int devnull = open("/dev/null", O_RDONLY);
	int e;

	if (devnull >= 0)
		dup2(devnull, 0);
	dup2(out_w, 1);
	dup2(err_w, 2);
	/* Nothing of ours (database, sockets) leaks into the command. */
	if (maxfd < 0 || maxfd > 65536)
		maxfd = 65536;
	for (fd = 3; fd < maxfd; fd++)
		if (fd != status_w)
			close((int)fd);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[0], argv);
	e = errno;
	if (write(status_w, &e, sizeof e) < 0)
		_exit(127);
	_exit(127);
}

/* Read what is available from *fd into buf (up to cap, discarding beyond).
 * Closes *fd at end of file. */
static void
drain(int *fd, char *buf, size_t *len, size_t cap)
{
	char scratch[4096];

	while (*fd >= 0) {
		ssize_t r;

		if (*len < cap)
			r = read(*fd, buf + *len, cap - *len);
		else
			r = read(*fd, scratch, sizeof scratch);
		if (r > 0) {
			if (*len < cap)
				*len += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			close_fd(fd);
		break;  /* EAGAIN or error */
	}
	explicit_bzero(scratch, sizeof scratch);
}

/* Run argv, collecting output until it exits or the time limit passes. We
 * stop at the child's exit rather than at end of file, so a daemon it
 * started (gpg-agent) that keeps the pipe open cannot stall us. */
static int
run_capture(char **argv, struct cmd_out *r)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, ps[2] = { -1, -1 };
	long deadline;
	pid_t pid;
	int exited = 0;

	memset(r, 0, sizeof *r);
	r->out = malloc(KEY_MAX_BYTES + 1);
	if (!r->out)
		return ENOMEM;
	if (pipe_cloexec(po) || pipe_cloexec(pe) || pipe_cloexec(ps)) {
		int e = errno;

		close_fd(&po[0]), close_fd(&po[1]), close_fd(&pe[0]), close_fd(&pe[1]);
		close_fd(&ps[0]), close_fd(&ps[1]);
		return e;
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close_fd(&po[0]), close_fd(&po[1]), close_fd(&pe[0]), close_fd(&pe[1]);
		close_fd(&ps[0]), close_fd(&ps[1]);
		return e;
	}
	if (pid == 0)
		child_exec(argv, po[1], pe[1], ps[1]);
	close_fd(&po[1]);
	close_fd(&pe[1]);
	close_fd(&ps[1]);
	set_nonblock(po[0]);
	set_nonblock(pe[0]);
	deadline = now_ms() + KEY_COMMAND_TIMEOUT_MS;
	while (!exited) {
		struct pollfd fds[2];
		nfds_t nfds = 0;
		long left;

		if (waitpid(pid, &r->status, WNOHANG) == pid) {
			exited = 1;
			break;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
				;
			r->timed_out = 1;
			break;
		}
		if (po[0] >= 0)
			fds[nfds++] = (struct pollfd){ .fd = po[0], .events = POLLIN };
		if (pe[0] >= 0)
			fds[nfds++] = (struct pollfd){ .fd = pe[0], .events = POLLIN };
		/* Short waits once both pipes are closed: we only wait for exit. */
		poll(fds, nfds, nfds ? (int)(left < 100 ? left : 100) : 10);
		drain(&po[0], r->out, &r->out_len, KEY_MAX_BYTES);
		drain(&pe[0], r->err, &r->err_len, STDERR_KEEP);
	}
	drain(&po[0], r->out, &r->out_len, KEY_MAX_BYTES);
	drain(&pe[0], r->err, &r->err_len, STDERR_KEEP);
	r->out[r->out_len] = '\0';
	r->err[r->err_len] = '\0';
	if (read(ps[0], &r->exec_errno, sizeof r->exec_errno) != (ssize_t)sizeof r->exec_errno)
		r->exec_errno = 0;
	close_fd(&po[0]);
	close_fd(&pe[0]);
	close_fd(&ps[0]);
	return 0;
}

/* The command's stderr as one line for an error message. */
static const char *
stderr_summary(struct cmd_out *r)
{
	char *s;

	for (s = r->err; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
	while (s > r->err && s[-1] == ' ')
		*--s = '\0';
	return r->err;
}

static enum nc_status
key_from_command(struct nc_profile *p, struct nc_error *err)
{
	struct keysource_argv a;
	struct cmd_out r;
	char origin[300];
	enum nc_status st;
	int rc;

	rc = keysource_split_command(p->key_command, &a);
	if (rc == -2)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	if (rc == -1 || a.argc == 0) {
		keysource_argv_free(&a);
		return nc_error_set(err, NC_E_CONFIG, NULL, "cannot split the key command "
		                    "into words (unclosed quote?)");
	}
	snprintf(origin, sizeof origin, "command %s", a.argv[0]);
	rc = run_capture(a.argv, &r);
	if (rc) {
		st = nc_error_set(err, rc == ENOMEM ? NC_E_NOMEM : NC_E_CONFIG, NULL,
		                  "cannot run the key command %s: %s", a.argv[0], strerror(rc));
	} else if (r.exec_errno) {
		st = nc_error_set(err, NC_E_CONFIG, NULL, "cannot run the key command: %s "
		                  "(fix [secret] command = ... in %s; the key itself never "
		                  "goes in the profile)",
		                  strerror(r.exec_errno), p->path ? p->path : "the profile");
	} else if (r.timed_out) {
		st = nc_error_set(err, NC_E_CONFIG, NULL, "the key command '%s' did not "
		                  "finish within %d s and was stopped%s%s", a.argv[0],
		                  KEY_COMMAND_TIMEOUT_MS / 1000, r.err_len ? ": " : "",
		                  stderr_summary(&r));
	} else if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
		char how[64];

		if (WIFSIGNALED(r.status))
			snprintf(how, sizeof how, "was killed by signal %d", WTERMSIG(r.status));
		else
			snprintf(how, sizeof how, "failed with exit status %d",
			         WEXITSTATUS(r.status));
		st = nc_error_set(err, NC_E_CONFIG, NULL, "the key command '%s' %s%s%s",
		                  a.argv[0], how, r.err_len ? ": " : "",
		                  stderr_summary(&r));
	} else {
		keep_first_line(r.out);
		if (!r.out[strspn(r.out, " \t\r")])
			st = nc_error_set(err, NC_E_CONFIG, NULL, "the key command '%s' printed "
			                  "nothing on its first line of output", a.argv[0]);
		else {
			st = set_key(p, r.out, KEY_MAX_BYTES + 1, origin, err);
			r.out = NULL;   /* set_key took it */
		}
	}
	wipe_free(r.out, KEY_MAX_BYTES + 1);
	keysource_argv_free(&a);
	return st;
}

static enum nc_status
resolve_key(struct nc_profile *p, struct nc_error *err)
{
	const char *var;

	keysource_free_secret(p->secret_key);
	free(p->key_origin);
	p->secret_key = NULL;
	p->key_origin = NULL;
	if (keysource_env_key(&var))
		return key_from_env(p, var, err);
	switch (p->key_source) {
	case NC_KEY_ENV:
		return key_from_env(p, p->key_env, err);
	case NC_KEY_COMMAND:
		return key_from_command(p, err);
	case NC_KEY_FILE:
		return key_from_file(p, err);
	case NC_KEY_NONE:
		break;
	}
	return NC_OK;
}

enum nc_status
profile_resolve_key(struct nc_profile *p, struct nc_error *err)
{
	enum nc_status st = resolve_key(p, err);

	/* A failing command's stderr is quoted, and may hold the key. */
	if (st)
		redact_error(err, keysource_env_key(NULL));
	return st;
}
