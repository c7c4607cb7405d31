/* compose_draw.c - the form on screen: one row per field, the payload over several rows when there is room, the result and the focused field's hint or problem. */
#include "compose_int.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "clock.h"
#include "dialog.h"
#include "draft.h"
#include "draw.h"
#include "errlog.h"
#include "jsonutil.h"
#include "lists.h"
#include "prompt.h"
#include "uiops.h"
#include "viewer.h"
#include "worker.h"

/* ---- drawing ---- */

struct fline {
	int field;
	int sub;     /* 0: the field's row; k > 0: line k of a JSON value */
};

static int
count_lines(const char *s)
{
	int n = 1;

	if (str_empty(s))
		return 1;
	for (; *s; s++)
		n += *s == '\n';
	if (s[-1] == '\n')
		n--;
	return n;
}

/* Line k (0-based) of s into a malloc'd string. */
static char *
nth_line(const char *s, int k)
{
	const char *end;

	if (!s)
		return must_strdup("");
	while (k-- > 0) {
		s = strchr(s, '\n');
		if (!s)
			return must_strdup("");
		s++;
	}
	end = strchr(s, '\n');
	return end ? must_strndup(s, (size_t)(end - s)) : must_strdup(s);
}

static void
draw_value(struct app *a, struct compose *c, int f, int y, int x, int w)
{
	char buf[512];
	const struct nc_workflow *wf;
	char *line;
	int used;

	switch (f) {
	case CF_WORKFLOW:
		if (str_empty(c->ev.workflow)) {
			draw_text(y, x, w, "(none)", ROLE_DIM);
			return;
		}
		used = draw_text_cut(y, x, w, c->ev.workflow, ROLE_NORMAL);
		wf = lists_workflow(a, c->ev.workflow);
		if (wf && w - used > 4) {
			int active = wf->status && strcmp(wf->status, "ACTIVE") == 0;

			snprintf(buf, sizeof(buf), "  %s%s%s", wf->status ? wf->status : "?",
			         str_empty(wf->steps) ? "" : " · ", wf->steps ? wf->steps : "");
			draw_text_cut(y, x + used, w - used, buf, active ? ROLE_DIM : ROLE_WARN);
		} else if (!wf && (a->lists->loaded & LIST_WORKFLOWS) && w - used > 4) {
			draw_text_cut(y, x + used, w - used, "  (not in the workflow list)", ROLE_WARN);
		}
		return;
	case CF_RECIPIENTS: {
		char *sum = event_recipients_summary(&c->ev, sizeof(buf));

		snprintf(buf, sizeof(buf), "%zu/%d", c->ev.nto, NC_MAX_RECIPIENTS);
		used = draw_text(y, x, w, buf, c->ev.nto > NC_MAX_RECIPIENTS ? ROLE_ERROR :
		                 c->ev.nto ? ROLE_LABEL : ROLE_DIM);
		if (c->ev.nto && sum)
			draw_text_cut(y, x + used + 2, w - used - 2, sum, ROLE_NORMAL);
		else if (!c->ev.nto)
			draw_text(y, x + used + 2, w - used - 2, "(none)", ROLE_DIM);
		free(sum);
		return;
	}
	case CF_IDEM:
		if (!str_empty(c->idem))
			draw_text_cut(y, x, w, c->idem, ROLE_NORMAL);
		else if (c->auto_idem)
			draw_text_cut(y, x, w, c->auto_idem, ROLE_DIM);
		else
			draw_text(y, x, w, "(generated per send)", ROLE_DIM);
		return;
	default:
		break;
	}
	{
		char **slot = field_slot(c, f);
		const char *v = slot ? *slot : NULL;

		if (str_empty(v)) {
			draw_text(y, x, w, field_is_json(f) ? "{}" : "(optional)", ROLE_DIM);
			return;
		}
		/* The payload gets rows of its own when there is room;
		 * otherwise JSON is shown on one line. */
		line = f == CF_PAYLOAD && c->payload_rows > 1 ? nth_line(v, 0) : str_one_line(v);
		draw_text_cut(y, x, w, line, ROLE_NORMAL);
		free(line);
	}
}

