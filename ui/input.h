/* input.h - where keys come from: the terminal, or a test script.
 *
 * Script format (NOVU_CONSOLE_SCRIPT, tig's TIG_SCRIPT idea), one step per
 * line:
 *   # comment               ignored, as are blank lines
 *   :save-screen FILE       dump the screen as text
 *   :resize COLS ROWS       resize the virtual terminal
 *   :wait                   wait until the worker is idle
 *   anything else           keys: plain text is typed character by
 *                           character; <Down> <Enter> <Esc> <Tab> <S-Tab>
 *                           <C-a> <M-f> <F1> <Space> <LT> ... are keys
 * Before each key the script waits for the worker to be idle, so runs are
 * deterministic without sleeps. The app quits when the script ends.
 */
#ifndef NC_UI_INPUT_H
#define NC_UI_INPUT_H

#include <stddef.h>

enum input_kind { IN_KEY, IN_COMMAND, IN_TIMEOUT, IN_EOF };

struct input_event {
	enum input_kind kind;
	int key;             /* IN_KEY: keymap.h key code */
	char command[1024];  /* IN_COMMAND: the line without the ':' */
};

struct ui_input;

/* script_path NULL: read the terminal. Returns NULL when the script cannot
 * be read (errno set). */
struct ui_input *input_new(const char *script_path);
void input_free(struct ui_input *in);
int input_is_script(const struct ui_input *in);

/* Next event. timeout_ms < 0 waits for a key; terminal only. */
void input_next(struct ui_input *in, int timeout_ms, struct input_event *ev);
/* Put a key back so the next input_next returns it first. */
void input_unget(struct ui_input *in, int key);

#endif
