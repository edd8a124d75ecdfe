/*
 * Ownership and lifetime of every pointer, function by function.
 *
 * General rules: no function keeps a caller's pointer after it returns (so Go
 * memory may be passed for the duration of a call); every XCB reply and error
 * is malloc'ed by XCB and free()d inside the function that requested it, none
 * escapes a call; there is no global mutable state, everything lives in one
 * lkv_conn.
 *
 * Threads: the functions fall into two sides that share no lkv_conn state
 * other than the (thread-safe) XCB connection and the constant window id:
 *   event side: lkv_wait (reads events, owns the key symbol table);
 *   draw side:  lkv_put, lkv_set_title (own the size and the scratch band).
 * One thread may be in the event side while another is in the draw side;
 * neither side may be entered by two threads at once. The wake pipe's write
 * end (lkv_wake_fd) may be written by any thread at any time before
 * lkv_close. lkv_close must not overlap any other call on the same lkv_conn.
 *
 * lkv_open(title, w, h, out, detail)
 *   Connects with xcb_connect(NULL, ...), i.e. to $DISPLAY with the
 *   authorization found through $XAUTHORITY (or ~/.Xauthority), and creates
 *   and maps a w x h top-level window titled title.
 *   title: caller's NUL-terminated UTF-8 string, read during the call only.
 *   out:   caller's variable. On LKV_OK *out is an lkv_conn malloc'ed by
 *          lkv_open; the caller owns it until it passes it to lkv_close,
 *          exactly once. On error *out is NULL and nothing stays allocated.
 *   detail: caller's variable, written before return (see below).
 *
 * lkv_close(c)
 *   Destroys the window, disconnects, frees the key symbol table, the
 *   scratch band and c, and closes both ends of the wake pipe and of the
 *   internal poke pipe (which tells lkv_wait that a draw-side call may have
 *   moved events into XCB's queue). c is dangling
 *   afterwards. NULL is a no-op. Safe on a broken connection.
 *
 * lkv_abort(c)
 *   Shuts the X connection's socket down, so that a call blocked on an
 *   unresponsive server returns LKV_ERR_IO, and every later call too. It may
 *   be called from any thread while other calls are in progress, before
 *   lkv_close. No pointers kept.
 *
 * lkv_window(c), lkv_wake_fd(c)
 *   No pointers kept. The fd is owned by c and closed by lkv_close.
 *
 * lkv_put(c, pix, stride, w, h, detail)
 *   pix: caller's memory of (h - 1) * stride + w * 4 bytes, BGRX, read during
 *        the call only (may be Go memory or shared memory). When stride is
 *        not w * 4, rows are repacked into a scratch band owned by c (malloc'ed
 *        on demand, reused, freed by lkv_close).
 *   Resizes the window first when w x h differs from its current size.
 *   Returns once the server has executed the last band (a round trip).
 *
 * lkv_set_title(c, title, len, detail)
 *   title: caller's len bytes of UTF-8, read during the call only.
 *
 * lkv_wait(c, timeout_ms, dst, cap, n, woke, detail)
 *   dst: caller's array of cap (>= 1) lkv_event, written during the call
 *        only (may be Go memory). n, woke, detail: caller's variables.
 *   Events read from XCB are freed inside; events not yet translated stay in
 *   XCB's queue for the next call.
 *
 * detail: 0, or for LKV_ERR_REQUEST the X error code; for LKV_ERR_SYS errno;
 *   for LKV_ERR_CONNECT the xcb_connection_has_error() value; for
 *   LKV_ERR_FORMAT the root depth.
 */
#ifndef LKV_BRIDGE_H
#define LKV_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

/* Status codes returned by every int function. */
#define LKV_OK 0
#define LKV_ERR_CONNECT 1 /* could not connect (bad display, auth refused) */
#define LKV_ERR_IO 2      /* connection broken (server gone) */
#define LKV_ERR_REQUEST 3 /* the server answered a request with an error */
#define LKV_ERR_FORMAT 4  /* root is not 24-bit TrueColor in 32 bpp BGRX */
#define LKV_ERR_SYS 5     /* system call failed (detail = errno) */
#define LKV_ERR_NOMEM 6   /* malloc failed */
#define LKV_ERR_ARG 7     /* invalid argument */

/* Event types of lkv_event.type. */
#define LKV_EV_MOTION 1
#define LKV_EV_BUTTON_PRESS 2
#define LKV_EV_BUTTON_RELEASE 3
#define LKV_EV_KEY_PRESS 4
#define LKV_EV_KEY_RELEASE 5
#define LKV_EV_ENTER 6
#define LKV_EV_LEAVE 7
#define LKV_EV_FOCUS_IN 8
#define LKV_EV_FOCUS_OUT 9
#define LKV_EV_CLOSE 10     /* WM_DELETE_WINDOW, or the window was destroyed */
#define LKV_EV_EXPOSE 11    /* the window needs repainting */
#define LKV_EV_CONFIGURE 12 /* the window's size is now w x h */

typedef struct lkv_event {
	int32_t type;    /* LKV_EV_* */
	int32_t x, y;    /* pointer in window coordinates; w, h for CONFIGURE */
	int32_t button;  /* 1..7 for button events */
	int32_t keycode; /* X key code for key events */
	uint32_t state;  /* X modifier and button state (SETofKEYBUTMASK) */
	uint32_t keysym; /* for key events: the keysym the state selects */
	uint32_t time;   /* X server time in milliseconds; 0 if none */
} lkv_event;

typedef struct lkv_conn lkv_conn; /* opaque */

int lkv_open(const char *title, int w, int h, lkv_conn **out, int *detail);
void lkv_close(lkv_conn *c);
void lkv_abort(lkv_conn *c);
uint32_t lkv_window(const lkv_conn *c);
int lkv_wake_fd(const lkv_conn *c);

int lkv_put(lkv_conn *c, const uint8_t *pix, int stride, int w, int h,
            int *detail);
int lkv_set_title(lkv_conn *c, const char *title, int len, int *detail);

int lkv_wait(lkv_conn *c, int timeout_ms, lkv_event *dst, int cap, int *n,
             int *woke, int *detail);

#endif
