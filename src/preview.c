/* preview.c - step previews: fetching them, reading the answers, HTML to
 * text, and the lines the CLI and the console show. */
#include "preview.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonutil.h"
#include "termsafe.h"
#include "textbuf.h"

#define STEP_ENDPOINT "POST /v2/workflows/{workflowId}/step/{stepId}/preview"

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static enum nc_status
oom(struct nc_error *err)
{
	return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
}

void
preview_step_clear(struct nc_preview_step *s)
{
	size_t i;

	if (!s)
		return;
	free(s->step_id);
	free(s->name);
	free(s->type);
	free(s->subject);
	free(s->body);
	for (i = 0; i < s->nlinks; i++)
		free(s->links[i]);
	free(s->links);
	free(s->primary_label);
	free(s->primary_url);
	free(s->secondary_label);
	free(s->secondary_url);
	free(s->redirect_url);
	free(s->unit);
	free(s->error_title);
	free(s->error_message);
	free(s->error_hint);
	memset(s, 0, sizeof(*s));
}

void
preview_clear(struct nc_preview *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		preview_step_clear(&p->steps[i]);
	free(p->steps);
	free(p->workflow_id);
	free(p->subscriber);
	memset(p, 0, sizeof(*p));
}

size_t
preview_error_count(const struct nc_preview *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		n += p->steps[i].error_title || p->steps[i].error_message;
	return n;
}

/* ---- HTML to text ---- */

/* The reduction's state: text so far, what whitespace is owed before the
 * next word, and the links met. */
struct h2t {
	struct textbuf out;
	int space;          /* a blank is owed */
	int newlines;       /* line breaks owed (at most 2: one blank line) */
	int skip;           /* inside head/style/script/title */
	long link;          /* number of the open <a>, 0 when none */
	char **links;
	size_t nlinks;
	int bad;
};

static void
h2t_break(struct h2t *h, int n)
{
	if (n > h->newlines)
		h->newlines = n;
	h->space = 0;
}

/* One character of content (UTF-8 byte) with the whitespace owed before. */
static void
h2t_char(struct h2t *h, char ch)
{
	if (h->skip)
		return;
	if (isspace((unsigned char)ch)) {
		h->space = 1;
		return;
	}
	if (h->out.len) {
		while (h->newlines > 0) {
			h->bad |= textbuf_puts(&h->out, "\n");
			h->newlines--;
		}
		if (h->space && h->out.data[h->out.len - 1] != '\n')
			h->bad |= textbuf_puts(&h->out, " ");
	}
	h->newlines = 0;
	h->space = 0;
	h->bad |= textbuf_append(&h->out, &ch, 1);
}

static void
h2t_text(struct h2t *h, const char *s)
{
	for (; *s; s++)
		h2t_char(h, *s);
}

/* Append code point cp as UTF-8 content. */
static void
h2t_codepoint(struct h2t *h, unsigned long cp)
{
	char u[5] = { 0 };

	if (cp == 0xa0) {
		h2t_char(h, ' ');
		return;
	}
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		u[0] = (char)cp;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
	}
	h2t_text(h, u);
}

/* An entity at s ("&amp;", "&#233;", "&#xE9;"): its code point and length,
 * or 0 when s does not start one (the '&' is then plain text). */
static size_t
entity(const char *s, unsigned long *cp)
{
	static const struct { const char *name; unsigned long cp; } named[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "apos", '\'' }, { "nbsp", 0xa0 }, { "copy", 0xa9 }, { "reg", 0xae },
		{ "hellip", 0x2026 }, { "mdash", 0x2014 }, { "ndash", 0x2013 },
		{ "rsquo", 0x2019 }, { "lsquo", 0x2018 }, { "euro", 0x20ac },
	};
	const char *end = strchr(s, ';');
	size_t n, i;
	char *stop;

	if (!end || end - s > 10)
		return 0;
	n = (size_t)(end - s) + 1;
	if (s[1] == '#') {
		int hex = s[2] == 'x' || s[2] == 'X';

		*cp = strtoul(s + 2 + hex, &stop, hex ? 16 : 10);
		return stop == end && stop != s + 2 + hex ? n : 0;
	}
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strlen(named[i].name) == n - 2 && strncmp(s + 1, named[i].name, n - 2) == 0) {
			*cp = named[i].cp;
			return n;
		}
	return 0;
}

