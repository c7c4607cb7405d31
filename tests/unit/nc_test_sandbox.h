/* nc_test_sandbox.h - start the real novu-sandbox binary on a free loopback
 * port for a test, talk to its control endpoints, stop it afterwards.
 *
 * Shared by the unit tests that need a server (test_http, test_api,
 * test_bulkrun). Everything is static inline so a test that uses only part
 * of it still builds with -Werror. NC_SANDBOX_BIN comes from the build.
 */
#ifndef NC_TEST_SANDBOX_H
#define NC_TEST_SANDBOX_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "http.h"
#include "jsonutil.h"

#define TSB_BANNER "novu-sandbox listening on "
#define TSB_KEY "sk_sandbox_local"
#define TSB_START_MS 5000
#define TSB_MAX_ARGS 24

struct tsb {
	pid_t pid;
	char url[128];
	struct nc_client *ctl;   /* for /__sandbox/... control calls */
};

static inline long long
tsb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read one line from fd within the time limit; 0 on success. */
static inline int
tsb_read_line(int fd, char *line, size_t cap)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long long end = tsb_now_ms() + TSB_START_MS;
	size_t len = 0;
	long long left;

	while (len + 1 < cap) {
		left = end - tsb_now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		if (read(fd, line + len, 1) != 1)
			return -1;
		if (line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	return 0;
}

static inline void
tsb_stop(struct tsb *sb)
{
	int status, i;

	client_free(sb->ctl);
	sb->ctl = NULL;
	if (sb->pid <= 0)
		return;
	kill(sb->pid, SIGTERM);
	for (i = 0; i < 100; i++) {
		if (waitpid(sb->pid, &status, WNOHANG) == sb->pid) {
			sb->pid = 0;
			return;
		}
		usleep(20000);
	}
	kill(sb->pid, SIGKILL);
	waitpid(sb->pid, &status, 0);
	sb->pid = 0;
}

static inline struct nc_client *
tsb_client(const struct tsb *sb, const char *key, int max_attempts, long base_delay_ms)
{
	struct nc_client_config cfg;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_client *c = NULL;

	client_config_defaults(&cfg);
	cfg.base_url = sb->url;
	cfg.secret_key = key;
	cfg.timeout_ms = 10000;
	cfg.retry.max_attempts = max_attempts;
	cfg.retry.base_delay_ms = base_delay_ms;
	cfg.retry.max_delay_ms = 30000;
	cfg.retry.jitter_ms = 0;   /* the short base_delay_ms is the wait, not 1 s more */
	if (client_new(&cfg, &c, &err) != NC_OK)
		c = NULL;
	nc_error_clear(&err);
	return c;
}

/* Start the sandbox with extra arguments (NULL-terminated list, may be
 * NULL). 0 on success. */
static inline int
tsb_start(struct tsb *sb, const char *const *extra)
{
	const char *argv[TSB_MAX_ARGS];
	char line[256];
	int fds[2], n = 0, i, devnull;

	memset(sb, 0, sizeof(*sb));
	argv[n++] = NC_SANDBOX_BIN;
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--quiet";
	for (i = 0; extra && extra[i] && n < TSB_MAX_ARGS - 1; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	if (pipe(fds) != 0)
		return -1;
	sb->pid = fork();
	if (sb->pid < 0)
		return -1;
	if (sb->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		devnull = open("/dev/null", O_RDWR);
		dup2(fds[1], STDOUT_FILENO);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		close(fds[0]);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(fds[1]);
	i = tsb_read_line(fds[0], line, sizeof(line));
	close(fds[0]);
	if (i != 0 || strncmp(line, TSB_BANNER, strlen(TSB_BANNER)) != 0 ||
	    strlen(line) - strlen(TSB_BANNER) >= sizeof(sb->url)) {
		tsb_stop(sb);
		return -1;
	}
	strcpy(sb->url, line + strlen(TSB_BANNER));
	sb->ctl = tsb_client(sb, TSB_KEY, 1, 0);
	return sb->ctl ? 0 : -1;
}

/* A control call; returns the HTTP status (0 on failure), *json the parsed
 * answer when wanted (caller deletes). */
static inline long
tsb_call(struct tsb *sb, const char *method, const char *path, const char *body,
         cJSON **json)
{
	struct nc_http_request req = { method, path, body, body ? strlen(body) : 0, NULL };
	struct nc_http_response resp;
	struct nc_error err = NC_ERROR_INIT;
	long status;

	client_send(sb->ctl, &req, &resp, &err);
	status = resp.status;
	if (json)
		*json = resp.body ? cJSON_ParseWithLength(resp.body, resp.body_len) : NULL;
	http_response_clear(&resp);
	nc_error_clear(&err);
	return status;
}

static inline long
tsb_faults(struct tsb *sb, const char *spec)
{
	return tsb_call(sb, "POST", "/__sandbox/faults", spec, NULL);
}

static inline long
tsb_reset(struct tsb *sb)
{
	return tsb_call(sb, "POST", "/__sandbox/reset", "{}", NULL);
}

/* The received-request log as a JSON array (caller deletes). The control
 * endpoint's own calls are not API requests, so only /v1 and /v2 paths are
 * kept. */
static inline cJSON *
tsb_requests(struct tsb *sb)
{
	cJSON *root = NULL, *out = cJSON_CreateArray(), *it;
	const cJSON *list;
	const char *path;

	tsb_call(sb, "GET", "/__sandbox/requests", NULL, &root);
	list = root ? json_unwrap_data(root) : NULL;
	cJSON_ArrayForEach(it, list) {
		path = json_str(it, "path");
		if (path && (strncmp(path, "/v1/", 4) == 0 || strncmp(path, "/v2/", 4) == 0))
			cJSON_AddItemToArray(out, cJSON_Duplicate(it, 1));
	}
	cJSON_Delete(root);
	return out;
}

/* How many logged requests have this path (exact). */
static inline int
tsb_count_path(const cJSON *reqs, const char *path)
{
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, reqs) {
		const char *p = json_str(it, "path");

		if (p && strcmp(p, path) == 0)
			n++;
	}
	return n;
}

#endif
