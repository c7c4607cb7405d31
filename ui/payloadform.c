/* payloadform.c - the payload form: rows from schemaform.h, edits spliced
 * into the payload text with jsonedit.h, so the JSON view (J) shows what
 * the user typed with only the edited values changed. */
#include "payloadform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose_int.h"
#include "draw.h"
#include "jsonedit.h"
#include "prompt.h"
#include "schemaform.h"
#include "uiops.h"

#define TYPE_W 14           /* the type column, dropped on narrow screens */

struct payloadform {
	struct compose *c;
	struct sf_form f;
	char *built_from;       /* the text the rows show (the payload, or the
	                           payload with what is being typed) */
	int sel, top;
	char *edit_ptr;         /* the row under the prompt, or NULL */
	int picking;            /* the enum pick list is open */
	int pick_sel;
};

static const struct view_ops payloadform_ops;

static const char *
payload_text(const struct payloadform *p)
{
	return p->c->ev.payload_json ? p->c->ev.payload_json : "";
}

/* Rows for text, keeping the selection on the same path. */
static void
rebuild(struct payloadform *p, const char *text)
{
	char *keep = p->f.n && p->sel < (int)p->f.n ? must_strdup(p->f.rows[p->sel].ptr) : NULL;
	size_t i;

	schemaform_free(&p->f);
	str_set(&p->built_from, text);
	if (schemaform_build(compose_schema(p->c), text, &p->f) != 0)
		memset(&p->f, 0, sizeof(p->f));
	for (i = 0; keep && i < p->f.n; i++)
		if (strcmp(p->f.rows[i].ptr, keep) == 0)
			p->sel = (int)i;
	free(keep);
	if (p->sel >= (int)p->f.n)
		p->sel = p->f.n ? (int)p->f.n - 1 : 0;
}

static struct sf_row *
selected(struct payloadform *p)
{
	return p->sel >= 0 && p->sel < (int)p->f.n ? &p->f.rows[p->sel] : NULL;
}

/* The payload changed from here: keep it, and clear the problem a send
 * marked on the Payload field (the rows show the current ones). */
static void
set_payload(struct app *a, struct payloadform *p, char *text)
{
	struct compose *c = p->c;

	free(c->ev.payload_json);
	c->ev.payload_json = text;
	free(c->errors[CF_PAYLOAD]);
	c->errors[CF_PAYLOAD] = NULL;
	compose_changed(a, c);
	rebuild(p, payload_text(p));
}

static void
apply(struct app *a, struct payloadform *p, enum jsonedit_status st, char *out)
{
	if (st == JE_OK) {
		set_payload(a, p, out);
		return;
	}
	if (st == JE_BAD_JSON && p->f.parse_error)
		app_message(a, MSG_ERROR, "the payload is not valid JSON (%s): fix it in the "
		            "JSON view (J)", p->f.parse_error);
	else
		app_message(a, MSG_ERROR, "not changed: %s", jsonedit_strerror(st));
}

/* The payload text with row r set to json (NULL: removed); NULL when
 * that cannot be done. */
static char *
text_with(const char *text, const struct sf_row *r, const char *json, enum jsonedit_status *st)
{
	char *out = NULL;

	if (json)
		*st = jsonedit_set(text, r->ptr, json, &out);
	else if (r->value)
		*st = jsonedit_remove(text, r->ptr, &out);
	else
		*st = (out = must_strdup(text)) ? JE_OK : JE_NOMEM;
	return out;
}

static struct sf_row *
row_at_ptr(struct payloadform *p, const char *ptr)
{
	size_t i;

	for (i = 0; ptr && i < p->f.n; i++)
		if (strcmp(p->f.rows[i].ptr, ptr) == 0)
			return &p->f.rows[i];
	return NULL;
}

/* ---- editing a value ---- */

/* Each key: the rows show the problems the typed text would have. */
static void
edit_changed(struct app *a, void *ctx, const char *typed)
{
	struct payloadform *p = ctx;
	struct sf_row *r = row_at_ptr(p, p->edit_ptr);
	enum jsonedit_status st;
	char *json, *text;

	if (!r)
		return;
	json = schemaform_value_for(r, typed);
	text = text_with(payload_text(p), r, json, &st);
	if (text) {
		rebuild(p, text);
		save_draft_with(a, p->c, CF_PAYLOAD, text);
	}
	free(json);
	free(text);
	app_redraw(a);
}

