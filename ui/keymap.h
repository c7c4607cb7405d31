/* keymap.h - every action the console knows, declared once with its help
 * text, and the tables that bind keys to those actions.
 *
 * Keys never call functions: a key maps to a request (enum ui_req), and the
 * view in front decides what the request means there. The help screen, the
 * bottom bar and `novu-console keys` are all generated from these tables,
 * so they cannot drift from the real bindings.
 *
 * Key codes (int): a Unicode code point for text and control characters
 * (Ctrl+S is 19, Esc 27, Enter 13), UK_FN + KEY_xxx for curses function
 * keys, UK_META | c for Alt+c.
 */
#ifndef NC_UI_KEYMAP_H
#define NC_UI_KEYMAP_H

#include <stddef.h>
#include <stdio.h>

#define UK_FN     0x200000
#define UK_META   0x400000
#define UK(k)     (UK_FN + (k))       /* curses KEY_xxx */
#define UK_CTRL(c) ((c) & 0x1f)
#define UK_ESC    27
#define UK_ENTER  13
#define UK_TAB    9
#define UK_NONE   (-1)

/* Requests, grouped as the help screen shows them:
 * REQ_(NAME, "bar label", "help text"). */
#define UI_REQ_INFO(REQ_) \
	REQ_(NONE,            "",           "") \
	/* global */ \
	REQ_(HELP,            "Help",       "Show help: every key, generated from the key tables") \
	REQ_(QUIT,            "Quit",       "Quit (asks first while a request is running)") \
	REQ_(BACK,            "Back",       "Close the view or dialog; stop a list load (not a send)") \
	REQ_(STOP_SEND,       "Stop send",  "Stop waiting for a send (asks y/N; recorded as unknown)") \
	REQ_(SCREEN_TRIGGER,  "Trigger",    "Go to the Trigger screen") \
	REQ_(SCREEN_BROADCAST,"Broadcast",  "Go to the Broadcast screen") \
	REQ_(SCREEN_BULK,     "Bulk",       "Go to the Bulk builder") \
	REQ_(SCREEN_HISTORY,  "History",    "Go to the History screen") \
	REQ_(SCREEN_ERRORS,   "Errors",     "Go to the Errors screen") \
	REQ_(SCREEN_ACTIVITY, "Activity",   "Go to the Activity screen (pending delays and digests, whoever sent them)") \
	REQ_(NEXT_SCREEN,     "Next",       "Next screen") \
	REQ_(PREV_SCREEN,     "Prev",       "Previous screen") \
	REQ_(REDRAW,          "Redraw",     "Redraw the whole screen") \
	/* movement */ \
	REQ_(MOVE_UP,         "Up",         "Move up") \
	REQ_(MOVE_DOWN,       "Down",       "Move down") \
	REQ_(PAGE_UP,         "PgUp",       "Move up one page") \
	REQ_(PAGE_DOWN,       "PgDn",       "Move down one page") \
	REQ_(MOVE_FIRST,      "First",      "Go to the first line") \
	REQ_(MOVE_LAST,       "Last",       "Go to the last line") \
	REQ_(FILTER,          "Filter",     "Filter the list (type, Enter; empty clears)") \
	/* forms */ \
	REQ_(EDIT,            "Edit",       "Edit the selected field or item") \
	REQ_(EDIT_EXTERNAL,   "$EDITOR",    "Edit the JSON field in $VISUAL / $EDITOR") \
	REQ_(SEND,            "Send",       "Send the request") \
	REQ_(PREVIEW,         "Preview",    "Show the exact request that would be sent (key masked)") \
	REQ_(STEP_PREVIEW,    "View steps", "Show each step as Novu renders it (nothing is sent)") \
	REQ_(COPY_CURL,       "curl",       "Copy as curl (uses $NOVU_SECRET_KEY): clipboard via OSC 52 and a file") \
	REQ_(PICK_WORKFLOW,   "Workflow",   "Pick the workflow from the API list") \
	REQ_(RECIPIENTS,      "Recipients", "Open the recipients editor") \
	REQ_(PREFILL,         "Example",    "Fill the payload from the workflow's payloadExample") \
	REQ_(NEW_TXN,         "New id",     "Generate a new transactionId") \
	REQ_(CLEAR_FIELD,     "Clear",      "Clear the selected field") \
	REQ_(RESET_FORM,      "Reset",      "Empty the whole form (asks first)") \
	/* payload form */ \
	REQ_(ADD_ITEM,        "Add item",   "Add an item to the array (its default, or an empty value)") \
	REQ_(JSON_VIEW,       "JSON",       "Show the payload as JSON text (Esc comes back to the form)") \
	/* recipients */ \
	REQ_(RCPT_ADD_ID,     "Add ID",     "Add subscriber IDs (several: separate with blanks or commas)") \
	REQ_(RCPT_ADD_OBJECT, "Add object", "Add a subscriber object (email, phone, names, locale, timezone, data)") \
	REQ_(RCPT_ADD_TOPIC,  "Add topic",  "Add a topic") \
	REQ_(RCPT_EXCLUDE,    "Exclude",    "Edit the selected topic's exclude list") \
	REQ_(PICK_SUBSCRIBERS,"Subscribers","Pick subscribers from the API list") \
	REQ_(PICK_TOPICS,     "Topics",     "Pick topics from the API list") \
	REQ_(IMPORT,          "Import",     "Import a file (recipients: IDs or CSV; events: CSV, JSON Lines, JSON)") \
	REQ_(DELETE,          "Delete",     "Remove the selected item") \
	/* bulk */ \
	REQ_(ADD,             "Add",        "Add an event") \
	REQ_(DUPLICATE,       "Dup",        "Duplicate the selected event") \
	REQ_(MOVE_ITEM_UP,    "Move up",    "Move the selected event up") \
	REQ_(MOVE_ITEM_DOWN,  "Move down",  "Move the selected event down") \
	REQ_(RESUME,          "Resume",     "Resume the last stopped bulk run (sends only unfinished requests)") \
	REQ_(DROP_RUN,        "Drop run",   "Drop the last stopped bulk run: its events not sent yet never go (asks y/N)") \
	REQ_(CLEAR_SENT,      "Clear sent", "Remove the events already processed from the list (History keeps them)") \
	/* history */ \
	REQ_(DETAIL,          "Detail",     "Show the details (stored request and response)") \
	REQ_(CANCEL_TX,       "Cancel",     "Cancel the selected transaction (asks y/N)") \
	REQ_(MARK,            "Mark",       "Mark / unmark for cancelling several at once") \
	REQ_(CANCEL_MARKED,   "Cancel all", "Cancel every marked transaction (asks y/N)") \
	REQ_(REFRESH_STATUS,  "Status",     "Fetch the delivery status (GET /v1/notifications)") \
	REQ_(COPY_TXN,        "Copy id",    "Copy the transactionId (OSC 52 and a file)") \
	REQ_(RESEND,          "Resend",     "Send the request again with a new transactionId (asks y/N)") \
	REQ_(TO_FORM,         "To form",    "Load the request into its form to change it") \
	REQ_(RELOAD,          "Reload",     "Reload the list") \
	/* activity */ \
	REQ_(STEPS,           "Steps",      "Show the transaction's steps and their statuses") \
	REQ_(TOGGLE_PENDING,  "Pending only","Show only transactions with a delay or digest waiting, or all") \
	REQ_(AUTO_REFRESH,    "Auto",       "Refresh every N seconds (skipped while a request runs; 0: off)") \
	/* errors */ \
	REQ_(JUMP_FIELD,      "Go to field","Jump to the form field the error names") \
	REQ_(CLEAR_LOG,       "Clear",      "Forget the errors listed") \
	/* dialogs, editors */ \
	REQ_(YES,             "Yes",        "Confirm") \
	REQ_(ACCEPT,          "OK",         "Accept") \
	REQ_(COMPLETE,        "Complete",   "Complete from the API lists and history (Tab twice: list)") \
	REQ_(FORMAT_JSON,     "Format",     "Pretty-print the JSON (when it parses)") \
	REQ_(DONE,            "Done",       "Close the editor (text is kept, JSON is checked)")

