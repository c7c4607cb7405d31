/* status.c - messages and exit codes for enum nc_status. */
#include "status.h"

static const struct {
	const char *message;
	int exit_code;
} status_table[] = {
#define NC_STATUS_ROW(code, exit, msg) { msg, exit },
	NC_STATUS_INFO(NC_STATUS_ROW)
#undef NC_STATUS_ROW
};

const char *
nc_status_message(enum nc_status st)
{
	if ((unsigned)st >= NC_STATUS_COUNT)
		return "unknown status";
	return status_table[st].message;
}

int
nc_status_exit_code(enum nc_status st)
{
	if ((unsigned)st >= NC_STATUS_COUNT)
		return 1;
	return status_table[st].exit_code;
}
