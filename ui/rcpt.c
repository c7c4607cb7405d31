/* rcpt.c - the recipients editor over a form: subscriber IDs, subscriber
 * objects and topics with an exclude list, with a live n/100 count, pick
 * lists from the API and file import. Recipients are held by index (the
 * event's array moves when it grows). */
#include "compose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "draw.h"
#include "import.h"
#include "prompt.h"
#include "uiops.h"

struct rcpt_view {
	struct compose *c;
};

static struct nc_recipient *
selected(struct compose *c)
{
	if (c->rcpt_sel < 0 || (size_t)c->rcpt_sel >= c->ev.nto)
		return NULL;
	return &c->ev.to[c->rcpt_sel];
}

/* A subscriber is one person whether listed by ID or as an object: the
 * same subscriberId twice in "to" notifies them twice. Topics are their
 * own namespace. */
static int
same_namespace(enum nc_recipient_kind a, enum nc_recipient_kind b)
{
	return (a == NC_RCPT_TOPIC) == (b == NC_RCPT_TOPIC);
}

static int
has_recipient(const struct compose *c, enum nc_recipient_kind kind, const char *id)
{
	size_t i;

	for (i = 0; i < c->ev.nto; i++)
		if (same_namespace(c->ev.to[i].kind, kind) && c->ev.to[i].id &&
		    strcmp(c->ev.to[i].id, id) == 0)
			return 1;
	return 0;
}

/* Add one recipient of a kind by ID; duplicates are skipped. */
static int
add_simple(struct compose *c, enum nc_recipient_kind kind, const char *id)
{
	struct nc_recipient r;
	int ok;

	if (str_empty(id) || has_recipient(c, kind, id))
		return 0;
	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.id = must_strdup(id);
	ok = event_add_recipient(&c->ev, &r) == NC_OK;
	recipient_clear(&r);
	return ok;
}

static void
report_count(struct app *a, struct compose *c, const char *what, size_t added)
{
	if (c->ev.nto > NC_MAX_RECIPIENTS)
		app_message(a, MSG_WARN, "%s %zu: now %zu/%d - over the limit, remove %zu "
		            "(or use the Bulk builder)", what, added, c->ev.nto, NC_MAX_RECIPIENTS,
		            c->ev.nto - NC_MAX_RECIPIENTS);
	else
		app_message(a, MSG_OK, "%s %zu (%zu/%d)", what, added, c->ev.nto, NC_MAX_RECIPIENTS);
}

static void
rcpt_changed(struct app *a, struct compose *c)
{
	free(c->errors[CF_RECIPIENTS]);
	c->errors[CF_RECIPIENTS] = NULL;
	c->rcpt_error = -1;
	compose_changed(a, c);
}

/* Split "a, b c;d" into IDs and add each. */
static size_t
add_ids(struct compose *c, enum nc_recipient_kind kind, const char *line)
{
	char *copy = must_strdup(line), *save = NULL, *tok;
	size_t n = 0;

	for (tok = strtok_r(copy, " ,;\t", &save); tok; tok = strtok_r(NULL, " ,;\t", &save))
		n += (size_t)add_simple(c, kind, tok);
	free(copy);
	return n;
}

static void
ids_entered(struct app *a, void *ctx, const char *line)
{
	struct compose *c = ctx;
	size_t n;

	if (!line || !*line)
		return;
	n = add_ids(c, NC_RCPT_SUBSCRIBER_ID, line);
	c->rcpt_sel = (int)c->ev.nto - 1;
	rcpt_changed(a, c);
	report_count(a, c, "added", n);
}

static void
topic_entered(struct app *a, void *ctx, const char *line)
{
	struct compose *c = ctx;
	size_t n;

	if (!line || !*line)
		return;
	n = add_ids(c, NC_RCPT_TOPIC, line);
	c->rcpt_sel = (int)c->ev.nto - 1;
	rcpt_changed(a, c);
	report_count(a, c, "added topics:", n);
}

