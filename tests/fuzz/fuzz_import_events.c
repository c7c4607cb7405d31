/* fuzz_import_events.c - the bulk builder's events importer (CSV, JSON
 * Lines, JSON arrays, {"events":[...]}) on arbitrary bytes, every event
 * validated as the bulk command does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* libFuzzer calls this once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nc_import_options opts = { "fuzz-workflow", 1 };
	struct nc_error err = NC_ERROR_INIT;
	struct nc_event *evs = NULL;
	size_t n = 0, i;
	char *text = malloc(size + 1);   /* the importer gets NUL-terminated text */

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (import_events_text(text, size, &opts, &evs, &n, &err) == NC_OK)
		for (i = 0; i < n; i++)
			event_clear(&evs[i]);
	free(evs);
	nc_error_clear(&err);
	free(text);
	return 0;
}
