/* crashguard.h - a crash must not leave the terminal raw.
 *
 * On SIGSEGV, SIGABRT, SIGBUS and SIGFPE the handler writes the terminfo
 * strings that undo curses' set-up (attributes, cursor, keypad, alternate
 * screen) and puts back the terminal modes saved before curses started,
 * using only write() and tcsetattr(), which are async-signal-safe (endwin()
 * is not). It then re-raises the signal with the default action, so the
 * exit status and the core dump are those of the crash.
 *
 * Test hook: NOVU_CONSOLE_TEST_CRASH=segv|abort|bus|fpe makes the console
 * raise that signal after its first frame (tests/screen/crash-test.sh).
 */
#ifndef NC_UI_CRASHGUARD_H
#define NC_UI_CRASHGUARD_H

/* Before curses touches the terminal: remember fd's modes. */
void crashguard_save(int fd);
/* After newterm(): note the reset strings and install the handlers. */
void crashguard_install(void);
/* Leave the handlers (the terminal is closed normally). */
void crashguard_remove(void);
/* Raise the signal NOVU_CONSOLE_TEST_CRASH names, if set. */
void crashguard_test_hook(void);

#endif
