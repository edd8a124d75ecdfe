/*
 * Ownership and lifetime of every pointer, function by function.
 *
 * General rules: no function keeps a caller's pointer after it returns (so Go
 * memory may be passed for the duration of a call; strings are copied by
 * libpulse or used during the call only); there is no global mutable state in
 * this file, everything lives in one lkp_ctl, lkp_rec or lkp_play. (libpulse
 * itself keeps a little process-wide state: translations, a cookie file it
 * may create in $HOME, and the X11 root properties it reads if $DISPLAY is
 * set.) Every lkp_ctl and lkp_rec owns a pa_threaded_mainloop (one thread)
 * and a pa_context (one connection to the server); all libpulse objects are
 * touched only with that mainloop's lock held, or after it was stopped.
 * libpulse never exits or aborts on a dead server: the context and its
 * streams go to the FAILED state, which surfaces as LKP_ERR_LOST.
 *
 * timeout_ms: every function that waits for the server gives up after
 * timeout_ms milliseconds (LKP_ERR_TIMEOUT); timeout_ms <= 0 waits without a
 * limit (but still returns when the connection fails or on lkp_*_interrupt).
 *
 * lkp_ctl_open(server, timeout_ms, out, detail)
 *   server: caller's NUL-terminated string ("unix:/path/native"), read
 *           during the call only. NULL or "" means libpulse's default
 *           ($PULSE_SERVER, client.conf, ...). Autospawn is disabled.
 *   out:    caller's variable. On LKP_OK *out is an lkp_ctl malloc'ed here;
 *           the caller owns it until it passes it to lkp_ctl_close, exactly
 *           once. On error *out is NULL and nothing stays allocated (the
 *           mainloop thread has been joined).
 *   The timeout is kept and used for every later operation on the lkp_ctl.
 *
 * lkp_ctl_close(c)
 *   Stops and joins the mainloop thread, disconnects, frees c and all it
 *   owns. c is dangling afterwards. NULL is a no-op. Must not run while
 *   another thread is inside a function on c (call lkp_ctl_interrupt, then
 *   wait for those calls to return).
 *
 * lkp_ctl_interrupt(c)
 *   Makes every running and later waiting function on c return
 *   LKP_ERR_CLOSED. Safe from any thread while others use c.
 *
 * lkp_ctl_alive(c)
 *   1 if the context is READY, else 0.
 *
 * lkp_load_null_sink(c, name, rate, channels, module, detail)
 *   name: caller's string, read during the call; [A-Za-z0-9_.-]{1,128}
 *         (module arguments are not escaped). module: caller's variable.
 *   If a sink called name exists already, the new module is unloaded again
 *   and LKP_ERR_EXIST returned (the server would have named it name.2).
 * lkp_unload_module(c, module, detail)
 *   Returns once the module is gone (the server acknowledges the request
 *   before it actually unloads).
 * lkp_set_sink_mute(c, sink, mute, detail)
 *   sink: caller's string, read during the call.
 * lkp_sink_input_count(c, sink, count, detail)
 *   sink: caller's string, read during the call. count: caller's variable.
 *   The functions on one lkp_ctl may run on several threads at once (each
 *   waits for its own operation); only lkp_ctl_close must be exclusive.
 *
 * lkp_rec_open(server, source, rate, channels, fragsize, timeout_ms, out,
 *              detail)
 *   server, source: caller's strings, read during the call only.
 *   out: as for lkp_ctl_open, freed by lkp_rec_close.
 *   Opens its own connection and a record stream (s16le, rate, channels,
 *   default channel map) on source with fragsize bytes per fragment,
 *   maxlength -1, ADJUST_LATENCY and DONT_MOVE: when the source goes away the
 *   stream is killed (LKP_ERR_KILLED) rather than moved to another source.
 *   If source is the monitor of a sink that renders more than 500 ms ahead
 *   (nobody asked it for a low latency), that sink is then suspended and
 *   resumed at once (see kick in bridge.c): without this the first samples
 *   of a new stream may take up to 2 s.
 *
 * lkp_rec_read(r, dst, n, detail)
 *   dst: caller's n bytes, written during the call only (may be Go memory).
 *   Blocks until exactly n bytes were read. Holes in the stream read as
 *   zeros. Must not run on two threads at once on the same r. What is left
 *   of a fragment is copied into a buffer r owns (freed by lkp_rec_close):
 *   no libpulse memory block stays acquired after the call returns (see
 *   struct lkp_rec in bridge.c for the deadlock that would cause).
 *
 * lkp_rec_latency(r, usec, detail)
 *   usec: caller's variable. Returns the source's delay + transport (from a
 *   timing update, one round trip, done when the last is over 1 s old) +
 *   what libpulse has received for r and the caller has not read yet.
 *   (pa_simple_get_latency's interpolated figure is wrong for monitors of
 *   null sinks, which render ahead of their clock.) May run while another
 *   thread is in lkp_rec_read on r.
 *
 * lkp_rec_interrupt(r)
 *   Makes a running or later lkp_rec_read / lkp_rec_latency return
 *   LKP_ERR_CLOSED. Safe from any thread while others use r.
 *
 * lkp_rec_close(r)
 *   Like lkp_ctl_close: frees r and all it owns; exclusive; NULL is a no-op.
 *
 * Test player (lkp_test_play_*), a pa_simple playback stream:
 *   lkp_test_play_open: server, sink read during the call only; *out is owned
 *   by the caller until lkp_test_play_close (exactly once; NULL is a no-op).
 *   pa_simple_new has no timeout. lkp_test_play_write: src is read during
 *   the call only. Not thread-safe.
 *
 * detail: 0, or the PulseAudio error code (PA_ERR_*) behind the status;
 *   caller's variable, always written before return.
 */
