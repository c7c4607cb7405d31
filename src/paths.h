/* paths.h - where novu-console keeps its files, by the XDG base directory
 * spec, with the project's own overrides for tests and unusual set-ups.
 * The functions returning char * give a malloc'd string the caller frees, or
 * NULL when no home directory can be found (or out of memory). */
#ifndef NC_PATHS_H
#define NC_PATHS_H

/* $HOME when absolute, else the passwd entry's directory. */
char *paths_home(void);
/* $NOVU_CONSOLE_CONFIG_DIR, else $XDG_CONFIG_HOME/novu-console, else
 * ~/.config/novu-console. Relative XDG values are ignored, as the spec says. */
char *paths_config_dir(void);
/* $NOVU_CONSOLE_STATE_DIR, else $XDG_STATE_HOME/novu-console, else
 * ~/.local/state/novu-console. */
char *paths_state_dir(void);
/* dir + "/" + name. */
char *paths_join(const char *dir, const char *name);
/* "~" and "~/x" -> home and home + "/x" (paths_home()); anything else is
 * copied as it is. */
char *paths_expand_home(const char *path);
/* mkdir -p: dir and any missing parents, each new one private (0700 before
 * the umask); existing ones are left as they are. Returns 0 or an errno
 * value. */
int paths_mkdir_private(const char *dir);

#endif
