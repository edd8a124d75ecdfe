/*
 * Ownership and lifetime of every pointer, function by function.
 *
 * General rules: no function keeps a caller's pointer after it returns (so Go
 * memory may be passed for the duration of a call); every XCB reply and error
 * is malloc'ed by XCB and free()d inside the function that requested it, none
 * escapes a call; there is no global mutable state, everything lives in one
 * lkx_conn or one lkx_buf. Functions taking an lkx_conn must not be called on
 * the same connection from two threads at once; the wake pipe's write end
 * (lkx_wake_fd) may be written by any thread at any time before lkx_close.
 *
 * lkx_open(display, cookie, cookie_len, out, detail)
 *   display: caller's NUL-terminated string, read during the call only.
 *            NULL or "" means $DISPLAY.
 *   cookie:  caller's cookie_len bytes (MIT-MAGIC-COOKIE-1), read during the
 *            call only (the handshake happens inside). cookie_len 0 sends no
 *            authorization at all (it does NOT fall back to $XAUTHORITY).
 *   out:     caller's variable. On LKX_OK *out is an lkx_conn malloc'ed by
 *            lkx_open; the caller owns it until it passes it to lkx_close,
 *            exactly once. On error *out is NULL and nothing stays allocated.
 *   detail:  caller's variable, written before return (see below).
 *
 * lkx_close(c)
 *   Frees c and all it owns: the XCB connection (server-side damage, region
 *   and GC are destroyed explicitly and in any case die with the connection)
 *   and both ends of the wake pipe. c is dangling afterwards. NULL is a no-op.
 *   Buffers are independent of c and are not freed here.
 *
 * lkx_size(c, w, h), lkx_fd(c), lkx_wake_fd(c)
 *   w, h: caller's variables, written before return. The returned fds are
 *   owned by c and are closed by lkx_close.
 *
 * lkx_refresh_size(c, w, h, detail)
 *   w, h, detail: caller's variables, written before return.
 *
 * lkx_wait(c, timeout_ms, events, detail)
 *   events, detail: caller's variables, written before return. Events read
 *   from XCB are freed inside.
 *
 * lkx_take_damage(c, dst, cap, n, detail)
 *   dst: caller's array of cap (>= 1) lkx_rect, written during the call only
 *   (may be Go memory). n, detail: caller's variables.
 *
 * lkx_buf_new(c, out, detail)
 *   On LKX_OK *out is an lkx_buf malloc'ed by lkx_buf_new; the caller owns it
 *   until it passes it to lkx_buf_free, exactly once. (*out)->addr maps
 *   (*out)->size bytes of SysV shared memory that stay valid until
 *   lkx_buf_free. The segment is marked IPC_RMID before return, so the kernel
 *   destroys it when its last attachment (this process or the X server) goes
 *   away, crash or not. An lkx_buf does not point to c and may outlive it.
 *   On error *out is NULL and nothing stays allocated.
 *
 * lkx_buf_free(c, b, detail)
 *   c: the connection b was made on, or NULL if it was closed already (then
 *   only the local mapping is removed; the server dropped its attachment when
 *   the connection went away). b is freed (free + shmdt) in all cases; it and
 *   the memory at b->addr are dangling afterwards. NULL b is a no-op.
 *
 * lkx_grab(c, b, y0, y1, detail)
 *   b: borrowed for the call. When it returns LKX_OK the X server has written
 *   rows [y0, y1) into b->addr + y0 * b->stride.
 *
 * lkx_set_focus(c, focused, detail)
 *   detail: caller's variable. No pointers kept. Unlike the other functions
 *   it may be called from another thread while one is in lkx_wait (XCB is
 *   thread-safe; it touches no lkx_conn state).
 *
 * lkx_cursor_image(c, info, dst, cap, detail)
 *   info: caller's struct, written before return (also on LKX_ERR_SHORT).
 *   dst: caller's array of cap uint32 (may be NULL if cap is 0), written
 *   during the call only; LKX_ERR_SHORT means cap < width * height and
 *   nothing was copied.
 *
 * Test drawing helpers (lkx_test_*): no pointers except caller's out
 *   variables, written before return. The GC they create is owned by c and
 *   freed by lkx_close; windows they create die with the connection.
 *
 * detail: 0, or for LKX_ERR_REQUEST / LKX_ERR_SHM (server refused) the X
 *   error code; for LKX_ERR_SYS / LKX_ERR_SHM (shmget/shmat failed) errno;
 *   for LKX_ERR_CONNECT the xcb_connection_has_error() value.
 */