enum ui_req {
#define UI_REQ_ENUM(name, label, help) REQ_##name,
	UI_REQ_INFO(UI_REQ_ENUM)
#undef UI_REQ_ENUM
	REQ_COUNT
};

const char *ui_req_label(enum ui_req r);
const char *ui_req_help(enum ui_req r);

/* KB_BAR: show in the bottom bar of views using this keymap. */
#define KB_BAR 1u

struct keybind {
	int key;
	enum ui_req req;
	unsigned flags;
};

struct keymap {
	const char *name;            /* "Global", "History", ... */
	const struct keybind *binds;
	size_t n;
	const char *note;            /* extra help line, or NULL */
};

/* The tables (keymap.c). Views list the ones they use, most specific
 * first, NULL-terminated. */
extern const struct keymap km_global, km_move, km_form, km_broadcast_form, km_payload_form,
	km_recipients, km_subscriber, km_bulk, km_history, km_errors, km_activity, km_viewer,
	km_picker,
	km_confirm, km_dialog, km_textedit, km_prompt, km_help;

/* First request bound to key in the maps, REQ_NONE if none. */
enum ui_req keymap_lookup(const struct keymap *const *maps, int key);
/* Short key name for bars and help: "^S", "Enter", "F1", "Down", "q". */
void keymap_key_name(int key, char *buf, size_t size);
/* Parse a script key token without the angle brackets ("Down", "C-a",
 * "F1", "Enter", "Esc", "Tab", "S-Tab", "M-f", "Space", "LT"). UK_NONE when
 * unknown. */
int keymap_parse_key(const char *name);
/* Keys bound to req in map, joined with ", " into buf ("j, Down"). */
void keymap_keys_for(const struct keymap *map, enum ui_req req, char *buf, size_t size);
/* All keymaps in help order, NULL-terminated. */
extern const struct keymap *const km_all[];

/* One help entry: the keys bound to a request in a map and its help text.
 * Calls fn for each map title (keys NULL), each entry, and each map's
 * note (keys ""). */
typedef void (*keymap_help_fn)(void *ctx, const char *keys, const char *text);
void keymap_walk_help(keymap_help_fn fn, void *ctx);

#endif
