/* test_jsonutil.c - parsing with positioned errors, lenient getters and
 * the envelope rule. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "apierror.h"
#include "jsonutil.h"

/* Parse `text` as field "payload" and expect one field entry at line/col
 * whose message is exactly `msg`. */
static void
expect_parse_error(const char *text, long line, long col, const char *msg)
{
	struct nc_error err = NC_ERROR_INIT;
	cJSON *j = json_parse_field(text, strlen(text), "payload", 1, &err);

	cr_assert_null(j, "parsed: %s", text);
	cr_assert_eq(err.status, NC_E_INVALID);
	cr_assert_eq(err.kind, NC_ERRK_CLIENT);
	cr_assert_eq(err.nfields, 1);
	cr_assert_str_eq(err.fields[0].field, "payload");
	cr_assert_str_eq(err.fields[0].message, msg);
	cr_assert_str_eq(err.message, msg);
	cr_assert_eq(err.fields[0].line, line, "line %ld for %s", err.fields[0].line, text);
	cr_assert_eq(err.fields[0].column, col, "column %ld for %s", err.fields[0].column, text);
	nc_error_clear(&err);
}

Test(json_parse, valid_object_keeps_key_order)
{
	const char *t = "{ \"b\": 1, \"a\": [true, null, \"x\"], \"c\": {\"z\": 1.5} }";
	cJSON *j = json_parse_field(t, strlen(t), "payload", 1, NULL);
	char *s;

	cr_assert_not_null(j);
	s = json_print_compact(j);
	cr_assert_str_eq(s, "{\"b\":1,\"a\":[true,null,\"x\"],\"c\":{\"z\":1.5}}");
	free(s);
	cJSON_Delete(j);
}

Test(json_parse, missing_comma_names_line_and_column)
{
	expect_parse_error("{\n  \"order\": {\n    \"id\": 1\n    \"carrier\": \"UPS\"\n  }\n}",
	                   4, 5,
	                   "payload: invalid JSON at line 4, column 5: expected ',' or '}', found '\"'");
}

Test(json_parse, trailing_comma)
{
	expect_parse_error("{\"a\": 1,\n}", 2, 1,
	                   "payload: invalid JSON at line 2, column 1: expected a \"key\", found '}' (remove the trailing comma)");
	expect_parse_error("[1, 2,]", 1, 7,
	                   "payload: invalid JSON at line 1, column 7: expected a value, found ']' (remove the trailing comma)");
}

Test(json_parse, unquoted_key_and_single_quotes)
{
	expect_parse_error("{plan: 1}", 1, 2,
	                   "payload: invalid JSON at line 1, column 2: expected a \"key\" or '}', found 'plan' (keys need double quotes)");
	expect_parse_error("{'plan': 1}", 1, 2,
	                   "payload: invalid JSON at line 1, column 2: expected a \"key\" or '}', found a single quote (JSON strings use \")");
}

Test(json_parse, bare_word_value)
{
	expect_parse_error("{\"plan\": pro}", 1, 10,
	                   "payload: invalid JSON at line 1, column 10: expected a value, found 'pro' (text values need double quotes)");
}

Test(json_parse, missing_colon)
{
	expect_parse_error("{\"a\" 1}", 1, 6,
	                   "payload: invalid JSON at line 1, column 6: expected ':' after the key, found '1'");
}

Test(json_parse, end_of_input_points_past_the_text)
{
	expect_parse_error("{\"a\": 1", 1, 8,
	                   "payload: invalid JSON at line 1, column 8: expected ',' or '}', found end of input");
}

Test(json_parse, unterminated_string_points_at_its_start)
{
	expect_parse_error("{\"a\": \"abc}", 1, 7,
	                   "payload: invalid JSON at line 1, column 7: a string starting here is never closed (missing '\"')");
}

Test(json_parse, bad_escape)
{
	expect_parse_error("{\"a\": \"x\\qy\"}", 1, 9,
	                   "payload: invalid JSON at line 1, column 9: invalid escape in a string: backslash before 'qy'");
}

Test(json_parse, typographic_quotes_are_named)
{
	expect_parse_error("{\xe2\x80\x9c" "a\xe2\x80\x9d: 1}", 1, 2,
	                   "payload: invalid JSON at line 1, column 2: expected a \"key\" or '}', found '\xe2\x80\x9c' (a typographic quote; use plain \")");
}

Test(json_parse, columns_count_characters_not_bytes)
{
	/* "é" is two bytes but one column. */
	expect_parse_error("{\"caf\xc3\xa9\": 1 x}", 1, 12,
	                   "payload: invalid JSON at line 1, column 12: expected ',' or '}', found 'x'");
}

