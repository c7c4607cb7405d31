/* main.c - novu-console: headless subcommands, or the console with none. */
#include <stdio.h>
#include "cli.h"

int
main(int argc, char **argv)
{
	return cli_main(argc, argv, stdout, stderr);
}
