/* faults.h - injected failures: the --fail-rate/--drop-rate/--latency-ms
 * settings plus the one-shot "fail/drop the next N requests" counters set by
 * POST /__sandbox/faults. Thread-safe. */
#ifndef SB_FAULTS_H
#define SB_FAULTS_H

#include <cjson/cJSON.h>

#include "config.h"

enum fault_kind { FAULT_NONE, FAULT_FAIL, FAULT_DROP };

struct fault_decision {
	enum fault_kind kind;
	unsigned int status;   /* FAULT_FAIL: HTTP status to answer */
	long retry_after;      /* FAULT_FAIL: Retry-After seconds, or -1 for none */
	long latency_ms;       /* delay to add to this answer */
};

void faults_init(const struct sb_config *cfg);

/* Decide the fate of one API request to path (consumes a one-shot counter
 * when the counters apply to every path or to this one). */
void faults_decide(struct fault_decision *d, const char *path);

/* Apply a faults spec object; 0 on success, else -1 with a message in err. */
int faults_update(const cJSON *spec, char *err, size_t errcap);

/* The current settings as a JSON object (caller owns). */
cJSON *faults_state(void);

/* Forget one-shot counters and restore the command-line latency. */
void faults_reset(void);

#endif
