/* lists.h - the read endpoints (CONTRACT 5): subscribers and topics (cursor
 * pagination, unwrapped), workflows (limit/offset, wrapped), one workflow,
 * and notifications (page-based, unwrapped). */
#ifndef SB_LISTS_H
#define SB_LISTS_H

#include "exchange.h"

void lists_subscribers(const struct sb_request *req, struct sb_reply *rep);
/* GET /v2/subscribers/{subscriberId}: {"data": SubscriberResponseDto}. */
void lists_subscriber_get(const struct sb_request *req, struct sb_reply *rep);
void lists_topics(const struct sb_request *req, struct sb_reply *rep);
void lists_workflows(const struct sb_request *req, struct sb_reply *rep);
void lists_workflow_get(const struct sb_request *req, struct sb_reply *rep);
void lists_notifications(const struct sb_request *req, struct sb_reply *rep);

#endif