static void
draw_field_row(struct app *a, struct compose *c, int f, int y, int x, int w)
{
	int focused = c->focus == f;
	char label[32];

	if (c->errors[f])
		draw_text(y, x, 1, "!", ROLE_ERROR);
	else if (focused)
		draw_text(y, x, 1, ">", ROLE_LABEL);
	snprintf(label, sizeof(label), "%-*s", LABEL_W - 1, compose_fields[f].label);
	draw_text(y, x + 1, LABEL_W - 1, label, focused ? ROLE_CURSOR : ROLE_LABEL);
	if (c->editing == f && prompt_active(a)) {
		prompt_anchor(a, y, x + LABEL_W + 1, w - LABEL_W - 1);
		return;
	}
	draw_value(a, c, f, y, x + LABEL_W + 1, w - LABEL_W - 1);
}

static const char *
mode_header(const struct compose *c)
{
	switch (c->mode) {
	case CM_TRIGGER:
		return "POST /v1/events/trigger  (at most 100 recipients)";
	case CM_BROADCAST:
		return "POST /v1/events/trigger/broadcast  (every subscriber)";
	default:
		return "Bulk event  (Esc: back to the list)";
	}
}

void
compose_draw(struct app *a, struct compose *c, int y, int x, int h, int w)
{
	struct fline lines[CF_COUNT + 16];
	int nl = 0, nvis = 0, f, k, extra, avail, header, first, i, focus_line = 0;
	int payload_lines = count_lines(c->ev.payload_json);

	for (f = 0; f < CF_COUNT; f++)
		nvis += field_visible(c, f);
	header = h >= nvis + 4;
	avail = h - 2 - header;      /* result and problem lines at the bottom */
	extra = avail - nvis;
	for (f = 0; f < CF_COUNT; f++) {
		if (!field_visible(c, f))
			continue;
		if (f == c->focus)
			focus_line = nl;
		lines[nl].field = f;
		lines[nl++].sub = 0;
		if (f == CF_PAYLOAD) {
			/* All of it or one line: a cut JSON text misleads. */
			c->payload_rows = payload_lines > 1 && payload_lines - 1 <= extra ?
				payload_lines : 1;
			for (k = 1; k < c->payload_rows; k++, extra--) {
				lines[nl].field = f;
				lines[nl++].sub = k;
			}
		}
	}
	if (avail < 1)
		avail = 1;
	/* Keep the focused field in view. */
	if (c->top > focus_line)
		c->top = focus_line;
	if (c->top < focus_line - avail + 1)
		c->top = focus_line - avail + 1;
	if (c->top > nl - avail)
		c->top = nl - avail;
	if (c->top < 0)
		c->top = 0;
	first = c->top;
	if (header)
		draw_text_cut(y++, x + 1, w - 1, mode_header(c), ROLE_DIM);
	for (i = 0; i < avail && first + i < nl; i++) {
		struct fline *l = &lines[first + i];

		if (l->sub == 0) {
			draw_field_row(a, c, l->field, y + i, x, w);
		} else {
			char *text = nth_line(c->ev.payload_json, l->sub);

			draw_text_cut(y + i, x + LABEL_W + 1, w - LABEL_W - 1, text, ROLE_NORMAL);
			free(text);
		}
	}
	y += avail;
	if (c->result)
		draw_text_cut(y, x + 1, w - 1, c->result,
		              c->result_kind == MSG_OK ? ROLE_OK :
		              c->result_kind == MSG_ERROR ? ROLE_ERROR : ROLE_WARN);
	y++;
	if (c->focus >= 0 && c->errors[c->focus]) {
		char *msg = must_asprintf("! %s", c->errors[c->focus]);

		draw_text_cut(y, x + 1, w - 1, msg, ROLE_ERROR);
		free(msg);
	} else if (c->focus == CF_PAYLOAD && compose_schema(c)) {
		draw_text_cut(y, x + 1, w - 1, "Enter: the form from the workflow's payloadSchema  "
		              "E/F4: $EDITOR  x: payloadExample", ROLE_DIM);
	} else if (c->focus >= 0) {
		draw_text_cut(y, x + 1, w - 1, compose_fields[c->focus].hint, ROLE_DIM);
	}
}

