/* test_termsafe.c - server text is printed without anything that drives a
 * terminal, and --json output stays valid JSON holding the same text. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "termsafe.h"

Test(termsafe, field_mode_defuses_every_control)
{
	char s[] = "ok\033]52;c;SGk=\007\t\n\r\177\302\233x\303\251";

	term_defuse(s, TERM_FIELD);
	cr_assert_str_eq(s, "ok?]52;c;SGk=???????x\303\251",
	                 "ESC, BEL, tab, newline, CR, DEL and C1 CSI become '?'; UTF-8 stays");
}

Test(termsafe, lines_mode_keeps_newlines_and_tabs)
{
	char s[] = "a\tb\nc\033[2J";

	term_defuse(s, TERM_LINES);
	cr_assert_str_eq(s, "a\tb\nc?[2J");
}

Test(termsafe, bytes_that_are_not_utf8_become_question_marks)
{
	char s[] = "\233[31m \377 \300\200";   /* raw 8-bit CSI, 0xff, overlong */

	term_defuse(s, TERM_FIELD);
	cr_assert_str_eq(s, "?[31m ? ??");
}

Test(termsafe, json_stays_valid_and_keeps_the_text)
{
	cJSON *o = cJSON_CreateObject(), *back;
	char *printed, *safe;

	cJSON_AddStringToObject(o, "status", "processed\033]0;t\007\177\302\233");
	printed = cJSON_PrintUnformatted(o);
	safe = term_safe_json(printed);
	cr_assert_not_null(safe);
	cr_assert_null(strchr(safe, 0x1b));
	cr_assert_null(strchr(safe, 0x7f));
	cr_assert_null(strstr(safe, "\302\233"));
	back = cJSON_Parse(safe);
	cr_assert_not_null(back, "still JSON: %s", safe);
	cr_assert_str_eq(cJSON_GetObjectItem(back, "status")->valuestring,
	                 "processed\033]0;t\007\177\302\233", "the text is escaped, not lost");
	cJSON_Delete(back);
	cJSON_Delete(o);
	free(printed);
	free(safe);
}

Test(termsafe, excerpt_folds_whitespace_and_drops_controls)
{
	struct textbuf tb = TEXTBUF_INIT(0);
	const char *in = "a \033[2J\n\n b\302\233";

	term_append_excerpt(&tb, in, strlen(in), 100, 0);
	cr_assert_str_eq(tb.data, "a [2J b?");
	textbuf_free(&tb);
}