static void
edit_done(struct app *a, void *ctx, const char *line)
{
	struct payloadform *p = ctx;
	struct sf_row *r;
	enum jsonedit_status st;
	char *json, *text;

	rebuild(p, payload_text(p));
	r = row_at_ptr(p, p->edit_ptr);
	free(p->edit_ptr);
	p->edit_ptr = NULL;
	if (!line || !r) {
		/* Esc keeps the old value; at quit the draft keeps what was
		 * being typed. */
		if (!a->quitting)
			save_draft_with(a, p->c, -1, NULL);
		app_redraw(a);
		return;
	}
	json = schemaform_value_for(r, line);
	text = text_with(payload_text(p), r, json, &st);
	free(json);
	apply(a, p, st, text);
}

static void add_item(struct app *a, struct payloadform *p);

/* Enter: an enum opens its pick list; an object with properties goes to
 * its first property (its rows are the way to edit it); an array adds an
 * item when it has none; anything else is typed at the prompt. */
static void
edit_row(struct app *a, struct payloadform *p, struct sf_row *r)
{
	char *initial;

	if (r->nenum) {
		size_t k;

		p->picking = 1;
		p->pick_sel = 0;
		for (k = 0; r->value && k < r->nenum; k++)
			if (strcmp(r->value, r->enums[k]) == 0)
				p->pick_sel = (int)k;
		return;
	}
	if ((r->flags & SF_OBJECT) && p->sel + 1 < (int)p->f.n &&
	    p->f.rows[p->sel + 1].depth > r->depth) {
		p->sel++;
		return;
	}
	if ((r->flags & SF_ARRAY) && (p->sel + 1 >= (int)p->f.n ||
	    p->f.rows[p->sel + 1].depth <= r->depth)) {
		add_item(a, p);
		return;
	}
	initial = schemaform_edit_text(r);
	p->edit_ptr = must_strdup(r->ptr);
	prompt_start(a, PK_TEXT, r->label, initial, edit_done, p);
	prompt_on_change(a, edit_changed);
	free(initial);
}

/* ---- enum pick list ---- */

static void
pick_accept(struct app *a, struct payloadform *p)
{
	struct sf_row *r = selected(p);
	enum jsonedit_status st;
	char *text;

	p->picking = 0;
	if (!r)
		return;
	/* The last entry removes the value. */
	text = text_with(payload_text(p), r,
	                 p->pick_sel < (int)r->nenum ? r->enums[p->pick_sel] : NULL, &st);
	apply(a, p, st, text);
}

static unsigned
pick_handle(struct app *a, struct payloadform *p, enum ui_req req)
{
	struct sf_row *r = selected(p);
	int n = r ? (int)r->nenum + 1 : 0;

	switch (req) {
	case REQ_MOVE_UP:
		p->pick_sel = p->pick_sel > 0 ? p->pick_sel - 1 : 0;
		break;
	case REQ_MOVE_DOWN:
		p->pick_sel = p->pick_sel + 1 < n ? p->pick_sel + 1 : n - 1;
		break;
	case REQ_EDIT:
		pick_accept(a, p);
		break;
	case REQ_BACK:
		p->picking = 0;
		break;
	case REQ_QUIT:
	case REQ_HELP:
		return 0;
	default:
		break;
	}
	return UI_HANDLED | UI_REDRAW;
}

static void
draw_pick(struct payloadform *p, int y, int x, int h, int w)
{
	struct sf_row *r = selected(p);
	int n = r ? (int)r->nenum + 1 : 0, bh = n + 2 < h ? n + 2 : h, bw = w < 40 ? w : 40;
	int first = 0, i;

	if (!r || bh < 3)
		return;
	if (p->pick_sel >= first + bh - 2)
		first = p->pick_sel - (bh - 2) + 1;
	draw_box(y, x + w - bw, bh, bw, r->label);
	for (i = 0; i < bh - 2 && first + i < n; i++) {
		int k = first + i, cur = k == p->pick_sel;
		const char *v = k < (int)r->nenum ? r->enums[k] : "(no value)";
		int now = r->value && k < (int)r->nenum && strcmp(r->value, v) == 0;
		char line[256];

		snprintf(line, sizeof(line), "%c %s%s", cur ? '>' : ' ', v, now ? "  (now)" : "");
		draw_text_pad(y + 1 + i, x + w - bw + 1, bw - 2, line,
		              cur ? ROLE_CURSOR : k < (int)r->nenum ? ROLE_NORMAL : ROLE_DIM);
	}
}