Test(json_parse, trailing_text_after_value)
{
	expect_parse_error("{\"a\": 1} {\"b\": 2}", 1, 10,
	                   "payload: invalid JSON at line 1, column 10: expected nothing more after the JSON value, found '{'");
}

Test(json_parse, empty_and_blank_text)
{
	expect_parse_error("", 1, 1,
	                   "payload: invalid JSON at line 1, column 1: the text is empty; expected a JSON value");
	expect_parse_error("  \n ", 2, 2,
	                   "payload: invalid JSON at line 2, column 2: the text is empty; expected a JSON value");
}

Test(json_parse, non_object_refused_when_object_wanted)
{
	struct nc_error err = NC_ERROR_INIT;
	cJSON *j = json_parse_field("[1,2]", 5, "overrides", 1, &err);

	cr_assert_null(j);
	cr_assert_eq(err.nfields, 1);
	cr_assert_str_eq(err.fields[0].message, "overrides must be a JSON object {...}, not an array");
	cr_assert_eq(err.fields[0].line, 0);
	nc_error_clear(&err);

	j = json_parse_field("[1,2]", 5, "overrides", 0, &err);
	cr_assert(cJSON_IsArray(j));
	cJSON_Delete(j);
	cr_assert_null(err.message);
}

Test(json_parse, input_need_not_be_nul_terminated)
{
	const char *src = "{\"a\":[1,2,3]}";
	size_t n = strlen(src);
	char *exact = malloc(n);  /* no room for a NUL: ASan checks over-reads */
	cJSON *j;

	memcpy(exact, src, n);
	j = json_parse_field(exact, n, "payload", 1, NULL);
	cr_assert_not_null(j);
	cJSON_Delete(j);
	/* a prefix of the same bytes is an error, found at end of input */
	j = json_parse_field(exact, n - 1, "payload", 1, NULL);
	cr_assert_null(j);
	free(exact);
}

Test(json_parse, utf8_bom_is_accepted)
{
	const char *t = "\xef\xbb\xbf{\"a\":1}";
	cJSON *j = json_parse_field(t, strlen(t), "payload", 1, NULL);

	cr_assert_not_null(j);
	cr_assert_eq(json_num(j, "a", 0), 1.0);
	cJSON_Delete(j);
}

Test(json_parse, absurd_nesting_is_an_error_not_a_crash)
{
	size_t n = 200000, i;
	char *t = malloc(n);
	struct nc_error err = NC_ERROR_INIT;
	cJSON *j;

	for (i = 0; i < n; i++)
		t[i] = '[';
	j = json_parse_field(t, n, "payload", 0, &err);
	cr_assert_null(j);
	cr_assert_not_null(strstr(err.message, "nested deeper than 1000 levels"),
	                   "%s", err.message);
	nc_error_clear(&err);
	free(t);
}

Test(json_parse, explain_reports_offsets)
{
	char what[128];
	size_t off = 99;
	cJSON *j = json_parse_explain("[1,,2]", 6, &off, what, sizeof(what));

	cr_assert_null(j);
	cr_assert_eq(off, 3);
	cr_assert_str_eq(what, "expected a value, found ','");
	j = json_parse_explain("  \"ok\"  ", 8, &off, what, sizeof(what));
	cr_assert(cJSON_IsString(j));
	cJSON_Delete(j);
}

Test(json_linecol, counts_lines_and_characters)
{
	const char *t = "ab\ncd\xc3\xa9" "f\n";
	long line, col;

	json_offset_to_linecol(t, 0, &line, &col);
	cr_assert_eq(line, 1);
	cr_assert_eq(col, 1);
	json_offset_to_linecol(t, 2, &line, &col);
	cr_assert_eq(line, 1);
	cr_assert_eq(col, 3);
	json_offset_to_linecol(t, 3, &line, &col);
	cr_assert_eq(line, 2);
	cr_assert_eq(col, 1);
	json_offset_to_linecol(t, 7, &line, &col);  /* the 'f' after é */
	cr_assert_eq(line, 2);
	cr_assert_eq(col, 4);
}

Test(json_envelope, unwraps_only_a_lone_data_key)
{
	cJSON *a = cJSON_Parse("{\"data\":{\"acknowledged\":true}}");
	cJSON *b = cJSON_Parse("{\"data\":[1],\"next\":null}");
	cJSON *c = cJSON_Parse("[{\"data\":1}]");
	cJSON *d = cJSON_Parse("{\"data\":false}");
	const cJSON *u;

	u = json_unwrap_data(a);
	cr_assert_eq(json_bool(u, "acknowledged", -1), 1);
	cr_assert_eq(json_unwrap_data(b), b);
	cr_assert_eq(json_unwrap_data(c), c);
	cr_assert(cJSON_IsFalse(json_unwrap_data(d)));
	cr_assert_null(json_unwrap_data(NULL));
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
	cJSON_Delete(d);
}