/* Decoded text of s[0..n) (attribute values: entities decoded). */
static char *
decode_attr(const char *s, size_t n)
{
	struct h2t h;
	char *text, *copy = strndup(s, n);

	memset(&h, 0, sizeof(h));
	h.out = (struct textbuf)TEXTBUF_INIT(0);
	if (!copy)
		return NULL;
	for (s = copy; *s; s++) {
		unsigned long cp;
		size_t len = *s == '&' ? entity(s, &cp) : 0;

		if (len) {
			h2t_codepoint(&h, cp);
			s += len - 1;
		} else {
			h2t_char(&h, *s);
		}
	}
	free(copy);
	text = h.bad ? NULL : textbuf_steal(&h.out);
	textbuf_free(&h.out);
	return text ? text : strdup("");
}

/* The value of attribute name inside a tag's text [p, end), or NULL. */
static char *
tag_attr(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);
	const char *v, *q;

	for (; p + n < end; p++) {
		if (!isspace((unsigned char)p[-1]) || strncasecmp(p, name, n) != 0)
			continue;
		v = p + n;
		while (v < end && isspace((unsigned char)*v))
			v++;
		if (v >= end || *v != '=')
			continue;
		for (v++; v < end && isspace((unsigned char)*v); v++)
			;
		if (v < end && (*v == '"' || *v == '\'')) {
			q = memchr(v + 1, *v, (size_t)(end - v - 1));
			return q ? decode_attr(v + 1, (size_t)(q - v - 1)) : NULL;
		}
		for (q = v; q < end && !isspace((unsigned char)*q) && *q != '>'; q++)
			;
		return decode_attr(v, (size_t)(q - v));
	}
	return NULL;
}

/* The number of url among the links, adding it when new. */
static long
link_number(struct h2t *h, char *url)
{
	char **grown;
	size_t i;

	for (i = 0; i < h->nlinks; i++)
		if (strcmp(h->links[i], url) == 0) {
			free(url);
			return (long)i + 1;
		}
	grown = realloc(h->links, (h->nlinks + 1) * sizeof(*grown));
	if (!grown) {
		free(url);
		h->bad = 1;
		return 0;
	}
	h->links = grown;
	h->links[h->nlinks++] = url;
	return (long)h->nlinks;
}

static int
name_is(const char *name, const char *const *set)
{
	for (; *set; set++)
		if (strcasecmp(name, *set) == 0)
			return 1;
	return 0;
}

/* What a tag does to the text: blocks break lines, <a> numbers its link. */
static void
h2t_tag(struct h2t *h, const char *name, int closing, const char *attrs, const char *end)
{
	static const char *const paragraphs[] = { "p", "div", "h1", "h2", "h3", "h4", "h5",
		"h6", "ul", "ol", "table", "blockquote", "section", "article", "header",
		"footer", "pre", "hr", NULL };
	static const char *const lines[] = { "br", "tr", "li", "dt", "dd", NULL };
	static const char *const hidden[] = { "head", "style", "script", "title", NULL };
	char *v;
	char mark[32];

	if (name_is(name, hidden)) {
		h->skip = closing ? 0 : 1;
		return;
	}
	if (name_is(name, paragraphs))
		h2t_break(h, 2);
	else if (name_is(name, lines))
		h2t_break(h, 1);
	if (!closing && strcasecmp(name, "li") == 0) {
		h2t_char(h, '*');
		h->space = 1;
	} else if (!closing && strcasecmp(name, "a") == 0) {
		v = tag_attr(attrs, end, "href");
		h->link = 0;
		if (v && *v)
			h->link = link_number(h, v);    /* takes v */
		else
			free(v);
	} else if (closing && strcasecmp(name, "a") == 0 && h->link) {
		snprintf(mark, sizeof(mark), "[%ld]", h->link);
		h->space = 0;
		h2t_text(h, mark);
		h->link = 0;
	} else if (!closing && strcasecmp(name, "img") == 0) {
		v = tag_attr(attrs, end, "alt");
		if (v && *v) {
			h2t_text(h, "[");
			h2t_text(h, v);
			h2t_text(h, "]");
		}
		free(v);
	}
}

/* The '>' that ends a tag whose attributes start at q ('>' inside a quoted
 * value does not), or NULL. */
static const char *
tag_end(const char *q)
{
	char quote = 0;

	for (; *q; q++) {
		if (quote) {
			quote = *q == quote ? 0 : quote;
		} else if (*q == '"' || *q == '\'') {
			quote = *q;
		} else if (*q == '>') {
			return q;
		}
	}
	return NULL;
}