static void
id_edited(struct app *a, void *ctx, const char *line)
{
	struct compose *c = ctx;
	struct nc_recipient *r = selected(c);

	if (!line || !r)
		return;
	if (!*line) {
		app_message(a, MSG_WARN, "an empty ID is not a recipient: use d to remove it");
		return;
	}
	str_set(&r->id, line);
	rcpt_changed(a, c);
}

static void
exclude_entered(struct app *a, void *ctx, const char *line)
{
	struct compose *c = ctx;
	struct nc_recipient *r = selected(c);
	char *copy, *save = NULL, *tok;
	size_t i;

	if (!line || !r || r->kind != NC_RCPT_TOPIC)
		return;
	for (i = 0; i < r->nexclude; i++)
		free(r->exclude[i]);
	r->nexclude = 0;
	copy = must_strdup(line);
	for (tok = strtok_r(copy, " ,;\t", &save); tok; tok = strtok_r(NULL, " ,;\t", &save))
		recipient_add_exclude(r, tok);
	free(copy);
	rcpt_changed(a, c);
	app_message(a, MSG_OK, "topic %s leaves out %zu subscriber%s", r->id, r->nexclude,
	            r->nexclude == 1 ? "" : "s");
}

static void
subscribers_picked(struct app *a, void *ctx, char **keys, size_t n)
{
	struct compose *c = ctx;
	size_t i, added = 0;

	for (i = 0; i < n; i++)
		added += (size_t)add_simple(c, NC_RCPT_SUBSCRIBER_ID, keys[i]);
	if (!n)
		return;
	for (i = 0; i < n; i++)
		app_remember(a, PK_SUBSCRIBER, keys[i]);
	c->rcpt_sel = (int)c->ev.nto - 1;
	rcpt_changed(a, c);
	report_count(a, c, "added", added);
}

static void
topics_picked(struct app *a, void *ctx, char **keys, size_t n)
{
	struct compose *c = ctx;
	size_t i, added = 0;

	for (i = 0; i < n; i++)
		added += (size_t)add_simple(c, NC_RCPT_TOPIC, keys[i]);
	if (!n)
		return;
	c->rcpt_sel = (int)c->ev.nto - 1;
	rcpt_changed(a, c);
	report_count(a, c, "added topics:", added);
}

static void
import_entered(struct app *a, void *ctx, const char *line)
{
	struct compose *c = ctx;
	struct nc_error err = NC_ERROR_INIT;
	struct nc_recipient *rs = NULL;
	char *path, *text = NULL, *shown;
	size_t len, n = 0, i, added = 0, dups = 0;

	if (!line || !*line)
		return;
	path = expand_home(line);
	shown = path_for_display(path);
	if (import_read_file(path, &text, &len, &err) == NC_OK &&
	    import_recipients(text, len, &rs, &n, &err) == NC_OK) {
		for (i = 0; i < n; i++) {
			if (has_recipient(c, rs[i].kind, rs[i].id ? rs[i].id : "")) {
				dups++;
				continue;
			}
			if (event_add_recipient(&c->ev, &rs[i]) == NC_OK)
				added++;
		}
		c->rcpt_sel = (int)c->ev.nto - 1;
		rcpt_changed(a, c);
		if (dups) {
			char *what = must_asprintf("skipped %zu already listed, imported", dups);

			report_count(a, c, what, added);
			free(what);
		} else {
			report_count(a, c, "imported", added);
		}
	} else {
		app_message(a, MSG_ERROR, "%s: %s", shown, err.message ? err.message : "cannot import");
	}
	for (i = 0; i < n; i++)
		recipient_clear(&rs[i]);
	free(rs);
	free(text);
	free(path);
	free(shown);
	nc_error_clear(&err);
}

/* ---- the subscriber object form ---- */

enum sf { SF_ID, SF_EMAIL, SF_PHONE, SF_FIRST, SF_LAST, SF_LOCALE, SF_TZ, SF_AVATAR,
	  SF_DATA, SF_COUNT };

static const char *const sf_labels[SF_COUNT] = {
	"subscriberId", "email", "phone", "firstName", "lastName", "locale", "timezone",
	"avatar", "data"
};

struct subform {
	struct compose *c;
	size_t index;
	int focus;
	int editing;
	int is_new;
};

