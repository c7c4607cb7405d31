/* validate.h - DTO validation for the events endpoints, producing the
 * ValidationErrorDto "errors" map (field -> {messages, value}) with
 * class-validator style messages. Nested fields use dotted keys
 * ("to.2.topicKey", "events.0.name"). */
#ifndef SB_VALIDATE_H
#define SB_VALIDATE_H

#include <cjson/cJSON.h>

#define SB_MAX_RECIPIENTS 100
#define SB_MAX_BULK_EVENTS 100

/* TriggerEventRequestDto; prefix is "" or e.g. "events.3.". */
void validate_trigger(const cJSON *ev, const char *prefix, cJSON *errors);

/* TriggerEventToAllRequestDto. */
void validate_broadcast(const cJSON *ev, cJSON *errors);

/* BulkTriggerEventDto, including each event. */
void validate_bulk(const cJSON *body, cJSON *errors);

#endif
