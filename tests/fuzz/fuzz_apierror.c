/* fuzz_apierror.c - an error answer from the server: the body parser
 * (nc_error_from_http) and its rendering, which must never carry a control
 * byte to the terminal; and any JSON body printed for --json, which must
 * stay terminal-safe. The first two bytes choose the HTTP status. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apierror.h"
#include "termsafe.h"

static void
assert_no_controls(const char *s, int keep_lines)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; p && *p; p++)
		if ((*p < 0x20 && !(keep_lines && (*p == '\n' || *p == '\t'))) || *p == 0x7f ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			abort();
}

static void
check_json_print(const char *body, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	char *printed = root ? cJSON_Print(root) : NULL;
	char *safe = term_safe_json(printed);

	assert_no_controls(safe, 1);
	free(safe);
	free(printed);
	cJSON_Delete(root);
}

/* libFuzzer calls this once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nc_error err = NC_ERROR_INIT, copy;
	long status;
	char *text;

	if (size < 2)
		return 0;
	status = 300 + (data[0] | data[1] << 8) % 300;
	nc_error_from_http(&err, status, "POST /v1/events/trigger", (const char *)data + 2,
	                   size - 2);
	text = nc_error_format(&err);
	assert_no_controls(text, 1);
	free(text);
	if (nc_error_copy(&copy, &err) == NC_OK)
		nc_error_clear(&copy);
	nc_error_clear(&err);
	check_json_print((const char *)data + 2, size - 2);
	return 0;
}