/* A tag or comment starting at p ('<'); returns where the text goes on. */
static const char *
h2t_markup(struct h2t *h, const char *p)
{
	char name[16];
	const char *end, *q;
	size_t n = 0;
	int closing;

	if (strncmp(p, "<!--", 4) == 0) {
		end = strstr(p + 4, "-->");
		return end ? end + 3 : p + strlen(p);
	}
	q = p + 1;
	closing = *q == '/';
	q += closing;
	if (!isalpha((unsigned char)*q) && *q != '!') {
		h2t_char(h, '<');
		return p + 1;
	}
	while (isalnum((unsigned char)*q) && n < sizeof(name) - 1)
		name[n++] = *q++;
	name[n] = '\0';
	end = tag_end(q);
	if (!end)
		return p + strlen(p);
	h2t_tag(h, name, closing, q, end);
	return end + 1;
}

char *
preview_html_to_text(const char *html, char ***links, size_t *nlinks)
{
	struct h2t h;
	const char *p = html ? html : "";
	unsigned long cp;
	size_t len;
	char *text;

	memset(&h, 0, sizeof(h));
	h.out = (struct textbuf)TEXTBUF_INIT(0);
	while (*p) {
		if (*p == '<') {
			p = h2t_markup(&h, p);
		} else if (*p == '&' && (len = entity(p, &cp)) != 0) {
			h2t_codepoint(&h, cp);
			p += len;
		} else {
			h2t_char(&h, *p++);
		}
	}
	text = h.bad ? NULL : textbuf_steal(&h.out);
	if (!h.bad && !text)
		text = strdup("");
	textbuf_free(&h.out);
	*links = h.links;
	*nlinks = h.nlinks;
	return text;
}

/* ---- reading an answer ---- */

static int
set_str(char **slot, const cJSON *obj, const char *key)
{
	const char *v = json_str(obj, key);

	if (!v)
		return 0;
	*slot = strdup(v);
	return *slot ? 0 : -1;
}

static int
read_action(const cJSON *preview, const char *key, char **label, char **url)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(preview, key);

	if (!cJSON_IsObject(a))
		return 0;
	if (set_str(label, a, "label"))
		return -1;
	return set_str(url, cJSON_GetObjectItemCaseSensitive(a, "redirect"), "url");
}

static int
read_body(const cJSON *preview, struct nc_preview_step *st)
{
	const char *body = json_str(preview, "body");

	if (!body)
		return 0;
	/* Only e-mail is HTML; other channels' bodies are shown as they are. */
	if (st->type && strcmp(st->type, "email") == 0)
		st->body = preview_html_to_text(body, &st->links, &st->nlinks);
	else
		st->body = strdup(body);
	return st->body ? 0 : -1;
}

static int
read_preview(const cJSON *preview, struct nc_preview_step *st)
{
	const cJSON *redirect = cJSON_GetObjectItemCaseSensitive(preview, "redirect");

	if (set_str(&st->subject, preview, "subject") || read_body(preview, st) ||
	    read_action(preview, "primaryAction", &st->primary_label, &st->primary_url) ||
	    read_action(preview, "secondaryAction", &st->secondary_label, &st->secondary_url) ||
	    set_str(&st->redirect_url, redirect, "url") || set_str(&st->unit, preview, "unit"))
		return -1;
	st->amount = json_num(preview, "amount", 0);
	return 0;
}

static int
read_error(const cJSON *error, struct nc_preview_step *st)
{
	if (!cJSON_IsObject(error))
		return 0;
	return set_str(&st->error_title, error, "title") ||
	       set_str(&st->error_message, error, "message") ||
	       set_str(&st->error_hint, error, "hint") ? -1 : 0;
}

enum nc_status
preview_parse_answer(const cJSON *data, struct nc_preview_step *st, struct nc_error *err)
{
	const cJSON *result = cJSON_GetObjectItemCaseSensitive(data, "result");
	const cJSON *preview = cJSON_GetObjectItemCaseSensitive(result, "preview");

	if (!cJSON_IsObject(result))
		return nc_error_set(err, NC_E_SERVER, NULL,
		                    "unexpected answer from " STEP_ENDPOINT ": no `result` object");
	if (read_error(cJSON_GetObjectItemCaseSensitive(result, "error"), st) != 0 ||
	    (cJSON_IsObject(preview) && read_preview(preview, st) != 0))
		return oom(err);
	/* Novu answers an unknown workflow or step, and a render that failed
	 * on its side, with a result without a type and an empty preview. */
	st->rendered = json_str(result, "type") && cJSON_IsObject(preview) &&
	               cJSON_GetArraySize(preview) > 0;
	return NC_OK;
}