static char **
sf_slot(struct nc_recipient *r, int f)
{
	switch (f) {
	case SF_ID: return &r->id;
	case SF_EMAIL: return &r->email;
	case SF_PHONE: return &r->phone;
	case SF_FIRST: return &r->first_name;
	case SF_LAST: return &r->last_name;
	case SF_LOCALE: return &r->locale;
	case SF_TZ: return &r->timezone;
	case SF_AVATAR: return &r->avatar;
	default: return &r->data_json;
	}
}

static struct nc_recipient *
sf_recipient(struct subform *s)
{
	return s->index < s->c->ev.nto ? &s->c->ev.to[s->index] : NULL;
}

static void
sf_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	struct subform *s = v->priv;
	struct nc_recipient *r = sf_recipient(s);
	int i;
	char title[96];

	if (!r)
		return;
	snprintf(title, sizeof(title), "Subscriber object (recipient %zu of %zu)", s->index + 1,
	         s->c->ev.nto);
	draw_text_pad(y, x, w, title, ROLE_TITLE);
	for (i = 0; i < SF_COUNT && i + 1 < h - 1; i++) {
		int row = y + 1 + i, focused = s->focus == i;
		const char *v0 = *sf_slot(r, i);
		char label[24];

		draw_text(row, x, 1, focused ? ">" : " ", ROLE_LABEL);
		snprintf(label, sizeof(label), "%-13s", sf_labels[i]);
		draw_text(row, x + 1, 13, label, focused ? ROLE_CURSOR : ROLE_LABEL);
		if (s->editing == i && prompt_active(a)) {
			prompt_anchor(a, row, x + 15, w - 15);
			continue;
		}
		if (str_empty(v0)) {
			draw_text(row, x + 15, w - 15, i == SF_ID ? "(required)" :
			          i == SF_DATA ? "{}" : "", ROLE_DIM);
		} else {
			char *one = str_one_line(v0);

			draw_text_cut(row, x + 15, w - 15, one, ROLE_NORMAL);
			free(one);
		}
	}
	if (h > SF_COUNT + 2)
		draw_text_cut(y + h - 1, x + 1, w - 1, "The server creates or updates this "
		              "subscriber when the event is sent.", ROLE_DIM);
}

static void
sf_edited(struct app *a, void *ctx, const char *line)
{
	struct subform *s = ctx;
	struct nc_recipient *r = sf_recipient(s);
	int f = s->editing;

	s->editing = -1;
	if (!line || !r)
		return;
	str_set(sf_slot(r, f), *line ? line : NULL);
	rcpt_changed(a, s->c);
}

struct data_ctx {
	struct compose *c;
	size_t index;
};

static void
data_changed(struct app *a, void *ctx)
{
	struct data_ctx *d = ctx;

	rcpt_changed(a, d->c);
}

static char *
data_check(struct app *a, void *ctx, long *line, long *col)
{
	struct data_ctx *d = ctx;
	struct nc_recipient *r = d->index < d->c->ev.nto ? &d->c->ev.to[d->index] : NULL;
	cJSON *root;
	char *msg;

	(void)a;
	*line = *col = 0;
	if (!r || str_empty(r->data_json))
		return NULL;
	root = cJSON_Parse(r->data_json);
	if (root && cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return NULL;
	}
	cJSON_Delete(root);
	msg = must_strdup("data must be a JSON object");
	if (!root) {
		const char *at = cJSON_GetErrorPtr();
		const char *p;

		*line = 1;
		*col = 1;
		for (p = r->data_json; at && p < at && *p; p++) {
			if (*p == '\n') {
				(*line)++;
				*col = 1;
			} else {
				(*col)++;
			}
		}
		free(msg);
		msg = must_asprintf("data: invalid JSON at line %ld, column %ld", *line, *col);
	}
	return msg;
}