/* ---- arrays ---- */

/* The array row of r (r itself, or the array r is an item of). */
static struct sf_row *
array_of(struct payloadform *p, int i)
{
	int depth = p->f.rows[i].depth;

	if (p->f.rows[i].flags & SF_ARRAY)
		return &p->f.rows[i];
	for (; i >= 0; i--) {
		if (p->f.rows[i].depth < depth && (p->f.rows[i].flags & SF_ARRAY))
			return &p->f.rows[i];
		if (p->f.rows[i].depth < depth && !(p->f.rows[i].flags & SF_ITEM))
			break;
		if (p->f.rows[i].depth < depth)
			depth = p->f.rows[i].depth;
	}
	return NULL;
}

static size_t
items_in(const struct payloadform *p, const struct sf_row *arr)
{
	size_t i, n = 0, k = (size_t)(arr - p->f.rows);

	for (i = k + 1; i < p->f.n && p->f.rows[i].depth > arr->depth; i++)
		n += p->f.rows[i].depth == arr->depth + 1 && (p->f.rows[i].flags & SF_ITEM);
	return n;
}

static void
add_item(struct app *a, struct payloadform *p)
{
	struct sf_row *arr = p->f.n ? array_of(p, p->sel) : NULL;
	enum jsonedit_status st;
	char *ptr, *text, *whole, *item;

	if (!arr) {
		app_message(a, MSG_INFO, "a adds an item to an array: select one or its items");
		return;
	}
	item = must_strdup(arr->new_item ? arr->new_item : "null");
	if (arr->value) {
		ptr = jsonptr_index(arr->ptr, items_in(p, arr));
		st = jsonedit_set(payload_text(p), ptr, item, &text);
	} else {
		ptr = jsonptr_index(arr->ptr, 0);
		whole = must_asprintf("[%s]", item);
		st = jsonedit_set(payload_text(p), arr->ptr, whole, &text);
		free(whole);
	}
	free(item);
	apply(a, p, st, text);
	if (st == JE_OK && row_at_ptr(p, ptr))
		p->sel = (int)(row_at_ptr(p, ptr) - p->f.rows);
	free(ptr);
}

static void
remove_value(struct app *a, struct payloadform *p, int items_only)
{
	struct sf_row *r = selected(p);
	enum jsonedit_status st;
	char *text = NULL;

	if (!r)
		return;
	if (items_only && !(r->flags & SF_ITEM)) {
		app_message(a, MSG_INFO, "d removes an array item; Del clears a value");
		return;
	}
	if (!r->value)
		return;
	st = jsonedit_remove(payload_text(p), r->ptr, &text);
	app_message(a, MSG_INFO, "removed %s", r->field);
	apply(a, p, st, text);
}

/* ---- drawing ---- */

static const char *
type_shown(const struct sf_row *r, char *buf, size_t size)
{
	if (r->nenum)
		snprintf(buf, size, "enum (%zu)", r->nenum);
	else if (r->format && strcmp(r->type, "string") == 0)
		snprintf(buf, size, "%s", r->format);   /* "date-time" says string */
	else if (r->format)
		snprintf(buf, size, "%s %s", r->type, r->format);
	else if (r->flags & SF_EXTRA)
		snprintf(buf, size, "not in schema");
	else
		snprintf(buf, size, "%s", *r->type ? r->type : "any");
	return buf;
}

/* The value column: the bytes as typed (on one line), or what is missing. */
static void
draw_row_value(const struct sf_row *r, int y, int x, int w, size_t items)
{
	char *one, buf[96];
	int used = 0;

	if (r->value && (r->flags & SF_ARRAY)) {
		snprintf(buf, sizeof(buf), "%zu item%s", items, items == 1 ? "" : "s");
		used = draw_text(y, x, w, buf, ROLE_DIM);
	} else if (r->value && (r->flags & SF_OBJECT)) {
		used = draw_text(y, x, w, "{…}", ROLE_DIM);
	} else if (r->value) {
		one = str_one_line(r->value);
		used = draw_text_cut(y, x, w, one, ROLE_NORMAL);
		free(one);
	} else if (r->def) {
		char *d = must_asprintf("(default %s)", r->def);

		used = draw_text_cut(y, x, w, d, ROLE_DIM);
		free(d);
	} else if (r->required) {
		/* The footer has the validator's words; "missing" says it here. */
		draw_text(y, x, w, "(missing)", r->problem ? ROLE_ERROR : ROLE_WARN);
		return;
	} else {
		used = draw_text(y, x, w, "-", ROLE_DIM);
	}
	if (r->problem && w - used > 4) {
		char *msg = must_asprintf("  ! %s", r->problem);

		draw_text_cut(y, x + used, w - used, msg, ROLE_ERROR);
		free(msg);
	}
}

