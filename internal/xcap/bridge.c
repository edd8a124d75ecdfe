//go:build linux && cgo

/* XCB + MIT-SHM + DAMAGE capture of a root window. See bridge.h for the
 * ownership rules. */

#define _GNU_SOURCE
#include "bridge.h"
#include "xcbconn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#include <xcb/damage.h>
#include <xcb/shm.h>
#include <xcb/xcb.h>
#include <xcb/xfixes.h>

struct lkx_conn {
	xcb_connection_t *xc;
	xcb_window_t root;
	int width, height;
	uint8_t damage_event; /* response type of DamageNotify */
	uint8_t cursor_event; /* response type of XFixesCursorNotify */
	xcb_damage_damage_t damage;  /* 0 if not created */
	xcb_xfixes_region_t region;  /* 0 if not created */
	xcb_gcontext_t gc;           /* test drawing; 0 until first use */
	int wake[2];                 /* wake pipe: [0] read end, [1] write end */
};

/* fail turns a missing reply into a status: an X error reply, or (no reply
 * and no error) a broken connection. e is freed. */
static int fail(xcb_generic_error_t *e, int *detail)
{
	if (e) {
		*detail = e->error_code;
		free(e);
		return LKX_ERR_REQUEST;
	}
	return LKX_ERR_IO;
}

/* check waits for a checked void request; returns a status. */
static int check(xcb_connection_t *xc, xcb_void_cookie_t k, int *detail)
{
	xcb_generic_error_t *e = xcb_request_check(xc, k);
	if (e || xcb_connection_has_error(xc))
		return fail(e, detail);
	return LKX_OK;
}

/* format_ok reports whether the root's ZPixmap images are 32 bpp,
 * little-endian, red 0xff0000 green 0xff00 blue 0xff (BGRX bytes). */
static int format_ok(const xcb_setup_t *s, const xcb_screen_t *scr)
{
	int ok = 0;

	if (s->image_byte_order != XCB_IMAGE_ORDER_LSB_FIRST)
		return 0;
	for (xcb_format_iterator_t f = xcb_setup_pixmap_formats_iterator(s);
	     f.rem; xcb_format_next(&f))
		if (f.data->depth == scr->root_depth)
			ok = f.data->bits_per_pixel == 32 && f.data->scanline_pad == 32;
	if (!ok)
		return 0;
	for (xcb_depth_iterator_t d = xcb_screen_allowed_depths_iterator(scr);
	     d.rem; xcb_depth_next(&d))
		for (xcb_visualtype_iterator_t v = xcb_depth_visuals_iterator(d.data);
		     v.rem; xcb_visualtype_next(&v))
			if (v.data->visual_id == scr->root_visual)
				return v.data->red_mask == 0xff0000 &&
				       v.data->green_mask == 0xff00 &&
				       v.data->blue_mask == 0xff;
	return 0;
}

