/* draw.h - colour roles and the few drawing primitives every view uses.
 *
 * Text is UTF-8 everywhere; these functions measure it in terminal columns
 * (wide characters take two) so columns line up, and never draw past the
 * width they are given. All drawing goes to stdscr; the main loop does the
 * one doupdate() per pass.
 */
#ifndef NC_UI_DRAW_H
#define NC_UI_DRAW_H

#include "curses_compat.h"

/* Colour roles (ncdu's idea): role, foreground, background, attributes
 * with colour, attributes without colour (NO_COLOR or a mono terminal). */
#define UI_COLOR_INFO(C) \
	C(NORMAL,   -1,            -1,           A_NORMAL, A_NORMAL) \
	C(TOPBAR,   COLOR_BLACK,   COLOR_CYAN,   A_NORMAL, A_REVERSE) \
	C(TAB,      COLOR_WHITE,   COLOR_BLUE,   A_BOLD,   A_BOLD) \
	C(BAR,      COLOR_BLACK,   COLOR_WHITE,  A_NORMAL, A_REVERSE) \
	C(BARKEY,   COLOR_BLUE,    COLOR_WHITE,  A_BOLD,   A_BOLD) \
	C(CURSOR,   COLOR_BLACK,   COLOR_CYAN,   A_NORMAL, A_REVERSE) \
	C(MARKED,   COLOR_YELLOW,  -1,           A_BOLD,   A_BOLD) \
	C(LABEL,    -1,            -1,           A_BOLD,   A_BOLD) \
	C(TITLE,    COLOR_CYAN,    -1,           A_BOLD,   A_BOLD | A_UNDERLINE) \
	C(DIM,      COLOR_BLUE,    -1,           A_NORMAL, A_DIM) \
	C(OK,       COLOR_GREEN,   -1,           A_BOLD,   A_BOLD) \
	C(WARN,     COLOR_YELLOW,  -1,           A_BOLD,   A_BOLD) \
	C(ERROR,    COLOR_RED,     -1,           A_BOLD,   A_BOLD) \
	C(READONLY, COLOR_WHITE,   COLOR_RED,    A_BOLD,   A_BOLD | A_REVERSE) \
	C(SANDBOX,  COLOR_BLACK,   COLOR_YELLOW, A_NORMAL, A_REVERSE) \
	C(BOX,      -1,            -1,           A_NORMAL, A_NORMAL) \
	C(INPUT,    COLOR_WHITE,   COLOR_BLACK,  A_NORMAL, A_UNDERLINE)

enum ui_role {
#define UI_ROLE_ENUM(role, fg, bg, attr, mono) ROLE_##role,
	UI_COLOR_INFO(UI_ROLE_ENUM)
#undef UI_ROLE_ENUM
	ROLE_COUNT
};

/* Set up colour pairs unless NO_COLOR is set (non-empty) or the terminal
 * has no colours. */
void ui_colors_init(void);
int ui_colors_enabled(void);
attr_t ui_attr(enum ui_role role);

/* Draw UTF-8 text at (y, x) in at most w columns with the role's attributes;
 * control characters show as '?'. Returns the columns used. */
int draw_text(int y, int x, int w, const char *s, enum ui_role role);
/* The same, then blanks up to w columns. */
void draw_text_pad(int y, int x, int w, const char *s, enum ui_role role);
/* Text that does not fit ends in "~" so a cut is visible. */
int draw_text_cut(int y, int x, int w, const char *s, enum ui_role role);
/* Blank w columns with the role's attributes. */
void draw_blank(int y, int x, int w, enum ui_role role);
/* A framed box with a title in the top border; the inside is cleared. */
void draw_box(int y, int x, int h, int w, const char *title);
/* Word-wrap text into lines of at most w columns; returns the number of
 * lines, fills out[i] with malloc'd strings up to max (caller frees). Hard
 * newlines are kept. */
int wrap_text(const char *text, int w, char **out, int max);

#endif
