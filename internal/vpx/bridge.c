//go:build linux && cgo

/* VP8 encoding and decoding over libvpx. See bridge.h for the ownership
 * rules. */

#include "bridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

struct lkv_enc {
	vpx_codec_ctx_t ctx;
	vpx_codec_enc_cfg_t cfg;
	/* Frame packets of the last lkv_encode that returned LKV_ERR_SHORT:
	 * pointers into libvpx's output buffer, valid until the next encode. */
	const void *pkt[LKV_MAX_PKTS];
	size_t pkt_sz[LKV_MAX_PKTS];
	int npkt;
};

struct lkv_dec {
	vpx_codec_ctx_t ctx;
	int inited;
	uint8_t *in;         /* copy of the input, see bridge.h */
	size_t in_cap;
	const vpx_image_t *img; /* last picture, owned by ctx */
};

static int ok(lkv_err *err)
{
	err->code = 0;
	err->msg[0] = 0;
	return LKV_OK;
}

static int fail(lkv_err *err, int st, const char *msg)
{
	err->code = 0;
	snprintf(err->msg, sizeof err->msg, "%s", msg);
	return st;
}

/* codec_fail reports a libvpx error, with the context's detail if any. */
static int codec_fail(lkv_err *err, vpx_codec_ctx_t *ctx, vpx_codec_err_t res,
                      const char *what)
{
	const char *d = ctx ? vpx_codec_error_detail(ctx) : NULL;
	err->code = (int)res;
	if (d && *d)
		snprintf(err->msg, sizeof err->msg, "%s: %s (%s)", what,
		         vpx_codec_err_to_string(res), d);
	else
		snprintf(err->msg, sizeof err->msg, "%s: %s", what,
		         vpx_codec_err_to_string(res));
	return res == VPX_CODEC_MEM_ERROR ? LKV_ERR_NOMEM : LKV_ERR_CODEC;
}

int lkv_enc_new(const lkv_enc_config *k, lkv_enc **out, lkv_err *err)
{
	vpx_codec_err_t res;

	*out = NULL;
	if (k->width < 1 || k->height < 1 || k->width > 16383 ||
	    k->height > 16383 || k->bitrate_kbps < 1 || k->threads < 1 ||
	    k->cpu_used < -16 || k->cpu_used > 16 || k->kf_max < 0 ||
	    k->static_thresh < 0 || k->max_intra_pct < 0 ||
	    k->screen_content < 0 || k->screen_content > 1)
		return fail(err, LKV_ERR_ARG, "invalid encoder configuration");
	lkv_enc *e = calloc(1, sizeof *e);
	if (!e)
		return fail(err, LKV_ERR_NOMEM, "calloc");

	vpx_codec_enc_cfg_t *c = &e->cfg;
	res = vpx_codec_enc_config_default(vpx_codec_vp8_cx(), c, 0);
	if (res != VPX_CODEC_OK) {
		free(e);
		return codec_fail(err, NULL, res, "config default");
	}
	c->g_w = (unsigned)k->width;
	c->g_h = (unsigned)k->height;
	c->g_threads = (unsigned)k->threads;
	c->g_timebase.num = 1; /* pts and durations in milliseconds */
	c->g_timebase.den = 1000;
	c->g_pass = VPX_RC_ONE_PASS;
	c->g_lag_in_frames = 0;
	c->g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
	c->rc_end_usage = VPX_CBR;
	c->rc_target_bitrate = (unsigned)k->bitrate_kbps;
	c->rc_dropframe_thresh = 0; /* never drop: one picture in, one frame out */
	c->rc_resize_allowed = 0;
	/* WebRTC caps VP8 at 56 but may drop frames; we never drop, so allow 63
	 * to hold the rate on hard content at low bitrates (measured on a noisy
	 * 360p pan at 300 kbps: 3057 B/frame with 56, 1678 with 63; target
	 * 1250). Easy content never reaches it. */
	c->rc_min_quantizer = 2;
	c->rc_max_quantizer = 63;
	c->rc_undershoot_pct = 100;
	c->rc_overshoot_pct = 15;
	/* Short buffer (ms of the target rate): low latency. */
	c->rc_buf_sz = 1000;
	c->rc_buf_initial_sz = 500;
	c->rc_buf_optimal_sz = 600;
	c->kf_mode = VPX_KF_AUTO;
	c->kf_min_dist = 0;
	c->kf_max_dist = (unsigned)k->kf_max;

	res = vpx_codec_enc_init(&e->ctx, vpx_codec_vp8_cx(), c, 0);
	if (res != VPX_CODEC_OK) {
		int st = codec_fail(err, &e->ctx, res, "encoder init");
		vpx_codec_destroy(&e->ctx); /* harmless when init failed */
		free(e);
		return st;
	}
	const char *what = NULL;
	if ((res = vpx_codec_control(&e->ctx, VP8E_SET_CPUUSED, k->cpu_used)))
		what = "VP8E_SET_CPUUSED";
	else if ((res = vpx_codec_control(&e->ctx, VP8E_SET_STATIC_THRESHOLD,
	                                  (unsigned)k->static_thresh)))
		what = "VP8E_SET_STATIC_THRESHOLD";
	else if ((res = vpx_codec_control(&e->ctx, VP8E_SET_MAX_INTRA_BITRATE_PCT,
	                                  (unsigned)k->max_intra_pct)))
		what = "VP8E_SET_MAX_INTRA_BITRATE_PCT";
	else if ((res = vpx_codec_control(&e->ctx, VP8E_SET_NOISE_SENSITIVITY, 0u)))
		what = "VP8E_SET_NOISE_SENSITIVITY";
	else if ((res = vpx_codec_control(&e->ctx, VP8E_SET_SCREEN_CONTENT_MODE,
	                                  (unsigned)k->screen_content)))
		what = "VP8E_SET_SCREEN_CONTENT_MODE";
	if (what) {
		int st = codec_fail(err, &e->ctx, res, what);
		lkv_enc_free(e);
		return st;
	}
	*out = e;
	return ok(err);
}

