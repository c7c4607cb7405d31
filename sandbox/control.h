/* control.h - the test control endpoints under /__sandbox/ (no auth,
 * loopback only):
 *   POST /__sandbox/faults    {"failNext","status","retryAfter","dropNext","latencyMs"}
 *   GET  /__sandbox/faults    current fault settings
 *   GET  /__sandbox/requests  [?since=SEQ] log of API requests received
 *   POST /__sandbox/reset     clear log, faults, idempotency keys, rate buckets
 *   GET  /__sandbox/health    {"ok":true} */
#ifndef SB_CONTROL_H
#define SB_CONTROL_H

#include "exchange.h"

#define CONTROL_PREFIX "/__sandbox"

void control_handle(const struct sb_request *req, struct sb_reply *rep);

#endif
