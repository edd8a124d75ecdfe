//go:build linux && cgo

#include <stdlib.h>
#include <xcb/xcb.h>
#include <xcb/xtest.h>
#include "bridge.h"
#include "xcbconn.h"

struct lkp_conn {
	xcb_connection_t *xc;
	xcb_window_t root;
};

int lkp_open(const char *display, const uint8_t *cookie, int cookie_len, lkp_conn **out)
{
	int screen;

	*out = NULL;
	xcb_connection_t *xc = lk_xcb_connect(display, cookie, cookie_len, &screen);
	if (!xc)
		return LKP_ERR_ARG;
	lkp_conn *c = calloc(1, sizeof *c);
	if (!c) {
		xcb_disconnect(xc);
		return LKP_ERR_NOMEM;
	}
	c->xc = xc;
	if (xcb_connection_has_error(c->xc)) {
		lkp_close(c);
		return LKP_ERR_CONNECT;
	}
	const xcb_query_extension_reply_t *ext = xcb_get_extension_data(c->xc, &xcb_test_id);
	if (!ext || !ext->present) {
		lkp_close(c);
		return LKP_ERR_NO_XTEST;
	}
	xcb_screen_t *scr = lk_xcb_screen(c->xc, screen);
	if (!scr) {
		lkp_close(c);
		return LKP_ERR_CONNECT;
	}
	c->root = scr->root;
	*out = c;
	return LKP_OK;
}

void lkp_close(lkp_conn *c)
{
	if (!c)
		return;
	if (c->xc)
		xcb_disconnect(c->xc);
	free(c);
}

int lkp_popup_at(lkp_conn *c, int x, int y)
{
	xcb_query_tree_reply_t *tree = xcb_query_tree_reply(c->xc, xcb_query_tree(c->xc, c->root), NULL);
	if (!tree)
		return LKP_ERR_LOST;
	int n = xcb_query_tree_children_length(tree), found = 0;
	xcb_window_t *kids = xcb_query_tree_children(tree);
	/* All requests go out before the first reply is read: two round trips
	 * per query, whatever the number of windows. */
	xcb_get_window_attributes_cookie_t *ac = malloc((n ? n : 1) * sizeof *ac);
	xcb_get_geometry_cookie_t *gc = malloc((n ? n : 1) * sizeof *gc);
	if (!ac || !gc) {
		free(ac);
		free(gc);
		free(tree);
		return LKP_ERR_NOMEM;
	}
	for (int i = 0; i < n; i++) {
		ac[i] = xcb_get_window_attributes(c->xc, kids[i]);
		gc[i] = xcb_get_geometry(c->xc, kids[i]);
	}
	for (int i = 0; i < n; i++) {
		/* A NULL reply: the window was destroyed meanwhile. */
		xcb_get_window_attributes_reply_t *a = xcb_get_window_attributes_reply(c->xc, ac[i], NULL);
		xcb_get_geometry_reply_t *g = xcb_get_geometry_reply(c->xc, gc[i], NULL);
		if (a && g && a->map_state == XCB_MAP_STATE_VIEWABLE && a->override_redirect &&
		    x >= g->x && y >= g->y && x < g->x + (int)g->width + 2 * g->border_width &&
		    y < g->y + (int)g->height + 2 * g->border_width)
			found = 1;
		free(a);
		free(g);
	}
	free(ac);
	free(gc);
	free(tree);
	if (xcb_connection_has_error(c->xc))
		return LKP_ERR_LOST;
	return found;
}

int lkp_fake(lkp_conn *c, int type, int button, int x, int y)
{
	if (type < LKP_MOTION || type > LKP_RELEASE || button < 1 || button > 3)
		return LKP_ERR_ARG;
	xcb_test_fake_input(c->xc, XCB_MOTION_NOTIFY, 0, XCB_CURRENT_TIME, c->root, x, y, 0);
	if (type != LKP_MOTION)
		xcb_test_fake_input(c->xc, type == LKP_PRESS ? XCB_BUTTON_PRESS : XCB_BUTTON_RELEASE,
				    button, XCB_CURRENT_TIME, XCB_NONE, 0, 0, 0);
	/* A round trip: the server has handled the fake input on return. */
	free(xcb_get_input_focus_reply(c->xc, xcb_get_input_focus(c->xc), NULL));
	return xcb_connection_has_error(c->xc) ? LKP_ERR_LOST : LKP_OK;
}
