/* fuzz_json.c - the JSON editor's parser (json_parse_explain, with the
 * line/column of its error) on arbitrary bytes; what parses must print and
 * parse again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jsonutil.h"

/* libFuzzer calls this once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char what[128], *text = malloc(size + 1), *printed;
	size_t off = 0;
	long line, col;
	cJSON *root, *again;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	root = json_parse_explain(text, size, &off, what, sizeof(what));
	if (!root) {
		if (off > size)
			abort();   /* the offset must point into the text or at its end */
		json_offset_to_linecol(text, off, &line, &col);
	} else {
		printed = json_print_compact(root);
		again = printed ? json_parse_explain(printed, strlen(printed), &off, NULL, 0)
		                : NULL;
		if (printed && !again)
			abort();   /* our own output must parse */
		cJSON_Delete(again);
		free(printed);
		cJSON_Delete(root);
	}
	free(text);
	return 0;
}
