/* test_draft.c - atomic JSON drafts under the state directory
 * (src/draft.c). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "draft.h"

static char dir[64];
static struct nc_error err;

static void
rm_rf(const char *path)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	cr_assert_eq(system(cmd), 0);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/nc-draft-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	setenv("NOVU_CONSOLE_STATE_DIR", dir, 1);
	nc_error_init(&err);
}

static void
teardown(void)
{
	nc_error_clear(&err);
	rm_rf(dir);
	unsetenv("NOVU_CONSOLE_STATE_DIR");
}

TestSuite(draft, .init = setup, .fini = teardown);

Test(draft, state_dir_order)
{
	char *d;

	d = draft_state_dir();
	cr_assert_str_eq(d, dir);
	free(d);
	unsetenv("NOVU_CONSOLE_STATE_DIR");
	setenv("XDG_STATE_HOME", "/x/state", 1);
	d = draft_state_dir();
	cr_assert_str_eq(d, "/x/state/novu-console");
	free(d);
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/home/zoe", 1);
	d = draft_state_dir();
	cr_assert_str_eq(d, "/home/zoe/.local/state/novu-console");
	free(d);
}

Test(draft, names)
{
	char *p;

	cr_assert(draft_name_valid("trigger"));
	cr_assert(draft_name_valid("bulk_2-a"));
	cr_assert_not(draft_name_valid(""));
	cr_assert_not(draft_name_valid("../etc/passwd"));
	cr_assert_not(draft_name_valid("a.json"));
	cr_assert_null(draft_path("a/b"));
	p = draft_path("trigger");
	cr_assert_not_null(p);
	cr_assert_not_null(strstr(p, "/drafts/trigger.json"));
	free(p);
	cr_assert_eq(draft_write("../x", NULL, 0, &err), NC_E_USAGE);
}

Test(draft, write_read_round_trip_with_modes)
{
	cJSON *doc = cJSON_CreateObject(), *back = NULL;
	struct stat st;
	char *path = draft_path("trigger"), drafts[128];

	cJSON_AddStringToObject(doc, "name", "Zoë Ørsted");
	cr_assert_eq(draft_write("trigger", doc, NC_DRAFT_SYNC, &err), NC_OK, "%s", err.message ? err.message : "");
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "draft files are private");
	snprintf(drafts, sizeof(drafts), "%s/drafts", dir);
	cr_assert_eq(stat(drafts, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	cr_assert_eq(draft_read("trigger", &back, &err), NC_OK);
	cr_assert_not_null(back);
	cr_assert_str_eq(cJSON_GetObjectItem(back, "name")->valuestring, "Zoë Ørsted");
	cJSON_Delete(back);
	cJSON_Delete(doc);
	free(path);
}

Test(draft, overwrite_leaves_no_temporary_files)
{
	char drafts[128];
	cJSON *doc = cJSON_CreateNumber(1);
	DIR *d;
	struct dirent *e;
	int files = 0, i;

	for (i = 0; i < 20; i++) {
		cJSON_SetNumberValue(doc, i);
		cr_assert_eq(draft_write("bulk", doc, 0, &err), NC_OK);
	}
	snprintf(drafts, sizeof(drafts), "%s/drafts", dir);
	d = opendir(drafts);
	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			files++;
	closedir(d);
	cr_assert_eq(files, 1, "only bulk.json, no leftovers of the tmp+rename");
	cJSON_Delete(doc);
	cr_assert_eq(draft_read("bulk", &doc, &err), NC_OK);
	cr_assert_eq(doc->valueint, 19);
	cJSON_Delete(doc);
}

Test(draft, missing_draft_is_not_an_error)
{
	cJSON *doc = (cJSON *)1;

	cr_assert_eq(draft_read("nothing", &doc, &err), NC_OK);
	cr_assert_null(doc);
	cr_assert_eq(draft_remove("nothing", &err), NC_OK);
}

Test(draft, corrupt_draft_is_moved_aside_not_lost)
{
	char *path = draft_path("trigger"), aside[256];
	cJSON *doc = cJSON_CreateObject();
	FILE *f;
	struct stat st;

	cr_assert_eq(draft_write("trigger", doc, 0, &err), NC_OK);
	cJSON_Delete(doc);
	f = fopen(path, "w");
	fputs("{\"half\": ", f);
	fclose(f);
	cr_assert_eq(draft_read("trigger", &doc, &err), NC_E_IO);
	cr_assert_null(doc);
	cr_assert_not_null(strstr(err.message, ".corrupt"), "%s", err.message);
	snprintf(aside, sizeof(aside), "%s.corrupt", path);
	cr_assert_eq(stat(aside, &st), 0, "the damaged text is kept");
	cr_assert_neq(stat(path, &st), 0);
	free(path);
}

Test(draft, remove)
{
	cJSON *doc = cJSON_CreateObject();

	cr_assert_eq(draft_write("broadcast", doc, 0, &err), NC_OK);
	cr_assert_eq(draft_remove("broadcast", &err), NC_OK);
	cJSON_Delete(doc);
	cr_assert_eq(draft_read("broadcast", &doc, &err), NC_OK);
	cr_assert_null(doc);
}

Test(draft, event_round_trip_keeps_invalid_json_as_typed)
{
	struct nc_event ev, back;
	struct nc_recipient r;
	cJSON *j;
	char *text;
	char u1[] = "user-1", u2[] = "user-2", mail[] = "zoe@example.com", first[] = "Zoë",
	     last[] = "Ørsted", phone[] = "+4512345678", locale[] = "da-DK",
	     tz[] = "Europe/Copenhagen", avatar[] = "https://example.com/a.png",
	     data[] = "{\"plan\": ", topic[] = "ops-team";

	event_init(&ev);
	event_init(&back);
	ev.workflow = strdup("order-shipped");
	ev.payload_json = strdup("{\n  \"order\": {\"id\": \"A-1\",\n");   /* half typed */
	ev.overrides_json = strdup("{\"severity\":\"high\"}");
	ev.actor = strdup("admin-bot");
	ev.tenant = strdup("acme");
	ev.context_json = strdup("{\"app\":\"x\"}");
	ev.transaction_id = strdup("7f9c2d3e-8a41-4b6e-9d1a-2c5e8f0b4a17");
	memset(&r, 0, sizeof(r));
	r.kind = NC_RCPT_SUBSCRIBER_ID;
	r.id = u1;
	cr_assert_eq(event_add_recipient(&ev, &r), NC_OK);
	memset(&r, 0, sizeof(r));
	r.kind = NC_RCPT_SUBSCRIBER;
	r.id = u2;
	r.email = mail;
	r.first_name = first;
	r.last_name = last;
	r.phone = phone;
	r.locale = locale;
	r.timezone = tz;
	r.avatar = avatar;
	r.data_json = data;
	cr_assert_eq(event_add_recipient(&ev, &r), NC_OK);
	memset(&r, 0, sizeof(r));
	r.kind = NC_RCPT_TOPIC;
	r.id = topic;
	cr_assert_eq(event_add_recipient(&ev, &r), NC_OK);
	cr_assert_eq(recipient_add_exclude(&ev.to[2], "user-1"), NC_OK);
	cr_assert_eq(recipient_add_exclude(&ev.to[2], "user-9"), NC_OK);

	j = draft_event_to_json(&ev);
	cr_assert_not_null(j);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	j = cJSON_Parse(text);
	free(text);
	cr_assert_eq(draft_event_from_json(&back, j, &err), NC_OK,
	             "%s", err.message ? err.message : "");
	cJSON_Delete(j);

	cr_assert_str_eq(back.workflow, "order-shipped");
	cr_assert_str_eq(back.payload_json, ev.payload_json, "invalid JSON survives as typed");
	cr_assert_str_eq(back.overrides_json, ev.overrides_json);
	cr_assert_str_eq(back.actor, "admin-bot");
	cr_assert_str_eq(back.tenant, "acme");
	cr_assert_str_eq(back.context_json, "{\"app\":\"x\"}");
	cr_assert_str_eq(back.transaction_id, ev.transaction_id);
	cr_assert_eq(back.nto, 3);
	cr_assert_eq(back.to[0].kind, NC_RCPT_SUBSCRIBER_ID);
	cr_assert_eq(back.to[1].kind, NC_RCPT_SUBSCRIBER);
	cr_assert_str_eq(back.to[1].first_name, "Zoë");
	cr_assert_str_eq(back.to[1].last_name, "Ørsted");
	cr_assert_str_eq(back.to[1].phone, "+4512345678");
	cr_assert_str_eq(back.to[1].locale, "da-DK");
	cr_assert_str_eq(back.to[1].timezone, "Europe/Copenhagen");
	cr_assert_str_eq(back.to[1].avatar, "https://example.com/a.png");
	cr_assert_str_eq(back.to[1].data_json, "{\"plan\": ");
	cr_assert_eq(back.to[2].kind, NC_RCPT_TOPIC);
	cr_assert_eq(back.to[2].nexclude, 2);
	cr_assert_str_eq(back.to[2].exclude[1], "user-9");
	cr_assert_null(back.to[0].email, "absent fields stay absent");
	event_clear(&ev);
	event_clear(&back);
}

Test(draft, event_from_json_type_errors_and_unknown_keys)
{
	struct nc_event ev;
	cJSON *j;

	event_init(&ev);
	j = cJSON_Parse("{\"workflow\":\"w\",\"futureKey\":{\"x\":1},\"to\":[]}");
	cr_assert_eq(draft_event_from_json(&ev, j, &err), NC_OK, "unknown keys are ignored");
	cr_assert_str_eq(ev.workflow, "w");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"workflow\":42}");
	cr_assert_eq(draft_event_from_json(&ev, j, &err), NC_E_INVALID);
	cr_assert_not_null(strstr(err.message, "workflow"), "%s", err.message);
	cr_assert_null(ev.workflow, "a failed load leaves an empty event");
	cJSON_Delete(j);
	nc_error_clear(&err);
	j = cJSON_Parse("{\"to\":\"user-1\"}");
	cr_assert_eq(draft_event_from_json(&ev, j, &err), NC_E_INVALID);
	cJSON_Delete(j);
	event_clear(&ev);
}