/* ---- the lines shown ---- */

struct fmt {
	struct textbuf b;
	int bad;
};

/* "label value" with the server's value made safe for one line. */
static void
fmt_field(struct fmt *f, const char *label, const char *value)
{
	char *safe;

	if (!value)
		return;
	safe = term_safe_copy(value, TERM_FIELD);
	f->bad |= !safe || textbuf_printf(&f->b, "%-10s %s\n", label, safe);
	free(safe);
}

static void
fmt_action(struct fmt *f, const char *label, const char *text, const char *url)
{
	char *t, *u;

	if (!text)
		return;
	t = term_safe_copy(text, TERM_FIELD);
	u = term_safe_copy(url ? url : "", TERM_FIELD);
	f->bad |= !t || !u ||
	          textbuf_printf(&f->b, "%-10s %s%s%s\n", label, t, *u ? " -> " : "", u);
	free(t);
	free(u);
}

/* "1 hour", "2 days": Novu's units are plural. */
static void
fmt_wait(struct fmt *f, const struct nc_preview_step *st)
{
	int digest = st->type && strcmp(st->type, "digest") == 0;
	size_t n = strlen(st->unit);
	int one = st->amount == 1 && n > 1 && st->unit[n - 1] == 's';
	char *unit = term_safe_copy(st->unit, TERM_FIELD);

	if (!unit) {
		f->bad = 1;
		return;
	}
	f->bad |= textbuf_printf(&f->b, digest ?
		"Digest     collects events for %g %.*s, then the next steps run once with "
		"all of them\n" :
		"Delay      waits %g %.*s before the next step\n",
		st->amount, (int)(one ? n - 1 : n), unit);
	free(unit);
}

static void
fmt_body(struct fmt *f, const struct nc_preview_step *st)
{
	char *safe, *u;
	size_t i;

	if (!st->body)
		return;
	safe = term_safe_copy(st->body, TERM_LINES);
	f->bad |= !safe || textbuf_printf(&f->b, "\n%s\n", safe);
	free(safe);
	if (st->nlinks)
		f->bad |= textbuf_puts(&f->b, "\nLinks:\n");
	for (i = 0; i < st->nlinks; i++) {
		u = term_safe_copy(st->links[i], TERM_FIELD);
		f->bad |= !u || textbuf_printf(&f->b, "  [%zu] %s\n", i + 1, u);
		free(u);
	}
}

static void
fmt_step(struct fmt *f, const struct nc_preview_step *st, size_t i, size_t n)
{
	char *name = term_safe_copy(st->name ? st->name : st->step_id, TERM_FIELD);
	char *id = term_safe_copy(st->step_id, TERM_FIELD);
	char *type = term_safe_copy(st->type ? st->type : "?", TERM_FIELD);

	f->bad |= !name || !id || !type ||
	          textbuf_printf(&f->b, "%s== Step %zu/%zu: %s (%s, %s) ==\n", i ? "\n" : "",
	                         i + 1, n, name, type, id);
	free(name);
	free(id);
	free(type);
	if (st->error_title || st->error_message) {
		fmt_field(f, "Error", st->error_title ? st->error_title : "preview failed");
		fmt_field(f, "Message", st->error_message);
		fmt_field(f, "Hint", st->error_hint);
	} else if (!st->rendered) {
		f->bad |= textbuf_puts(&f->b, "(Novu rendered nothing for this step)\n");
	}
	/* An error may come with what Novu could render: show that too. */
	if (!st->rendered)
		return;
	if (st->unit)
		fmt_wait(f, st);
	fmt_field(f, "Subject", st->subject);
	fmt_body(f, st);
	if (st->primary_label || st->secondary_label || st->redirect_url)
		f->bad |= textbuf_puts(&f->b, "\n");
	fmt_action(f, "Primary", st->primary_label, st->primary_url);
	fmt_action(f, "Secondary", st->secondary_label, st->secondary_url);
	fmt_field(f, "Opens", st->redirect_url);
}

