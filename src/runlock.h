/* runlock.h - a per-run lock the kernel releases when its holder dies.
 *
 * A bulk run is sent by one process at a time. The lock is an open file
 * description lock (F_OFD_SETLK) on <dir>/bulk-run-<id>.lock (0600), so a
 * process killed with SIGKILL frees it at once and a reused PID can never
 * keep it. The holder's pid is written into the file only to name it in a
 * message; the lock, not the pid, decides.
 */
#ifndef NC_RUNLOCK_H
#define NC_RUNLOCK_H

#include <stdint.h>

struct runlock;   /* the locks one history handle holds */

/* Take run_id's lock in dir. Returns 0 when held (already by this handle
 * counts), 1 when another open file holds it (*holder: its pid as written
 * in the file, or -1 when unknown), or an errno value. */
int runlock_take(struct runlock **set, const char *dir, int64_t run_id, long *holder);
/* Drop run_id's lock if this handle holds it. */
void runlock_drop(struct runlock **set, int64_t run_id);
/* Drop every lock of the set (closing the history handle). */
void runlock_drop_all(struct runlock **set);

#endif
