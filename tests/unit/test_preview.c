/* test_preview.c - step previews: e-mail HTML reduced to text with numbered
 * links, the answers read (fixtures written from Novu's
 * GeneratePreviewResponseDto), the lines shown, and whole previews against
 * the real sandbox (rendering, missing variables, PreviewErrorDto, 404s). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nc_test_sandbox.h"
#include "preview.h"

#ifndef NC_FIXTURES_DIR
#error "NC_FIXTURES_DIR must point at tests/fixtures"
#endif

static char *
read_fixture(const char *name)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", NC_FIXTURES_DIR, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* ---- HTML to text ---- */

struct h2t_out {
	char *text;
	char **links;
	size_t n;
};

static struct h2t_out
reduce(const char *html)
{
	struct h2t_out o;

	o.text = preview_html_to_text(html, &o.links, &o.n);
	cr_assert_not_null(o.text);
	return o;
}

static void
reduce_free(struct h2t_out *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->links[i]);
	free(o->links);
	free(o->text);
}

Test(html, paragraphs_become_lines_with_one_blank_line_between)
{
	struct h2t_out o = reduce("<h1>Hello</h1>\n\n<p>one\n   two</p><p>three<br>four</p>");

	cr_assert_str_eq(o.text, "Hello\n\none two\n\nthree\nfour");
	cr_assert_eq(o.n, 0);
	reduce_free(&o);
}

Test(html, links_are_numbered_after_their_text_and_listed_once)
{
	struct h2t_out o = reduce("<p><a href=\"https://a.example/x?y=1&amp;z=2\">Track</a> and "
	                          "<a href='https://b.example'>help</a>, "
	                          "<a href=https://a.example/x?y=1&z=2>again</a></p>");

	cr_assert_str_eq(o.text, "Track[1] and help[2], again[1]");
	cr_assert_eq(o.n, 2);
	cr_assert_str_eq(o.links[0], "https://a.example/x?y=1&z=2");
	cr_assert_str_eq(o.links[1], "https://b.example");
	reduce_free(&o);
}

Test(html, a_greater_than_inside_a_quoted_attribute_does_not_end_the_tag)
{
	struct h2t_out o = reduce("<a title=\"1 > 0\" href=\"https://x.example\">go</a>");

	cr_assert_str_eq(o.text, "go[1]");
	cr_assert_eq(o.n, 1);
	cr_assert_str_eq(o.links[0], "https://x.example");
	reduce_free(&o);
}

Test(html, a_link_without_href_gets_no_number)
{
	struct h2t_out o = reduce("<a name=\"top\">Top</a> <a href=\"\">empty</a>");

	cr_assert_str_eq(o.text, "Top empty");
	cr_assert_eq(o.n, 0);
	reduce_free(&o);
}

Test(html, head_style_script_and_comments_are_not_text)
{
	struct h2t_out o = reduce("<html><head><title>T</title><style>p{x:1}</style></head>"
	                          "<body><!-- note <p>hidden</p> --><script>var a = '<b>';"
	                          "</script><p>shown</p></body></html>");

	cr_assert_str_eq(o.text, "shown");
	reduce_free(&o);
}

Test(html, entities_and_list_items)
{
	struct h2t_out o = reduce("<ul><li>caf&eacute; &amp; &#233;t&#xE9;</li>"
	                          "<li>a&nbsp;b &lt;c&gt; &copy;</li></ul>");

	/* An entity it does not know stays as written. */
	cr_assert_str_eq(o.text, "* caf&eacute; & été\n* a b <c> ©");
	reduce_free(&o);
}

Test(html, images_show_their_alt_text_and_a_stray_less_than_stays)
{
	struct h2t_out o = reduce("<p><img src=\"x.png\" alt=\"Logo\"> 1 < 2</p>");

	cr_assert_str_eq(o.text, "[Logo] 1 < 2");
	reduce_free(&o);
}

Test(html, an_unclosed_tag_ends_the_text)
{
	struct h2t_out o = reduce("<p>before</p><a href=\"https://x.example\"");

	cr_assert_str_eq(o.text, "before");
	reduce_free(&o);
}

/* ---- answers ---- */