Test(json_getters, lenient_types)
{
	cJSON *o = cJSON_Parse("{\"s\":\"x\",\"n\":42,\"ns\":\"300\",\"bad\":\"30x\","
	                       "\"t\":true,\"f\":false,\"z\":null,\"sp\":\" 7 \"}");

	cr_assert_str_eq(json_str(o, "s"), "x");
	cr_assert_null(json_str(o, "n"));
	cr_assert_null(json_str(o, "missing"));
	cr_assert_null(json_str(NULL, "s"));
	cr_assert_eq(json_num(o, "n", -1), 42.0);
	cr_assert_eq(json_num(o, "ns", -1), 300.0);
	cr_assert_eq(json_num(o, "sp", -1), 7.0);
	cr_assert_eq(json_num(o, "bad", -1), -1.0);
	cr_assert_eq(json_num(o, "s", -1), -1.0);
	cr_assert_eq(json_num(o, "z", -2), -2.0);
	cr_assert_eq(json_bool(o, "t", -1), 1);
	cr_assert_eq(json_bool(o, "f", -1), 0);
	cr_assert_eq(json_bool(o, "n", -1), -1);
	cr_assert_eq(json_bool(o, "missing", 5), 5);
	cr_assert_null(json_print_compact(NULL));
	cJSON_Delete(o);
}

Test(json_parse, surrogate_escapes)
{
	const char *ok = "{\"a\": \"\\ud83d\\ude00\"}";
	cJSON *j = json_parse_field(ok, strlen(ok), "payload", 1, NULL);

	cr_assert_not_null(j);
	cr_assert_str_eq(json_str(j, "a"), "\xf0\x9f\x98\x80");
	cJSON_Delete(j);
	expect_parse_error("{\"a\": \"x\\uD800\"}", 1, 9,
	                   "payload: invalid JSON at line 1, column 9: invalid \\u escape: a high surrogate must be followed by a low one (\\uDC00-\\uDFFF)");
	expect_parse_error("{\"a\": \"\\uDC00\"}", 1, 8,
	                   "payload: invalid JSON at line 1, column 8: invalid \\u escape: a low surrogate without its high half");
	expect_parse_error("{\"a\": \"\\u12G4\"}", 1, 8,
	                   "payload: invalid JSON at line 1, column 8: invalid \\u escape in a string (needs 4 hex digits)");
}

Test(json_parse, text_must_be_utf8)
{
	/* Latin-1 "café" inside an otherwise fine string */
	expect_parse_error("{\"a\": \"caf\xe9\"}", 1, 11,
	                   "payload: invalid JSON at line 1, column 11: byte 0xe9 is not UTF-8 — save the text as UTF-8");
	expect_parse_error("{\"a\": \"\xed\xa0\x80\"}", 1, 8,
	                   "payload: invalid JSON at line 1, column 8: byte 0xed is not UTF-8 — save the text as UTF-8");
}

/* ---- tokens kept as typed (json_pretty, json_parse_typed) ---- */

static void
expect_pretty(const char *text, const char *want)
{
	char *got = json_pretty(text, strlen(text));

	cr_assert_not_null(got, "refused: %s", text);
	cr_assert_str_eq(got, want, "for %s", text);
	free(got);
}

Test(json_pretty, numbers_stay_as_typed)
{
	expect_pretty("{\"id\":12345678901234567890,\"big\":1e400,\"z\":-0,\"f\":1.50}",
	              "{\n  \"id\": 12345678901234567890,\n  \"big\": 1e400,\n"
	              "  \"z\": -0,\n  \"f\": 1.50\n}");
	expect_pretty("[12345678901234567, -1E-7]", "[12345678901234567, -1E-7]");
}

Test(json_pretty, strings_keep_their_escapes_and_unicode)
{
	expect_pretty("{\"s\":\"a\\u00e9\\/b\\n\\u0000\",\"u\":\"Zoë ✓\"}",
	              "{\n  \"s\": \"a\\u00e9\\/b\\n\\u0000\",\n  \"u\": \"Zoë ✓\"\n}");
}

Test(json_pretty, key_order_and_duplicates_are_kept)
{
	expect_pretty("{\"z\":1,\"a\":2,\"z\":3}", "{\n  \"z\": 1,\n  \"a\": 2,\n  \"z\": 3\n}");
}

