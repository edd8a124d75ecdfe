/*
 * Ownership and lifetime of every pointer, function by function.
 *
 * General rules: no function keeps a caller's pointer after it returns (so
 * Go memory may be passed for the duration of a call); there is no global
 * mutable state (libvpx's one-time CPU feature setup is guarded by libvpx
 * itself), everything lives in one lkv_enc or one lkv_dec; functions taking
 * an lkv_enc or lkv_dec must not be called on the same one from two threads
 * at once, different ones are independent. Every function that can fail
 * fills the caller's lkv_err (see below) before returning.
 *
 * lkv_enc_new(cfg, out, err)
 *   cfg: caller's struct, read during the call only (copied into the
 *        encoder's vpx_codec_enc_cfg_t).
 *   out: caller's variable. On LKV_OK *out is an lkv_enc calloc'ed here that
 *        owns a libvpx encoder context; the caller owns it until it passes
 *        it to lkv_enc_free, exactly once. On error *out is NULL and nothing
 *        stays allocated.
 *
 * lkv_enc_free(e)
 *   Destroys the libvpx context (and with it every packet buffer) and frees
 *   e. e is dangling afterwards. NULL is a no-op.
 *
 * lkv_enc_set_bitrate(e, kbps, err)
 *   No pointers kept.
 *
 * lkv_encode(e, y, u, v, sy, suv, w, h, pts, duration, force_key,
 *            dst, cap, n, key, npkts, err)
 *   y, u, v: caller's planes (I420, strides sy / suv, w x h), read during the
 *            call only: they are wrapped in a vpx_image_t on the C stack and
 *            libvpx copies them into its own lookahead buffer inside
 *            vpx_codec_encode (lag 0), before this function returns.
 *   dst:     caller's buffer of cap bytes (may be NULL if cap is 0), written
 *            during the call only. On LKV_OK the compressed frame (all frame
 *            packets of this picture, concatenated) is in dst[0..*n).
 *            LKV_ERR_SHORT means cap < *n: nothing was copied, and the
 *            packets stay inside e (they point into libvpx's own output
 *            buffer, valid until the next lkv_encode, lkv_enc_free) for
 *            lkv_enc_take. No libvpx pointer is ever handed to the caller.
 *   n, key, npkts: caller's variables, written before return (total bytes,
 *            whether the frame is a keyframe, how many packets it had).
 *
 * lkv_enc_take(e, dst, cap, n, err)
 *   Copies the packets an lkv_encode left behind with LKV_ERR_SHORT into
 *   the caller's dst (cap bytes, written during the call only) and forgets
 *   them. LKV_ERR_ARG if there are none or cap is too small.
 *
 * lkv_dec_new(out, err), lkv_dec_free(d)
 *   As for the encoder: *out is calloc'ed here and owned by the caller
 *   until lkv_dec_free, which destroys the libvpx context, frees the
 *   input copy buffer and d. NULL is a no-op.
 *
 * lkv_decode(d, data, len, w, h, err)
 *   data: caller's len bytes, read during the call only: they are copied
 *         into a buffer owned by d (grown with realloc, freed by
 *         lkv_dec_free) before libvpx sees them, because libvpx's VP8
 *         decoder keeps a pointer to its input in its context after
 *         vpx_codec_decode returns.
 *   w, h: caller's variables: the size of the decoded picture, which d
 *         keeps (libvpx owns its planes) until the next lkv_decode or
 *         lkv_dec_free. LKV_ERR_NO_FRAME if the data produced no picture.
 *
 * lkv_dec_copy(d, y, sy, u, v, suv, err)
 *   Copies the picture of the last successful lkv_decode into the caller's
 *   planes (sizes as reported by lkv_decode, strides sy / suv), written
 *   during the call only. LKV_ERR_NO_FRAME if there is none.
 *
 * err: caller's variable, always written before return: code is the
 *   libvpx vpx_codec_err_t for LKV_ERR_CODEC (else 0) and msg a
 *   NUL-terminated explanation (libvpx's error detail when it gave one),
 *   or "" on LKV_OK.
 */
#ifndef LKV_BRIDGE_H
#define LKV_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

/* Status codes returned by every int function. */
#define LKV_OK 0
#define LKV_ERR_ARG 1      /* invalid argument or configuration */
#define LKV_ERR_NOMEM 2    /* calloc/realloc failed */
#define LKV_ERR_CODEC 3    /* libvpx failed (err->code = vpx_codec_err_t) */
#define LKV_ERR_NO_FRAME 4 /* no compressed frame / no decoded picture */
#define LKV_ERR_SHORT 5    /* lkv_encode: dst too small (internal) */

/* Most frame packets one picture may produce (VP8 realtime, lag 0: 1). */
#define LKV_MAX_PKTS 16

typedef struct lkv_err {
	int code;       /* vpx_codec_err_t for LKV_ERR_CODEC, else 0 */
	char msg[124];  /* NUL-terminated, possibly truncated */
} lkv_err;

typedef struct lkv_enc_config {
	int width, height;
	int bitrate_kbps;     /* CBR target */
	int cpu_used;         /* VP8E_SET_CPUUSED, -16..16 */
	int threads;          /* g_threads, >= 1 */
	int kf_max;           /* kf_max_dist in frames */
	int static_thresh;    /* VP8E_SET_STATIC_THRESHOLD */
	int max_intra_pct;    /* VP8E_SET_MAX_INTRA_BITRATE_PCT, 0 = unlimited */
	int screen_content;   /* VP8E_SET_SCREEN_CONTENT_MODE: 0 or 1 (never 2,
	                       * which drops frames) */
} lkv_enc_config;

typedef struct lkv_enc lkv_enc; /* opaque */
typedef struct lkv_dec lkv_dec; /* opaque */

int lkv_enc_new(const lkv_enc_config *cfg, lkv_enc **out, lkv_err *err);
void lkv_enc_free(lkv_enc *e);
int lkv_enc_set_bitrate(lkv_enc *e, int kbps, lkv_err *err);
int lkv_encode(lkv_enc *e, const uint8_t *y, const uint8_t *u,
               const uint8_t *v, int sy, int suv, int w, int h, int64_t pts,
               int64_t duration, int force_key, uint8_t *dst, size_t cap,
               size_t *n, int *key, int *npkts, lkv_err *err);
int lkv_enc_take(lkv_enc *e, uint8_t *dst, size_t cap, size_t *n,
                 lkv_err *err);

int lkv_dec_new(lkv_dec **out, lkv_err *err);
void lkv_dec_free(lkv_dec *d);
int lkv_decode(lkv_dec *d, const uint8_t *data, size_t len, int *w, int *h,
               lkv_err *err);
int lkv_dec_copy(lkv_dec *d, uint8_t *y, int sy, uint8_t *u, uint8_t *v,
                 int suv, lkv_err *err);

#endif
