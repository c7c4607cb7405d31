/* schemaform.h - a workflow's payloadSchema and the payload text as the
 * rows of a form.
 *
 * One row per property the schema names (nested objects below their
 * parent, one row per array item), then the members the payload has that
 * the schema does not name. Each row carries what the schema says about
 * the value (type, required, enum, default, format, description), the
 * value's bytes as typed, and the first problem the validator (schema.h)
 * reports there. Edits go through jsonedit.h at the row's pointer, so the
 * rest of the payload keeps its bytes.
 */
#ifndef NC_SCHEMAFORM_H
#define NC_SCHEMAFORM_H

#include <stddef.h>

#define SF_OBJECT 0x1u   /* an object: its properties are the rows below */
#define SF_ARRAY  0x2u   /* an array: its items are the rows below */
#define SF_ITEM   0x4u   /* an item of an array (can be removed) */
#define SF_EXTRA  0x8u   /* in the payload, not in the schema */

struct sf_row {
	char *ptr;          /* JSON Pointer into the payload ("/order/id") */
	char *field;        /* the validator's name for it ("order.id", "tags.0") */
	int depth;          /* 0 for the payload's own members */
	char *label;        /* the key, or "[2]" for an item */
	char *type;         /* "string", "integer|null"...; "" when the schema has none */
	int required;
	char **enums;       /* the allowed values as JSON text */
	size_t nenum;
	char *def;          /* default, as JSON text, or NULL */
	char *format;       /* "email", "date-time", "uri"..., or NULL */
	char *description;  /* or NULL */
	char *value;        /* the value's bytes in the payload; NULL: absent */
	char *new_item;     /* arrays: JSON text of an item `add` appends */
	char *problem;      /* the first problem found there, or NULL */
	char *fix;          /* what to change for it (payloadcheck.h's fix), or NULL */
	unsigned flags;     /* SF_* */
};

/* The form owns every string of its rows. */
struct sf_form {
	struct sf_row *rows;
	size_t n;
	size_t nproblems;     /* every problem the validator reported */
	char *root_problem;   /* the first one no row shows, or NULL */
	char *root_fix;       /* what to change for root_problem, or NULL */
	char *parse_error;    /* the payload is not JSON: rows show no values */
};

/* Build the rows for payload (blank: {}) under schema (JSON text). -1 when
 * the schema is not a JSON object or memory runs out; *out is then empty. */
int schemaform_build(const char *schema_json, const char *payload, struct sf_form *out);
void schemaform_free(struct sf_form *f);

/* The row whose problem comes first, or -1. */
long schemaform_first_problem(const struct sf_form *f);

/* The JSON text a row gets from what the user typed: a string-typed row's
 * text is quoted; other rows take it as JSON when it parses, else quoted
 * (so the validator names the type it wanted). Blank typed text: NULL,
 * meaning "remove the value". Caller frees. */
char *schemaform_value_for(const struct sf_row *r, const char *typed);
/* The text a prompt starts with when editing the row: a string value
 * without its quotes and escapes, else the value's bytes ("" when absent).
 * Caller frees. */
char *schemaform_edit_text(const struct sf_row *r);

/* How many problems the schema finds in payload; *first (may be NULL;
 * caller frees) gets the first as "field: message", *fix (may be NULL;
 * caller frees) what to change for it as "field: fix" (NULL when the
 * payload does not parse: that counts as one problem, with no fix). 0
 * when the schema does not parse. */
size_t schemaform_check(const char *schema_json, const char *payload, char **first,
                        char **fix);

#endif