static unsigned
sf_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	struct subform *s = v->priv;
	struct nc_recipient *r = sf_recipient(s);

	(void)key;
	if (!r)
		return UI_HANDLED | UI_POP;
	switch (req) {
	case REQ_MOVE_UP:
		if (s->focus > 0)
			s->focus--;
		break;
	case REQ_MOVE_DOWN:
		if (s->focus + 1 < SF_COUNT)
			s->focus++;
		break;
	case REQ_MOVE_FIRST:
		s->focus = 0;
		break;
	case REQ_MOVE_LAST:
		s->focus = SF_COUNT - 1;
		break;
	case REQ_EDIT:
	case REQ_EDIT_EXTERNAL:
		if (s->focus == SF_DATA) {
			struct data_ctx *d = must_calloc(1, sizeof(*d));

			d->c = s->c;
			d->index = s->index;
			if (req == REQ_EDIT_EXTERNAL) {
				char *out = NULL, errbuf[256];

				free(d);
				if (ui_edit_external(a, r->data_json ? r->data_json : "{\n}\n", ".json",
				                     &out, errbuf, sizeof(errbuf)) != 0) {
					app_message(a, MSG_ERROR, "%s", errbuf);
				} else {
					str_set(&r->data_json, out);
					rcpt_changed(a, s->c);
				}
				free(out);
			} else {
				textedit_open(a, "Subscriber data (JSON object)", &r->data_json,
				              data_changed, data_check, d);
			}
			break;
		}
		if ((size_t)s->focus >= sizeof(sf_labels) / sizeof(sf_labels[0]))
			break;
		s->editing = s->focus;
		prompt_start(a, s->focus == SF_ID ? PK_SUBSCRIBER : PK_TEXT, sf_labels[s->focus],
		             *sf_slot(r, s->focus), sf_edited, s);
		break;
	case REQ_CLEAR_FIELD:
		str_set(sf_slot(r, s->focus), NULL);
		rcpt_changed(a, s->c);
		break;
	case REQ_BACK:
		if (str_empty(r->id) && s->is_new && !r->email && !r->phone && !r->first_name &&
		    !r->last_name && !r->data_json) {
			event_remove_recipient(&s->c->ev, s->index);
			if (s->c->rcpt_sel >= (int)s->c->ev.nto)
				s->c->rcpt_sel = (int)s->c->ev.nto - 1;
			rcpt_changed(a, s->c);
		}
		return UI_HANDLED | UI_POP | UI_REDRAW;
	default:
		return 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

static const struct keymap *const sf_maps[] = { &km_subscriber, &km_move, &km_global, NULL };

static const struct view_ops subform_ops = {
	.name = "subscriber", .keymaps = sf_maps, .private_size = sizeof(struct subform),
	.draw = sf_draw, .handle = sf_handle,
};

static void
subform_open(struct app *a, struct compose *c, size_t index, int is_new)
{
	struct subform *s = view_push(a, &subform_ops);

	s->c = c;
	s->index = index;
	s->editing = -1;
	s->is_new = is_new;
	if (is_new) {
		s->editing = SF_ID;
		prompt_start(a, PK_SUBSCRIBER, "subscriberId", NULL, sf_edited, s);
	}
}

/* ---- the list ---- */

static void
describe(const struct nc_recipient *r, char *buf, size_t size)
{
	size_t len = 0, i;

	buf[0] = '\0';
	if (r->kind == NC_RCPT_SUBSCRIBER) {
		len += (size_t)snprintf(buf, size, "%s%s%s%s%s%s", r->first_name ? r->first_name : "",
		                        r->first_name && r->last_name ? " " : "",
		                        r->last_name ? r->last_name : "",
		                        (r->first_name || r->last_name) && r->email ? "  " : "",
		                        r->email ? r->email : "",
		                        r->data_json && *r->data_json ? "  +data" : "");
	} else if (r->kind == NC_RCPT_TOPIC && r->nexclude) {
		len += (size_t)snprintf(buf, size, "exclude:");
		for (i = 0; i < r->nexclude && len < size; i++)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : " ",
			                        r->exclude[i]);
	}
}

static const char *
row_hint(const struct nc_recipient *r)
{
	if (!r)
		return "";
	switch (r->kind) {
	case NC_RCPT_TOPIC:
		return "Enter: edit the topic key  x: exclude subscribers  d: remove";
	case NC_RCPT_SUBSCRIBER:
		return "Enter: edit the subscriber's fields  d: remove";
	default:
		return "Enter: edit the ID (o adds a full subscriber object)  d: remove";
	}
}

