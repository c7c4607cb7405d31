/* hostile.c - a deliberately misbehaving Novu stand-in for the hostile-server
 * tests (tests/integration/hostile-test.sh). One mode per run:
 *
 *   escapes        2xx answers with terminal escapes in every text field
 *   escapes-txid   the same, and the transactionIds answered carry escapes too
 *   escapes-error  a 422 whose message, type, errorId and fields hold escapes
 *   escapes-text   a 201 whose body is not JSON and holds escapes
 *   cl-huge        Content-Length far past the body, then the connection closes
 *   cl-blank       an empty Content-Length header
 *   cl-short       Content-Length shorter than the body (the rest is garbage)
 *   truncated      a 201 whose JSON stops half way
 *   nested         a 201 of 100,000 '['
 *   big            a 201 of 50 MB
 *   slowloris      a status line, then one byte every 500 ms
 *   redirect       307 to another origin (logged if anything follows it)
 *   bulk-fewer     bulk answers with one result fewer than events
 *   bulk-more      bulk answers with two results more than events
 *   bulk-other     bulk answers with results for other transactionIds
 *
 * Plain sockets, one connection at a time, bound to 127.0.0.1 only; the port
 * is written to --port-file; the process ends after --lifetime seconds.
 * Each request is logged to --log as "METHOD PATH auth=yes|no".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX (64 * 1024)
#define BODY_MAX (16 * 1024 * 1024)
#define IO_TIMEOUT_MS 5000
#define TRICKLE_MAX_S 120
#define ESC_TEXT "\\u001b]52;c;SGFja2Vk\\u0007\\u001b[2J\\u001b]0;pwned\\u0007\\u009b31m"

struct request {
	char method[16];
	char path[1024];
	int auth;
	char *body;
	size_t body_len;
};

static const char *mode = "escapes";
static FILE *log_file;
static int port;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { fd, events, 0 };

	return poll(&p, 1, ms) == 1;
}

static int
send_all(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if (!wait_fd(fd, POLLOUT, IO_TIMEOUT_MS))
			return -1;
		w = send(fd, buf, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
send_str(int fd, const char *s)
{
	return send_all(fd, s, strlen(s));
}

/* Reads the head and a Content-Length body; bounded in size and time. */
static int
read_request(int fd, struct request *rq)
{
	static char buf[HEAD_MAX + 1];
	size_t len = 0, want = 0, have;
	char *end = NULL, *cl;
	ssize_t r;

	memset(rq, 0, sizeof(*rq));
	while (!end && len < HEAD_MAX) {
		if (!wait_fd(fd, POLLIN, IO_TIMEOUT_MS))
			return -1;
		r = recv(fd, buf + len, HEAD_MAX - len, 0);
		if (r <= 0)
			return -1;
		len += (size_t)r;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	if (!end || sscanf(buf, "%15s %1023s", rq->method, rq->path) != 2)
		return -1;
	*end = '\0';
	cl = strcasestr(buf, "\r\ncontent-length:");
	if (cl)
		want = strtoul(cl + 17, NULL, 10);
	rq->auth = strcasestr(buf, "\r\nauthorization:") != NULL;
	if (want > BODY_MAX)
		return -1;
	rq->body = calloc(1, want + 1);
	if (!rq->body)
		return -1;
	have = len - (size_t)(end + 4 - buf);
	have = have > want ? want : have;
	memcpy(rq->body, end + 4, have);
	while (have < want) {
		if (!wait_fd(fd, POLLIN, IO_TIMEOUT_MS))
			return -1;
		r = recv(fd, rq->body + have, want - have, 0);
		if (r <= 0)
			return -1;
		have += (size_t)r;
	}
	rq->body_len = want;
	return 0;
}

static int
respond(int fd, int status, const char *reason, const char *extra, const char *body)
{
	char head[512];

	snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
	         "Content-Length: %zu\r\nConnection: close\r\n%s\r\n", status, reason,
	         strlen(body), extra ? extra : "");
	return send_str(fd, head) || send_str(fd, body);
}

