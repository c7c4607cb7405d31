/* fuzz_profile.c - the INI profile parser on arbitrary text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

/* libFuzzer calls this once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nc_error err = NC_ERROR_INIT;
	struct nc_profile p;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	profile_parse(&p, text, "fuzz.ini", &err);
	profile_clear(&p);
	nc_error_clear(&err);
	free(text);
	return 0;
}
