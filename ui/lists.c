/* lists.c - fetch and keep the workflow, subscriber and topic lists. */
#include "lists.h"

#include <stdlib.h>
#include <string.h>

#include "errlog.h"
#include "worker.h"

struct fetch_job {
	struct nc_client *client;
	unsigned mask;
	char *search;
	int merge;          /* lists_search: add to the loaded list */
	void (*then)(struct app *a);
	struct nc_workflow_page wf;
	struct nc_subscriber_page subs;
	struct nc_topic_page topics;
	enum nc_status st[3];
	struct nc_error err[3];
};

void
lists_init(struct app *a)
{
	a->lists = must_calloc(1, sizeof(*a->lists));
}

void
lists_free(struct app *a)
{
	struct lists *l = a->lists;
	int i;

	if (!l)
		return;
	workflow_page_clear(&l->wf);
	subscriber_page_clear(&l->subs);
	topic_page_clear(&l->topics);
	for (i = 0; i < 3; i++)
		free(l->search[i]);
	free(l);
	a->lists = NULL;
}

static void
fetch_run(void *data, struct worker *w)
{
	struct fetch_job *j = data;
	struct nc_list_query q = { .search = j->search, .limit = 100 };

	if ((j->mask & LIST_WORKFLOWS) && !worker_aborting(w)) {
		worker_set_progress(w, 0, 0, "workflows");
		j->st[0] = api_list_workflows(j->client, &q, &j->wf, &j->err[0]);
	}
	if ((j->mask & LIST_SUBSCRIBERS) && !worker_aborting(w)) {
		worker_set_progress(w, 0, 0, "subscribers");
		j->st[1] = api_list_subscribers(j->client, &q, &j->subs, &j->err[1]);
	}
	if ((j->mask & LIST_TOPICS) && !worker_aborting(w)) {
		worker_set_progress(w, 0, 0, "topics");
		j->st[2] = api_list_topics(j->client, &q, &j->topics, &j->err[2]);
	}
}

/* Move the subscribers of `from` that `to` lacks to the end of `to`;
 * from keeps the duplicates (its owner clears it). */
static void
merge_subscribers(struct nc_subscriber_page *to, struct nc_subscriber_page *from)
{
	size_t i, k;

	to->items = must_realloc(to->items, (to->n + from->n + 1) * sizeof(*to->items));
	for (i = 0; i < from->n; i++) {
		for (k = 0; k < to->n; k++)
			if (strcmp(to->items[k].subscriber_id, from->items[i].subscriber_id) == 0)
				break;
		if (k < to->n)
			continue;
		to->items[to->n++] = from->items[i];
		memset(&from->items[i], 0, sizeof(from->items[i]));
	}
}

static void
merge_topics(struct nc_topic_page *to, struct nc_topic_page *from)
{
	size_t i, k;

	to->items = must_realloc(to->items, (to->n + from->n + 1) * sizeof(*to->items));
	for (i = 0; i < from->n; i++) {
		for (k = 0; k < to->n; k++)
			if (strcmp(to->items[k].key, from->items[i].key) == 0)
				break;
		if (k < to->n)
			continue;
		to->items[to->n++] = from->items[i];
		memset(&from->items[i], 0, sizeof(from->items[i]));
	}
}

/* lists_search's answer: add what the server found, say how much. */
static void
search_done(struct app *a, struct fetch_job *j)
{
	struct lists *l = a->lists;
	int i = (j->mask & LIST_SUBSCRIBERS) ? 1 : 2;
	size_t found = i == 1 ? j->subs.n : j->topics.n;

	l->searching = 0;
	if (j->st[i] == NC_E_ABORTED) {
		app_message(a, MSG_INFO, "stopped searching the server");
		return;
	}
	if (j->st[i] != NC_OK) {
		errlog_add(a, &j->err[i], SCR_COUNT, i == 1 ? "search subscribers" : "search topics");
		app_message(a, MSG_WARN, "the server search failed (see Errors, 5)");
		return;
	}
	if (i == 1)
		merge_subscribers(&l->subs, &j->subs);
	else
		merge_topics(&l->topics, &j->topics);
	if (!found)
		app_message(a, MSG_INFO, "the server has no %s \"%s\" (it searches %s)",
		            i == 1 ? "subscriber" : "topic", j->search,
		            i == 1 ? "IDs, and emails with an @" : "topic keys");
	else
		app_message(a, MSG_OK, "the server found %zu %s for \"%s\"", found,
		            i == 1 ? (found == 1 ? "subscriber" : "subscribers") :
		            (found == 1 ? "topic" : "topics"), j->search);
}

