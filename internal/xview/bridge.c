//go:build linux && cgo

/* A viewer window on the user's X display: draws BGRX images and reports
 * input. See bridge.h for the ownership and threading rules. */

#define _GNU_SOURCE
#include "bridge.h"
#include "xcbconn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <xcb/xcb.h>
#include <xcb/xcb_keysyms.h>

/* Largest image band sent in one PutImage request, in bytes. Bands keep each
 * request under the server's maximum request length and the connection free
 * for other requests in between. */
#define MAX_BAND (1 << 20)
/* Largest window side accepted. */
#define MAX_SIDE 16384

struct lkv_conn {
	xcb_connection_t *xc;
	xcb_window_t root, win; /* win is 0 until created */
	xcb_gcontext_t gc;      /* 0 until created */
	uint32_t max_req;       /* maximum request length in bytes */
	xcb_atom_t wm_protocols, wm_delete, net_wm_name, utf8_string;
	int wake[2]; /* wake pipe: [0] read end, [1] write end */
	/* poke pipe: the draw side writes it after each call, because XCB may
	 * have read events from the socket meanwhile, which poll() in lkv_wait
	 * cannot see; the event side then takes them from XCB's queue. */
	int poke[2];

	/* event side */
	xcb_key_symbols_t *syms;

	/* draw side */
	int width, height;
	uint8_t *band;
	size_t band_cap;
};

/* fail turns a missing reply into a status: an X error reply, or (no reply
 * and no error) a broken connection. e is freed. */
static int fail(xcb_generic_error_t *e, int *detail)
{
	if (e) {
		*detail = e->error_code;
		free(e);
		return LKV_ERR_REQUEST;
	}
	return LKV_ERR_IO;
}

/* check waits for a checked void request; returns a status. */
static int check(xcb_connection_t *xc, xcb_void_cookie_t k, int *detail)
{
	xcb_generic_error_t *e = xcb_request_check(xc, k);
	if (e || xcb_connection_has_error(xc))
		return fail(e, detail);
	return LKV_OK;
}

/* format_ok reports whether the root is 24-bit TrueColor whose ZPixmap
 * images are 32 bpp, little-endian, red 0xff0000 green 0xff00 blue 0xff
 * (BGRX bytes). */
static int format_ok(const xcb_setup_t *s, const xcb_screen_t *scr)
{
	int ok = 0;

	if (scr->root_depth != 24 || s->image_byte_order != XCB_IMAGE_ORDER_LSB_FIRST)
		return 0;
	for (xcb_format_iterator_t f = xcb_setup_pixmap_formats_iterator(s);
	     f.rem; xcb_format_next(&f))
		if (f.data->depth == 24)
			ok = f.data->bits_per_pixel == 32 && f.data->scanline_pad == 32;
	if (!ok)
		return 0;
	for (xcb_depth_iterator_t d = xcb_screen_allowed_depths_iterator(scr);
	     d.rem; xcb_depth_next(&d))
		for (xcb_visualtype_iterator_t v = xcb_depth_visuals_iterator(d.data);
		     v.rem; xcb_visualtype_next(&v))
			if (v.data->visual_id == scr->root_visual)
				return v.data->_class == XCB_VISUAL_CLASS_TRUE_COLOR &&
				       v.data->red_mask == 0xff0000 &&
				       v.data->green_mask == 0xff00 &&
				       v.data->blue_mask == 0xff;
	return 0;
}

/* set_size_hints fixes the window's size at w x h for the window manager
 * (WM_NORMAL_HINTS with PSize, PMinSize and PMaxSize). */
static xcb_void_cookie_t set_size_hints(lkv_conn *c, int w, int h)
{
	uint32_t hints[18] = {0};
	hints[0] = 8 | 16 | 32; /* PSize | PMinSize | PMaxSize */
	hints[3] = (uint32_t)w; /* obsolete width, height at [3], [4] */
	hints[4] = (uint32_t)h;
	hints[5] = (uint32_t)w; /* min */
	hints[6] = (uint32_t)h;
	hints[7] = (uint32_t)w; /* max */
	hints[8] = (uint32_t)h;
	return xcb_change_property(c->xc, XCB_PROP_MODE_REPLACE, c->win,
		XCB_ATOM_WM_NORMAL_HINTS, XCB_ATOM_WM_SIZE_HINTS, 32, 18, hints);
}

static void set_title(lkv_conn *c, const char *title, int len)
{
	xcb_change_property(c->xc, XCB_PROP_MODE_REPLACE, c->win,
		XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8, (uint32_t)len, title);
	if (c->net_wm_name && c->utf8_string)
		xcb_change_property(c->xc, XCB_PROP_MODE_REPLACE, c->win,
			c->net_wm_name, c->utf8_string, 8, (uint32_t)len, title);
}

