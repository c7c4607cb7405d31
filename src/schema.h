/* schema.h - the small JSON Schema subset the seeded workflows use for
 * payload validation (type, enum, const, required, properties,
 * additionalProperties, items, min/max length, items, minimum/maximum,
 * pattern), reporting errors the way Novu's PAYLOAD_VALIDATION_ERROR does. */
#ifndef SB_SCHEMA_H
#define SB_SCHEMA_H

#include <cjson/cJSON.h>

/* Validate instance against schema and append one
 * {"field","message","value","schemaPath"} object per failure to errs (a
 * JSON array owned by the caller). */
void schema_validate(const cJSON *schema, const cJSON *instance, cJSON *errs);

#endif
