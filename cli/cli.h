/* cli.h - argv parsing and the headless subcommands (the scripting
 * interface): trigger, broadcast, bulk, cancel, history, plus the TUI start.
 *
 * Exit codes: 0 success; 2 usage or client-side validation error (nothing was
 * sent); 3 the API refused the request (4xx, or a status other than
 * "processed"); 4 network failure or server error after retries.
 */
#ifndef NC_CLI_H
#define NC_CLI_H

#include <stdio.h>

/* Entry point used by main(): returns the process exit code. Output goes to
 * out/errout so tests can capture it. */
int cli_main(int argc, char **argv, FILE *out, FILE *errout);

#endif
