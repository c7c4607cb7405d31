/* session.c - open a profile, find the key (or start the local sandbox when
 * there is none), create the client and open history. */
#include "session.h"
#include "paths.h"
#include "trust.h"
#include "redact.h"
#include "sha256.h"
#include "textbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "paths.h"


char *
session_sandbox_path(void)
{
	const char *env = getenv("NOVU_SANDBOX_BIN");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash, *path;

	if (env && *env)
		return strdup(env);
	/* Next to our own binary: the build tree and `cmake --install` both put
	 * the two programs in one directory. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			slash[1] = '\0';
			path = malloc(strlen(exe) + sizeof("novu-sandbox"));
			if (!path)
				return NULL;
			strcpy(path, exe);
			strcat(path, "novu-sandbox");
			if (access(path, X_OK) == 0)
				return path;
			free(path);
		}
	}
	return strdup("novu-sandbox");
}

/* A socket listening on a free loopback port (close-on-exec), its port in
 * *port; -1 on failure. */
static int
loopback_listener(unsigned int *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* In the child: become the sandbox, serving fd_arg's socket. state_dir:
 * where it keeps its world (NULL: in memory only). When exec fails, its
 * errno goes down errfd (close-on-exec, so a successful exec closes it
 * with nothing written). */
static void
sandbox_exec_child(const char *bin, const char *state_dir, const char *fd_arg, int errfd)
{
	int devnull = open("/dev/null", O_RDWR), e;

	/* The sandbox must not outlive the console that started it. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
	}
	if (state_dir)
		execlp(bin, bin, "--listen-fd", fd_arg, "--quiet", "--state-dir", state_dir,
		       (char *)NULL);
	else
		execlp(bin, bin, "--listen-fd", fd_arg, "--quiet", (char *)NULL);
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

static int
pipe_cloexec(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

/* The sandbox is given a socket that is listening already, so its URL is
 * known at once and nothing waits for it to start: the console draws its
 * first frame meanwhile, and the first request waits in the socket's
 * backlog until the sandbox accepts it. Only a failed exec is waited for
 * (it is reported through a close-on-exec pipe, at once). */
enum nc_status
sandbox_start(const char *bin, pid_t *pid, char **url, struct nc_error *err)
{
	int errpipe[2], lfd, pass, e = 0;
	unsigned int port = 0;
	char fd_arg[16];
	pid_t child;
	ssize_t got;
	char *state = paths_state_dir();
	/* One world for every sandbox this user starts: consecutive headless
	 * commands and a running console see each other's transactions. */
	char *world = state ? paths_join(state, "sandbox") : NULL;

	free(state);
	lfd = loopback_listener(&port);
	pass = lfd >= 0 ? fcntl(lfd, F_DUPFD, 3) : -1;   /* the child's copy: no CLOEXEC */
	if (pass < 0 || pipe_cloexec(errpipe) != 0) {
		e = errno;
		if (pass >= 0)
			close(pass);
		if (lfd >= 0)
			close(lfd);
		free(world);
		return nc_error_set(err, NC_E_IO, NULL, "cannot start the sandbox: no loopback "
		                    "socket: %s", strerror(e));
	}
	snprintf(fd_arg, sizeof(fd_arg), "%d", pass);
	child = fork();
	if (child == 0) {
		close(errpipe[0]);
		sandbox_exec_child(bin, world, fd_arg, errpipe[1]);
	}
	e = errno;
	free(world);
	close(errpipe[1]);
	close(pass);
	close(lfd);   /* the sandbox holds it now: when it dies, connects are refused */
	if (child < 0) {
		close(errpipe[0]);
		return nc_error_set(err, NC_E_IO, NULL, "cannot start the sandbox: fork: %s",
		                    strerror(e));
	}
	do
		got = read(errpipe[0], &e, sizeof(e));
	while (got < 0 && errno == EINTR);
	close(errpipe[0]);
	if (got > 0) {
		waitpid(child, NULL, 0);
		return nc_error_set(err, NC_E_CONFIG, NULL,
		                    "no Novu key is configured and the local sandbox (%s) could not "
		                    "be started (%s); set NOVU_SECRET_KEY or create a profile (see "
		                    "profiles/)", bin, strerror(e));
	}
	*url = nc_asprintf("http://127.0.0.1:%u", port);
	*pid = child;
	if (!*url) {
		sandbox_stop(child);
		return NC_E_NOMEM;
	}
	return NC_OK;
}

void
sandbox_stop(pid_t pid)
{
	int status, i;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	/* Give it a moment to shut down cleanly, then insist. */
	for (i = 0; i < 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

static enum nc_status
session_make_client(struct nc_session *s, const char *key, long max_wait_ms,
                    struct nc_error *err)
{
	struct nc_client_config cfg;

	client_config_defaults(&cfg);
	cfg.base_url = s->profile.api_url;
	cfg.secret_key = key;
	cfg.timeout_ms = s->profile.timeout_s * 1000;
	cfg.connect_timeout_ms = s->profile.connect_timeout_s * 1000;
	cfg.retry.max_attempts = (int)s->profile.retry_attempts;
	cfg.retry.max_total_ms = max_wait_ms > 0 ? max_wait_ms
	                                         : s->profile.retry_max_time_s * 1000;
	return client_new(&cfg, &s->client, err);
}

static enum nc_status
session_use_sandbox(struct nc_session *s, struct nc_error *err)
{
	char *bin = session_sandbox_path();
	char *url = NULL;
	enum nc_status st;

	if (!bin)
		return NC_E_NOMEM;
	st = sandbox_start(bin, &s->sandbox_pid, &url, err);
	free(bin);
	if (st)
		return st;
	s->sandbox = 1;
	free(s->profile.api_url);
	s->profile.api_url = url;
	free(s->profile.region);
	s->profile.region = strdup("sandbox");
	return s->profile.region ? NC_OK : NC_E_NOMEM;
}

static void
session_open_history(struct nc_session *s, const struct nc_session_options *o)
{
	struct nc_error herr = NC_ERROR_INIT;
	char *path = o->history_path ? strdup(o->history_path) : histdb_default_path();
	char *dir = o->history_path ? NULL : paths_state_dir();

	/* Without History nothing is sent (ops.h), but reads and lists still
	 * work, so a problem here is a note, not a failure. A state directory
	 * others can write is not trusted with what guards against sending
	 * twice. */
	if (dir && trust_check_dir(dir, "state directory", &herr) != NC_OK)
		s->history = NULL;
	else if (path && histdb_open(path, &s->history, &herr) != NC_OK)
		s->history = NULL;
	if (herr.message)
		s->history_note = strdup(herr.message);
	nc_error_clear(&herr);
	free(path);
	free(dir);
}

/* No key anywhere. With nothing configured at all, the sandbox stands in
 * for Novu (a first run); but a profile file or an explicit URL means the
 * user meant a real server, and quietly sending to the sandbox instead would
 * let a script whose secret failed to load report success. */
static enum nc_status
session_keyless(struct nc_session *s, const struct nc_session_options *o,
                struct nc_error *err)
{
	if (s->profile.path)
		return nc_error_set(err, NC_E_CONFIG, NULL,
		                    "profile '%s' gives no key: add a [secret] source to %s, "
		                    "or set NOVU_SECRET_KEY", s->profile.name, s->profile.path);
	if (o->api_url || getenv("NOVU_API_URL")) {
		nc_error_set(err, NC_E_CONFIG, NULL, "no key for %s: set NOVU_SECRET_KEY, or use a "
		             "profile with a [secret] source", s->profile.api_url);
		redact_error(err, NULL);   /* a key pasted into the URL stays hidden */
		return NC_E_CONFIG;
	}
	if (o->no_sandbox)
		return nc_error_set(err, NC_E_CONFIG, NULL,
		                    "no key is configured: set NOVU_SECRET_KEY or create a "
		                    "profile (see the examples in profiles/)");
	if (nc_strset(&s->profile.name, "sandbox"))
		return NC_E_NOMEM;
	return session_use_sandbox(s, err);
}

enum nc_status
session_open(struct nc_session *s, const struct nc_session_options *o, struct nc_error *err)
{
	enum nc_status st;

	memset(s, 0, sizeof(*s));
	profile_init(&s->profile);
	st = profile_load(&s->profile, o->profile, err);
	if (st)
		return st;
	if (o->api_url) {
		if (nc_strset(&s->profile.api_url, o->api_url) || nc_strset(&s->profile.region, "custom"))
			return NC_E_NOMEM;
	}
	st = profile_resolve_key(&s->profile, err);
	if (st)
		return st;
	if (!s->profile.secret_key && !o->offline) {
		st = session_keyless(s, o, err);
		if (st)
			return st;
	}
	st = session_make_client(s, s->sandbox ? NC_SANDBOX_KEY : s->profile.secret_key,
	                         o->max_wait_ms, err);
	if (st)
		return st;
	session_open_history(s, o);
	s->scope = session_run_scope(s);
	return s->scope ? NC_OK : NC_E_NOMEM;
}

/* The environment part of a scope. Novu keeps transactionIds and
 * idempotency keys per environment, and an environment is known here only
 * by its key: two profiles with one key on one server are one environment
 * (a read-write and a read-only profile, say), while a development and a
 * production key behind the same URL are two. A key is never stored: 12
 * hex digits of its SHA-256 tell keys apart without telling anything of
 * them. */
static void
scope_environment(const struct nc_session *s, char out[20])
{
	char hex[65];

	if (s->sandbox) {
		snprintf(out, 20, "sandbox");
	} else if (!s->profile.secret_key) {
		snprintf(out, 20, "no-key");
	} else {
		sha256_hex(s->profile.secret_key, strlen(s->profile.secret_key), hex);
		snprintf(out, 20, "key:%.12s", hex);
	}
}

char *
session_run_scope(const struct nc_session *s)
{
	char env[20];
	/* The sandbox listens on a new port each start, but keeps one world:
	 * its sends are one scope. */
	const char *url = s->sandbox ? "(local)" : s->profile.api_url ? s->profile.api_url : "";

	scope_environment(s, env);
	return nc_asprintf("%s %s", env, url);
}

void
session_ops(const struct nc_session *s, struct nc_ops *o)
{
	o->client = s->client;
	o->history = s->history;
	o->profile = s->profile.name;
	o->scope = s->scope;
	o->read_only = s->profile.read_only;
}

void
session_close(struct nc_session *s)
{
	free(s->scope);
	s->scope = NULL;
	client_free(s->client);
	s->client = NULL;
	if (s->history)
		histdb_close(s->history);
	s->history = NULL;
	if (s->sandbox)
		sandbox_stop(s->sandbox_pid);
	s->sandbox = 0;
	free(s->history_note);
	s->history_note = NULL;
	profile_clear(&s->profile);
}
