/* payloadform.h - the payload of a Trigger or Broadcast form as a form of
 * its own, built from the workflow's payloadSchema (schemaform.h): one row
 * per property, problems beside the rows as the user types, enum pick
 * lists, array items added and removed. The payload stays the JSON text
 * the user typed: each edit splices the text at the row's path
 * (jsonedit.h), and J shows the same text in the JSON editor.
 */
#ifndef NC_UI_PAYLOADFORM_H
#define NC_UI_PAYLOADFORM_H

#include "compose.h"

/* Push the form over c (which must outlive it and have a schema, see
 * compose_schema), at its first row with a problem if any. When the form
 * is already in front, only at_problem moves it there. */
void payloadform_open(struct app *a, struct compose *c, int at_problem);

#endif