/* The transactionIds of a bulk request, in order (at most 200). */
static size_t
bulk_txids(const struct request *rq, char ids[][80], size_t max)
{
	const char *p = rq->body, *q;
	size_t n = 0, len;

	while (p && n < max && (p = strstr(p, "\"transactionId\":\"")) != NULL) {
		p += 17;
		q = strchr(p, '"');
		if (!q)
			break;
		len = (size_t)(q - p) < 79 ? (size_t)(q - p) : 79;
		memcpy(ids[n], p, len);
		ids[n++][len] = '\0';
		p = q;
	}
	return n;
}

static int
answer_bulk(int fd, const struct request *rq)
{
	static char ids[200][80];
	char *body = malloc(200 * 256 + 64), *w;
	size_t n = bulk_txids(rq, ids, 200), i, count = n;
	int rc;

	if (!body)
		return -1;
	if (strcmp(mode, "bulk-fewer") == 0 && count > 0)
		count--;
	else if (strcmp(mode, "bulk-more") == 0)
		count += 2;
	w = body + sprintf(body, "{\"data\":[");
	for (i = 0; i < count; i++) {
		const char *tx = i < n && strcmp(mode, "bulk-other") != 0 ? ids[i] : "someone-elses-tx";
		const char *st = strncmp(mode, "escapes", 7) == 0 ? "processed" ESC_TEXT : "processed";

		w += sprintf(w, "%s{\"acknowledged\":true,\"status\":\"%s\",\"transactionId\":"
		             "\"%s%s\"%s}", i ? "," : "", st, tx,
		             strcmp(mode, "escapes-txid") == 0 ? ESC_TEXT : "",
		             strncmp(mode, "escapes", 7) == 0 ? ",\"error\":[\"" ESC_TEXT "\"]" : "");
	}
	strcpy(w, "]}");
	rc = respond(fd, 201, "Created", NULL, body);
	free(body);
	return rc;
}

/* A step preview with escapes in every text: subject, HTML body, link,
 * button, and a PreviewErrorDto. */
static int
answer_preview(int fd)
{
	const char *E = ESC_TEXT;
	char body[4096];

	snprintf(body, sizeof(body), "{\"data\":{\"result\":{\"type\":\"email\",\"preview\":{"
	         "\"subject\":\"s%s\",\"body\":\"<p>b%s <a href=\\\"https://x%s\\\">l%s</a></p>\","
	         "\"primaryAction\":{\"label\":\"p%s\",\"redirect\":{\"url\":\"u%s\"}}},"
	         "\"error\":{\"title\":\"t%s\",\"message\":\"m%s\",\"hint\":\"h%s\"}},"
	         "\"previewPayloadExample\":{}}}", E, E, E, E, E, E, E, E, E);
	return respond(fd, 201, "Created", NULL, body);
}