static void
rcpt_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	struct rcpt_view *rv = v->priv;
	struct compose *c = rv->c;
	char head[160], desc[512];
	int rows = h - 2, i, idw = 8;
	size_t k;

	(void)a;
	snprintf(head, sizeof(head), "Recipients %zu/%d", c->ev.nto, NC_MAX_RECIPIENTS);
	draw_blank(y, x, w, ROLE_NORMAL);
	i = draw_text(y, x, w, head, c->ev.nto > NC_MAX_RECIPIENTS ? ROLE_ERROR : ROLE_TITLE);
	if (c->ev.nto > NC_MAX_RECIPIENTS)
		draw_text_cut(y, x + i, w - i, "  over the limit: remove some or use Bulk", ROLE_ERROR);
	else if (c->errors[CF_RECIPIENTS])
		draw_text_cut(y, x + i + 2, w - i - 2, c->errors[CF_RECIPIENTS], ROLE_ERROR);
	if (!c->ev.nto) {
		draw_text_cut(y + 2, x + 2, w - 2, "No recipients yet. a: add IDs  o: subscriber "
		              "object  t: topic  s: pick  i: import a file", ROLE_DIM);
		return;
	}
	for (k = 0; k < c->ev.nto; k++) {
		int iw = c->ev.to[k].id ? utf8_width(c->ev.to[k].id) : 0;

		if (iw > idw)
			idw = iw;
	}
	if (idw > w / 2)
		idw = w / 2;
	if (c->rcpt_sel >= (int)c->ev.nto)
		c->rcpt_sel = (int)c->ev.nto - 1;
	if (c->rcpt_sel < 0)
		c->rcpt_sel = 0;
	if (c->rcpt_sel < c->rcpt_top)
		c->rcpt_top = c->rcpt_sel;
	if (c->rcpt_sel >= c->rcpt_top + rows)
		c->rcpt_top = c->rcpt_sel - rows + 1;
	for (i = 0; i < rows && c->rcpt_top + i < (int)c->ev.nto; i++) {
		int idx = c->rcpt_top + i, row = y + 1 + i, cur = idx == c->rcpt_sel;
		const struct nc_recipient *r = &c->ev.to[idx];
		enum ui_role role = cur ? ROLE_CURSOR : ROLE_NORMAL;
		static const char *const kinds[] = { "ID", "object", "topic" };
		char num[16];

		draw_blank(row, x, w, role);
		snprintf(num, sizeof(num), "%c%3d ", cur ? '>' : ' ', idx + 1);
		draw_text(row, x, 5, num, cur ? role : (idx == c->rcpt_error ? ROLE_ERROR : ROLE_DIM));
		draw_text(row, x + 5, 7, kinds[r->kind <= NC_RCPT_TOPIC ? r->kind : 0],
		          cur ? role : ROLE_DIM);
		draw_text_cut(row, x + 12, idw, str_empty(r->id) ? "(no ID)" : r->id,
		              str_empty(r->id) && !cur ? ROLE_ERROR : role);
		describe(r, desc, sizeof(desc));
		if (w - 14 - idw > 3)
			draw_text_cut(row, x + 14 + idw, w - 14 - idw, desc, role);
	}
	/* The bar has no room for every key: name the ones that work on
	 * this row (a topic's exclude list is otherwise undiscoverable). */
	if (h >= 3)
		draw_text_cut(y + h - 1, x + 1, w - 1, row_hint(selected(c)), ROLE_DIM);
}

