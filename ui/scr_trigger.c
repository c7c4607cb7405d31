/* scr_trigger.c - the Trigger and Broadcast screens: each is a form
 * (compose.c) whose draft survives restarts. */
#include "compose.h"

static void
form_open(struct app *a, int which, enum compose_mode mode, const char *draft)
{
	a->forms[which] = compose_new(mode, draft);
	compose_load_draft(a, a->forms[which]);
}

static void
trigger_open(struct app *a, struct view *v)
{
	(void)v;
	form_open(a, 0, CM_TRIGGER, "trigger");
}

static void
broadcast_open(struct app *a, struct view *v)
{
	(void)v;
	form_open(a, 1, CM_BROADCAST, "broadcast");
}

static void
trigger_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	(void)v;
	compose_draw(a, a->forms[0], y, x, h, w);
}

static void
broadcast_draw(struct app *a, struct view *v, int y, int x, int h, int w)
{
	(void)v;
	compose_draw(a, a->forms[1], y, x, h, w);
}

static unsigned
trigger_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	(void)v;
	return compose_handle(a, a->forms[0], req, key);
}

static unsigned
broadcast_handle(struct app *a, struct view *v, enum ui_req req, int key)
{
	(void)v;
	return compose_handle(a, a->forms[1], req, key);
}

static void
trigger_done(struct app *a, struct view *v)
{
	(void)v;
	compose_free(a->forms[0]);
	a->forms[0] = NULL;
}

static void
broadcast_done(struct app *a, struct view *v)
{
	(void)v;
	compose_free(a->forms[1]);
	a->forms[1] = NULL;
}

static const struct keymap *const trigger_maps[] = { &km_form, &km_move, &km_global, NULL };
static const struct keymap *const broadcast_maps[] = {
	&km_broadcast_form, &km_move, &km_global, NULL
};

const struct view_ops scr_trigger_ops = {
	.name = "Trigger", .keymaps = trigger_maps, .private_size = 1,
	.open = trigger_open, .draw = trigger_draw, .handle = trigger_handle,
	.done = trigger_done,
};

const struct view_ops scr_broadcast_ops = {
	.name = "Broadcast", .keymaps = broadcast_maps, .private_size = 1,
	.open = broadcast_open, .draw = broadcast_draw, .handle = broadcast_handle,
	.done = broadcast_done,
};