static void
fetch_done(struct app *a, void *data)
{
	struct fetch_job *j = data;
	struct lists *l = a->lists;
	static const char *const what[3] = {
		"list workflows", "list subscribers", "list topics"
	};
	unsigned bits[3] = { LIST_WORKFLOWS, LIST_SUBSCRIBERS, LIST_TOPICS };
	int i, failed = 0, stopped = 0;

	for (i = 0; i < 3 && !j->merge; i++) {
		if (!(j->mask & bits[i]))
			continue;
		/* Esc is not a failure: nothing goes to Errors, and the list
		 * stays unloaded so the next picker or Tab fetches it. */
		if (j->st[i] == NC_E_ABORTED) {
			l->stopped |= bits[i];
			l->failed &= ~bits[i];
			stopped++;
			continue;
		}
		l->stopped &= ~bits[i];
		if (j->st[i] != NC_OK) {
			l->failed |= bits[i];
			errlog_add(a, &j->err[i], SCR_COUNT, what[i]);
			failed++;
			continue;
		}
		l->failed &= ~bits[i];
		l->loaded |= bits[i];
		str_set(&l->search[i], j->search);
		if (i == 0) {
			workflow_page_clear(&l->wf);
			l->wf = j->wf;
			memset(&j->wf, 0, sizeof(j->wf));
		} else if (i == 1) {
			subscriber_page_clear(&l->subs);
			l->subs = j->subs;
			memset(&j->subs, 0, sizeof(j->subs));
		} else {
			topic_page_clear(&l->topics);
			l->topics = j->topics;
			memset(&j->topics, 0, sizeof(j->topics));
		}
	}
	if (j->merge)
		search_done(a, j);
	else if (failed)
		app_message(a, MSG_WARN, "could not fetch %d API list%s (see Errors, 5)",
		            failed, failed > 1 ? "s" : "");
	else if (stopped)
		app_message(a, MSG_INFO, "stopped loading %d API list%s (r in a picker "
		            "loads again)", stopped, stopped > 1 ? "s" : "");
	if (j->then)
		j->then(a);
	workflow_page_clear(&j->wf);
	subscriber_page_clear(&j->subs);
	topic_page_clear(&j->topics);
	for (i = 0; i < 3; i++)
		nc_error_clear(&j->err[i]);
	free(j->search);
	free(j);
}

static int
fetch_submit(struct app *a, unsigned mask, const char *search, int merge,
             void (*then)(struct app *a))
{
	struct fetch_job *j;
	int i;

	if (!a->s->client)
		return -1;
	j = must_calloc(1, sizeof(*j));
	j->client = a->s->client;
	j->mask = mask;
	j->search = str_empty(search) ? NULL : must_strdup(search);
	j->merge = merge;
	j->then = then;
	/* A list the run never reached (Esc stopped it first) counts as
	 * stopped, not as loaded and empty. */
	for (i = 0; i < 3; i++) {
		nc_error_init(&j->err[i]);
		j->st[i] = NC_E_ABORTED;
	}
	if (worker_submit(a->worker, merge ? "Searching the server" : "Loading lists",
	                  fetch_run, fetch_done, j) != 0) {
		free(j->search);
		free(j);
		return -1;
	}
	return 0;
}

int
lists_fetch(struct app *a, unsigned mask, const char *search,
            void (*then)(struct app *a))
{
	return fetch_submit(a, mask, search, 0, then);
}

int
lists_search(struct app *a, enum list_kind kind, const char *search,
             void (*then)(struct app *a))
{
	if (str_empty(search) || (kind != LIST_SUBSCRIBERS && kind != LIST_TOPICS))
		return -1;
	if (fetch_submit(a, kind, search, 1, then) != 0)
		return -1;
	a->lists->searching = 1;
	return 0;
}

size_t
lists_count(struct app *a, enum list_kind kind)
{
	struct lists *l = a->lists;

	return kind == LIST_WORKFLOWS ? l->wf.n : kind == LIST_SUBSCRIBERS ? l->subs.n :
		l->topics.n;
}

long
lists_total(struct app *a, enum list_kind kind)
{
	struct lists *l = a->lists;
	long total = kind == LIST_WORKFLOWS ? l->wf.total : kind == LIST_SUBSCRIBERS ?
		l->subs.total : l->topics.total;
	size_t n = lists_count(a, kind);

	/* A search adds items the first page did not have, never more than
	 * the API has; an unknown total (-1) is what was loaded. */
	return total < (long)n ? (long)n : total;
}

int
lists_incomplete(struct app *a, enum list_kind kind)
{
	return (a->lists->loaded & kind) && lists_total(a, kind) > (long)lists_count(a, kind);
}

enum list_kind
lists_kind_of(enum prompt_kind k)
{
	return k == PK_WORKFLOW ? LIST_WORKFLOWS : k == PK_SUBSCRIBER ? LIST_SUBSCRIBERS :
		k == PK_TOPIC ? LIST_TOPICS : 0;
}

int
lists_loaded(struct app *a, enum prompt_kind k)
{
	switch (k) {
	case PK_WORKFLOW:
		return (a->lists->loaded & LIST_WORKFLOWS) != 0;
	case PK_SUBSCRIBER:
		return (a->lists->loaded & LIST_SUBSCRIBERS) != 0;
	case PK_TOPIC:
		return (a->lists->loaded & LIST_TOPICS) != 0;
	default:
		return 1;
	}
}

void
lists_candidates(struct app *a, enum prompt_kind k, struct strlist *out)
{
	struct lists *l = a->lists;
	size_t i;

	switch (k) {
	case PK_WORKFLOW:
		for (i = 0; i < l->wf.n; i++)
			strlist_push(out, l->wf.items[i].workflow_id);
		break;
	case PK_SUBSCRIBER:
		for (i = 0; i < l->subs.n; i++)
			strlist_push(out, l->subs.items[i].subscriber_id);
		break;
	case PK_TOPIC:
		for (i = 0; i < l->topics.n; i++)
			strlist_push(out, l->topics.items[i].key);
		break;
	default:
		break;
	}
}

const struct nc_workflow *
lists_workflow(struct app *a, const char *workflow_id)
{
	struct lists *l = a->lists;
	size_t i;

	if (str_empty(workflow_id))
		return NULL;
	for (i = 0; i < l->wf.n; i++)
		if (l->wf.items[i].workflow_id &&
		    strcmp(l->wf.items[i].workflow_id, workflow_id) == 0)
			return &l->wf.items[i];
	return NULL;
}
