/* server.h - the HTTP side: a libmicrohttpd daemon on 127.0.0.1 (one thread
 * per connection, so slow answers overlap) running every API request through
 * the Novu pipeline: faults, routing, auth, rate limit, body checks,
 * idempotency, latency, handler. */
#ifndef SB_SERVER_H
#define SB_SERVER_H

#include "config.h"

struct sb_server;

/* Listen on 127.0.0.1:cfg->port (0: any free port). cfg must outlive the
 * server. NULL on failure, with a message on stderr. */
struct sb_server *server_start(const struct sb_config *cfg);

/* The port actually bound. */
unsigned int server_port(const struct sb_server *s);

/* Stop accepting, wake sleeping handlers, wait for connections to end and
 * free the server. */
void server_stop(struct sb_server *s);

#endif