static void
draw_row(struct app *a, struct payloadform *p, int i, int y, int x, int w)
{
	const struct sf_row *r = &p->f.rows[i];
	int cur = i == p->sel, namew = w / 3 < 12 ? 12 : w / 3 > 30 ? 30 : w / 3;
	int typew = w >= 60 ? TYPE_W : 0, vx = x + 1 + namew + 1 + typew;
	char *name, tbuf[64];

	if (namew > w - 2)
		namew = w - 2;
	draw_text(y, x, 1, r->problem ? "!" : cur ? ">" : " ",
	          r->problem ? ROLE_ERROR : ROLE_LABEL);
	name = must_asprintf("%*s%s%s", r->depth * 2, "", r->label, r->required ? " *" : "");
	draw_text_cut(y, x + 1, namew, name, cur ? ROLE_CURSOR : ROLE_LABEL);
	free(name);
	if (typew)
		draw_text_cut(y, x + 2 + namew, typew - 1, type_shown(r, tbuf, sizeof(tbuf)),
		              ROLE_DIM);
	if (vx >= x + w - 2)
		return;
	if (p->edit_ptr && strcmp(p->edit_ptr, r->ptr) == 0 && prompt_active(a)) {
		prompt_anchor(a, y, vx, x + w - vx);
		return;
	}
	draw_row_value(r, y, vx, x + w - vx, (r->flags & SF_ARRAY) ? items_in(p, r) : 0);
}

/* With validatePayload off Novu takes any payload (and ^S sends it): the
 * title says so, and the problems are only hints. */
static void
draw_header(struct payloadform *p, int y, int x, int w)
{
	const char *hint = p->c->schema_enforced ? "" :
	                   " (hints only: validatePayload is off, Novu does not enforce it)";
	char *head;

	if (p->f.parse_error)
		head = must_asprintf("Payload of %s: %s", p->c->ev.workflow, p->f.parse_error);
	else if (p->f.nproblems)
		head = must_asprintf("Payload of %s: %zu problem%s with its payloadSchema%s",
		                     p->c->ev.workflow, p->f.nproblems,
		                     p->f.nproblems == 1 ? "" : "s", hint);
	else
		head = must_asprintf("Payload of %s: matches its payloadSchema%s",
		                     p->c->ev.workflow, hint);
	draw_text_cut(y, x + 1, w - 1, head,
	              !p->f.nproblems ? ROLE_OK : p->c->schema_enforced ? ROLE_ERROR : ROLE_WARN);
	free(head);
}

/* The bottom two lines: what the schema says about the row, then its
 * problem in full with what to change, or the keys that work on it. */
static void
draw_footer(struct payloadform *p, int y, int x, int w)
{
	const struct sf_row *r = selected(p);
	char *about, *keys;

	if (!r)
		return;
	about = must_asprintf("%s%s%s%s%s%s", r->field, r->description ? ": " : "",
	                      r->description ? r->description : "",
	                      r->format ? "  format " : "", r->format ? r->format : "",
	                      r->required ? "  required" : "");
	draw_text_cut(y, x + 1, w - 1, about, ROLE_DIM);
	free(about);
	if (r->problem || p->f.root_problem) {
		/* The problem, then what to change (the check's fix), as
		 * `trigger --check` prints them. */
		const char *msg = r->problem ? r->problem : p->f.root_problem;
		const char *fix = r->problem ? r->fix : p->f.root_fix;

		keys = must_asprintf("! %s%s%s%s", msg, fix ? " (" : "", fix ? fix : "",
		                     fix ? ")" : "");
		draw_text_cut(y + 1, x + 1, w - 1, keys, ROLE_ERROR);
	} else {
		keys = must_asprintf("%s%s  J: JSON text  Esc: back",
		                     r->nenum ? "Enter: pick a value" : "Enter: edit",
		                     (r->flags & (SF_ARRAY | SF_ITEM)) ? "  a: add item  d: remove item" :
		                     "  Del: clear");
		draw_text_cut(y + 1, x + 1, w - 1, keys, ROLE_DIM);
	}
	free(keys);
}

