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

/* BulkTriggerEventDto: the events array only (1..100 items). */
void validate_bulk(const cJSON *body, cJSON *errors);

/* The checks one bulk event meets in the use case (the command built from
 * it), as a list of messages appended to the array messages. */
void validate_bulk_event(const cJSON *ev, cJSON *messages);

#endif