void lkv_enc_free(lkv_enc *e)
{
	if (!e)
		return;
	vpx_codec_destroy(&e->ctx);
	free(e);
}

int lkv_enc_set_bitrate(lkv_enc *e, int kbps, lkv_err *err)
{
	if (kbps < 1)
		return fail(err, LKV_ERR_ARG, "bitrate must be positive");
	unsigned old = e->cfg.rc_target_bitrate;
	e->cfg.rc_target_bitrate = (unsigned)kbps;
	vpx_codec_err_t res = vpx_codec_enc_config_set(&e->ctx, &e->cfg);
	if (res != VPX_CODEC_OK) {
		e->cfg.rc_target_bitrate = old;
		return codec_fail(err, &e->ctx, res, "config set");
	}
	return ok(err);
}

int lkv_encode(lkv_enc *e, const uint8_t *y, const uint8_t *u,
               const uint8_t *v, int sy, int suv, int w, int h, int64_t pts,
               int64_t duration, int force_key, uint8_t *dst, size_t cap,
               size_t *n, int *key, int *npkts, lkv_err *err)
{
	vpx_image_t img;
	vpx_codec_err_t res;

	*n = 0;
	*key = 0;
	*npkts = 0;
	e->npkt = 0;
	if ((unsigned)w != e->cfg.g_w || (unsigned)h != e->cfg.g_h ||
	    sy < w || suv < (w + 1) / 2 || duration < 1 || pts < 0)
		return fail(err, LKV_ERR_ARG, "picture does not match the encoder");
	/* Wrap the caller's planes; libvpx copies them during the call. */
	if (!vpx_img_wrap(&img, VPX_IMG_FMT_I420, (unsigned)w, (unsigned)h, 1,
	                  (unsigned char *)y))
		return fail(err, LKV_ERR_ARG, "vpx_img_wrap");
	img.planes[VPX_PLANE_Y] = (unsigned char *)y;
	img.planes[VPX_PLANE_U] = (unsigned char *)u;
	img.planes[VPX_PLANE_V] = (unsigned char *)v;
	img.stride[VPX_PLANE_Y] = sy;
	img.stride[VPX_PLANE_U] = suv;
	img.stride[VPX_PLANE_V] = suv;

	res = vpx_codec_encode(&e->ctx, &img, pts, (unsigned long)duration,
	                       force_key ? VPX_EFLAG_FORCE_KF : 0,
	                       VPX_DL_REALTIME);
	if (res != VPX_CODEC_OK)
		return codec_fail(err, &e->ctx, res, "encode");

	vpx_codec_iter_t it = NULL;
	const vpx_codec_cx_pkt_t *p;
	size_t total = 0;
	int np = 0;
	while ((p = vpx_codec_get_cx_data(&e->ctx, &it))) {
		if (p->kind != VPX_CODEC_CX_FRAME_PKT)
			continue;
		if (np == LKV_MAX_PKTS)
			return fail(err, LKV_ERR_CODEC, "too many packets for one picture");
		e->pkt[np] = p->data.frame.buf;
		e->pkt_sz[np] = p->data.frame.sz;
		total += p->data.frame.sz;
		if (p->data.frame.flags & VPX_FRAME_IS_KEY)
			*key = 1;
		np++;
	}
	*n = total;
	*npkts = np;
	if (np == 0)
		return fail(err, LKV_ERR_NO_FRAME, "encoder produced no frame");
	e->npkt = np;
	if (total > cap)
		return fail(err, LKV_ERR_SHORT, "buffer too small");
	return lkv_enc_take(e, dst, cap, n, err);
}