static void
parse_fixture(const char *name, const char *type, struct nc_preview_step *st)
{
	char *text = read_fixture(name);
	cJSON *root = cJSON_Parse(text);
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_not_null(root, "%s is not JSON", name);
	memset(st, 0, sizeof(*st));
	st->step_id = strdup("s1");
	st->type = strdup(type);
	cr_assert_eq(preview_parse_answer(json_unwrap_data(root), st, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cJSON_Delete(root);
	free(text);
	nc_error_clear(&err);
}

Test(answer, email_subject_and_body_as_text_with_links)
{
	struct nc_preview_step st;

	parse_fixture("preview.email.response.json", "email", &st);
	cr_assert(st.rendered);
	cr_assert_str_eq(st.subject, "Your order A-1001 is on its way");
	cr_assert_str_eq(st.body, "Good news, Jane!\n\nYour order A-1001 left our warehouse with "
	                 "UPS & co.\n\nTrack your package[1]\n\n* Box 1\n* Box 2\n\n"
	                 "Questions? Visit our help centre[2] or track it again[1].");
	cr_assert_eq(st.nlinks, 2);
	cr_assert_str_eq(st.links[0], "https://example.com/track/A-1001");
	cr_assert_str_eq(st.links[1], "https://shop.example.com/help");
	cr_assert_null(st.error_title);
	preview_step_clear(&st);
}

Test(answer, in_app_actions_and_redirect)
{
	struct nc_preview_step st;

	parse_fixture("preview.in_app.response.json", "in_app", &st);
	cr_assert(st.rendered);
	cr_assert_str_eq(st.subject, "Order A-1001 has shipped");
	/* Not e-mail: the body is kept as Novu rendered it. */
	cr_assert_str_eq(st.body, "Hi Jane, your order A-1001 is on its way with "
	                 "{{payload.order.carrier}}.");
	cr_assert_str_eq(st.primary_label, "Track package");
	cr_assert_str_eq(st.primary_url, "https://example.com/track/A-1001");
	cr_assert_str_eq(st.secondary_label, "View order");
	cr_assert_str_eq(st.secondary_url, "https://shop.example.com/orders/A-1001");
	cr_assert_str_eq(st.redirect_url, "https://shop.example.com/orders");
	cr_assert_eq(st.nlinks, 0);
	preview_step_clear(&st);
}

Test(answer, digest_wait)
{
	struct nc_preview_step st;

	parse_fixture("preview.digest.response.json", "digest", &st);
	cr_assert(st.rendered);
	cr_assert_str_eq(st.unit, "days");
	cr_assert_float_eq(st.amount, 2.0, 1e-9);
	preview_step_clear(&st);
}

Test(answer, preview_error_dto)
{
	struct nc_preview_step st;

	parse_fixture("preview.error.response.json", "email", &st);
	cr_assert_not(st.rendered);
	cr_assert_str_eq(st.error_title, "Template error");
	cr_assert_str_eq(st.error_message, "output \"{{ payload.y\" not closed, line:1, col:3");
	cr_assert_str_eq(st.error_hint,
	                 "Close every {{ with }} in the step's content, then preview again.");
	cr_assert_null(st.subject);
	preview_step_clear(&st);
}

Test(answer, empty_result_is_not_rendered)
{
	struct nc_preview_step st;

	parse_fixture("preview.empty.response.json", "sms", &st);
	cr_assert_not(st.rendered);
	cr_assert_null(st.body);
	cr_assert_null(st.error_title);
	preview_step_clear(&st);
}

Test(answer, no_result_is_an_unexpected_answer)
{
	struct nc_preview_step st = { 0 };
	struct nc_error err = NC_ERROR_INIT;
	cJSON *o = cJSON_Parse("{\"previewPayloadExample\":{}}");

	cr_assert_eq(preview_parse_answer(o, &st, &err), NC_E_SERVER);
	cr_assert_not_null(strstr(err.message, "no `result` object"));
	cJSON_Delete(o);
	nc_error_clear(&err);
}

/* ---- the lines shown ---- */

Test(format, sections_per_step_and_terminal_safe_text)
{
	struct nc_preview p = { 0 };
	char *text;

	p.workflow_id = strdup("wf");
	p.subscriber = strdup("u1 (A\x1b]52;c;x\x07 B)");
	p.n = 3;
	p.steps = calloc(3, sizeof(*p.steps));
	p.steps[0].step_id = strdup("d");
	p.steps[0].type = strdup("delay");
	p.steps[0].unit = strdup("hours");
	p.steps[0].amount = 1;
	p.steps[0].rendered = 1;
	p.steps[1].step_id = strdup("m");
	p.steps[1].name = strdup("Mail");
	p.steps[1].type = strdup("email");
	p.steps[1].subject = strdup("Hi");
	p.steps[1].body = strdup("Go[1]");
	p.steps[1].links = calloc(1, sizeof(char *));
	p.steps[1].links[0] = strdup("https://x.example");
	p.steps[1].nlinks = 1;
	p.steps[1].rendered = 1;
	p.steps[2].step_id = strdup("s");
	p.steps[2].type = strdup("sms");
	p.steps[2].error_title = strdup("Template error");
	p.steps[2].error_message = strdup("bad");
	p.steps[2].error_hint = strdup("fix it");
	text = preview_format(&p);
	cr_assert_not_null(text);
	cr_assert_str_eq(text,
		"Preview of wf for u1 (A?]52;c;x? B): 3 steps\n\n"
		"== Step 1/3: d (delay, d) ==\n"
		"Delay      waits 1 hour before the next step\n"
		"\n== Step 2/3: Mail (email, m) ==\n"
		"Subject    Hi\n\nGo[1]\n\nLinks:\n  [1] https://x.example\n"
		"\n== Step 3/3: s (sms, s) ==\n"
		"Error      Template error\nMessage    bad\nHint       fix it\n");
	cr_assert_eq(preview_error_count(&p), 1);
	free(text);
	preview_clear(&p);
}

/* ---- against the sandbox ---- */

static struct tsb sb;
static struct nc_client *cl;

static void
sb_up(void)
{
	cr_assert_eq(tsb_start(&sb, NULL), 0, "could not start %s", NC_SANDBOX_BIN);
	cl = tsb_client(&sb, TSB_KEY, 3, 50);
	cr_assert_not_null(cl);
}

static void
sb_down(void)
{
	client_free(cl);
	cl = NULL;
	tsb_stop(&sb);
}

TestSuite(sandbox, .init = sb_up, .fini = sb_down, .timeout = 60);

static cJSON *
subscriber(const char *id, const cJSON *overlay)
{
	struct nc_error err = NC_ERROR_INIT;
	cJSON *s = NULL;

	cr_assert_eq(preview_subscriber(cl, id, overlay, &s, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	nc_error_clear(&err);
	return s;
}

Test(sandbox, every_step_rendered_for_the_subscriber_and_payload)
{
	cJSON *sub = subscriber("user-001", NULL);
	struct nc_preview_request rq = { "order-shipped", NULL, sub,
		"{\"order\":{\"id\":\"A-7\",\"carrier\":\"DHL\"}}", NULL };
	struct nc_error err = NC_ERROR_INIT;
	struct nc_preview p;

	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(sub, "firstName")), "Jane");
	cr_assert_eq(preview_workflow(cl, &rq, &p, &err), NC_OK, "%s",
	             err.message ? err.message : "");
	cr_assert_str_eq(p.subscriber, "user-001 (Jane Doe)");
	cr_assert_eq(p.n, 2);
	cr_assert_str_eq(p.steps[0].step_id, "in-app-step");
	cr_assert_str_eq(p.steps[0].subject, "Order A-7 has shipped");
	cr_assert_str_eq(p.steps[0].body, "Hi Jane, your order A-7 is on its way with DHL.");
	/* Not in the payload: shown as Novu shows a missing variable. */
	cr_assert_str_eq(p.steps[0].primary_url, "{{payload.trackingUrl}}");
	cr_assert_str_eq(p.steps[1].type, "email");
	cr_assert_str_eq(p.steps[1].subject, "Your order A-7 is on its way");
	cr_assert_not_null(strstr(p.steps[1].body, "Good news, Jane!"));
	cr_assert_eq(p.steps[1].nlinks, 2);
	cr_assert_str_eq(p.steps[1].links[0], "{{payload.trackingUrl}}");
	cr_assert_eq(preview_error_count(&p), 0);
	preview_clear(&p);
	cJSON_Delete(sub);
}

Test(sandbox, one_step_and_a_digest_before_it)
{
	cJSON *sub = subscriber("user-002", NULL);
	struct nc_preview_request rq = { "comment-digest", "email-summary", sub,
		"{\"postTitle\":\"Launch\"}", NULL };
	struct nc_error err = NC_ERROR_INIT;
	struct nc_preview p;

	cr_assert_eq(preview_workflow(cl, &rq, &p, &err), NC_OK);
	cr_assert_eq(p.n, 1);
	/* Novu's preview has a digest before the step collect 3 events. */
	cr_assert_str_eq(p.steps[0].subject, "3 new comments on Launch");
	preview_clear(&p);
	rq.step = "digest-comments";
	cr_assert_eq(preview_workflow(cl, &rq, &p, &err), NC_OK);
	cr_assert_str_eq(p.steps[0].unit, "hours");
	cr_assert_float_eq(p.steps[0].amount, 1.0, 1e-9);
	preview_clear(&p);
	cJSON_Delete(sub);
}

Test(sandbox, an_overlay_wins_and_an_unknown_id_with_one_is_allowed)
{
	cJSON *ov = cJSON_Parse("{\"subscriberId\":\"new-1\",\"firstName\":\"Ana\"}");
	cJSON *sub = subscriber("new-1", ov);
	struct nc_error err = NC_ERROR_INIT;
	cJSON *none = NULL;

	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(sub, "firstName")), "Ana");
	cJSON_Delete(sub);
	sub = subscriber("user-001", ov);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(sub, "firstName")), "Ana");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(sub, "lastName")), "Doe");
	cJSON_Delete(sub);
	cr_assert_eq(preview_subscriber(cl, "new-1", NULL, &none, &err), NC_E_API);
	cr_assert_eq(err.http_status, 404);
	cr_assert_null(none);
	nc_error_clear(&err);
	cJSON_Delete(ov);
}

