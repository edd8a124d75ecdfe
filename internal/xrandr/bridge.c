//go:build linux && cgo

/* RandR refresh rate of an X display. See bridge.h. */

#include "bridge.h"
#include "xcbconn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xcb/randr.h>
#include <xcb/xcb.h>

/* fail turns a missing reply into a status: an X error reply, or (no reply
 * and no error) a broken connection. e is freed. */
static int fail(xcb_generic_error_t *e, int *detail)
{
	if (e) {
		*detail = e->error_code;
		free(e);
		return LKR_ERR_REQUEST;
	}
	return LKR_ERR_IO;
}

/* conn is an open connection with RandR 1.2, its root window, and the
 * first active CRTC with its current configuration. */
typedef struct {
	xcb_connection_t *xc;
	xcb_window_t root;
	xcb_randr_get_screen_resources_reply_t *res;
	xcb_randr_crtc_t crtc;
	xcb_randr_get_crtc_info_reply_t *ci;
} conn;

static void conn_close(conn *c)
{
	free(c->ci);
	free(c->res);
	if (c->xc)
		xcb_disconnect(c->xc);
	memset(c, 0, sizeof *c);
}

static int conn_open(conn *c, const char *display, const uint8_t *cookie, int cookie_len, int *detail)
{
	xcb_generic_error_t *e = NULL;
	int screen;

	memset(c, 0, sizeof *c);
	*detail = 0;
	c->xc = lk_xcb_connect(display, cookie, cookie_len, &screen);
	if (!c->xc)
		return LKR_ERR_ARG;
	if ((*detail = xcb_connection_has_error(c->xc)) != 0)
		return LKR_ERR_CONNECT;
	const xcb_query_extension_reply_t *ext = xcb_get_extension_data(c->xc, &xcb_randr_id);
	if (!ext || !ext->present)
		return xcb_connection_has_error(c->xc) ? LKR_ERR_IO : LKR_ERR_NO_RANDR;
	xcb_randr_query_version_reply_t *ver =
		xcb_randr_query_version_reply(c->xc, xcb_randr_query_version(c->xc, 1, 2), &e);
	if (!ver)
		return fail(e, detail);
	int ok = ver->major_version > 1 || (ver->major_version == 1 && ver->minor_version >= 2);
	free(ver);
	if (!ok)
		return LKR_ERR_NO_RANDR;

	xcb_screen_t *scr = lk_xcb_screen(c->xc, screen);
	if (!scr)
		return LKR_ERR_NO_CRTC;
	c->root = scr->root;
	c->res = xcb_randr_get_screen_resources_reply(c->xc, xcb_randr_get_screen_resources(c->xc, c->root), &e);
	if (!c->res)
		return fail(e, detail);
	xcb_randr_crtc_t *crtcs = xcb_randr_get_screen_resources_crtcs(c->res);
	for (int i = 0; i < c->res->num_crtcs; i++) {
		xcb_randr_get_crtc_info_reply_t *ci = xcb_randr_get_crtc_info_reply(
			c->xc, xcb_randr_get_crtc_info(c->xc, crtcs[i], c->res->config_timestamp), &e);
		if (!ci)
			return fail(e, detail);
		if (ci->mode != XCB_NONE && ci->num_outputs > 0) {
			c->crtc = crtcs[i];
			c->ci = ci;
			return LKR_OK;
		}
		free(ci);
	}
	return LKR_ERR_NO_CRTC;
}

/* find_mode returns the id of the mode named name with info's timings, or
 * XCB_NONE. */
static xcb_randr_mode_t find_mode(const conn *c, const xcb_randr_mode_info_t *info, const char *name)
{
	xcb_randr_mode_info_t *modes = xcb_randr_get_screen_resources_modes(c->res);
	const uint8_t *names = xcb_randr_get_screen_resources_names(c->res);
	size_t len = strlen(name);
	for (int i = 0; i < c->res->num_modes; i++) {
		const xcb_randr_mode_info_t *m = &modes[i];
		if (m->name_len == len && memcmp(names, name, len) == 0 && m->width == info->width &&
		    m->height == info->height && m->dot_clock == info->dot_clock &&
		    m->htotal == info->htotal && m->vtotal == info->vtotal)
			return m->id;
		names += m->name_len;
	}
	return XCB_NONE;
}

