/* trust.h - files that others can write are not trusted (ssh's StrictModes
 * rule). A profile picks the URL the key is sent to and may run a [secret]
 * command as the current user, so anyone who can change it, or swap it by
 * changing a directory above it, could take the key or run code as us.
 *
 * The rule, one home for it:
 *   - a file must belong to us or to root, and not be writable by group or
 *     others;
 *   - each directory from the file's own up to $HOME (inclusive), or up to
 *     / when the file is not under $HOME, must belong to us or to root, and
 *     not be writable by group or others, unless it is sticky (like /tmp:
 *     others may create entries there but cannot rename or delete ours).
 * Directories are judged by their real path (symbolic links resolved).
 * A refusal is NC_E_CONFIG whose message names the file or directory and
 * the command that fixes it (chmod go-w PATH, or chown $USER PATH).
 *
 * Ownership: nothing is kept; what is passed in is only read.
 */
#ifndef NC_TRUST_H
#define NC_TRUST_H

#include <sys/stat.h>
#include "apierror.h"

/* A file already opened: st is its fstat (so there is no race with a swap
 * of the name), path is only for the message, what says what it is
 * ("profile"). */
enum nc_status trust_check_file(const struct stat *st, const char *path, const char *what,
                                struct nc_error *err);

/* dir and every directory above it, as described above. what names it in
 * messages ("profile directory", "state directory"). A directory that does
 * not exist is NC_OK (nothing can be read from it). */
enum nc_status trust_check_dir(const char *dir, const char *what, struct nc_error *err);

/* The file's directory chain and the file itself: trust_check_dir on its
 * directory, then trust_check_file. */
enum nc_status trust_check_opened(int fd, const char *path, const char *what,
                                  struct nc_error *err);

#endif
