/*
 * What every XCB bridge (xcap, xpointer, xrandr, xview) does the same way:
 * connecting to a page's private display with its MIT-MAGIC-COOKIE-1, and
 * finding a screen. Header only (static inline); a bridge includes it with
 * `#cgo CFLAGS: -I${SRCDIR}/../xcbconn`.
 *
 * The go command does not hash this header into the including packages'
 * build IDs: after changing it, rebuild them with `go build -a` (or touch
 * their bridge.c).
 *
 * Ownership: nothing here allocates except lk_xcb_connect's connection.
 */
#ifndef LK_XCBCONN_H
#define LK_XCBCONN_H

#include <stddef.h>
#include <stdint.h>

#include <xcb/xcb.h>

/*
 * lk_xcb_connect connects to display ("" or NULL: $DISPLAY) sending
 * cookie_len bytes of cookie as MIT-MAGIC-COOKIE-1; cookie_len 0 sends no
 * authorization at all (never $XAUTHORITY's). display and cookie are read
 * during the call only. *screen receives the preferred screen number.
 *
 * It returns NULL only for bad arguments (cookie_len < 0, or no cookie with
 * a positive length). Otherwise it returns a connection that the caller owns
 * and must pass to xcb_disconnect exactly once, even when
 * xcb_connection_has_error reports that connecting failed.
 */
static inline xcb_connection_t *lk_xcb_connect(const char *display, const uint8_t *cookie,
					       int cookie_len, int *screen)
{
	static const char name[] = "MIT-MAGIC-COOKIE-1";
	xcb_auth_info_t auth = {0, NULL, 0, NULL};

	*screen = 0;
	if (cookie_len < 0 || (cookie_len > 0 && !cookie))
		return NULL;
	if (cookie_len > 0) {
		auth.namelen = sizeof name - 1;
		auth.name = (char *)name;
		auth.datalen = cookie_len;
		auth.data = (char *)cookie;
	}
	/* A non-NULL auth with zero lengths means "no authorization"; NULL
	 * would make XCB read $XAUTHORITY. */
	return xcb_connect_to_display_with_auth_info(display && *display ? display : NULL, &auth,
						     screen);
}

/* lk_xcb_screen returns screen number n of xc's setup (owned by xc, valid
 * until it is disconnected), or NULL when there is no such screen. */
static inline xcb_screen_t *lk_xcb_screen(xcb_connection_t *xc, int n)
{
	xcb_screen_iterator_t it = xcb_setup_roots_iterator(xcb_get_setup(xc));
	for (int i = 0; i < n && it.rem; i++)
		xcb_screen_next(&it);
	return it.rem ? it.data : NULL;
}

#endif
