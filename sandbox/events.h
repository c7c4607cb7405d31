/* events.h - the /v1/events/trigger family (CONTRACT 2, 3): trigger, bulk,
 * broadcast and cancel. Handlers get a request whose JSON body is already
 * parsed (POST) and fill the reply. */
#ifndef SB_EVENTS_H
#define SB_EVENTS_H

#include "exchange.h"

#define SB_MAX_PAYLOAD_BYTES 524288

/* How long transactions of workflows with a delay/digest step stay pending. */
void events_init(double pending_seconds);

void events_trigger(const struct sb_request *req, struct sb_reply *rep);
void events_bulk(const struct sb_request *req, struct sb_reply *rep);
void events_broadcast(const struct sb_request *req, struct sb_reply *rep);
void events_cancel(const struct sb_request *req, struct sb_reply *rep);

#endif