static void
pf_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	struct payloadform *p = v->priv;
	int rows = h - 3, i;

	if (!p->edit_ptr && strcmp(p->built_from ? p->built_from : "", payload_text(p)) != 0)
		rebuild(p, payload_text(p));   /* changed in the JSON view */
	if (h < 2 || w < 16)
		return;
	if (!compose_schema(p->c)) {
		/* The form's workflow changed under it (History "to form"). */
		draw_text_cut(y, x + 1, w - 1, "No payloadSchema for this workflow: Esc goes back, "
		              "J edits the JSON", ROLE_WARN);
		return;
	}
	draw_header(p, y, x, w);
	if (rows < 1)
		rows = 1;
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + rows)
		p->top = p->sel - rows + 1;
	if (p->top > (int)p->f.n - rows)
		p->top = (int)p->f.n - rows > 0 ? (int)p->f.n - rows : 0;
	for (i = 0; i < rows && p->top + i < (int)p->f.n; i++)
		draw_row(a, p, p->top + i, y + 1 + i, x, w);
	if (h >= 4)
		draw_footer(p, y + h - 2, x, w);
	if (p->picking)
		draw_pick(p, y + 1, x, h - 1, w);
}

/* ---- keys ---- */

static void
move_sel(struct payloadform *p, int by)
{
	p->sel += by;
	if (p->sel >= (int)p->f.n)
		p->sel = (int)p->f.n - 1;
	if (p->sel < 0)
		p->sel = 0;
}

static unsigned
pf_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	struct payloadform *p = v->priv;
	int page = app_body_h(a) - 4;

	(void)key;
	if (p->picking)
		return pick_handle(a, p, req);
	switch (req) {
	case REQ_MOVE_UP:
		move_sel(p, -1);
		break;
	case REQ_MOVE_DOWN:
		move_sel(p, 1);
		break;
	case REQ_PAGE_UP:
		move_sel(p, -(page > 1 ? page : 1));
		break;
	case REQ_PAGE_DOWN:
		move_sel(p, page > 1 ? page : 1);
		break;
	case REQ_MOVE_FIRST:
		p->sel = 0;
		break;
	case REQ_MOVE_LAST:
		move_sel(p, (int)p->f.n);
		break;
	case REQ_EDIT:
		if (selected(p))
			edit_row(a, p, selected(p));
		break;
	case REQ_ADD_ITEM:
		add_item(a, p);
		break;
	case REQ_DELETE:
		remove_value(a, p, 1);
		break;
	case REQ_CLEAR_FIELD:
		remove_value(a, p, 0);
		break;
	case REQ_JSON_VIEW:
		compose_edit_json(a, p->c, CF_PAYLOAD);
		break;
	case REQ_SEND:
		compose_send(a, p->c);
		break;
	case REQ_BACK:
		return UI_HANDLED | UI_POP | UI_REDRAW;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static void
pf_done(struct app *a, struct view *v)
{
	struct payloadform *p = v->priv;

	(void)a;
	schemaform_free(&p->f);
	free(p->built_from);
	free(p->edit_ptr);
}

static const struct keymap *const pf_maps[] = { &km_payload_form, &km_move, &km_global, NULL };

static const struct view_ops payloadform_ops = {
	.name = "payload form", .keymaps = pf_maps, .private_size = sizeof(struct payloadform),
	.draw = pf_draw, .handle = pf_handle, .done = pf_done,
};

void
payloadform_open(struct app *a, struct compose *c, int at_problem)
{
	struct view *top = app_top(a);
	struct payloadform *p;
	long first;

	if (top->ops == &payloadform_ops && ((struct payloadform *)top->priv)->c == c) {
		p = top->priv;
	} else {
		p = view_push(a, &payloadform_ops);
		p->c = c;
	}
	rebuild(p, payload_text(p));
	first = schemaform_first_problem(&p->f);
	if (at_problem && first >= 0)
		p->sel = (int)first;
	else if (top->ops != &payloadform_ops && first >= 0)
		p->sel = (int)first;   /* a fresh form starts where work is */
	app_redraw(a);
}
