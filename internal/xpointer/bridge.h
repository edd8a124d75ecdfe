/*
 * Pointer input through the XTEST extension on a page's private X display,
 * for windows that the DevTools protocol cannot reach (Chromium's <select>
 * list is an override-redirect window of its own).
 *
 * Ownership and lifetime of every pointer:
 *
 * lkp_open(display, cookie, cookie_len, out)
 *   display: caller's NUL-terminated string, read during the call only.
 *   cookie:  caller's cookie_len bytes (MIT-MAGIC-COOKIE-1), read during the
 *            call only. cookie_len 0 sends no authorization (no $XAUTHORITY).
 *   out:     caller's variable. On LKP_OK *out is an lkp_conn malloc'ed here;
 *            the caller owns it until it passes it to lkp_close, exactly once.
 *            On error *out is NULL and nothing stays allocated.
 * lkp_close(c): frees c and its XCB connection; c dangles afterwards. NULL is
 *   a no-op.
 * lkp_popup_at(c, x, y): every XCB reply is malloc'ed by XCB, and the cookie
 *   arrays by this function; all are freed before return; nothing is kept.
 * lkp_fake(c, type, button, x, y): keeps nothing.
 *
 * There is no global state. One lkp_conn must not be used from two threads
 * at once (the Go side holds the page's input lock).
 */
#ifndef LKP_BRIDGE_H
#define LKP_BRIDGE_H

#include <stdint.h>

enum { LKP_OK = 0, LKP_ERR_ARG = -1, LKP_ERR_NOMEM = -2, LKP_ERR_CONNECT = -3,
       LKP_ERR_NO_XTEST = -4, LKP_ERR_LOST = -5 };

/* Event types for lkp_fake. */
enum { LKP_MOTION = 0, LKP_PRESS = 1, LKP_RELEASE = 2 };

typedef struct lkp_conn lkp_conn;

int lkp_open(const char *display, const uint8_t *cookie, int cookie_len, lkp_conn **out);
void lkp_close(lkp_conn *c);
/* 1 when a viewable override-redirect child of the root window contains the
 * root point x, y; 0 when none does; an LKP_ERR_ code on failure. */
int lkp_popup_at(lkp_conn *c, int x, int y);
/* Moves the pointer to x, y, then presses or releases button (1 left,
 * 2 middle, 3 right) unless type is LKP_MOTION, and waits until the server
 * has processed the requests. */
int lkp_fake(lkp_conn *c, int type, int button, int x, int y);

#endif