/* setup does everything after the connect; on error the caller closes c. */
static int setup(lkv_conn *c, int screen, const char *title, int w, int h,
                 int *detail)
{
	xcb_connection_t *xc = c->xc;
	static const char *names[4] = {"WM_PROTOCOLS", "WM_DELETE_WINDOW",
	                               "_NET_WM_NAME", "UTF8_STRING"};
	xcb_intern_atom_cookie_t ak[4];
	xcb_atom_t atoms[4] = {0};
	int st;

	if ((*detail = xcb_connection_has_error(xc)) != 0)
		return LKV_ERR_CONNECT;
	/* The X connection must not leak into child processes. */
	if (fcntl(xcb_get_file_descriptor(xc), F_SETFD, FD_CLOEXEC) < 0 ||
	    pipe2(c->wake, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    pipe2(c->poke, O_CLOEXEC | O_NONBLOCK) < 0) {
		*detail = errno;
		return LKV_ERR_SYS;
	}

	const xcb_setup_t *s = xcb_get_setup(xc);
	const xcb_screen_t *scr = lk_xcb_screen(xc, screen);
	if (!scr)
		return LKV_ERR_CONNECT;
	c->root = scr->root;
	if (!format_ok(s, scr)) {
		*detail = scr->root_depth;
		return LKV_ERR_FORMAT;
	}
	c->max_req = xcb_get_maximum_request_length(xc) * 4;
	if (c->max_req < 4096)
		return LKV_ERR_IO; /* 0 on a broken connection */

	for (int i = 0; i < 4; i++)
		ak[i] = xcb_intern_atom(xc, 0, (uint16_t)strlen(names[i]), names[i]);
	st = LKV_OK;
	for (int i = 0; i < 4; i++) {
		xcb_generic_error_t *e = NULL;
		xcb_intern_atom_reply_t *r = xcb_intern_atom_reply(xc, ak[i], &e);
		if (!r) {
			if (st == LKV_OK)
				st = fail(e, detail);
			else
				free(e);
			continue;
		}
		atoms[i] = r->atom;
		free(r);
	}
	if (st != LKV_OK)
		return st;
	c->wm_protocols = atoms[0];
	c->wm_delete = atoms[1];
	c->net_wm_name = atoms[2];
	c->utf8_string = atoms[3];

	c->syms = xcb_key_symbols_alloc(xc);
	if (!c->syms)
		return LKV_ERR_NOMEM;

	uint32_t win = xcb_generate_id(xc), gc = xcb_generate_id(xc);
	if (win == (uint32_t)-1 || gc == (uint32_t)-1)
		return LKV_ERR_IO;
	uint32_t v[2] = {
		scr->black_pixel,
		XCB_EVENT_MASK_KEY_PRESS | XCB_EVENT_MASK_KEY_RELEASE |
		XCB_EVENT_MASK_BUTTON_PRESS | XCB_EVENT_MASK_BUTTON_RELEASE |
		XCB_EVENT_MASK_ENTER_WINDOW | XCB_EVENT_MASK_LEAVE_WINDOW |
		XCB_EVENT_MASK_POINTER_MOTION | XCB_EVENT_MASK_EXPOSURE |
		XCB_EVENT_MASK_STRUCTURE_NOTIFY | XCB_EVENT_MASK_FOCUS_CHANGE,
	};
	st = check(xc, xcb_create_window_checked(xc, XCB_COPY_FROM_PARENT, win,
		c->root, 0, 0, (uint16_t)w, (uint16_t)h, 0,
		XCB_WINDOW_CLASS_INPUT_OUTPUT, scr->root_visual,
		XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK, v), detail);
	if (st != LKV_OK)
		return st;
	c->win = win;
	c->width = w;
	c->height = h;

	uint32_t no_exposures = 0;
	xcb_void_cookie_t k1 = xcb_create_gc_checked(xc, gc, win,
		XCB_GC_GRAPHICS_EXPOSURES, &no_exposures);
	static const char wm_class[] = "lkbrowser\0lkbrowser"; /* instance, class */
	set_title(c, title, (int)strlen(title));
	xcb_change_property(xc, XCB_PROP_MODE_REPLACE, win, XCB_ATOM_WM_CLASS,
		XCB_ATOM_STRING, 8, sizeof wm_class, wm_class);
	xcb_change_property(xc, XCB_PROP_MODE_REPLACE, win, c->wm_protocols,
		XCB_ATOM_ATOM, 32, 1, &c->wm_delete);
	set_size_hints(c, w, h);
	xcb_void_cookie_t k2 = xcb_map_window_checked(xc, win);
	int s1 = check(xc, k1, detail);
	int s2 = check(xc, k2, detail);
	if (s1 == LKV_OK)
		c->gc = gc;
	return s1 != LKV_OK ? s1 : s2;
}

int lkv_open(const char *title, int w, int h, lkv_conn **out, int *detail)
{
	int screen = 0, st;

	*out = NULL;
	*detail = 0;
	if (!title || w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE)
		return LKV_ERR_ARG;
	lkv_conn *c = calloc(1, sizeof *c);
	if (!c)
		return LKV_ERR_NOMEM;
	c->wake[0] = c->wake[1] = c->poke[0] = c->poke[1] = -1;
	/* NULL display and auth: $DISPLAY and $XAUTHORITY, as any X client.
	 * Never returns NULL. */
	c->xc = xcb_connect(NULL, &screen);
	st = setup(c, screen, title, w, h, detail);
	if (st != LKV_OK) {
		lkv_close(c);
		return st;
	}
	*out = c;
	return LKV_OK;
}

void lkv_close(lkv_conn *c)
{
	if (!c)
		return;
	if (c->xc) {
		if (!xcb_connection_has_error(c->xc)) {
			if (c->gc)
				xcb_free_gc(c->xc, c->gc);
			if (c->win)
				xcb_destroy_window(c->xc, c->win);
			/* A round trip, so the window is gone when we return. */
			free(xcb_get_input_focus_reply(c->xc,
				xcb_get_input_focus(c->xc), NULL));
		}
		if (c->syms)
			xcb_key_symbols_free(c->syms);
		xcb_disconnect(c->xc); /* also fine on a connection in error */
	}
	if (c->wake[0] >= 0)
		close(c->wake[0]);
	if (c->wake[1] >= 0)
		close(c->wake[1]);
	if (c->poke[0] >= 0)
		close(c->poke[0]);
	if (c->poke[1] >= 0)
		close(c->poke[1]);
	free(c->band);
	free(c);
}

void lkv_abort(lkv_conn *c)
{
	/* Wakes a thread blocked in XCB: its read sees end of file and XCB
	 * marks the connection broken. */
	shutdown(xcb_get_file_descriptor(c->xc), SHUT_RDWR);
}

uint32_t lkv_window(const lkv_conn *c) { return c->win; }

int lkv_wake_fd(const lkv_conn *c) { return c->wake[1]; }

/* poke tells a thread in lkv_wait to look at XCB's event queue. A full pipe
 * already guarantees that. */
static void poke(lkv_conn *c)
{
	char b = 1;
	if (write(c->poke[1], &b, 1) < 0) {
		/* EAGAIN: a poke is pending anyway */
	}
}

int lkv_put(lkv_conn *c, const uint8_t *pix, int stride, int w, int h,
            int *detail)
{
	xcb_connection_t *xc = c->xc;
	xcb_void_cookie_t last = {0};

	*detail = 0;
	if (!pix || w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE ||
	    stride < w * 4)
		return LKV_ERR_ARG;
	if (xcb_connection_has_error(xc))
		return LKV_ERR_IO;
	if (w != c->width || h != c->height) {
		uint32_t size[2] = {(uint32_t)w, (uint32_t)h};
		set_size_hints(c, w, h);
		xcb_configure_window(xc, c->win,
			XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, size);
		c->width = w;
		c->height = h;
	}
	size_t row = (size_t)w * 4;
	size_t limit = c->max_req - 64; /* PutImage's header is 24 bytes */
	if (limit > MAX_BAND)
		limit = MAX_BAND;
	int rows = (int)(limit / row);
	if (rows < 1)
		return LKV_ERR_ARG;
	if (rows > h)
		rows = h;
	int packed = (size_t)stride == row;
	if (!packed && c->band_cap < (size_t)rows * row) {
		uint8_t *b = realloc(c->band, (size_t)rows * row);
		if (!b)
			return LKV_ERR_NOMEM;
		c->band = b;
		c->band_cap = (size_t)rows * row;
	}
	for (int y = 0; y < h; y += rows) {
		int n = h - y < rows ? h - y : rows;
		const uint8_t *src = pix + (size_t)y * (size_t)stride;
		if (!packed) {
			for (int i = 0; i < n; i++)
				memcpy(c->band + (size_t)i * row,
				       src + (size_t)i * (size_t)stride, row);
			src = c->band;
		}
		last = xcb_put_image_checked(xc, XCB_IMAGE_FORMAT_Z_PIXMAP,
			c->win, c->gc, (uint16_t)w, (uint16_t)n, 0, (int16_t)y, 0,
			24, (uint32_t)((size_t)n * row), src);
	}
	/* Waiting for the last band paces the caller to the server. */
	int st = check(xc, last, detail);
	poke(c);
	return st;
}

int lkv_set_title(lkv_conn *c, const char *title, int len, int *detail)
{
	*detail = 0;
	if (len < 0 || (len > 0 && !title))
		return LKV_ERR_ARG;
	if (xcb_connection_has_error(c->xc))
		return LKV_ERR_IO;
	set_title(c, title, len);
	int st = xcb_flush(c->xc) > 0 ? LKV_OK : LKV_ERR_IO;
	poke(c);
	return st;
}

/* upper returns the upper-case keysym of a Latin-1 lower-case letter. */
static xcb_keysym_t upper(xcb_keysym_t k)
{
	if ((k >= 'a' && k <= 'z') || (k >= 0xe0 && k <= 0xfe && k != 0xf7))
		return k - 0x20;
	return k;
}

/* lookup picks the keysym of a key for a modifier state, following the core
 * protocol's rules for the first group: Shift selects the second column,
 * Lock shifts letters, NumLock selects keypad digits, and Mod5 (where
 * ISO_Level3_Shift, AltGr, usually sits) selects the third level. */
static xcb_keysym_t lookup(lkv_conn *c, xcb_keycode_t kc, uint16_t state)
{
	int shift = (state & XCB_MOD_MASK_SHIFT) != 0;
	int lock = (state & XCB_MOD_MASK_LOCK) != 0;
	xcb_keysym_t k0 = xcb_key_symbols_get_keysym(c->syms, kc, 0);
	xcb_keysym_t k1 = xcb_key_symbols_get_keysym(c->syms, kc, 1);

	if (state & XCB_MOD_MASK_5) {
		xcb_keysym_t k4 = xcb_key_symbols_get_keysym(c->syms, kc, 4);
		if (k4 != XCB_NO_SYMBOL) {
			k0 = k4;
			k1 = xcb_key_symbols_get_keysym(c->syms, kc, 5);
		}
	}
	if ((state & XCB_MOD_MASK_2) && xcb_is_keypad_key(k1))
		return shift ? k0 : k1;
	if (k1 == XCB_NO_SYMBOL)
		k1 = upper(k0);
	if (lock && upper(k0) != k0)
		shift = !shift;
	return shift ? k1 : k0;
}

/* translate turns ev into *out and returns 1, or returns 0 for an event
 * that is not reported. It does not free ev. */
static int translate(lkv_conn *c, xcb_generic_event_t *ev, lkv_event *out)
{
	memset(out, 0, sizeof *out);
	switch (ev->response_type & 0x7f) {
	case XCB_MOTION_NOTIFY: {
		xcb_motion_notify_event_t *e = (void *)ev;
		*out = (lkv_event){LKV_EV_MOTION, e->event_x, e->event_y, 0, 0,
		                   e->state, 0, e->time};
		return 1;
	}
	case XCB_BUTTON_PRESS:
	case XCB_BUTTON_RELEASE: {
		xcb_button_press_event_t *e = (void *)ev;
		int t = (ev->response_type & 0x7f) == XCB_BUTTON_PRESS ?
			LKV_EV_BUTTON_PRESS : LKV_EV_BUTTON_RELEASE;
		*out = (lkv_event){t, e->event_x, e->event_y, e->detail, 0,
		                   e->state, 0, e->time};
		return 1;
	}
	case XCB_KEY_PRESS:
	case XCB_KEY_RELEASE: {
		xcb_key_press_event_t *e = (void *)ev;
		int t = (ev->response_type & 0x7f) == XCB_KEY_PRESS ?
			LKV_EV_KEY_PRESS : LKV_EV_KEY_RELEASE;
		*out = (lkv_event){t, e->event_x, e->event_y, 0, e->detail,
		                   e->state, lookup(c, e->detail, e->state), e->time};
		return 1;
	}
	case XCB_ENTER_NOTIFY:
	case XCB_LEAVE_NOTIFY: {
		xcb_enter_notify_event_t *e = (void *)ev;
		/* Crossings caused by grabs are not the pointer moving. */
		if (e->mode != XCB_NOTIFY_MODE_NORMAL ||
		    e->detail == XCB_NOTIFY_DETAIL_INFERIOR)
			return 0;
		int t = (ev->response_type & 0x7f) == XCB_ENTER_NOTIFY ?
			LKV_EV_ENTER : LKV_EV_LEAVE;
		*out = (lkv_event){t, e->event_x, e->event_y, 0, 0, e->state, 0,
		                   e->time};
		return 1;
	}
	case XCB_FOCUS_IN:
	case XCB_FOCUS_OUT: {
		xcb_focus_in_event_t *e = (void *)ev;
		/* Keyboard grabs (a window manager's shortcuts) and the pointer
		 * wandering under PointerRoot focus are not focus changes. */
		if (e->mode == XCB_NOTIFY_MODE_GRAB ||
		    e->mode == XCB_NOTIFY_MODE_UNGRAB ||
		    e->detail == XCB_NOTIFY_DETAIL_POINTER ||
		    e->detail == XCB_NOTIFY_DETAIL_POINTER_ROOT ||
		    e->detail == XCB_NOTIFY_DETAIL_NONE ||
		    e->detail == XCB_NOTIFY_DETAIL_INFERIOR)
			return 0;
		out->type = (ev->response_type & 0x7f) == XCB_FOCUS_IN ?
			LKV_EV_FOCUS_IN : LKV_EV_FOCUS_OUT;
		return 1;
	}
	case XCB_EXPOSE: {
		xcb_expose_event_t *e = (void *)ev;
		if (e->count != 0) /* report the last of a series only */
			return 0;
		out->type = LKV_EV_EXPOSE;
		return 1;
	}
	case XCB_CONFIGURE_NOTIFY: {
		xcb_configure_notify_event_t *e = (void *)ev;
		if (e->window != c->win)
			return 0;
		out->type = LKV_EV_CONFIGURE;
		out->x = e->width;
		out->y = e->height;
		return 1;
	}
	case XCB_DESTROY_NOTIFY: {
		xcb_destroy_notify_event_t *e = (void *)ev;
		if (e->window != c->win)
			return 0;
		out->type = LKV_EV_CLOSE;
		return 1;
	}
	case XCB_CLIENT_MESSAGE: {
		xcb_client_message_event_t *e = (void *)ev;
		if (e->type != c->wm_protocols || e->format != 32 ||
		    e->data.data32[0] != c->wm_delete)
			return 0;
		out->type = LKV_EV_CLOSE;
		return 1;
	}
	case XCB_MAPPING_NOTIFY:
		xcb_refresh_keyboard_mapping(c->syms, (void *)ev);
		return 0;
	}
	/* Errors of unchecked requests (response_type 0) and anything else. */
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int lkv_wait(lkv_conn *c, int timeout_ms, lkv_event *dst, int cap, int *n,
             int *woke, int *detail)
{
	int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	struct pollfd pfd[3] = {
		{xcb_get_file_descriptor(c->xc), POLLIN, 0},
		{c->wake[0], POLLIN, 0},
		{c->poke[0], POLLIN, 0},
	};
	xcb_generic_event_t *ev;
	int k = 0;

	*n = 0;
	*woke = 0;
	*detail = 0;
	if (cap < 1)
		return LKV_ERR_ARG;
	for (;;) {
		/* Events XCB already read from the socket (for instance while
		 * waiting for a reply) are invisible to poll(): take them first. */
		while (k < cap && (ev = xcb_poll_for_queued_event(c->xc))) {
			k += translate(c, ev, &dst[k]);
			free(ev);
		}
		if (xcb_connection_has_error(c->xc) || xcb_flush(c->xc) <= 0)
			return LKV_ERR_IO;

		int t = -1;
		if (k > 0 || timeout_ms == 0)
			t = 0;
		else if (timeout_ms > 0) {
			int64_t left = deadline - now_ms();
			t = left > 0 ? (int)left : 0;
		}
		int r = poll(pfd, 3, t);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			*detail = errno;
			return LKV_ERR_SYS;
		}
		if (pfd[1].revents) {
			char buf[64];
			while (read(c->wake[0], buf, sizeof buf) > 0)
				;
			*woke = 1;
		}
		if (pfd[2].revents) {
			char buf[64];
			while (read(c->poke[0], buf, sizeof buf) > 0)
				;
			/* Loop: the queued events are taken at the top. */
			if (!*woke && t != 0 && !pfd[0].revents)
				continue;
		}
		if (pfd[0].revents) {
			while (k < cap && (ev = xcb_poll_for_event(c->xc))) {
				k += translate(c, ev, &dst[k]);
				free(ev);
			}
			if (xcb_connection_has_error(c->xc) ||
			    (pfd[0].revents & POLLNVAL))
				return LKV_ERR_IO;
		}
		if (k > 0 || *woke || t == 0)
			break;
	}
	*n = k;
	return LKV_OK;
}