int lkr_set_refresh(const char *display, const uint8_t *cookie, int cookie_len, int hz, int *detail)
{
	conn c;
	xcb_generic_error_t *e = NULL;
	int st;

	*detail = 0;
	if (hz < 1 || hz > 240)
		return LKR_ERR_ARG;
	if ((st = conn_open(&c, display, cookie, cookie_len, detail)) != LKR_OK) {
		conn_close(&c);
		return st;
	}
	/* Timings of a mode of the CRTC's size whose pixel clock makes exactly
	 * hz frames a second: Chromium computes the rate as dot_clock /
	 * (htotal * vtotal). The blanking is nominal; Xvfb draws nothing. */
	xcb_randr_mode_info_t info;
	memset(&info, 0, sizeof info);
	info.width = c.ci->width;
	info.height = c.ci->height;
	info.hsync_start = info.width + 16;
	info.hsync_end = info.width + 48;
	info.htotal = info.width + 160;
	info.vsync_start = info.height + 3;
	info.vsync_end = info.height + 8;
	info.vtotal = info.height + 30;
	uint64_t clock = (uint64_t)info.htotal * info.vtotal * (uint64_t)hz;
	if (info.htotal <= info.width || info.vtotal <= info.height || clock > UINT32_MAX) {
		conn_close(&c);
		return LKR_ERR_ARG;
	}
	info.dot_clock = (uint32_t)clock;
	char name[64];
	snprintf(name, sizeof name, "lkb-%ux%u@%d", (unsigned)info.width, (unsigned)info.height, hz);
	info.name_len = strlen(name);

	xcb_randr_mode_t mode = find_mode(&c, &info, name);
	if (mode == XCB_NONE) {
		xcb_randr_create_mode_reply_t *cm = xcb_randr_create_mode_reply(
			c.xc, xcb_randr_create_mode(c.xc, c.root, info, info.name_len, name), &e);
		if (!cm) {
			st = fail(e, detail);
			conn_close(&c);
			return st;
		}
		mode = cm->mode;
		free(cm);
	}
	xcb_randr_output_t *outputs = xcb_randr_get_crtc_info_outputs(c.ci);
	e = xcb_request_check(c.xc, xcb_randr_add_output_mode_checked(c.xc, outputs[0], mode));
	if (e || xcb_connection_has_error(c.xc)) {
		st = fail(e, detail);
		conn_close(&c);
		return st;
	}
	xcb_randr_set_crtc_config_reply_t *sc = xcb_randr_set_crtc_config_reply(
		c.xc,
		xcb_randr_set_crtc_config(c.xc, c.crtc, XCB_CURRENT_TIME, c.res->config_timestamp, c.ci->x, c.ci->y,
					  mode, c.ci->rotation, c.ci->num_outputs, outputs),
		&e);
	if (!sc) {
		st = fail(e, detail);
		conn_close(&c);
		return st;
	}
	st = LKR_OK;
	if (sc->status != XCB_RANDR_SET_CONFIG_SUCCESS) {
		*detail = sc->status;
		st = LKR_ERR_CONFIG;
	}
	free(sc);
	conn_close(&c);
	return st;
}

int lkr_refresh(const char *display, const uint8_t *cookie, int cookie_len, double *hz, int *detail)
{
	conn c;
	int st;

	*hz = 0;
	if ((st = conn_open(&c, display, cookie, cookie_len, detail)) != LKR_OK) {
		conn_close(&c);
		return st;
	}
	xcb_randr_mode_info_t *modes = xcb_randr_get_screen_resources_modes(c.res);
	for (int i = 0; i < c.res->num_modes; i++) {
		if (modes[i].id == c.ci->mode && modes[i].htotal && modes[i].vtotal) {
			*hz = (double)modes[i].dot_clock / ((double)modes[i].htotal * modes[i].vtotal);
			break;
		}
	}
	conn_close(&c);
	return LKR_OK;
}