char *
preview_format(const struct nc_preview *p)
{
	struct fmt f = { TEXTBUF_INIT(0), 0 };
	char *wf = term_safe_copy(p->workflow_id ? p->workflow_id : "", TERM_FIELD);
	char *sub = term_safe_copy(p->subscriber ? p->subscriber : "", TERM_FIELD);
	size_t i;

	f.bad |= !wf || !sub ||
	         textbuf_printf(&f.b, "Preview of %s for %s: %zu step%s\n\n", wf, sub, p->n,
	                        p->n == 1 ? "" : "s");
	free(wf);
	free(sub);
	for (i = 0; i < p->n; i++)
		fmt_step(&f, &p->steps[i], i, p->n);
	if (f.bad) {
		textbuf_free(&f.b);
		return NULL;
	}
	return textbuf_steal(&f.b);
}

/* ---- the subscriber ---- */

const char *
preview_event_subscriber(const struct nc_event *ev, cJSON **overlay)
{
	size_t i;

	*overlay = NULL;
	for (i = 0; i < ev->nto; i++) {
		if (ev->to[i].kind == NC_RCPT_TOPIC)
			continue;
		if (ev->to[i].kind == NC_RCPT_SUBSCRIBER)
			*overlay = request_subscriber_json(&ev->to[i]);
		return ev->to[i].id;
	}
	return NULL;
}

/* The first subscriber's ID from the API's list (caller frees). */
static enum nc_status
first_subscriber_id(struct nc_client *c, char **id, struct nc_error *err)
{
	struct nc_list_query q = { NULL, 1, 0, NULL };
	struct nc_subscriber_page page = { 0 };
	enum nc_status st = api_list_subscribers(c, &q, &page, err);

	*id = NULL;
	if (st == NC_OK && page.n == 0)
		st = nc_error_set(err, NC_E_INVALID, "to",
		                  "the API has no subscribers to preview for: name one");
	if (st == NC_OK && !(*id = dup_or_null(page.items[0].subscriber_id)))
		st = oom(err);
	subscriber_page_clear(&page);
	return st;
}

static void
lay_over(cJSON *base, const cJSON *overlay)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, overlay) {
		cJSON_DeleteItemFromObjectCaseSensitive(base, f->string);
		cJSON_AddItemToObject(base, f->string, cJSON_Duplicate(f, 1));
	}
}

