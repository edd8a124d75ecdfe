//go:build linux && cgo

/* BGRA -> I420 through libyuv, rectangle by rectangle. See bridge.h for the
 * ownership rules. */

#include "bridge.h"

#include <libyuv/convert_from_argb.h>

/* libyuv's "ARGB" is a little-endian 32-bit word, that is B,G,R,A in memory:
 * exactly the capture's byte order. */
static int convert(const uint8_t *src, int stride, uint8_t *y, int sy,
                   uint8_t *u, uint8_t *v, int suv, int x0, int y0, int x1,
                   int y1, int *detail)
{
	int st = ARGBToI420(src + (size_t)y0 * (size_t)stride + (size_t)x0 * 4,
	                    stride,
	                    y + (size_t)y0 * (size_t)sy + (size_t)x0, sy,
	                    u + (size_t)(y0 / 2) * (size_t)suv + (size_t)(x0 / 2), suv,
	                    v + (size_t)(y0 / 2) * (size_t)suv + (size_t)(x0 / 2), suv,
	                    x1 - x0, y1 - y0);
	if (st != 0) {
		*detail = st;
		return LKY_ERR_ARG;
	}
	return LKY_OK;
}

int lky_bgra_to_i420(const uint8_t *src, int stride, int w, int h,
                     uint8_t *y, int sy, uint8_t *u, uint8_t *v, int suv,
                     const lky_rect *rects, int n, int *detail)
{
	*detail = 0;
	if (n == 0)
		return convert(src, stride, y, sy, u, v, suv, 0, 0, w, h, detail);
	for (int i = 0; i < n; i++) {
		intptr_t x0 = rects[i].x0, y0 = rects[i].y0;
		intptr_t x1 = rects[i].x1, y1 = rects[i].y1;
		/* Clip first (no overflow below), then round outwards to even. */
		if (x0 < 0) x0 = 0;
		if (y0 < 0) y0 = 0;
		if (x1 > w) x1 = w;
		if (y1 > h) y1 = h;
		if (x0 >= x1 || y0 >= y1)
			continue;
		x0 &= ~(intptr_t)1;
		y0 &= ~(intptr_t)1;
		x1 = x1 + (x1 & 1) > w ? w : x1 + (x1 & 1);
		y1 = y1 + (y1 & 1) > h ? h : y1 + (y1 & 1);
		int st = convert(src, stride, y, sy, u, v, suv, (int)x0, (int)y0,
		                 (int)x1, (int)y1, detail);
		if (st != LKY_OK)
			return st;
	}
	return LKY_OK;
}
