/* control.c - deterministic test hooks. */
#include "control.h"
#include "activity.h"

#include <stdio.h>
#include <string.h>

#include "faults.h"
#include "idem.h"
#include "ratelimit.h"
#include "reqlog.h"
#include "util.h"
#include "world.h"

static void
ok_reply(struct sb_reply *rep, cJSON *doc)
{
	reply_json(rep, 200, doc);
}

static void
handle_faults(const struct sb_request *req, struct sb_reply *rep)
{
	char err[160];
	cJSON *spec;

	if (strcmp(req->method, "GET") == 0) {
		ok_reply(rep, faults_state());
		return;
	}
	spec = req->body_len ? cJSON_ParseWithLength(req->body, req->body_len)
	                     : cJSON_CreateObject();
	if (!spec) {
		reply_error(rep, 400, req->url, "body must be JSON", 1);
		return;
	}
	if (faults_update(spec, err, sizeof(err)) != 0) {
		cJSON_Delete(spec);
		reply_error(rep, 400, req->url, err, 1);
		return;
	}
	cJSON_Delete(spec);
	ok_reply(rep, faults_state());
}

static void
handle_requests(const struct sb_request *req, struct sb_reply *rep)
{
	const char *since = req_query(req, "since");
	long from = 0;

	if (since && util_parse_long(since, 0, 0x7fffffffL, &from) != 0) {
		reply_error(rep, 400, req->url, "since must be a non-negative integer", 1);
		return;
	}
	ok_reply(rep, reqlog_dump((uint64_t)from));
}

static void
handle_reset(struct sb_reply *rep)
{
	cJSON *o = cJSON_CreateObject();

	reqlog_reset();
	faults_reset();
	world_reset();
	activity_seed_world();   /* a fresh world has its backend's work again */
	ratelimit_reset();
	cJSON_AddBoolToObject(o, "ok", 1);
	ok_reply(rep, o);
}

struct control_route {
	const char *method;
	const char *path;
};

static const struct control_route control_routes[] = {
	{ "GET", CONTROL_PREFIX "/faults" },
	{ "POST", CONTROL_PREFIX "/faults" },
	{ "GET", CONTROL_PREFIX "/requests" },
	{ "POST", CONTROL_PREFIX "/reset" },
	{ "GET", CONTROL_PREFIX "/health" },
	{ "POST", CONTROL_PREFIX "/pending-seed" },
};

void
control_handle(const struct sb_request *req, struct sb_reply *rep)
{
	int path_known = 0;
	size_t i;

	for (i = 0; i < sizeof(control_routes) / sizeof(control_routes[0]); i++) {
		if (strcmp(req->path, control_routes[i].path) != 0)
			continue;
		path_known = 1;
		if (strcmp(req->method, control_routes[i].method) == 0)
			break;
	}
	if (i == sizeof(control_routes) / sizeof(control_routes[0])) {
		if (path_known)
			reply_error(rep, 405, req->url, "Method Not Allowed", 1);
		else
			reply_error(rep, 404, req->url, "Not Found", 1);
		return;
	}
	if (strcmp(req->path, CONTROL_PREFIX "/faults") == 0) {
		handle_faults(req, rep);
	} else if (strcmp(req->path, CONTROL_PREFIX "/requests") == 0) {
		handle_requests(req, rep);
	} else if (strcmp(req->path, CONTROL_PREFIX "/reset") == 0) {
		handle_reset(rep);
	} else if (strcmp(req->path, CONTROL_PREFIX "/pending-seed") == 0) {
		activity_seed_handle(req, rep);
	} else {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddBoolToObject(o, "ok", 1);
		ok_reply(rep, o);
	}
}
