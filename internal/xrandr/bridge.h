/* RandR refresh rate of an X display, over XCB.
 *
 * Each call opens its own connection (authenticated with the given
 * MIT-MAGIC-COOKIE-1; no cookie means no authorization, never
 * $XAUTHORITY) and closes it before returning. Nothing is kept between
 * calls; the caller owns every pointer it passes, and the functions keep
 * none. */
#ifndef LKBROWSER_XRANDR_BRIDGE_H
#define LKBROWSER_XRANDR_BRIDGE_H

#include <stdint.h>

/* Status codes; the Go side's Code* constants equal them. */
enum {
	LKR_OK = 0,
	LKR_ERR_ARG = 1,
	LKR_ERR_CONNECT = 2,
	LKR_ERR_NO_RANDR = 3,
	LKR_ERR_REQUEST = 4,
	LKR_ERR_IO = 5,
	LKR_ERR_NO_CRTC = 6,
	LKR_ERR_CONFIG = 7,
	LKR_ERR_NOMEM = 8,
};

/* lkr_set_refresh gives the first active CRTC of display's default screen
 * a mode of its current size refreshing at hz (1..240), made (or found,
 * when an earlier call made it) as a user mode named "lkb-WxH@HZ", added to
 * the CRTC's output and set. *detail receives the X error code, XCB's
 * connection error or SetCrtcConfig's status on failure, else 0. */
int lkr_set_refresh(const char *display, const uint8_t *cookie, int cookie_len,
                    int hz, int *detail);

/* lkr_refresh stores the refresh rate of the first active CRTC's mode in
 * *hz (0 when the mode has no timings). */
int lkr_refresh(const char *display, const uint8_t *cookie, int cookie_len,
                double *hz, int *detail);

#endif
