/* reqlog.h - the bounded log of API requests served by
 * GET /__sandbox/requests. Thread-safe; oldest entries are dropped past
 * REQLOG_CAP. */
#ifndef SB_REQLOG_H
#define SB_REQLOG_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#define REQLOG_CAP 10000
/* Bodies up to this size are kept verbatim; larger ones only by digest. */
#define REQLOG_BODY_MAX (256 * 1024)   /* a 100-event bulk body, for the fault runs */

/* Record a request as it arrives; returns its sequence number (>= 1).
 * query and idem_key may be NULL. client_port tells connections apart, and
 * each entry keeps how many API requests were open when it arrived (itself
 * included): evidence of keep-alive and of requests in flight together
 * that does not depend on timing. */
uint64_t reqlog_add(const char *method, const char *path, const char *query,
                    const char *idem_key, const char *body, size_t body_len,
                    unsigned int client_port);

/* Record the status answered (0: connection dropped without answer). */
void reqlog_set_status(uint64_t seq, unsigned int status);

/* Entries with seq > since, oldest first, as a JSON array (caller owns). */
cJSON *reqlog_dump(uint64_t since);

void reqlog_reset(void);
void reqlog_free(void);

#endif