enum nc_status
preview_subscriber(struct nc_client *c, const char *subscriber_id, const cJSON *overlay,
                   cJSON **out, struct nc_error *err)
{
	char *first = NULL;
	cJSON *root = NULL;
	enum nc_status st = NC_OK;

	*out = NULL;
	if (!subscriber_id)
		st = first_subscriber_id(c, &first, err);
	if (st == NC_OK)
		st = api_subscriber_get(c, first ? first : subscriber_id, &root, err);
	free(first);
	if (st == NC_OK) {
		*out = cJSON_Duplicate(json_unwrap_data(root), 1);
	} else if (overlay && err && err->http_status == 404) {
		/* A trigger creates the subscriber from the object it carries. */
		nc_error_clear(err);
		*out = cJSON_CreateObject();
		st = NC_OK;
	}
	cJSON_Delete(root);
	if (st == NC_OK && !cJSON_IsObject(*out))
		st = nc_error_set(err, NC_E_SERVER, NULL, "unexpected answer from GET "
		                  "/v2/subscribers/{subscriberId}: not a subscriber object");
	if (st == NC_OK)
		lay_over(*out, overlay);
	if (st != NC_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return st;
}

/* "user-001 (Jane Doe)" from the subscriber object. */
static char *
subscriber_label(const cJSON *s)
{
	const char *id = json_str(s, "subscriberId");
	const char *first = json_str(s, "firstName"), *last = json_str(s, "lastName");

	if (!first && !last)
		return strdup(id ? id : "(no subscriberId)");
	return nc_asprintf("%s (%s%s%s)", id ? id : "?", first ? first : "",
	                   first && last ? " " : "", last ? last : "");
}

/* ---- fetching ---- */

/* The steps to preview: every step of the workflow, or the one asked. */
static enum nc_status
read_steps(const cJSON *wf, const char *only, struct nc_preview *out, struct nc_error *err)
{
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(wf, "steps"), *s;
	size_t n = 0;

	out->steps = calloc((size_t)cJSON_GetArraySize(steps) + 1, sizeof(*out->steps));
	if (!out->steps)
		return oom(err);
	cJSON_ArrayForEach(s, steps) {
		const char *id = json_str(s, "stepId");

		if (!id || (only && strcmp(only, id) != 0 && !(json_str(s, "_id") &&
		                                               strcmp(only, json_str(s, "_id")) == 0)))
			continue;
		out->steps[n].step_id = strdup(id);
		out->steps[n].name = dup_or_null(json_str(s, "name"));
		out->steps[n].type = dup_or_null(json_str(s, "type"));
		out->n = ++n;
		if (!out->steps[n - 1].step_id)
			return oom(err);
	}
	if (only && n == 0)
		return nc_error_set(err, NC_E_INVALID, "step", "workflow %s has no step %s",
		                    out->workflow_id, only);
	return NC_OK;
}

/* The subscriber's fields PreviewPayloadDto takes (SubscriberResponseDtoOptional:
 * no subscriberId, no timestamps); Novu fills the rest with its mock. */
static cJSON *
preview_fields(const cJSON *subscriber)
{
	static const char *const keys[] = { "_id", "firstName", "lastName", "email", "phone",
		                            "avatar", "locale", "timezone", "data", NULL };
	cJSON *o = cJSON_CreateObject();
	const cJSON *v;
	size_t i;

	for (i = 0; o && keys[i]; i++) {
		v = cJSON_GetObjectItemCaseSensitive(subscriber, keys[i]);
		if (v)
			cJSON_AddItemToObject(o, keys[i], cJSON_Duplicate(v, 1));
	}
	return o;
}

/* {"previewPayload": {"subscriber": .., "payload": ..}[, "controlValues": ..]} */
static char *
request_body(const struct nc_preview_request *rq, struct nc_error *err)
{
	cJSON *body = cJSON_CreateObject(), *pp, *payload = NULL, *controls = NULL;
	const char *text = rq->payload_json && *rq->payload_json ? rq->payload_json : "{}";
	char *out = NULL;

	payload = json_parse_field(text, strlen(text), "payload", 1, err);
	if (rq->controls_json)
		controls = json_parse_field(rq->controls_json, strlen(rq->controls_json),
		                            "controlValues", 1, err);
	if (!cJSON_IsObject(payload) || (rq->controls_json && !cJSON_IsObject(controls))) {
		if (payload && !cJSON_IsObject(payload))
			nc_error_set(err, NC_E_INVALID, "payload", "payload must be a JSON object");
		cJSON_Delete(payload);
		cJSON_Delete(controls);
		cJSON_Delete(body);
		return NULL;
	}
	pp = cJSON_AddObjectToObject(body, "previewPayload");
	if (rq->subscriber)
		cJSON_AddItemToObject(pp, "subscriber", preview_fields(rq->subscriber));
	cJSON_AddItemToObject(pp, "payload", payload);
	if (controls)
		cJSON_AddItemToObject(body, "controlValues", controls);
	out = json_print_compact(body);
	cJSON_Delete(body);
	if (!out)
		oom(err);
	return out;
}

static enum nc_status
preview_one(struct nc_client *c, const char *workflow, const char *body,
            struct nc_preview_step *st, struct nc_error *err)
{
	cJSON *root;
	enum nc_status s = api_step_preview(c, workflow, st->step_id, body, &root, err);

	if (s == NC_OK)
		s = preview_parse_answer(json_unwrap_data(root), st, err);
	cJSON_Delete(root);
	return s;
}

enum nc_status
preview_workflow(struct nc_client *c, const struct nc_preview_request *rq,
                 struct nc_preview *out, struct nc_error *err)
{
	char *body = request_body(rq, err);
	cJSON *root = NULL;
	enum nc_status st;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!body)
		return err && err->status ? err->status : NC_E_INVALID;
	out->workflow_id = strdup(rq->workflow ? rq->workflow : "");
	out->subscriber = subscriber_label(rq->subscriber);
	st = out->workflow_id && out->subscriber ? NC_OK : oom(err);
	if (st == NC_OK)
		st = api_workflow_get(c, rq->workflow, &root, err);
	if (st == NC_OK)
		st = read_steps(json_unwrap_data(root), rq->step, out, err);
	for (i = 0; st == NC_OK && i < out->n; i++)
		st = preview_one(c, rq->workflow, body, &out->steps[i], err);
	cJSON_Delete(root);
	free(body);
	return st;
}