#ifndef LKX_BRIDGE_H
#define LKX_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

/* Status codes returned by every int function. */
#define LKX_OK 0
#define LKX_ERR_CONNECT 1   /* could not connect (bad display, auth refused) */
#define LKX_ERR_NO_SHM 2    /* MIT-SHM extension missing */
#define LKX_ERR_NO_DAMAGE 3 /* DAMAGE missing or older than 1.1 */
#define LKX_ERR_NO_XFIXES 4 /* XFIXES missing or older than 2.0 */
#define LKX_ERR_SHM 5       /* shared memory segment: shmget/shmat/attach */
#define LKX_ERR_IO 6        /* connection broken (server died) */
#define LKX_ERR_REQUEST 7   /* the server answered a request with an error */
#define LKX_ERR_FORMAT 8    /* root is not 32 bpp little-endian xRGB */
#define LKX_ERR_SYS 9       /* system call failed (detail = errno) */
#define LKX_ERR_NOMEM 10    /* malloc failed */
#define LKX_ERR_ARG 11      /* invalid argument */
#define LKX_ERR_SHORT 12    /* lkx_cursor_image: dst too small (internal) */

/* Event bits reported by lkx_wait. */
#define LKX_EV_DAMAGE 1
#define LKX_EV_CURSOR 2
#define LKX_EV_WAKE 4

/* Same layout as Go's xcap.Rect. */
typedef struct lkx_rect {
	int32_t x, y, w, h;
} lkx_rect;

typedef struct lkx_cursor {
	int32_t x, y;          /* pointer position */
	int32_t width, height;
	int32_t xhot, yhot;
	uint32_t serial;       /* cursor_serial of the image */
} lkx_cursor;

/* One shared-memory image of the whole root. */
typedef struct lkx_buf {
	uint8_t *addr;  /* size bytes, mapped until lkx_buf_free */
	size_t size;
	int32_t width, height, stride;
	int shmid;
	uint32_t seg;   /* xcb_shm_seg_t on the connection that made it */
} lkx_buf;

typedef struct lkx_conn lkx_conn; /* opaque */

int lkx_open(const char *display, const uint8_t *cookie, int cookie_len,
             lkx_conn **out, int *detail);
void lkx_close(lkx_conn *c);

void lkx_size(const lkx_conn *c, int *w, int *h);
int lkx_fd(const lkx_conn *c);
int lkx_wake_fd(const lkx_conn *c);
int lkx_refresh_size(lkx_conn *c, int *w, int *h, int *detail);

int lkx_wait(lkx_conn *c, int timeout_ms, int *events, int *detail);
int lkx_take_damage(lkx_conn *c, lkx_rect *dst, int cap, int *n, int *detail);

int lkx_buf_new(lkx_conn *c, lkx_buf **out, int *detail);
int lkx_buf_free(lkx_conn *c, lkx_buf *b, int *detail);
int lkx_grab(lkx_conn *c, const lkx_buf *b, int y0, int y1, int *detail);
int lkx_set_focus(lkx_conn *c, int focused, int *detail);

int lkx_cursor_image(lkx_conn *c, lkx_cursor *info, uint32_t *dst, int cap,
                     int *detail);

/* Test drawing helpers. drawable/parent 0 means the root window. */
int lkx_test_fill(lkx_conn *c, uint32_t drawable, int x, int y, int w, int h,
                  uint32_t rgb, int *detail);
int lkx_test_create_window(lkx_conn *c, uint32_t parent, int x, int y, int w,
                           int h, uint32_t bg, uint32_t *win, int *detail);
int lkx_test_destroy_window(lkx_conn *c, uint32_t win, int *detail);

#endif
