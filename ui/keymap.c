/* keymap.c - the key tables, key names and lookup. */
#include "keymap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curses_compat.h"

static const struct {
	const char *label, *help;
} req_info[] = {
#define UI_REQ_ROW(name, label, help) { label, help },
	UI_REQ_INFO(UI_REQ_ROW)
#undef UI_REQ_ROW
};

const char *
ui_req_label(enum ui_req r)
{
	return (unsigned)r < REQ_COUNT ? req_info[r].label : "";
}

const char *
ui_req_help(enum ui_req r)
{
	return (unsigned)r < REQ_COUNT ? req_info[r].help : "";
}

#define KM(var, title, note, ...) \
	static const struct keybind var##_binds[] = { __VA_ARGS__ }; \
	const struct keymap var = { title, var##_binds, \
		sizeof(var##_binds) / sizeof(var##_binds[0]), note }

KM(km_global, "Global (every screen)", NULL,
	{ '?', REQ_HELP, KB_BAR }, { UK(KEY_F(1)), REQ_HELP, 0 },
	{ 'q', REQ_QUIT, KB_BAR }, { UK_CTRL('c'), REQ_QUIT, 0 },
	{ UK_ESC, REQ_BACK, 0 }, { UK_CTRL('x'), REQ_STOP_SEND, 0 },
	{ '1', REQ_SCREEN_TRIGGER, 0 }, { '2', REQ_SCREEN_BROADCAST, 0 },
	{ '3', REQ_SCREEN_BULK, 0 }, { '4', REQ_SCREEN_HISTORY, 0 },
	{ '5', REQ_SCREEN_ERRORS, 0 }, { '6', REQ_SCREEN_ACTIVITY, 0 },
	{ UK_TAB, REQ_NEXT_SCREEN, 0 }, { UK(KEY_BTAB), REQ_PREV_SCREEN, 0 },
	{ UK_CTRL('l'), REQ_REDRAW, 0 });

KM(km_move, "Moving in lists and views", NULL,
	{ UK(KEY_UP), REQ_MOVE_UP, 0 }, { 'k', REQ_MOVE_UP, 0 },
	{ UK(KEY_DOWN), REQ_MOVE_DOWN, 0 }, { 'j', REQ_MOVE_DOWN, 0 },
	{ UK(KEY_PPAGE), REQ_PAGE_UP, 0 }, { UK(KEY_NPAGE), REQ_PAGE_DOWN, 0 },
	{ UK(KEY_HOME), REQ_MOVE_FIRST, 0 }, { 'g', REQ_MOVE_FIRST, 0 },
	{ UK(KEY_END), REQ_MOVE_LAST, 0 }, { 'G', REQ_MOVE_LAST, 0 });

KM(km_form, "Trigger form (also a bulk event)", NULL,
	{ UK_ENTER, REQ_EDIT, KB_BAR }, { 'e', REQ_EDIT, 0 },
	{ UK_CTRL('s'), REQ_SEND, KB_BAR }, { 'S', REQ_SEND, 0 },
	{ 'w', REQ_PICK_WORKFLOW, KB_BAR }, { 'r', REQ_RECIPIENTS, KB_BAR },
	{ 'p', REQ_PREVIEW, KB_BAR }, { 'v', REQ_STEP_PREVIEW, 0 },
	{ 'y', REQ_COPY_CURL, KB_BAR },
	{ 'E', REQ_EDIT_EXTERNAL, 0 }, { UK(KEY_F(4)), REQ_EDIT_EXTERNAL, 0 },
	{ 'x', REQ_PREFILL, 0 }, { 'n', REQ_NEW_TXN, 0 },
	{ UK(KEY_DC), REQ_CLEAR_FIELD, 0 }, { 'X', REQ_RESET_FORM, 0 });

KM(km_broadcast_form, "Broadcast form", NULL,
	{ UK_ENTER, REQ_EDIT, KB_BAR }, { 'e', REQ_EDIT, 0 },
	{ UK_CTRL('s'), REQ_SEND, KB_BAR }, { 'S', REQ_SEND, 0 },
	{ 'w', REQ_PICK_WORKFLOW, KB_BAR },
	{ 'p', REQ_PREVIEW, KB_BAR }, { 'v', REQ_STEP_PREVIEW, 0 },
	{ 'y', REQ_COPY_CURL, KB_BAR },
	{ 'E', REQ_EDIT_EXTERNAL, 0 }, { UK(KEY_F(4)), REQ_EDIT_EXTERNAL, 0 },
	{ 'x', REQ_PREFILL, 0 }, { 'n', REQ_NEW_TXN, 0 },
	{ UK(KEY_DC), REQ_CLEAR_FIELD, 0 }, { 'X', REQ_RESET_FORM, 0 });

KM(km_payload_form, "Payload form (from the workflow's payloadSchema)",
	"Rows marked * are required, ! have a problem; the JSON view edits the same text.",
	{ UK_ENTER, REQ_EDIT, KB_BAR }, { 'e', REQ_EDIT, 0 },
	{ 'a', REQ_ADD_ITEM, KB_BAR }, { 'd', REQ_DELETE, KB_BAR },
	{ UK(KEY_DC), REQ_CLEAR_FIELD, 0 }, { 'J', REQ_JSON_VIEW, KB_BAR },
	{ UK(KEY_F(2)), REQ_JSON_VIEW, 0 },
	{ UK_CTRL('s'), REQ_SEND, KB_BAR }, { 'S', REQ_SEND, 0 });

KM(km_recipients, "Recipients editor", NULL,
	{ 'a', REQ_RCPT_ADD_ID, KB_BAR }, { 'o', REQ_RCPT_ADD_OBJECT, KB_BAR },
	{ 't', REQ_RCPT_ADD_TOPIC, KB_BAR }, { 's', REQ_PICK_SUBSCRIBERS, KB_BAR },
	{ 'T', REQ_PICK_TOPICS, 0 }, { 'x', REQ_RCPT_EXCLUDE, 0 },
	{ 'i', REQ_IMPORT, KB_BAR }, { UK_ENTER, REQ_EDIT, 0 }, { 'e', REQ_EDIT, 0 },
	{ 'd', REQ_DELETE, KB_BAR }, { UK(KEY_DC), REQ_DELETE, 0 });

KM(km_subscriber, "Subscriber object (in the recipients editor)", NULL,
	{ UK_ENTER, REQ_EDIT, KB_BAR }, { 'e', REQ_EDIT, 0 },
	{ 'E', REQ_EDIT_EXTERNAL, KB_BAR }, { UK(KEY_F(4)), REQ_EDIT_EXTERNAL, 0 },
	{ UK(KEY_DC), REQ_CLEAR_FIELD, KB_BAR });

KM(km_bulk, "Bulk builder", NULL,
	{ 'a', REQ_ADD, KB_BAR }, { UK_ENTER, REQ_EDIT, KB_BAR }, { 'e', REQ_EDIT, 0 },
	{ 'D', REQ_DUPLICATE, KB_BAR }, { 'd', REQ_DELETE, KB_BAR },
	{ UK(KEY_DC), REQ_DELETE, 0 },
	{ 'K', REQ_MOVE_ITEM_UP, 0 }, { 'J', REQ_MOVE_ITEM_DOWN, 0 },
	{ 'i', REQ_IMPORT, KB_BAR }, { UK_CTRL('s'), REQ_SEND, KB_BAR },
	{ 'S', REQ_SEND, 0 }, { 'p', REQ_PREVIEW, 0 }, { 'y', REQ_COPY_CURL, 0 },
	{ 'R', REQ_RESUME, 0 }, { 'A', REQ_DROP_RUN, 0 }, { 'X', REQ_CLEAR_SENT, 0 });

KM(km_history, "History", NULL,
	{ UK_ENTER, REQ_DETAIL, KB_BAR }, { 'c', REQ_CANCEL_TX, KB_BAR },
	{ ' ', REQ_MARK, KB_BAR }, { 'C', REQ_CANCEL_MARKED, KB_BAR },
	{ 'u', REQ_REFRESH_STATUS, KB_BAR }, { 'y', REQ_COPY_TXN, KB_BAR },
	{ 'R', REQ_RESEND, KB_BAR }, { 'o', REQ_TO_FORM, 0 },
	{ '/', REQ_FILTER, KB_BAR }, { 'r', REQ_RELOAD, 0 });

KM(km_errors, "Errors", NULL,
	{ UK_ENTER, REQ_DETAIL, KB_BAR }, { 'f', REQ_JUMP_FIELD, KB_BAR },
	{ '/', REQ_FILTER, KB_BAR }, { 'D', REQ_CLEAR_LOG, 0 });

KM(km_activity, "Activity", "The filter line takes subscriber=ID workflow=ID topic=KEY "
	"since=2h (or an ISO 8601 time); PENDING marks what can still be cancelled.",
	{ UK_ENTER, REQ_STEPS, KB_BAR }, { 'c', REQ_CANCEL_TX, KB_BAR },
	{ ' ', REQ_MARK, KB_BAR }, { 'C', REQ_CANCEL_MARKED, KB_BAR },
	{ 'r', REQ_RELOAD, KB_BAR }, { 'P', REQ_TOGGLE_PENDING, KB_BAR },
	{ '/', REQ_FILTER, KB_BAR }, { 'a', REQ_AUTO_REFRESH, 0 });

/* Pagers close on q, as less and tig do (q quits only on a screen). */
KM(km_viewer, "Detail and preview views", NULL,
	{ UK_ESC, REQ_BACK, 0 }, { 'q', REQ_BACK, 0 },
	{ 'y', REQ_COPY_CURL, KB_BAR }, { 'f', REQ_JUMP_FIELD, KB_BAR },
	{ 'u', REQ_REFRESH_STATUS, KB_BAR }, { 'c', REQ_CANCEL_TX, KB_BAR },
	{ ' ', REQ_PAGE_DOWN, 0 }, { 'b', REQ_PAGE_UP, 0 });

KM(km_picker, "Pick lists (workflows, subscribers, topics)", NULL,
	{ UK_ENTER, REQ_ACCEPT, KB_BAR }, { ' ', REQ_MARK, KB_BAR },
	{ '/', REQ_FILTER, KB_BAR }, { 'r', REQ_RELOAD, KB_BAR });

KM(km_confirm, "Confirmation dialogs", "Any other key answers no.",
	{ 'y', REQ_YES, KB_BAR }, { 'Y', REQ_YES, 0 },
	{ 'n', REQ_BACK, KB_BAR }, { 'N', REQ_BACK, 0 }, { UK_ESC, REQ_BACK, 0 });

KM(km_dialog, "Messages and typed confirmations", "A broadcast asks you to type the "
	"workflow ID: only that exact text confirms.",
	{ UK_ENTER, REQ_ACCEPT, KB_BAR }, { UK_ESC, REQ_BACK, KB_BAR });

KM(km_textedit, "JSON editor", "Arrows, Home/End, PgUp/PgDn move; Enter breaks the line; "
	"Bksp/Del delete; the text is never thrown away.",
	{ UK_ESC, REQ_DONE, KB_BAR }, { UK(KEY_F(3)), REQ_FORMAT_JSON, KB_BAR },
	{ UK_CTRL('o'), REQ_FORMAT_JSON, 0 }, { UK(KEY_F(4)), REQ_EDIT_EXTERNAL, KB_BAR });

KM(km_prompt, "Editing a field (GNU readline)",
	"Other keys are readline's emacs bindings: ^A ^E ^B ^F M-b M-f move, ^K ^U ^W "
	"kill, ^Y yank, ^_ undo, Up/Down this field's history, ^R search it.",
	{ UK_ENTER, REQ_ACCEPT, KB_BAR }, { UK_ESC, REQ_BACK, KB_BAR },
	{ UK_TAB, REQ_COMPLETE, KB_BAR });

KM(km_help, "Help", NULL,
	{ 'q', REQ_BACK, 0 });

const struct keymap *const km_all[] = {
	&km_global, &km_move, &km_form, &km_broadcast_form, &km_payload_form, &km_recipients,
	&km_subscriber, &km_bulk, &km_history, &km_errors, &km_activity, &km_viewer, &km_picker,
	&km_confirm, &km_dialog,
	&km_textedit, &km_prompt, NULL
};

enum ui_req
keymap_lookup(const struct keymap *const *maps, int key)
{
	size_t i;

	for (; maps && *maps; maps++)
		for (i = 0; i < (*maps)->n; i++)
			if ((*maps)->binds[i].key == key)
				return (*maps)->binds[i].req;
	return REQ_NONE;
}

static const struct {
	const char *name;
	int key;
} key_names[] = {
	{ "Enter", UK_ENTER }, { "Esc", UK_ESC }, { "Tab", UK_TAB },
	{ "S-Tab", UK(KEY_BTAB) }, { "Space", ' ' }, { "Up", UK(KEY_UP) },
	{ "Down", UK(KEY_DOWN) }, { "Left", UK(KEY_LEFT) }, { "Right", UK(KEY_RIGHT) },
	{ "PgUp", UK(KEY_PPAGE) }, { "PgDn", UK(KEY_NPAGE) },
	{ "PageUp", UK(KEY_PPAGE) }, { "PageDown", UK(KEY_NPAGE) },
	{ "Home", UK(KEY_HOME) }, { "End", UK(KEY_END) }, { "Del", UK(KEY_DC) },
	{ "Delete", UK(KEY_DC) }, { "Ins", UK(KEY_IC) },
	{ "Bksp", UK(KEY_BACKSPACE) }, { "Backspace", UK(KEY_BACKSPACE) },
	{ "LT", '<' }, { "Colon", ':' }, { "Hash", '#' },
};

static void
put_utf8(int cp, char *buf, size_t size)
{
	unsigned char u[5] = { 0 };

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		u[0] = (unsigned char)(0xf0 | (cp >> 18));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
	}
	snprintf(buf, size, "%s", (const char *)u);
}

void
keymap_key_name(int key, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
		/* Prefer the first spelling; skip the script-only aliases. */
		if (key_names[i].key == key && strcmp(key_names[i].name, "LT") &&
		    strcmp(key_names[i].name, "Colon") && strcmp(key_names[i].name, "Hash")) {
			snprintf(buf, size, "%s", key_names[i].name);
			return;
		}
	}
	if (key >= UK(KEY_F(1)) && key <= UK(KEY_F(24))) {
		snprintf(buf, size, "F%d", key - UK(KEY_F0));
	} else if (key & UK_META) {
		char c[8];

		put_utf8(key & ~UK_META, c, sizeof(c));
		snprintf(buf, size, "M-%s", c);
	} else if (key > 0 && key < 32) {
		snprintf(buf, size, "^%c", key + '@');
	} else if (key >= 32 && key < UK_FN) {
		put_utf8(key, buf, size);
	} else {
		snprintf(buf, size, "key%d", key);
	}
}