/* setup does everything after the connect; on error the caller closes c. */
static int setup(lkx_conn *c, int screen, int *detail)
{
	xcb_connection_t *xc = c->xc;
	const xcb_query_extension_reply_t *ext;
	xcb_generic_error_t *xe = NULL, *de = NULL, *se = NULL;
	int st;

	if ((*detail = xcb_connection_has_error(xc)) != 0)
		return LKX_ERR_CONNECT;
	/* The X connection must not leak into child processes (Chromium). */
	if (fcntl(xcb_get_file_descriptor(xc), F_SETFD, FD_CLOEXEC) < 0 ||
	    pipe2(c->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		*detail = errno;
		return LKX_ERR_SYS;
	}

	const xcb_setup_t *s = xcb_get_setup(xc);
	xcb_screen_t *scr = lk_xcb_screen(xc, screen);
	if (!scr)
		return LKX_ERR_CONNECT;
	c->root = scr->root;
	c->width = scr->width_in_pixels;
	c->height = scr->height_in_pixels;
	if (!format_ok(s, scr))
		return LKX_ERR_FORMAT;

	xcb_prefetch_extension_data(xc, &xcb_xfixes_id);
	xcb_prefetch_extension_data(xc, &xcb_damage_id);
	xcb_prefetch_extension_data(xc, &xcb_shm_id);
	ext = xcb_get_extension_data(xc, &xcb_xfixes_id);
	if (!ext || !ext->present)
		return xcb_connection_has_error(xc) ? LKX_ERR_IO : LKX_ERR_NO_XFIXES;
	c->cursor_event = ext->first_event + XCB_XFIXES_CURSOR_NOTIFY;
	ext = xcb_get_extension_data(xc, &xcb_damage_id);
	if (!ext || !ext->present)
		return xcb_connection_has_error(xc) ? LKX_ERR_IO : LKX_ERR_NO_DAMAGE;
	c->damage_event = ext->first_event + XCB_DAMAGE_NOTIFY;
	ext = xcb_get_extension_data(xc, &xcb_shm_id);
	if (!ext || !ext->present)
		return xcb_connection_has_error(xc) ? LKX_ERR_IO : LKX_ERR_NO_SHM;

	/* XFIXES and DAMAGE refuse requests until the version is negotiated.
	 * Send all three queries, then collect all three replies. */
	xcb_xfixes_query_version_cookie_t xk = xcb_xfixes_query_version(xc, 5, 0);
	xcb_damage_query_version_cookie_t dk = xcb_damage_query_version(xc, 1, 1);
	xcb_shm_query_version_cookie_t sk = xcb_shm_query_version(xc);
	xcb_xfixes_query_version_reply_t *xr = xcb_xfixes_query_version_reply(xc, xk, &xe);
	xcb_damage_query_version_reply_t *dr = xcb_damage_query_version_reply(xc, dk, &de);
	xcb_shm_query_version_reply_t *sr = xcb_shm_query_version_reply(xc, sk, &se);
	if (!xr || !dr || !sr)
		st = xcb_connection_has_error(xc) ? LKX_ERR_IO :
		     !xr ? LKX_ERR_NO_XFIXES : !dr ? LKX_ERR_NO_DAMAGE : LKX_ERR_NO_SHM;
	else if (xr->major_version < 2)
		st = LKX_ERR_NO_XFIXES;
	else if (dr->major_version < 1 ||
	         (dr->major_version == 1 && dr->minor_version < 1))
		st = LKX_ERR_NO_DAMAGE;
	else
		st = LKX_OK;
	free(xr);
	free(dr);
	free(sr);
	free(xe);
	free(de);
	free(se);
	if (st != LKX_OK)
		return st;

	uint32_t region = xcb_generate_id(xc), damage = xcb_generate_id(xc);
	if (region == (uint32_t)-1 || damage == (uint32_t)-1)
		return LKX_ERR_IO;
	xcb_void_cookie_t k1 = xcb_xfixes_create_region_checked(xc, region, 0, NULL);
	xcb_void_cookie_t k2 = xcb_damage_create_checked(xc, damage, c->root,
		XCB_DAMAGE_REPORT_LEVEL_NON_EMPTY);
	xcb_void_cookie_t k3 = xcb_xfixes_select_cursor_input_checked(xc, c->root,
		XCB_XFIXES_CURSOR_NOTIFY_MASK_DISPLAY_CURSOR);
	int s1 = check(xc, k1, detail);
	int s2 = check(xc, k2, detail);
	int s3 = check(xc, k3, detail);
	if (s1 == LKX_OK)
		c->region = region;
	if (s2 == LKX_OK)
		c->damage = damage;
	return s1 != LKX_OK ? s1 : s2 != LKX_OK ? s2 : s3;
}

int lkx_open(const char *display, const uint8_t *cookie, int cookie_len,
             lkx_conn **out, int *detail)
{
	int screen, st;

	*out = NULL;
	*detail = 0;
	xcb_connection_t *xc = lk_xcb_connect(display, cookie, cookie_len, &screen);
	if (!xc)
		return LKX_ERR_ARG;
	lkx_conn *c = calloc(1, sizeof *c);
	if (!c) {
		xcb_disconnect(xc);
		return LKX_ERR_NOMEM;
	}
	c->wake[0] = c->wake[1] = -1;
	c->xc = xc;
	st = setup(c, screen, detail);
	if (st != LKX_OK) {
		lkx_close(c);
		return st;
	}
	*out = c;
	return LKX_OK;
}

void lkx_close(lkx_conn *c)
{
	if (!c)
		return;
	if (c->xc) {
		if (!xcb_connection_has_error(c->xc)) {
			if (c->damage)
				xcb_damage_destroy(c->xc, c->damage);
			if (c->region)
				xcb_xfixes_destroy_region(c->xc, c->region);
			if (c->gc)
				xcb_free_gc(c->xc, c->gc);
			xcb_flush(c->xc);
		}
		xcb_disconnect(c->xc); /* also fine on a connection in error */
	}
	if (c->wake[0] >= 0)
		close(c->wake[0]);
	if (c->wake[1] >= 0)
		close(c->wake[1]);
	free(c);
}

void lkx_size(const lkx_conn *c, int *w, int *h)
{
	*w = c->width;
	*h = c->height;
}

int lkx_fd(const lkx_conn *c) { return xcb_get_file_descriptor(c->xc); }

int lkx_wake_fd(const lkx_conn *c) { return c->wake[1]; }

int lkx_refresh_size(lkx_conn *c, int *w, int *h, int *detail)
{
	xcb_generic_error_t *e = NULL;

	*w = c->width;
	*h = c->height;
	if (xcb_connection_has_error(c->xc))
		return LKX_ERR_IO;
	xcb_get_geometry_reply_t *r = xcb_get_geometry_reply(
		c->xc, xcb_get_geometry(c->xc, c->root), &e);
	if (!r)
		return fail(e, detail);
	*w = c->width = r->width;
	*h = c->height = r->height;
	free(r);
	return LKX_OK;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* classify frees ev and returns its LKX_EV_* bit. Errors of unchecked
 * requests (response_type 0) and unknown events are ignored. */
static int classify(const lkx_conn *c, xcb_generic_event_t *ev)
{
	uint8_t t = ev->response_type & 0x7f;
	int bit = t == c->damage_event ? LKX_EV_DAMAGE :
	          t == c->cursor_event ? LKX_EV_CURSOR : 0;
	free(ev);
	return bit;
}

int lkx_wait(lkx_conn *c, int timeout_ms, int *events, int *detail)
{
	int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	struct pollfd pfd[2] = {
		{xcb_get_file_descriptor(c->xc), POLLIN, 0},
		{c->wake[0], POLLIN, 0},
	};
	xcb_generic_event_t *ev;
	int got = 0;

	*events = 0;
	for (;;) {
		/* Events XCB already read from the socket (for instance while
		 * waiting for a reply) are invisible to poll(): take them first. */
		while ((ev = xcb_poll_for_queued_event(c->xc)))
			got |= classify(c, ev);
		if (xcb_connection_has_error(c->xc) || xcb_flush(c->xc) <= 0)
			return LKX_ERR_IO;

		int t = -1;
		if (got || timeout_ms == 0)
			t = 0;
		else if (timeout_ms > 0) {
			int64_t left = deadline - now_ms();
			t = left > 0 ? (int)left : 0;
		}
		int n = poll(pfd, 2, t);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*detail = errno;
			return LKX_ERR_SYS;
		}
		if (pfd[1].revents) {
			char buf[64];
			while (read(c->wake[0], buf, sizeof buf) > 0)
				;
			got |= LKX_EV_WAKE;
		}
		if (pfd[0].revents) {
			while ((ev = xcb_poll_for_event(c->xc)))
				got |= classify(c, ev);
			if (xcb_connection_has_error(c->xc) ||
			    (pfd[0].revents & POLLNVAL))
				return LKX_ERR_IO;
		}
		if (got || t == 0)
			break;
	}
	*events = got;
	return LKX_OK;
}

int lkx_take_damage(lkx_conn *c, lkx_rect *dst, int cap, int *n, int *detail)
{
	xcb_generic_error_t *e = NULL;
	int32_t x0 = INT32_MAX, y0 = INT32_MAX, x1 = INT32_MIN, y1 = INT32_MIN;
	int k = 0;

	*n = 0;
	if (cap < 1)
		return LKX_ERR_ARG;
	if (xcb_connection_has_error(c->xc))
		return LKX_ERR_IO;
	/* Move the accumulated damage into the region, then read the region.
	 * The server executes both in order; only the second has a reply. */
	xcb_damage_subtract(c->xc, c->damage, XCB_NONE, c->region);
	xcb_xfixes_fetch_region_reply_t *r = xcb_xfixes_fetch_region_reply(
		c->xc, xcb_xfixes_fetch_region(c->xc, c->region), &e);
	if (!r)
		return fail(e, detail);

	const xcb_rectangle_t *rs = xcb_xfixes_fetch_region_rectangles(r);
	int len = xcb_xfixes_fetch_region_rectangles_length(r);
	for (int i = 0; i < len; i++) {
		int32_t ax = rs[i].x, ay = rs[i].y;
		int32_t bx = ax + rs[i].width, by = ay + rs[i].height;
		if (ax < 0) ax = 0;
		if (ay < 0) ay = 0;
		if (bx > c->width) bx = c->width;
		if (by > c->height) by = c->height;
		if (ax >= bx || ay >= by)
			continue;
		if (k < cap)
			dst[k] = (lkx_rect){ax, ay, bx - ax, by - ay};
		k++;
		if (ax < x0) x0 = ax;
		if (ay < y0) y0 = ay;
		if (bx > x1) x1 = bx;
		if (by > y1) y1 = by;
	}
	free(r);
	if (k > cap) { /* too many for dst: one bounding box */
		dst[0] = (lkx_rect){x0, y0, x1 - x0, y1 - y0};
		k = 1;
	}
	*n = k;
	return LKX_OK;
}

int lkx_buf_new(lkx_conn *c, lkx_buf **out, int *detail)
{
	int st;

	*out = NULL;
	if (xcb_connection_has_error(c->xc))
		return LKX_ERR_IO;
	if (c->width <= 0 || c->height <= 0)
		return LKX_ERR_ARG;
	lkx_buf *b = calloc(1, sizeof *b);
	if (!b)
		return LKX_ERR_NOMEM;
	b->width = c->width;
	b->height = c->height;
	b->stride = c->width * 4;
	b->size = (size_t)b->stride * (size_t)b->height;
	b->shmid = shmget(IPC_PRIVATE, b->size, IPC_CREAT | 0600);
	if (b->shmid < 0) {
		*detail = errno;
		free(b);
		return LKX_ERR_SHM;
	}
	b->addr = shmat(b->shmid, NULL, 0);
	if (b->addr == (void *)-1) {
		*detail = errno;
		shmctl(b->shmid, IPC_RMID, NULL);
		free(b);
		return LKX_ERR_SHM;
	}
	b->seg = xcb_generate_id(c->xc);
	if (b->seg == (uint32_t)-1)
		st = LKX_ERR_IO;
	else if ((st = check(c->xc, xcb_shm_attach_checked(c->xc, b->seg,
	                     b->shmid, 0), detail)) == LKX_ERR_REQUEST)
		st = LKX_ERR_SHM; /* the server could not attach the segment */
	/* From now on the segment disappears with its last attachment. */
	shmctl(b->shmid, IPC_RMID, NULL);
	if (st != LKX_OK) {
		shmdt(b->addr);
		free(b);
		return st;
	}
	*out = b;
	return LKX_OK;
}

int lkx_buf_free(lkx_conn *c, lkx_buf *b, int *detail)
{
	int st = LKX_OK;

	if (!b)
		return LKX_OK;
	if (c && !xcb_connection_has_error(c->xc)) {
		/* Checked, so the server has let go when this returns. */
		st = check(c->xc, xcb_shm_detach_checked(c->xc, b->seg), detail);
		if (st == LKX_ERR_IO)
			st = LKX_OK; /* server gone: nothing to detach */
	}
	shmdt(b->addr);
	free(b);
	return st;
}

int lkx_grab(lkx_conn *c, const lkx_buf *b, int y0, int y1, int *detail)
{
	xcb_generic_error_t *e = NULL;

	if (xcb_connection_has_error(c->xc))
		return LKX_ERR_IO;
	if (y0 < 0) y0 = 0;
	if (y1 > b->height) y1 = b->height;
	if (y0 >= y1)
		return LKX_OK;
	/* ShmGetImage writes packed full-width rows: they land in place. */
	xcb_shm_get_image_reply_t *r = xcb_shm_get_image_reply(c->xc,
		xcb_shm_get_image(c->xc, c->root, 0, (int16_t)y0,
			(uint16_t)b->width, (uint16_t)(y1 - y0), UINT32_MAX,
			XCB_IMAGE_FORMAT_Z_PIXMAP, b->seg,
			(uint32_t)y0 * (uint32_t)b->stride), &e);
	if (!r)
		return fail(e, detail);
	int st = r->size == (uint32_t)(y1 - y0) * (uint32_t)b->stride ?
		LKX_OK : LKX_ERR_FORMAT;
	free(r);
	return st;
}

int lkx_cursor_image(lkx_conn *c, lkx_cursor *info, uint32_t *dst, int cap,
                     int *detail)
{
	xcb_generic_error_t *e = NULL;

	memset(info, 0, sizeof *info);
	if (xcb_connection_has_error(c->xc))
		return LKX_ERR_IO;
	xcb_xfixes_get_cursor_image_reply_t *r = xcb_xfixes_get_cursor_image_reply(
		c->xc, xcb_xfixes_get_cursor_image(c->xc), &e);
	if (!r)
		return fail(e, detail);
	int n = xcb_xfixes_get_cursor_image_cursor_image_length(r);
	*info = (lkx_cursor){r->x, r->y, r->width, r->height, r->xhot, r->yhot,
	                     r->cursor_serial};
	int st = LKX_ERR_SHORT;
	if (n != r->width * r->height)
		st = LKX_ERR_FORMAT;
	else if (n <= cap) {
		if (n > 0)
			memcpy(dst, xcb_xfixes_get_cursor_image_cursor_image(r),
			       (size_t)n * 4);
		st = LKX_OK;
	}
	free(r);
	return st;
}

/* Test drawing helpers. */

int lkx_test_fill(lkx_conn *c, uint32_t drawable, int x, int y, int w, int h,
                  uint32_t rgb, int *detail)
{
	if (xcb_connection_has_error(c->xc))
		return LKX_ERR_IO;
	if (!c->gc) {
		uint32_t gc = xcb_generate_id(c->xc);
		uint32_t v[2] = {rgb, 0}; /* foreground, graphics_exposures */
		if (gc == (uint32_t)-1)
			return LKX_ERR_IO;
		int st = check(c->xc, xcb_create_gc_checked(c->xc, gc, c->root,
			XCB_GC_FOREGROUND | XCB_GC_GRAPHICS_EXPOSURES, v), detail);
		if (st != LKX_OK)
			return st;
		c->gc = gc;
	} else
		xcb_change_gc(c->xc, c->gc, XCB_GC_FOREGROUND, &rgb);
	xcb_rectangle_t r = {(int16_t)x, (int16_t)y, (uint16_t)w, (uint16_t)h};
	return check(c->xc, xcb_poly_fill_rectangle_checked(c->xc,
		drawable ? drawable : c->root, c->gc, 1, &r), detail);
}

int lkx_test_create_window(lkx_conn *c, uint32_t parent, int x, int y, int w,
                           int h, uint32_t bg, uint32_t *win, int *detail)
{
	uint32_t v[2] = {bg, 1}; /* back_pixel, override_redirect */

	*win = 0;
	if (xcb_connection_has_error(c->xc))
		return LKX_ERR_IO;
	uint32_t id = xcb_generate_id(c->xc);
	if (id == (uint32_t)-1)
		return LKX_ERR_IO;
	int st = check(c->xc, xcb_create_window_checked(c->xc,
		XCB_COPY_FROM_PARENT, id, parent ? parent : c->root,
		(int16_t)x, (int16_t)y, (uint16_t)w, (uint16_t)h, 0,
		XCB_WINDOW_CLASS_INPUT_OUTPUT, XCB_COPY_FROM_PARENT,
		XCB_CW_BACK_PIXEL | XCB_CW_OVERRIDE_REDIRECT, v), detail);
	if (st != LKX_OK)
		return st;
	st = check(c->xc, xcb_map_window_checked(c->xc, id), detail);
	if (st != LKX_OK) {
		xcb_destroy_window(c->xc, id);
		return st;
	}
	*win = id;
	return LKX_OK;
}

int lkx_test_destroy_window(lkx_conn *c, uint32_t win, int *detail)
{
	if (xcb_connection_has_error(c->xc))
		return LKX_ERR_IO;
	return check(c->xc, xcb_destroy_window_checked(c->xc, win), detail);
}

int lkx_set_focus(lkx_conn *c, int focused, int *detail)
{
	if (xcb_connection_has_error(c->xc))
		return LKX_ERR_IO;
	/* PointerRoot: the window under the pointer (the page's only window)
	 * has the keyboard, as with a focus-follows-mouse window manager.
	 * None: no window has it, so the page gets blur. */
	xcb_window_t to = focused ? XCB_INPUT_FOCUS_POINTER_ROOT : XCB_NONE;
	return check(c->xc, xcb_set_input_focus_checked(c->xc,
		XCB_INPUT_FOCUS_POINTER_ROOT, to, XCB_CURRENT_TIME), detail);
}
