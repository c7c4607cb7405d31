/* fileio.h - reading a whole (small) file into memory: the one read loop
 * for profiles, key files, drafts and the CLI's @FILE arguments.
 *
 * Functions return 0 or an errno value (ENOENT, EACCES... from the system;
 * EFBIG when the file holds more than max bytes; ENOMEM) and leave wording
 * the message to the caller, who knows what the file was for.
 *
 * Ownership: *out is malloc'd and NUL-terminated (the caller frees it; with
 * FILEIO_SECRET, by wiping it first); on failure *out is NULL.
 */
#ifndef NC_FILEIO_H
#define NC_FILEIO_H

#include <stddef.h>

/* The bytes are a secret: every buffer given up while growing is wiped. */
#define FILEIO_SECRET 1u

/* Read fd to its end. fd stays open (it may be a pipe or stdin). */
int fileio_read_fd(int fd, size_t max, unsigned flags, char **out, size_t *len);

/* Open path for reading (blocking, so a FIFO such as <(...) works) and
 * read it whole. */
int fileio_read_path(const char *path, size_t max, unsigned flags, char **out, size_t *len);

#endif