int
keymap_parse_key(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
		if (strcasecmp(key_names[i].name, name) == 0)
			return key_names[i].key;
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
		int n = atoi(name + 1);

		if (n >= 1 && n <= 24)
			return UK(KEY_F(n));
	}
	if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] && !name[3])
		return UK_CTRL(name[2]);
	if ((name[0] == 'M' || name[0] == 'm') && name[1] == '-' && name[2] && !name[3])
		return UK_META | (unsigned char)name[2];
	return UK_NONE;
}

void
keymap_keys_for(const struct keymap *map, enum ui_req req, char *buf, size_t size)
{
	size_t i, len = 0;
	char name[32];

	buf[0] = '\0';
	for (i = 0; i < map->n; i++) {
		if (map->binds[i].req != req)
			continue;
		keymap_key_name(map->binds[i].key, name, sizeof(name));
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
		                        len ? ", " : "", name);
		if (len >= size)
			break;
	}
}

void
keymap_walk_help(keymap_help_fn fn, void *ctx)
{
	const struct keymap *const *m;
	char keys[128];
	size_t i, j;

	for (m = km_all; *m; m++) {
		fn(ctx, NULL, (*m)->name);
		for (i = 0; i < (*m)->n; i++) {
			enum ui_req req = (*m)->binds[i].req;

			/* Once per request, at its first binding. */
			for (j = 0; j < i && (*m)->binds[j].req != req; j++)
				;
			if (j < i)
				continue;
			keymap_keys_for(*m, req, keys, sizeof(keys));
			fn(ctx, keys, ui_req_help(req));
		}
		if ((*m)->note)
			fn(ctx, "", (*m)->note);
	}
}
