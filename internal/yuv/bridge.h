/*
 * Ownership and lifetime of every pointer.
 *
 * There is one function and it keeps nothing: every pointer it receives is
 * borrowed for the duration of the call only (so Go memory may be passed),
 * it allocates nothing, and there is no global mutable state (libyuv's CPU
 * detection is a write-once cache inside libyuv, safe from any thread).
 *
 * lky_bgra_to_i420(src, stride, w, h, y, sy, u, v, suv, rects, n)
 *   src:   caller's pixels, h rows of stride bytes, each pixel B,G,R,X;
 *          read during the call only. It may be Go memory or shared memory.
 *   y, u, v: caller's planes (y: h rows of sy bytes; u, v: (h+1)/2 rows of
 *          suv bytes), written during the call only, and only inside the
 *          rectangles.
 *   rects: caller's array of n lky_rect (same layout as Go's
 *          image.Rectangle), read during the call only. n == 0 means the
 *          whole picture. Each rectangle is clipped to w x h and then
 *          expanded to even coordinates (the odd right or bottom edge of an
 *          odd-sized picture stays odd); empty ones are skipped.
 *
 * The caller (Go) has checked every size beforehand: the function trusts
 * that the buffers are as large as the arguments say.
 */
#ifndef LKY_BRIDGE_H
#define LKY_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

/* Status codes. */
#define LKY_OK 0
#define LKY_ERR_ARG 1  /* libyuv refused the arguments (detail: its status) */

/* Same layout as Go's image.Rectangle on every platform Go supports (Go's
 * int is pointer sized): Min.X, Min.Y, Max.X, Max.Y. */
typedef struct lky_rect {
	intptr_t x0, y0, x1, y1;
} lky_rect;

int lky_bgra_to_i420(const uint8_t *src, int stride, int w, int h,
                     uint8_t *y, int sy, uint8_t *u, uint8_t *v, int suv,
                     const lky_rect *rects, int n, int *detail);

#endif
