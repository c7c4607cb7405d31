/* test_jsonedit.c - values changed inside JSON text with every other byte
 * kept: numbers as typed, key order, blanks and line breaks. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "jsonedit.h"

static const char *pretty =
	"{\n"
	"  \"order\": {\n"
	"    \"id\": \"A-1\",\n"
	"    \"total\": 1.50\n"
	"  },\n"
	"  \"z\": 1e3,\n"
	"  \"items\": [ {\"sku\": \"x\"}, {\"sku\": \"y\"} ]\n"
	"}";

static void
expect_set(const char *text, const char *ptr, const char *value, const char *want)
{
	char *out = NULL;
	enum jsonedit_status st = jsonedit_set(text, ptr, value, &out);

	cr_assert_eq(st, JE_OK, "%s at %s: %s", value, ptr, jsonedit_strerror(st));
	cr_assert_str_eq(out, want);
	free(out);
}

static void
expect_remove(const char *text, const char *ptr, const char *want)
{
	char *out = NULL;
	enum jsonedit_status st = jsonedit_remove(text, ptr, &out);

	cr_assert_eq(st, JE_OK, "remove %s: %s", ptr, jsonedit_strerror(st));
	cr_assert_str_eq(out, want);
	free(out);
}

static char *
span_text(const char *text, struct json_span s)
{
	return strndup(text + s.start, s.end - s.start);
}

Test(jsonedit_find, names_the_exact_bytes_of_nested_values)
{
	struct json_span s;
	char *got;

	cr_assert_eq(jsonedit_find(pretty, "/order/total", &s), JE_OK);
	got = span_text(pretty, s);
	cr_assert_str_eq(got, "1.50");
	free(got);
	cr_assert_eq(jsonedit_find(pretty, "/items/1/sku", &s), JE_OK);
	got = span_text(pretty, s);
	cr_assert_str_eq(got, "\"y\"");
	free(got);
	cr_assert_eq(jsonedit_find(pretty, "/order", &s), JE_OK);
	cr_assert_eq(pretty[s.start], '{');
	cr_assert_eq(pretty[s.end - 1], '}');
	cr_assert_eq(jsonedit_find(pretty, "", &s), JE_OK);
	cr_assert_eq(s.start, 0);
	cr_assert_eq(s.end, strlen(pretty));
}

Test(jsonedit_find, tells_missing_from_bad_paths_and_bad_json)
{
	struct json_span s;

	cr_assert_eq(jsonedit_find(pretty, "/order/nope", &s), JE_MISSING);
	cr_assert_eq(jsonedit_find(pretty, "/items/2", &s), JE_MISSING);
	cr_assert_eq(jsonedit_find(pretty, "/items/x", &s), JE_BAD_PATH);
	cr_assert_eq(jsonedit_find(pretty, "/items/01", &s), JE_BAD_PATH);
	cr_assert_eq(jsonedit_find(pretty, "/z/a", &s), JE_BAD_PATH);
	cr_assert_eq(jsonedit_find("{\"a\": }", "/a", &s), JE_BAD_JSON);
	cr_assert_eq(jsonedit_find("", "/a", &s), JE_MISSING);
}

Test(jsonedit_find, decodes_escaped_keys_and_pointer_escapes)
{
	const char *t = "{\"a/b\": 1, \"m~n\": 2, \"caf\\u00e9\": 3}";
	struct json_span s;

	cr_assert_eq(jsonedit_find(t, "/a~1b", &s), JE_OK);
	cr_assert_eq(t[s.start], '1');
	cr_assert_eq(jsonedit_find(t, "/m~0n", &s), JE_OK);
	cr_assert_eq(t[s.start], '2');
	cr_assert_eq(jsonedit_find(t, "/caf\xc3\xa9", &s), JE_OK);
	cr_assert_eq(t[s.start], '3');
}

Test(jsonedit_set, replaces_one_value_and_keeps_the_rest_byte_for_byte)
{
	expect_set(pretty, "/order/id", "\"B-22\"",
		"{\n"
		"  \"order\": {\n"
		"    \"id\": \"B-22\",\n"
		"    \"total\": 1.50\n"
		"  },\n"
		"  \"z\": 1e3,\n"
		"  \"items\": [ {\"sku\": \"x\"}, {\"sku\": \"y\"} ]\n"
		"}");
	expect_set("{\"a\":1.0,\"b\":[1,2]}", "/b/1", "2.00", "{\"a\":1.0,\"b\":[1,2.00]}");
}

Test(jsonedit_set, adds_a_missing_member_in_the_style_of_the_last_one)
{
	expect_set(pretty, "/order/currency", "\"EUR\"",
		"{\n"
		"  \"order\": {\n"
		"    \"id\": \"A-1\",\n"
		"    \"total\": 1.50,\n"
		"    \"currency\": \"EUR\"\n"
		"  },\n"
		"  \"z\": 1e3,\n"
		"  \"items\": [ {\"sku\": \"x\"}, {\"sku\": \"y\"} ]\n"
		"}");
	expect_set("{\"a\":1}", "/b", "true", "{\"a\":1,\"b\":true}");
	expect_set("{}", "/b", "null", "{\"b\": null}");
	expect_set("", "/b", "0", "{\"b\": 0}");
	expect_set("{ }", "/k\"q", "1", "{\"k\\\"q\": 1}");
}

Test(jsonedit_set, creates_missing_parent_objects)
{
	expect_set("{\"a\": 1}", "/user/address/city", "\"Oslo\"",
	           "{\"a\": 1, \"user\": {\"address\": {\"city\": \"Oslo\"}}}");
}

Test(jsonedit_set, appends_to_an_array_at_its_length_only)
{
	char *out = (char *)1;

	expect_set(pretty, "/items/2", "{}",
		"{\n"
		"  \"order\": {\n"
		"    \"id\": \"A-1\",\n"
		"    \"total\": 1.50\n"
		"  },\n"
		"  \"z\": 1e3,\n"
		"  \"items\": [ {\"sku\": \"x\"}, {\"sku\": \"y\"}, {} ]\n"
		"}");
	expect_set("{\"l\": []}", "/l/0", "\"a\"", "{\"l\": [\"a\"]}");
	cr_assert_eq(jsonedit_set("{\"l\": []}", "/l/1", "1", &out), JE_MISSING);
	cr_assert_null(out);
}

Test(jsonedit_set, refuses_bad_values_and_documents)
{
	char *out = (char *)1;

	cr_assert_eq(jsonedit_set("{\"a\":1}", "/a", "abc", &out), JE_BAD_JSON);
	cr_assert_null(out);
	cr_assert_eq(jsonedit_set("{\"a\":", "/a", "1", &out), JE_BAD_JSON);
	cr_assert_eq(jsonedit_set("{\"a\":1}", "/a/b", "1", &out), JE_BAD_PATH);
	cr_assert_eq(jsonedit_set("{\"a\":1}", "a", "1", &out), JE_BAD_PATH);
}

Test(jsonedit_set, root_replaces_the_whole_text)
{
	expect_set("{\"a\":1}", "", "{\"b\": 2}", "{\"b\": 2}");
}

Test(jsonedit_remove, cuts_a_member_with_its_comma)
{
	expect_remove(pretty, "/order/id",
		"{\n"
		"  \"order\": {\n"
		"    \"total\": 1.50\n"
		"  },\n"
		"  \"z\": 1e3,\n"
		"  \"items\": [ {\"sku\": \"x\"}, {\"sku\": \"y\"} ]\n"
		"}");
	expect_remove(pretty, "/order/total",
		"{\n"
		"  \"order\": {\n"
		"    \"id\": \"A-1\"\n"
		"  },\n"
		"  \"z\": 1e3,\n"
		"  \"items\": [ {\"sku\": \"x\"}, {\"sku\": \"y\"} ]\n"
		"}");
	expect_remove("{\"a\":1,\"b\":2,\"c\":3}", "/b", "{\"a\":1,\"c\":3}");
}

Test(jsonedit_remove, cuts_array_items_and_empties_containers)
{
	expect_remove("[1, 2.50, 3]", "/0", "[2.50, 3]");
	expect_remove("[1, 2.50, 3]", "/2", "[1, 2.50]");
	expect_remove("{\"l\": [ 7 ]}", "/l/0", "{\"l\": []}");
	expect_remove("{\n  \"only\": 1\n}", "/only", "{}");
}

Test(jsonedit_remove, refuses_the_root_and_what_is_not_there)
{
	char *out = (char *)1;

	cr_assert_eq(jsonedit_remove("{\"a\":1}", "", &out), JE_BAD_PATH);
	cr_assert_null(out);
	cr_assert_eq(jsonedit_remove("{\"a\":1}", "/b", &out), JE_MISSING);
}

Test(jsonptr, escapes_keys_and_appends_indexes)
{
	char *p = jsonptr_key("/a", "x/y~z"), *q;

	cr_assert_str_eq(p, "/a/x~1y~0z");
	q = jsonptr_index(p, 12);
	cr_assert_str_eq(q, "/a/x~1y~0z/12");
	free(p);
	free(q);
}