static int
answer_escapes(int fd, const struct request *rq)
{
	const char *E = ESC_TEXT;
	char body[4096];

	if (strncmp(rq->path, "/v1/events/trigger/bulk", 23) == 0)
		return answer_bulk(fd, rq);
	if (strncmp(rq->path, "/v1/events/trigger", 18) == 0) {
		char sent[1][80] = { "" };

		bulk_txids(rq, sent, 1);
		snprintf(body, sizeof(body), "{\"data\":{\"acknowledged\":true,\"status\":\"processed%s\","
		         "\"transactionId\":\"%s%s\",\"error\":[\"%s\"]}}", E, sent[0],
		         strcmp(mode, "escapes-txid") == 0 ? E : "", E);
		return respond(fd, 201, "Created", NULL, body);
	}
	if (strncmp(rq->path, "/v2/workflows/", 14) == 0 && strstr(rq->path, "/preview"))
		return answer_preview(fd);
	if (strncmp(rq->path, "/v2/workflows/", 14) == 0)
		snprintf(body, sizeof(body), "{\"data\":{\"workflowId\":\"wf%s\",\"steps\":["
		         "{\"stepId\":\"s1\",\"name\":\"n%s\",\"type\":\"email\"},"
		         "{\"stepId\":\"s2\",\"name\":\"n%s\",\"type\":\"in_app\"}]}}", E, E, E);
	else if (strncmp(rq->path, "/v2/subscribers/", 16) == 0)
		snprintf(body, sizeof(body), "{\"data\":{\"_id\":\"i\",\"subscriberId\":\"s%s\","
		         "\"firstName\":\"%s\",\"lastName\":\"%s\"}}", E, E, E);
	else if (strncmp(rq->path, "/v2/workflows", 13) == 0)
		snprintf(body, sizeof(body), "{\"data\":{\"workflows\":[{\"workflowId\":\"wf%s\","
		         "\"name\":\"n%s\",\"status\":\"ACTIVE%s\",\"steps\":[]}],\"totalCount\":1}}",
		         E, E, E);
	else if (strncmp(rq->path, "/v1/subscribers", 15) == 0 ||
	         strncmp(rq->path, "/v2/subscribers", 15) == 0)
		snprintf(body, sizeof(body), "{\"data\":[{\"subscriberId\":\"s%s\",\"firstName\":\"%s\","
		         "\"lastName\":\"%s\",\"email\":\"e%s\"}],\"totalCount\":1}", E, E, E, E);
	else if (strncmp(rq->path, "/v2/topics", 10) == 0 || strncmp(rq->path, "/v1/topics", 10) == 0)
		snprintf(body, sizeof(body), "{\"data\":[{\"key\":\"k%s\",\"name\":\"n%s\"}],"
		         "\"totalCount\":1}", E, E);
	else if (strncmp(rq->path, "/v1/notifications", 17) == 0)
		snprintf(body, sizeof(body), "{\"data\":[{\"createdAt\":\"2026-01-01\",\"subscriber\":"
		         "{\"subscriberId\":\"s%s\"},\"jobs\":[{\"type\":\"email%s\",\"status\":\"done%s\","
		         "\"providerId\":\"p%s\",\"executionDetails\":[{\"detail\":\"d%s\"}]}]}],"
		         "\"hasMore\":false}", E, E, E, E, E);
	else if (strncmp(rq->method, "DELETE", 6) == 0)
		snprintf(body, sizeof(body), "{\"data\":true}");
	else
		snprintf(body, sizeof(body), "{\"message\":\"not here%s\"}", E);
	return respond(fd, 200, "OK", NULL, body);
}

static int
answer_escapes_error(int fd)
{
	const char *E = ESC_TEXT;
	char body[2048];

	snprintf(body, sizeof(body), "{\"statusCode\":422,\"message\":\"bad%s\",\"type\":\"T%s\","
	         "\"errorId\":\"id%s\",\"errors\":{\"to%s\":{\"messages\":[\"m%s\"],"
	         "\"value\":\"v%s\"}}}", E, E, E, E, E, E);
	return respond(fd, 422, "Unprocessable Entity", NULL, body);
}

static int
answer_big(int fd)
{
	static char chunk[64 * 1024];
	const size_t total = 50u * 1024u * 1024u;
	char head[256];
	size_t sent = 0, n;

	memset(chunk, 'A', sizeof(chunk));
	snprintf(head, sizeof(head), "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
	         "Content-Length: %zu\r\nConnection: close\r\n\r\n{\"data\":{\"pad\":\"", total);
	if (send_str(fd, head))
		return -1;
	sent = 16;
	while (sent < total - 3) {
		n = total - 3 - sent < sizeof(chunk) ? total - 3 - sent : sizeof(chunk);
		if (send_all(fd, chunk, n))
			return -1;
		sent += n;
	}
	return send_str(fd, "\"}}");
}

static int
answer_nested(int fd)
{
	const size_t n = 100000;
	char *body = malloc(n + 1);
	int rc;

	if (!body)
		return -1;
	memset(body, '[', n);
	body[n] = '\0';
	rc = respond(fd, 201, "Created", NULL, body);
	free(body);
	return rc;
}

/* A status line, then a byte every 500 ms until the client gives up. */
static int
answer_slowloris(int fd)
{
	const char *head = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
	                   "Content-Length: 100000\r\n\r\n{\"data\":{\"status\":\"";
	long long start = now_ms();
	size_t i;

	for (i = 0; head[i] && now_ms() - start < TRICKLE_MAX_S * 1000; i++) {
		if (send_all(fd, head + i, 1))
			return -1;
		usleep(100000);
	}
	while (now_ms() - start < TRICKLE_MAX_S * 1000) {
		if (send_all(fd, "p", 1))
			return -1;
		usleep(500000);
	}
	return 0;
}

