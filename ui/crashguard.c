/* crashguard.c - restore the terminal on a crash, then crash as before. */
#include "crashguard.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "curses_compat.h"

static const int crash_signals[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE };
#define NSIGNALS (sizeof(crash_signals) / sizeof(crash_signals[0]))

static int tty_fd = -1;
static int have_modes;
static struct termios saved_modes;
/* Filled before the handlers are installed, only read by them. */
static char reset[512];
static size_t reset_len;

void
crashguard_save(int fd)
{
	have_modes = isatty(fd) && tcgetattr(fd, &saved_modes) == 0;
	tty_fd = fd;
}

static void
on_crash(int sig)
{
	if (tty_fd >= 0 && reset_len) {
		ssize_t n = write(tty_fd, reset, reset_len);

		(void)n;
	}
	if (have_modes)
		tcsetattr(tty_fd, TCSANOW, &saved_modes);
	/* SA_RESETHAND put the default action back and SA_NODEFER lets it
	 * act now: the process ends the way the crash would have ended it. */
	raise(sig);
}

/* Append terminfo capability `cap` to the reset strings. */
static void
add_cap(const char *cap)
{
	char *s = tigetstr(cap);
	size_t len;

	if (!s || s == (char *)-1)
		return;
	len = strlen(s);
	if (reset_len + len + 1 >= sizeof(reset))
		return;
	memcpy(reset + reset_len, s, len);
	reset_len += len;
}

void
crashguard_install(void)
{
	struct sigaction sa;
	size_t i;

	if (tty_fd < 0 || !isatty(tty_fd))
		return;
	reset_len = 0;
	add_cap("sgr0");
	add_cap("cnorm");
	add_cap("rmkx");
	add_cap("rmcup");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIGNALS; i++)
		sigaction(crash_signals[i], &sa, NULL);
}

void
crashguard_remove(void)
{
	size_t i;

	for (i = 0; i < NSIGNALS; i++)
		signal(crash_signals[i], SIG_DFL);
	tty_fd = -1;
	have_modes = 0;
}

void
crashguard_test_hook(void)
{
	static const struct { const char *name; int sig; } names[] = {
		{ "segv", SIGSEGV }, { "abort", SIGABRT }, { "bus", SIGBUS }, { "fpe", SIGFPE },
	};
	const char *want = getenv("NOVU_CONSOLE_TEST_CRASH");
	size_t i;

	if (!want || !*want)
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(want, names[i].name) == 0)
			raise(names[i].sig);
}