Test(json_pretty, nested_and_empty_containers_as_cjson_lays_them_out)
{
	expect_pretty("{}", "{\n}");
	expect_pretty("[]", "[]");
	expect_pretty(" {\"a\":{},\"b\":[],\"c\":[{\"x\":1},[2,{}]],\"d\":{\"e\":[{}]}} ",
	              "{\n  \"a\": {\n  },\n  \"b\": [],\n  \"c\": [{\n      \"x\": 1\n    }, "
	              "[2, {\n      }]],\n  \"d\": {\n    \"e\": [{\n      }]\n  }\n}");
	expect_pretty("\"just a string\"", "\"just a string\"");
	expect_pretty("true", "true");
}

Test(json_pretty, invalid_text_is_refused)
{
	cr_assert_null(json_pretty("{\"a\":}", 6));
	cr_assert_null(json_pretty("", 0));
	cr_assert_null(json_pretty("{\"a\":\"\xff\"}", 8), "not UTF-8");
}

Test(json_typed, numbers_and_nul_strings_print_as_typed)
{
	const char *t = "{\"n\":12345678901234567,\"e\":1e400,\"a\":[1.0,-0],"
	                "\"s\":\"user-\\u0000\",\"k\":\"plain\",\"o\":{\"x\":2E3}}";
	size_t off;
	cJSON *j = json_parse_typed(t, strlen(t), &off, NULL, 0);
	char *back;

	cr_assert_not_null(j);
	cr_assert(json_is_number(cJSON_GetObjectItem(j, "n")));
	cr_assert(json_is_nul_string(cJSON_GetObjectItem(j, "s")));
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(j, "k")));
	back = json_print_compact(j);
	cr_assert_str_eq(back, t);
	free(back);
	cJSON_Delete(j);
}

Test(json_typed, errors_as_json_parse_explain)
{
	char what[128];
	size_t off = 0;

	cr_assert_null(json_parse_typed("[1,]", 4, &off, what, sizeof(what)));
	cr_assert_eq(off, 3);
}

Test(json_utf8, first_invalid_byte)
{
	cr_assert_eq(utf8_first_invalid("abc", 3), 3);
	cr_assert_eq(utf8_first_invalid("Zo\xc3\xab", 4), 4);
	cr_assert_eq(utf8_first_invalid("ab\xff", 3), 2);
	cr_assert_eq(utf8_first_invalid("\xed\xa0\x80", 3), 0, "a UTF-16 surrogate");
}

Test(json_typed, nul_in_a_key_is_refused)
{
	const char *t = "{\"ok\":1,\"a\\u0000b\":2}";
	char what[128];
	size_t off = 0;

	cr_assert_null(json_parse_typed(t, strlen(t), &off, what, sizeof(what)),
	               "cJSON would send the key as \"a\"");
	cr_assert_eq(off, 8);
	cr_assert_not_null(strstr(what, "NUL"), "%s", what);
}

/* Novu measures Buffer.byteLength(JSON.stringify(value)); each row is a
 * text and what Node prints for JSON.stringify(JSON.parse(text)). */
Test(json_stringify, bytes_as_node_counts_them)
{
	static const char *const rows[][2] = {
		{ "{\"a\":1.50, \"b\" : true}", "{\"a\":1.5,\"b\":true}" },
		{ "[1e3,1e21,1.5e-7,0.000001,-0,12345678901234567,1e400,-2.5E-300]",
		  "[1000,1e+21,1.5e-7,0.000001,0,12345678901234568,null,-2.5e-300]" },
		{ "[123456789012345678901234, 0.1, 100, 1e-7, 5e-324]",
		  "[1.2345678901234568e+23,0.1,100,1e-7,5e-324]" },
		{ "\"\\u00e9\\/\\n\\u0001\\\"\"", "\"\xc3\xa9/\\n\\u0001\\\"\"" },
		{ "{\"s\":\"a\\u0000b\\u00e9\"}", "{\"s\":\"a\\u0000b\xc3\xa9\"}" },
		{ "[\"\\ud83d\\ude00\\u0000\", null, false, {}, []]",
		  "[\"\xf0\x9f\x98\x80\\u0000\",null,false,{},[]]" },
		{ "{\"k\\t\":\"Zo\xc3\xab\"}", "{\"k\\t\":\"Zo\xc3\xab\"}" },
	};
	size_t i, off;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cJSON *j = json_parse_typed(rows[i][0], strlen(rows[i][0]), &off, NULL, 0);

		cr_assert_not_null(j, "row %zu", i);
		cr_assert_eq(json_stringify_bytes(j), strlen(rows[i][1]), "row %zu: %zu, want %zu (%s)",
		             i, json_stringify_bytes(j), strlen(rows[i][1]), rows[i][1]);
		cJSON_Delete(j);
	}
}