#ifndef LKP_BRIDGE_H
#define LKP_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

/* Status codes returned by every int function except lkp_ctl_alive. */
#define LKP_OK 0
#define LKP_ERR_CONNECT 1   /* cannot connect: no socket, refused, bad server */
#define LKP_ERR_TOO_MANY 2  /* server dropped us before the handshake ended:
                             * its client limit (64 native connections) */
#define LKP_ERR_TIMEOUT 3   /* no answer within timeout_ms */
#define LKP_ERR_LOST 4      /* connection lost (server died) */
#define LKP_ERR_KILLED 5    /* stream killed by the server (source removed) */
#define LKP_ERR_NOENTITY 6  /* no such sink, source or module */
#define LKP_ERR_PA 7        /* other PulseAudio error (see detail) */
#define LKP_ERR_NOMEM 8     /* allocation or thread creation failed */
#define LKP_ERR_ARG 9       /* invalid argument */
#define LKP_ERR_CLOSED 10   /* interrupted by lkp_*_interrupt */
#define LKP_ERR_EXIST 11    /* a sink of that name exists already */

typedef struct lkp_ctl lkp_ctl;   /* opaque */
typedef struct lkp_rec lkp_rec;   /* opaque */
typedef struct lkp_play lkp_play; /* opaque */

int lkp_ctl_open(const char *server, int timeout_ms, lkp_ctl **out,
                 int *detail);
void lkp_ctl_close(lkp_ctl *c);
void lkp_ctl_interrupt(lkp_ctl *c);
int lkp_ctl_alive(lkp_ctl *c);
int lkp_load_null_sink(lkp_ctl *c, const char *name, int rate, int channels,
                       uint32_t *module, int *detail);
int lkp_unload_module(lkp_ctl *c, uint32_t module, int *detail);
int lkp_set_sink_mute(lkp_ctl *c, const char *sink, int mute, int *detail);
int lkp_sink_input_count(lkp_ctl *c, const char *sink, int *count,
                         int *detail);

int lkp_rec_open(const char *server, const char *source, int rate,
                 int channels, uint32_t fragsize, int timeout_ms,
                 lkp_rec **out, int *detail);
int lkp_rec_read(lkp_rec *r, uint8_t *dst, size_t n, int *detail);
int lkp_rec_latency(lkp_rec *r, uint64_t *usec, int *detail);
void lkp_rec_interrupt(lkp_rec *r);
void lkp_rec_close(lkp_rec *r);

int lkp_test_play_open(const char *server, const char *sink, int rate,
                       int channels, uint32_t tlength, lkp_play **out,
                       int *detail);
int lkp_test_play_write(lkp_play *p, const uint8_t *src, size_t n,
                        int *detail);
void lkp_test_play_close(lkp_play *p);

#endif