static int
answer(int fd, const struct request *rq)
{
	char extra[256];

	if (strncmp(rq->path, "/__redirected", 13) == 0)
		return respond(fd, 200, "OK", NULL, "{\"data\":{\"status\":\"followed\"}}");
	if (strncmp(mode, "escapes", 7) == 0 && strcmp(mode, "escapes-error") != 0 &&
	    strcmp(mode, "escapes-text") != 0)
		return answer_escapes(fd, rq);
	if (strcmp(mode, "escapes-error") == 0)
		return answer_escapes_error(fd);
	if (strcmp(mode, "escapes-text") == 0)
		return respond(fd, 201, "Created", NULL,
		               "plain \033]52;c;SGFja2Vk\007 text \033[2J\033]0;pwned\007 \302\233 end");
	if (strcmp(mode, "cl-huge") == 0)
		return send_str(fd, "HTTP/1.1 201 Created\r\nContent-Length: 99999999999\r\n"
		                    "Connection: close\r\n\r\n{\"data\":{");
	if (strcmp(mode, "cl-blank") == 0)
		return send_str(fd, "HTTP/1.1 201 Created\r\nContent-Length: \r\n"
		                    "Connection: close\r\n\r\n{\"data\":{\"status\":\"processed\"}}");
	if (strcmp(mode, "cl-short") == 0)
		return send_str(fd, "HTTP/1.1 201 Created\r\nContent-Length: 12\r\n"
		                    "Connection: close\r\n\r\n{\"data\":{\"status\":\"processed\"}}");
	if (strcmp(mode, "truncated") == 0)
		return respond(fd, 201, "Created", NULL, "{\"data\":{\"acknowledged\":true,\"status\":\"proc");
	if (strcmp(mode, "nested") == 0)
		return answer_nested(fd);
	if (strcmp(mode, "big") == 0)
		return answer_big(fd);
	if (strcmp(mode, "slowloris") == 0)
		return answer_slowloris(fd);
	if (strcmp(mode, "redirect") == 0) {
		snprintf(extra, sizeof(extra), "Location: http://localhost:%d/__redirected\r\n", port);
		return respond(fd, 307, "Temporary Redirect", extra, "");
	}
	if (strncmp(mode, "bulk-", 5) == 0 && strncmp(rq->path, "/v1/events/trigger/bulk", 23) == 0)
		return answer_bulk(fd, rq);
	return respond(fd, 404, "Not Found", NULL, "{\"message\":\"no such route\"}");
}

static int
listen_loopback(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen)) {
		close(fd);
		return -1;
	}
	port = ntohs(a.sin_port);
	return fd;
}

static int
write_port(const char *path)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", port);
	if (fclose(f))
		return -1;
	return rename(tmp, path);
}

int
main(int argc, char **argv)
{
	const char *port_file = NULL, *log_path = NULL;
	long lifetime = 300;
	long long start = now_ms();
	struct request rq;
	int lfd, fd, i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--mode") == 0)
			mode = argv[i + 1];
		else if (strcmp(argv[i], "--port-file") == 0)
			port_file = argv[i + 1];
		else if (strcmp(argv[i], "--log") == 0)
			log_path = argv[i + 1];
		else if (strcmp(argv[i], "--lifetime") == 0)
			lifetime = atol(argv[i + 1]);
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_loopback();
	if (lfd < 0 || !port_file || write_port(port_file)) {
		fprintf(stderr, "hostile: cannot listen or write the port file\n");
		return 1;
	}
	log_file = log_path ? fopen(log_path, "a") : NULL;
	while (now_ms() - start < lifetime * 1000) {
		if (!wait_fd(lfd, POLLIN, 500))
			continue;
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (read_request(fd, &rq) == 0) {
			if (log_file) {
				fprintf(log_file, "%s %s auth=%s\n", rq.method, rq.path, rq.auth ? "yes" : "no");
				fflush(log_file);
			}
			answer(fd, &rq);
		}
		free(rq.body);
		close(fd);
	}
	return 0;
}
