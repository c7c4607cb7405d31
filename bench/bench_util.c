/* bench_util.c - shared helpers of the benchmark programs (see bench_util.h). */
#include "bench_util.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
bench_median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

char *
bench_count(size_t n, char *buf, size_t cap)
{
	char digits[32], out[48];
	size_t len, i, o = 0;

	snprintf(digits, sizeof digits, "%zu", n);
	len = strlen(digits);
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, cap, "%s", out);
	return buf;
}

void
bench_format_time(double seconds, char *buf, size_t cap)
{
	if (seconds < 0)
		snprintf(buf, cap, "n/a");
	else if (seconds < 10e-6)
		snprintf(buf, cap, "%.2f µs", seconds * 1e6);
	else if (seconds < 1e-3)
		snprintf(buf, cap, "%.0f µs", seconds * 1e6);
	else if (seconds < 10e-3)
		snprintf(buf, cap, "%.2f ms", seconds * 1e3);
	else if (seconds < 1.0)
		snprintf(buf, cap, "%.0f ms", seconds * 1e3);
	else
		snprintf(buf, cap, "%.2f s", seconds);
}

/* Two significant digits are all the noise of a shared machine allows. */
static void
format_ratio(double r, char *buf, size_t cap)
{
	if (!(r > 0))
		snprintf(buf, cap, "n/a");
	else if (r >= 100)
		snprintf(buf, cap, "%.0f×", r);
	else if (r >= 10)
		snprintf(buf, cap, "%.1f×", r);
	else
		snprintf(buf, cap, "%.2f×", r);
}

void
bench_row_text(const char *benchmark, const char *ours, const char *peer,
               const char *ratio)
{
	printf("row\t%s\t%s\t%s\t%s\n", benchmark, ours, peer, ratio);
	fflush(stdout);
}

void
bench_row_time(const char *benchmark, double ours_s, const char *peer_name,
               double peer_s)
{
	char o[32], p[32], r[32], pcell[256];

	bench_format_time(ours_s, o, sizeof(o));
	bench_format_time(peer_s, p, sizeof(p));
	format_ratio(ours_s > 0 && peer_s > 0 ? peer_s / ours_s : 0, r, sizeof(r));
	snprintf(pcell, sizeof(pcell), "%s (%s)", p, peer_name);
	bench_row_text(benchmark, o, pcell, r);
}

static void
format_rate(double v, const char *unit, char *buf, size_t cap)
{
	if (!(v > 0))
		snprintf(buf, cap, "n/a");
	else if (v >= 100)
		snprintf(buf, cap, "%.0f %s", v, unit);
	else
		snprintf(buf, cap, "%.1f %s", v, unit);
}

void
bench_row_rate(const char *benchmark, double ours, const char *peer_name,
               double peer, const char *unit)
{
	char o[64], p[64], r[32], pcell[256];

	format_rate(ours, unit, o, sizeof(o));
	format_rate(peer, unit, p, sizeof(p));
	format_ratio(ours > 0 && peer > 0 ? ours / peer : 0, r, sizeof(r));
	snprintf(pcell, sizeof(pcell), "%s (%s)", p, peer_name);
	bench_row_text(benchmark, o, pcell, r);
}

void
bench_note(const char *fmt, ...)
{
	va_list ap;

	fputs("note\t", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void
bench_progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Read fd to EOF into a growing buffer. */
static int
slurp_fd(int fd, char **out, size_t *out_len)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nb;
	ssize_t got;

	if (!buf)
		return -1;
	for (;;) {
		if (cap - len < 2048) {
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		got = read(fd, buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	buf[len] = '\0';
	*out = buf;
	if (out_len)
		*out_len = len;
	return 0;
}

char *
bench_arg(const char *s)
{
	union { const char *c; char *m; } u;

	u.c = s;
	return u.m;
}

int
bench_run_capture(char *const argv[], char **out, size_t *out_len)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status, rc;
	pid_t pid;

	*out = NULL;
	if (pipe(pipefd) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	posix_spawn_file_actions_addclose(&fa, pipefd[1]);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		return -1;
	}
	rc = slurp_fd(pipefd[0], out, out_len);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (rc != 0)
		return -1;
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

char *
bench_make_tmpdir(const char *base, const char *prefix)
{
	const char *dir = base ? base : getenv("TMPDIR");
	size_t cap;
	char *path;

	if (!dir || !*dir)
		dir = "/tmp";
	cap = strlen(dir) + strlen(prefix) + 16;
	path = malloc(cap);
	if (!path)
		return NULL;
	snprintf(path, cap, "%s/%s-XXXXXX", dir, prefix);
	if (!mkdtemp(path)) {
		free(path);
		return NULL;
	}
	return path;
}

/* The benchmarks only make flat directories of files, so one level is
 * enough; anything left over makes rmdir fail harmlessly. */
void
bench_rmtree(const char *path)
{
	char file[4096];
	struct dirent *d;
	DIR *dir;

	if (!path || !(dir = opendir(path)))
		return;
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(file, sizeof file, "%s/%s", path, d->d_name);
		unlink(file);
	}
	closedir(dir);
	rmdir(path);
}
