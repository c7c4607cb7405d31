/* bulkschema.h - a bulk list's payloads against their workflows'
 * payloadSchema, before anything is sent.
 *
 * Novu checks each event of a bulk request on its own, and refuses an event
 * whose workflow has validatePayload on and whose payload the schema
 * refuses. The console checks first, so a bad event is named (with the
 * check's fix) before any event goes out: the schemas are read on the
 * worker with api_workflow_payload (the request the compose form makes for
 * its own workflow), one per distinct workflow; the check is
 * payload_check (payloadcheck.h).
 *
 * Ownership: bulkschema_fetch copies the workflow names it needs; the
 * struct bulkschema handed to `done` belongs to the fetch and is freed
 * after `done` returns (done must not keep it).
 */
#ifndef NC_UI_BULKSCHEMA_H
#define NC_UI_BULKSCHEMA_H

#include <stddef.h>

#include "payloadcheck.h"

struct app;
struct nc_event;
struct bulkschema;

/* The fetch ended: st is NC_OK (every schema known), NC_E_ABORTED (Esc
 * stopped it) or the failure in *err; workflow names the workflow whose
 * read failed (NULL with NC_OK). */
typedef void (*bulkschema_done_fn)(struct app *a, void *ctx, const struct bulkschema *s,
                                   enum nc_status st, const struct nc_error *err,
                                   const char *workflow);

/* Read the payloadSchema of each distinct workflow among the events evs[i]
 * with want[i] set, on the worker (a READ job: Esc stops it). 0 when
 * started; -1 when the worker is busy (nothing started, done not called). */
int bulkschema_fetch(struct app *a, const struct nc_event *evs, size_t n,
                     const unsigned char *want, bulkschema_done_fn done, void *ctx);

/* Check ev's payload against its workflow's schema when Novu would:
 * NC_OK with out filled (out->n == 0: it fits, or the workflow has no
 * schema, has validatePayload off, or was not fetched), else as
 * payload_check (the payload is not a JSON object, out of memory). */
enum nc_status bulkschema_check(const struct bulkschema *s, const struct nc_event *ev,
                                struct nc_payload_check *out, struct nc_error *err);

#endif
