/* fuzz_import_recipients.c - the recipients importer (IDs one per line,
 * CSV with a header) on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

/* libFuzzer calls this once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_recipient *rs = NULL;
	size_t n = 0, i;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (import_recipients(text, size, &rs, &n, &err) == NC_OK)
		for (i = 0; i < n; i++)
			recipient_clear(&rs[i]);
	free(rs);
	nc_error_clear(&err);
	free(text);
	return 0;
}
