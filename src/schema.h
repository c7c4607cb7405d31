/* schema.h - JSON Schema as Novu applies it to a workflow's payload: AJV
 * with allErrors and useDefaults, plus ajv-formats. One copy, used by the
 * console (to check a payload before sending and to build an example) and
 * by the sandbox (to answer 400 PAYLOAD_VALIDATION_ERROR), so both say the
 * same thing about the same payload.
 *
 * Keywords: type, enum, const, required, properties, additionalProperties
 * (false or a schema), minProperties/maxProperties, items, minItems/maxItems,
 * uniqueItems, minLength/maxLength, pattern (POSIX extended), format
 * (date-time, date, time, email, uri; other formats pass), minimum/maximum,
 * exclusiveMinimum/exclusiveMaximum (draft-06+ numbers), multipleOf.
 * `default` fills a missing property before the object is checked, as
 * AJV's useDefaults does (so a required property with a default is never
 * missing); description, title, examples and other annotations are ignored.
 * Errors are reported in AJV's keyword order with AJV's messages.
 *
 * Needs only cJSON and libc (the sandbox links this file alone).
 */
#ifndef NC_SCHEMA_H
#define NC_SCHEMA_H

#include <cjson/cJSON.h>

/* Validate instance against schema and append one
 * {"field","message","value","schemaPath"} object per failure to errs (a
 * JSON array owned by the caller). field is the dotted path of the value
 * ("order.items.0.sku"; a missing property's own path; "payload" for the
 * whole instance), value a copy of the offending value (absent when the
 * value is missing), schemaPath the failing keyword ("#/properties/order/
 * required"). */
void schema_validate(const cJSON *schema, const cJSON *instance, cJSON *errs);

/* 1 when text is valid for the format as ajv-formats' full mode checks it,
 * 0 when not; formats this file does not know count as valid (1). */
int schema_format_ok(const char *format, const char *text);

/* An example instance of schema, for a person to start from: the schema's
 * default, else its const, first enum value or first `examples` entry,
 * else a value of its type (every property of an object, one item of an
 * array, formats as a valid sample, numbers within their bounds). NULL on
 * out of memory; the caller deletes the result. */
cJSON *schema_example(const cJSON *schema);

#endif