int lkv_enc_take(lkv_enc *e, uint8_t *dst, size_t cap, size_t *n,
                 lkv_err *err)
{
	size_t off = 0;

	*n = 0;
	for (int i = 0; i < e->npkt; i++)
		off += e->pkt_sz[i];
	if (e->npkt == 0 || off > cap)
		return fail(err, LKV_ERR_ARG, "no pending frame or buffer too small");
	off = 0;
	for (int i = 0; i < e->npkt; i++) {
		memcpy(dst + off, e->pkt[i], e->pkt_sz[i]);
		off += e->pkt_sz[i];
	}
	e->npkt = 0;
	*n = off;
	return ok(err);
}

int lkv_dec_new(lkv_dec **out, lkv_err *err)
{
	vpx_codec_dec_cfg_t cfg = {1, 0, 0}; /* threads, w, h */

	*out = NULL;
	lkv_dec *d = calloc(1, sizeof *d);
	if (!d)
		return fail(err, LKV_ERR_NOMEM, "calloc");
	vpx_codec_err_t res = vpx_codec_dec_init(&d->ctx, vpx_codec_vp8_dx(), &cfg, 0);
	if (res != VPX_CODEC_OK) {
		int st = codec_fail(err, &d->ctx, res, "decoder init");
		vpx_codec_destroy(&d->ctx);
		free(d);
		return st;
	}
	d->inited = 1;
	*out = d;
	return ok(err);
}

void lkv_dec_free(lkv_dec *d)
{
	if (!d)
		return;
	if (d->inited)
		vpx_codec_destroy(&d->ctx);
	free(d->in);
	free(d);
}

int lkv_decode(lkv_dec *d, const uint8_t *data, size_t len, int *w, int *h,
               lkv_err *err)
{
	*w = *h = 0;
	d->img = NULL;
	if (len == 0 || len > 0x7fffffff)
		return fail(err, LKV_ERR_ARG, "frame size");
	if (len > d->in_cap) {
		uint8_t *p = realloc(d->in, len);
		if (!p)
			return fail(err, LKV_ERR_NOMEM, "realloc");
		d->in = p;
		d->in_cap = len;
	}
	memcpy(d->in, data, len);
	vpx_codec_err_t res = vpx_codec_decode(&d->ctx, d->in, (unsigned)len, NULL, 0);
	if (res != VPX_CODEC_OK)
		return codec_fail(err, &d->ctx, res, "decode");
	vpx_codec_iter_t it = NULL;
	const vpx_image_t *img = vpx_codec_get_frame(&d->ctx, &it);
	if (!img)
		return fail(err, LKV_ERR_NO_FRAME, "decoder produced no picture");
	if (img->fmt != VPX_IMG_FMT_I420 || img->x_chroma_shift != 1 ||
	    img->y_chroma_shift != 1)
		return fail(err, LKV_ERR_CODEC, "decoded picture is not I420");
	d->img = img;
	*w = (int)img->d_w;
	*h = (int)img->d_h;
	return ok(err);
}

static void copy_plane(uint8_t *dst, int ds, const uint8_t *src, int ss,
                       int w, int h)
{
	for (int r = 0; r < h; r++)
		memcpy(dst + (size_t)r * (size_t)ds, src + (size_t)r * (size_t)ss,
		       (size_t)w);
}

int lkv_dec_copy(lkv_dec *d, uint8_t *y, int sy, uint8_t *u, uint8_t *v,
                 int suv, lkv_err *err)
{
	const vpx_image_t *img = d->img;

	if (!img)
		return fail(err, LKV_ERR_NO_FRAME, "no decoded picture");
	int w = (int)img->d_w, h = (int)img->d_h;
	int cw = (w + 1) / 2, ch = (h + 1) / 2;
	if (sy < w || suv < cw)
		return fail(err, LKV_ERR_ARG, "strides too small");
	copy_plane(y, sy, img->planes[VPX_PLANE_Y], img->stride[VPX_PLANE_Y], w, h);
	copy_plane(u, suv, img->planes[VPX_PLANE_U], img->stride[VPX_PLANE_U], cw, ch);
	copy_plane(v, suv, img->planes[VPX_PLANE_V], img->stride[VPX_PLANE_V], cw, ch);
	return ok(err);
}