Test(sandbox, no_subscriber_named_takes_the_first_the_api_lists)
{
	struct nc_subscriber_page page = { 0 };
	struct nc_list_query q = { NULL, 1, 0, NULL };
	struct nc_error err = NC_ERROR_INIT;
	cJSON *sub = subscriber(NULL, NULL);

	cr_assert_eq(api_list_subscribers(cl, &q, &page, &err), NC_OK);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(sub, "subscriberId")),
	                 page.items[0].subscriber_id);
	subscriber_page_clear(&page);
	cJSON_Delete(sub);
}

Test(sandbox, a_template_that_does_not_compile_is_a_preview_error)
{
	cJSON *sub = subscriber("user-001", NULL);
	struct nc_preview_request rq = { "welcome-onboarding", "sms-tips", sub, NULL,
		"{\"body\":\"Hi {{ subscriber.firstName\"}" };
	struct nc_error err = NC_ERROR_INIT;
	struct nc_preview p;

	cr_assert_eq(preview_workflow(cl, &rq, &p, &err), NC_OK);
	cr_assert_eq(preview_error_count(&p), 1);
	cr_assert_str_eq(p.steps[0].error_title, "Template error");
	cr_assert_not_null(strstr(p.steps[0].error_message, "not closed"));
	cr_assert_not_null(p.steps[0].error_hint);
	preview_clear(&p);
	cJSON_Delete(sub);
}

Test(sandbox, unknown_workflow_step_and_bad_payload)
{
	cJSON *sub = subscriber("user-001", NULL);
	struct nc_preview_request rq = { "no-such-workflow", NULL, sub, NULL, NULL };
	struct nc_error err = NC_ERROR_INIT;
	struct nc_preview p;

	cr_assert_eq(preview_workflow(cl, &rq, &p, &err), NC_E_API);
	cr_assert_eq(err.http_status, 404);
	preview_clear(&p);
	nc_error_clear(&err);
	rq.workflow = "order-shipped";
	rq.step = "no-such-step";
	cr_assert_eq(preview_workflow(cl, &rq, &p, &err), NC_E_INVALID);
	cr_assert_not_null(strstr(err.message, "has no step no-such-step"));
	preview_clear(&p);
	nc_error_clear(&err);
	rq.step = NULL;
	rq.payload_json = "[1]";
	cr_assert_eq(preview_workflow(cl, &rq, &p, &err), NC_E_INVALID);
	preview_clear(&p);
	nc_error_clear(&err);
	cJSON_Delete(sub);
}
