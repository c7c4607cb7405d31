/* lists.h - the API lists behind pick lists and Tab completion: workflows,
 * subscribers and topics (first 100 of each, or a search), fetched on the
 * worker at start and on demand. When the API has more than were loaded,
 * a server search (lists_search) adds what it finds to the loaded list. */
#ifndef NC_UI_LISTS_H
#define NC_UI_LISTS_H

#include "api.h"
#include "app.h"

enum list_kind { LIST_WORKFLOWS = 1, LIST_SUBSCRIBERS = 2, LIST_TOPICS = 4 };

struct lists {
	struct nc_workflow_page wf;
	struct nc_subscriber_page subs;
	struct nc_topic_page topics;
	unsigned loaded;    /* LIST_* bits */
	unsigned failed;    /* LIST_* bits whose last fetch failed */
	unsigned stopped;   /* LIST_* bits whose last fetch Esc stopped */
	char *search[3];    /* the search each list was fetched with, or NULL */
	int searching;      /* a lists_search() is running */
};

void lists_init(struct app *a);
void lists_free(struct app *a);

/* Fetch the lists in `mask` on the worker (search may be NULL); `then` runs
 * on the main thread afterwards (may be NULL). Returns -1 when the worker
 * is busy or there is no client. */
int lists_fetch(struct app *a, unsigned mask, const char *search,
                void (*then)(struct app *a));
/* Search the server for `search` in one list (LIST_SUBSCRIBERS or
 * LIST_TOPICS) on the worker, as a read, and add the items found to the
 * loaded list (the total stays that of the whole list); `then` runs on the
 * main thread afterwards (may be NULL). -1 when busy or offline. */
int lists_search(struct app *a, enum list_kind kind, const char *search,
                 void (*then)(struct app *a));
/* Items loaded in a list, and how many the API has (its totalCount; the
 * loaded count when the API did not say). */
size_t lists_count(struct app *a, enum list_kind kind);
long lists_total(struct app *a, enum list_kind kind);
/* 1 when the API has more items of that kind than were loaded. */
int lists_incomplete(struct app *a, enum list_kind kind);
/* The list kind behind prompt kind k (0 for none). */
enum list_kind lists_kind_of(enum prompt_kind k);

/* 1 if the list behind prompt kind k has been fetched. */
int lists_loaded(struct app *a, enum prompt_kind k);
/* Append the completion candidates of kind k. */
void lists_candidates(struct app *a, enum prompt_kind k, struct strlist *out);
/* The fetched workflow with this ID, or NULL. */
const struct nc_workflow *lists_workflow(struct app *a, const char *workflow_id);

#endif
