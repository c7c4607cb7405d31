/* test_schemaform.c - a payloadSchema and payload text as form rows: what
 * each row says, where the validator's problems land, and how typed text
 * becomes JSON. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "schemaform.h"

static const char *schema =
	"{\"type\":\"object\",\"required\":[\"order\",\"email\"],\"properties\":{"
	"\"order\":{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{"
	"  \"id\":{\"type\":\"string\",\"minLength\":1,\"description\":\"Order number\"},"
	"  \"total\":{\"type\":\"number\",\"minimum\":0}}},"
	"\"email\":{\"type\":\"string\",\"format\":\"email\"},"
	"\"currency\":{\"type\":\"string\",\"enum\":[\"EUR\",\"USD\"],\"default\":\"EUR\"},"
	"\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"default\":\"new\"}},"
	"\"lines\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"sku\"],"
	"  \"properties\":{\"sku\":{\"type\":\"string\"},\"qty\":{\"type\":\"integer\"}}}}}}";

static long
row_named(const struct sf_form *f, const char *field)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->rows[i].field, field) == 0)
			return (long)i;
	return -1;
}

static const struct sf_row *
row(const struct sf_form *f, const char *field)
{
	long i = row_named(f, field);

	cr_assert_geq(i, 0, "no row %s", field);
	return &f->rows[i];
}

Test(schemaform, rows_follow_the_schema_with_nesting_and_items)
{
	struct sf_form f;
	static const char *const want[] = {
		"order", "order.id", "order.total", "email", "currency", "tags", "tags.0",
		"tags.1", "lines", "lines.0", "lines.0.sku", "lines.0.qty", "extra",
	};
	size_t i;

	cr_assert_eq(schemaform_build(schema, "{\"tags\":[\"a\",\"b\"],\"lines\":[{\"sku\":\"x\"}],"
	             "\"extra\":1,\"email\":\"a@b.c\",\"order\":{\"id\":\"1\"}}", &f), 0);
	cr_assert_eq(f.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < f.n; i++)
		cr_assert_str_eq(f.rows[i].field, want[i]);
	cr_assert_eq(row(&f, "order.id")->depth, 1);
	cr_assert_eq(row(&f, "lines.0.sku")->depth, 2);
	cr_assert_str_eq(row(&f, "lines.0.sku")->ptr, "/lines/0/sku");
	cr_assert_str_eq(row(&f, "tags.1")->label, "[1]");
	cr_assert(row(&f, "tags.1")->flags & SF_ITEM);
	cr_assert(row(&f, "tags")->flags & SF_ARRAY);
	cr_assert(row(&f, "order")->flags & SF_OBJECT);
	cr_assert(row(&f, "extra")->flags & SF_EXTRA);
	cr_assert_not(row(&f, "tags.0")->flags & SF_EXTRA);
	schemaform_free(&f);
}

Test(schemaform, rows_carry_what_the_schema_says)
{
	struct sf_form f;

	cr_assert_eq(schemaform_build(schema, "{}", &f), 0);
	cr_assert(row(&f, "order")->required);
	cr_assert(row(&f, "order.id")->required);
	cr_assert_not(row(&f, "order.total")->required);
	cr_assert_str_eq(row(&f, "order.id")->description, "Order number");
	cr_assert_str_eq(row(&f, "order.total")->type, "number");
	cr_assert_str_eq(row(&f, "email")->format, "email");
	cr_assert_eq(row(&f, "currency")->nenum, 2);
	cr_assert_str_eq(row(&f, "currency")->enums[1], "\"USD\"");
	cr_assert_str_eq(row(&f, "currency")->def, "\"EUR\"");
	cr_assert_str_eq(row(&f, "tags")->new_item, "\"new\"");
	cr_assert_str_eq(row(&f, "lines")->new_item, "{}");
	cr_assert_null(row(&f, "email")->value);
	schemaform_free(&f);
}

Test(schemaform, values_are_the_bytes_as_typed)
{
	struct sf_form f;

	cr_assert_eq(schemaform_build(schema, "{\"order\": {\"id\": \"A\\u0031\", \"total\": 1.50},"
	             " \"email\": \"x@y.z\"}", &f), 0);
	cr_assert_str_eq(row(&f, "order.total")->value, "1.50");
	cr_assert_str_eq(row(&f, "order.id")->value, "\"A\\u0031\"");
	schemaform_free(&f);
}

Test(schemaform, problems_land_on_their_rows_and_are_counted)
{
	struct sf_form f;

	cr_assert_eq(schemaform_build(schema, "{\"order\":{\"total\":-1},"
	             "\"currency\":\"JPY\",\"lines\":[{\"qty\":1.5}]}", &f), 0);
	cr_assert_str_eq(row(&f, "order.id")->problem, "must have required property 'id'");
	cr_assert_str_eq(row(&f, "order.id")->fix, "add \"id\" to order");
	cr_assert_str_eq(row(&f, "order.total")->problem, "must be >= 0");
	cr_assert_str_eq(row(&f, "order.total")->fix, "use a number >= 0");
	cr_assert_str_eq(row(&f, "email")->problem, "must have required property 'email'");
	cr_assert_str_eq(row(&f, "currency")->problem,
	                 "must be equal to one of the allowed values");
	cr_assert_str_eq(row(&f, "lines.0.sku")->problem, "must have required property 'sku'");
	cr_assert_str_eq(row(&f, "lines.0.qty")->problem, "must be integer");
	cr_assert_eq(f.nproblems, 6);
	cr_assert_eq(schemaform_first_problem(&f), row_named(&f, "order.id"));
	cr_assert_null(row(&f, "order")->problem);
	schemaform_free(&f);
}

Test(schemaform, a_valid_payload_has_no_problems)
{
	struct sf_form f;

	cr_assert_eq(schemaform_build(schema, "{\"order\":{\"id\":\"A-1\"},\"email\":\"a@b.c\"}",
	             &f), 0);
	cr_assert_eq(f.nproblems, 0);
	cr_assert_eq(schemaform_first_problem(&f), -1);
	cr_assert_null(f.root_problem);
	schemaform_free(&f);
}

Test(schemaform, a_payload_that_does_not_parse_still_shows_the_schema)
{
	struct sf_form f;

	cr_assert_eq(schemaform_build(schema, "{\"order\": ", &f), 0);
	cr_assert_not_null(f.parse_error);
	cr_assert_not_null(strstr(f.parse_error, "line 1"));
	cr_assert_eq(f.nproblems, 1);
	cr_assert_null(row(&f, "order")->value);
	schemaform_free(&f);
}

Test(schemaform, a_problem_on_the_payload_itself_is_the_forms)
{
	struct sf_form f;

	cr_assert_eq(schemaform_build("{\"type\":\"object\",\"minProperties\":0,"
	             "\"properties\":{\"a\":{\"type\":\"string\"}}}", "[1]", &f), 0);
	cr_assert_str_eq(f.root_problem, "payload: must be object");
	cr_assert_str_eq(f.root_fix, "payload: give an object");
	cr_assert_eq(f.nproblems, 1);
	schemaform_free(&f);
}

Test(schemaform, refuses_a_schema_that_is_not_an_object)
{
	struct sf_form f;

	cr_assert_eq(schemaform_build("[1]", "{}", &f), -1);
	cr_assert_eq(schemaform_build("{", "{}", &f), -1);
	cr_assert_eq(schemaform_build(NULL, "{}", &f), -1);
	cr_assert_eq(f.n, 0);
}

Test(schemaform, typed_text_becomes_json_by_the_rows_type)
{
	struct sf_form f;
	char *v;

	cr_assert_eq(schemaform_build(schema, "{}", &f), 0);
	v = schemaform_value_for(row(&f, "order.id"), "42");
	cr_assert_str_eq(v, "\"42\"");
	free(v);
	v = schemaform_value_for(row(&f, "order.total"), "1.50");
	cr_assert_str_eq(v, "1.50");
	free(v);
	v = schemaform_value_for(row(&f, "order.total"), "lots");
	cr_assert_str_eq(v, "\"lots\"");
	free(v);
	v = schemaform_value_for(row(&f, "email"), "say \"hi\"");
	cr_assert_str_eq(v, "\"say \\\"hi\\\"\"");
	free(v);
	cr_assert_null(schemaform_value_for(row(&f, "email"), ""));
	schemaform_free(&f);
}

Test(schemaform, edit_text_unquotes_strings_only)
{
	struct sf_form f;
	char *t;

	cr_assert_eq(schemaform_build(schema, "{\"order\":{\"id\":\"a\\\"b\",\"total\":1e3}}", &f),
	             0);
	t = schemaform_edit_text(row(&f, "order.id"));
	cr_assert_str_eq(t, "a\"b");
	free(t);
	t = schemaform_edit_text(row(&f, "order.total"));
	cr_assert_str_eq(t, "1e3");
	free(t);
	t = schemaform_edit_text(row(&f, "email"));
	cr_assert_str_eq(t, "");
	free(t);
	schemaform_free(&f);
}

Test(schemaform_check, counts_and_names_the_first_problem_with_its_fix)
{
	char *first = NULL, *fix = NULL;

	cr_assert_eq(schemaform_check(schema, "{\"order\":{}}", &first, &fix), 2);
	cr_assert_str_eq(first, "order.id: must have required property 'id'");
	cr_assert_str_eq(fix, "order.id: add \"id\" to order");
	free(first);
	free(fix);
	cr_assert_eq(schemaform_check(schema, "{\"order\":{\"id\":\"1\"},\"email\":\"e@x.io\"}",
	                              &first, &fix), 0);
	cr_assert_null(first);
	cr_assert_null(fix);
	/* The format counts as Novu's ajv-formats counts it. */
	cr_assert_eq(schemaform_check(schema, "{\"order\":{\"id\":\"1\"},\"email\":\"e\"}", &first,
	                              &fix), 1);
	cr_assert_str_eq(first, "email: must match format \"email\"");
	cr_assert_not_null(strstr(fix, "email: write it like \""), "%s", fix);
	free(first);
	free(fix);
	/* Text that is not JSON has no fix the schema could give. */
	cr_assert_eq(schemaform_check(schema, "{nope", &first, &fix), 1);
	cr_assert_not_null(strstr(first, "invalid JSON"));
	cr_assert_null(fix);
	free(first);
}