static unsigned
rcpt_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	struct rcpt_view *rv = v->priv;
	struct compose *c = rv->c;
	struct nc_recipient *r = selected(c), blank;
	int page = app_body_h(a) - 3;

	(void)key;
	switch (req) {
	case REQ_MOVE_UP:
		if (c->rcpt_sel > 0)
			c->rcpt_sel--;
		break;
	case REQ_MOVE_DOWN:
		if (c->rcpt_sel + 1 < (int)c->ev.nto)
			c->rcpt_sel++;
		break;
	case REQ_PAGE_UP:
		c->rcpt_sel = c->rcpt_sel > page ? c->rcpt_sel - page : 0;
		break;
	case REQ_PAGE_DOWN:
		c->rcpt_sel += page;
		break;
	case REQ_MOVE_FIRST:
		c->rcpt_sel = 0;
		break;
	case REQ_MOVE_LAST:
		c->rcpt_sel = (int)c->ev.nto - 1;
		break;
	case REQ_RCPT_ADD_ID:
		dialog_input(a, "Add subscribers", "IDs", NULL, PK_SUBSCRIBER, ids_entered, c);
		break;
	case REQ_RCPT_ADD_TOPIC:
		dialog_input(a, "Add topics", "Topic key", NULL, PK_TOPIC, topic_entered, c);
		break;
	case REQ_RCPT_ADD_OBJECT:
		memset(&blank, 0, sizeof(blank));
		blank.kind = NC_RCPT_SUBSCRIBER;
		if (event_add_recipient(&c->ev, &blank) != NC_OK)
			break;
		c->rcpt_sel = (int)c->ev.nto - 1;
		subform_open(a, c, c->ev.nto - 1, 1);
		break;
	case REQ_RCPT_EXCLUDE:
		if (!r || r->kind != NC_RCPT_TOPIC) {
			app_message(a, MSG_INFO, "x edits the exclude list of a topic");
			break;
		} else {
			char buf[2048];
			size_t i, len = 0;

			buf[0] = '\0';
			for (i = 0; i < r->nexclude && len < sizeof(buf); i++)
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
				                        i ? ", " : "", r->exclude[i]);
			dialog_input(a, "Exclude from the topic", "IDs", buf, PK_SUBSCRIBER,
			             exclude_entered, c);
		}
		break;
	case REQ_PICK_SUBSCRIBERS:
		pick_open(a, LIST_SUBSCRIBERS, 1, subscribers_picked, c);
		break;
	case REQ_PICK_TOPICS:
		pick_open(a, LIST_TOPICS, 1, topics_picked, c);
		break;
	case REQ_IMPORT:
		dialog_input(a, "Import recipients (IDs one per line, or CSV with a header)",
		             "File", NULL, PK_PATH, import_entered, c);
		break;
	case REQ_EDIT:
		if (!r)
			break;
		if (r->kind == NC_RCPT_SUBSCRIBER)
			subform_open(a, c, (size_t)c->rcpt_sel, 0);
		else
			dialog_input(a, r->kind == NC_RCPT_TOPIC ? "Topic" : "Subscriber",
			             r->kind == NC_RCPT_TOPIC ? "Topic key" : "ID", r->id,
			             r->kind == NC_RCPT_TOPIC ? PK_TOPIC : PK_SUBSCRIBER, id_edited, c);
		break;
	case REQ_DELETE:
		if (!r)
			break;
		app_message(a, MSG_INFO, "removed %s", str_empty(r->id) ? "(no ID)" : r->id);
		event_remove_recipient(&c->ev, (size_t)c->rcpt_sel);
		if (c->rcpt_sel >= (int)c->ev.nto)
			c->rcpt_sel = (int)c->ev.nto - 1;
		rcpt_changed(a, c);
		break;
	case REQ_BACK:
		return UI_HANDLED | UI_POP | UI_REDRAW;
	default:
		return 0;
	}
	if (c->rcpt_sel >= (int)c->ev.nto)
		c->rcpt_sel = (int)c->ev.nto - 1;
	if (c->rcpt_sel < 0)
		c->rcpt_sel = 0;
	return UI_HANDLED | UI_REDRAW;
}

static const struct keymap *const rcpt_maps[] = { &km_recipients, &km_move, &km_global, NULL };

static const struct view_ops rcpt_ops = {
	.name = "recipients", .keymaps = rcpt_maps, .private_size = sizeof(struct rcpt_view),
	.draw = rcpt_draw, .handle = rcpt_handle,
};

void
rcpt_open(struct app *a, struct compose *c)
{
	struct rcpt_view *rv = view_push(a, &rcpt_ops);

	rv->c = c;
	app_redraw(a);
}
