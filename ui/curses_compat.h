/* curses_compat.h - the only file that includes the ncursesw header.
 *
 * Every ui/ file that draws includes this instead of <curses.h>, so the
 * wide-character API (get_wch, mvwinnwstr, add_wch...) is declared the same
 * way everywhere, whatever feature macros the build passes.
 */
#ifndef NC_UI_CURSES_COMPAT_H
#define NC_UI_CURSES_COMPAT_H

/* Ask for the XPG4 wide-character curses interface explicitly: the build
 * passes _XOPEN_SOURCE=600 (which implies it) but a different pkg-config
 * or a plain -lncursesw build may not. */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <wchar.h>
#include <curses.h>

#endif
