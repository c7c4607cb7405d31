/* test_textbuf.c - growth, the hard cap and ownership transfer. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"

Test(textbuf, append_and_printf_grow)
{
	struct textbuf b = TEXTBUF_INIT(0);
	char *s;
	int i;

	cr_assert_eq(textbuf_puts(&b, "a"), 0);
	cr_assert_eq(textbuf_append(&b, "bc\0d", 4), 0);
	cr_assert_eq(b.len, 5);
	cr_assert_eq(memcmp(b.data, "abc\0d", 6), 0, "NUL-terminated after binary bytes");
	textbuf_free(&b);
	for (i = 0; i < 1000; i++)
		cr_assert_eq(textbuf_printf(&b, "%d,", i), 0);
	cr_assert_eq(strncmp(b.data, "0,1,2,", 6), 0);
	cr_assert_eq(strlen(b.data), b.len);
	cr_assert_eq(strcmp(b.data + b.len - 4, "999,"), 0);
	/* one formatted piece much larger than the current allocation */
	cr_assert_eq(textbuf_printf(&b, "%5000s|", "x"), 0);
	cr_assert_eq(b.data[b.len - 1], '|');
	s = textbuf_steal(&b);
	cr_assert_null(b.data);
	cr_assert_eq(b.len, 0);
	free(s);
}

Test(textbuf, cap_refuses_whole_append)
{
	struct textbuf b = TEXTBUF_INIT(10);

	cr_assert_eq(textbuf_puts(&b, "12345678"), 0);
	cr_assert_eq(textbuf_puts(&b, "abc"), -1);
	cr_assert_str_eq(b.data, "12345678", "nothing appended on failure");
	cr_assert_eq(textbuf_printf(&b, "%s", "xyz"), -1);
	cr_assert_str_eq(b.data, "12345678");
	cr_assert_eq(b.len, 8);
	cr_assert_eq(textbuf_printf(&b, "%d", 42), 0);
	cr_assert_str_eq(b.data, "1234567842");
	cr_assert_eq(textbuf_puts(&b, ""), 0);
	cr_assert_eq(textbuf_puts(&b, "x"), -1);
	textbuf_free(&b);
	cr_assert_null(b.data);
}

Test(textbuf, steal_of_empty_gives_empty_string)
{
	struct textbuf b = TEXTBUF_INIT(0);
	char *s = textbuf_steal(&b);

	cr_assert_not_null(s);
	cr_assert_str_eq(s, "");
	free(s);
	textbuf_free(&b);  /* harmless twice */
	textbuf_free(&b);
}
