//go:build linux && cgo

/* PulseAudio control and capture on libpulse's threaded mainloop. See
 * bridge.h for the ownership rules. */

#include "bridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pulse/pulseaudio.h>
#include <pulse/simple.h>

/* One connection: a threaded mainloop and a context on it. All fields after
 * ml and ctx are read and written with the mainloop lock held. */
struct conn {
	pa_threaded_mainloop *ml;
	pa_context *ctx;
	int timeout_ms;
	int closing;      /* set by lkp_*_interrupt */
	int reached_auth; /* the socket connected and the handshake started */
};

struct lkp_ctl {
	struct conn k;
};

struct lkp_rec {
	struct conn k;
	pa_stream *st;
	/* What is left of the last fragment after a read that wanted less:
	 * bytes idx..len of buf (ours, malloc'ed, grown as fragments need).
	 * A fragment from pa_stream_peek is copied and dropped in the same
	 * locked section, never held across the lock: libpulse's mainloop
	 * thread, when the connection dies, waits with the lock held until
	 * every acquired shared-memory block is released
	 * (pa_memimport_free), and a reader waiting for the lock while
	 * holding one would deadlock with it. */
	uint8_t *buf;
	size_t cap, len, idx;
	pa_usec_t snap; /* rtclock of the last timing update; 0: none yet */
};

struct lkp_play {
	pa_simple *s;
};

/* lkp_rec_latency asks the server for timing data at most this often. */
#define LATENCY_REFRESH_USEC PA_USEC_PER_SEC

/* kick: restart a monitored sink that renders more than this far ahead. */
#define KICK_USEC (500 * PA_USEC_PER_MSEC)

/* status_of maps a PulseAudio error code to a status. */
static int status_of(int e)
{
	switch (e) {
	case PA_OK:
		return LKP_OK;
	case PA_ERR_CONNECTIONREFUSED:
	case PA_ERR_INVALIDSERVER:
		return LKP_ERR_CONNECT;
	case PA_ERR_CONNECTIONTERMINATED:
		return LKP_ERR_LOST;
	case PA_ERR_KILLED:
		return LKP_ERR_KILLED;
	case PA_ERR_NOENTITY:
		return LKP_ERR_NOENTITY;
	case PA_ERR_INVALID:
		return LKP_ERR_ARG;
	case PA_ERR_TIMEOUT:
		return LKP_ERR_TIMEOUT;
	default:
		return LKP_ERR_PA;
	}
}

/* ---- waiting with a deadline ---------------------------------------- */

/* A waiter lives on the stack of a function that holds the lock; its time
 * event is freed before that function returns. */
struct waiter {
	struct conn *k;
	pa_time_event *ev;
	int expired;
};

static void on_timeout(pa_mainloop_api *a, pa_time_event *e,
                       const struct timeval *tv, void *u)
{
	struct waiter *w = u;
	(void)a, (void)e, (void)tv;
	w->expired = 1;
	pa_threaded_mainloop_signal(w->k->ml, 0);
}

static void waiter_start(struct waiter *w, struct conn *k)
{
	w->k = k;
	w->ev = NULL;
	w->expired = 0;
	if (k->timeout_ms > 0)
		w->ev = pa_context_rttime_new(k->ctx,
			pa_rtclock_now() + (pa_usec_t)k->timeout_ms * PA_USEC_PER_MSEC,
			on_timeout, w);
}

static void waiter_stop(struct waiter *w)
{
	if (w->ev)
		pa_threaded_mainloop_get_api(w->k->ml)->time_free(w->ev);
	w->ev = NULL;
}

/* ctx_lost returns LKP_ERR_LOST with the context's error as detail. */
static int ctx_lost(struct conn *k, int *detail)
{
	int e = pa_context_errno(k->ctx);
	*detail = e ? e : PA_ERR_CONNECTIONTERMINATED;
	return LKP_ERR_LOST;
}

/* ---- connections ----------------------------------------------------- */

static void ctx_state_cb(pa_context *ctx, void *u)
{
	struct conn *k = u;
	switch (pa_context_get_state(ctx)) {
	case PA_CONTEXT_AUTHORIZING:
	case PA_CONTEXT_SETTING_NAME:
	case PA_CONTEXT_READY:
		k->reached_auth = 1;
		break;
	default:
		break;
	}
	pa_threaded_mainloop_signal(k->ml, 0);
}

/* conn_open fills k (zeroed by the caller); on error the caller still calls
 * conn_close(k). */
static int conn_open(struct conn *k, const char *server, int timeout_ms,
                     int *detail)
{
	struct waiter w;
	int st;

	k->timeout_ms = timeout_ms;
	if (!(k->ml = pa_threaded_mainloop_new()))
		return LKP_ERR_NOMEM;
	pa_proplist *pl = pa_proplist_new();
	if (!pl)
		return LKP_ERR_NOMEM;
	pa_proplist_sets(pl, PA_PROP_APPLICATION_NAME, "lkbrowser");
	k->ctx = pa_context_new_with_proplist(
		pa_threaded_mainloop_get_api(k->ml), "lkbrowser", pl);
	pa_proplist_free(pl);
	if (!k->ctx)
		return LKP_ERR_NOMEM;
	pa_context_set_state_callback(k->ctx, ctx_state_cb, k);
	if (pa_threaded_mainloop_start(k->ml) < 0)
		return LKP_ERR_NOMEM;

	pa_threaded_mainloop_lock(k->ml);
	if (pa_context_connect(k->ctx, server && *server ? server : NULL,
	                       PA_CONTEXT_NOAUTOSPAWN, NULL) < 0) {
		*detail = pa_context_errno(k->ctx);
		pa_threaded_mainloop_unlock(k->ml);
		return *detail == PA_ERR_INVALID ? LKP_ERR_ARG : LKP_ERR_CONNECT;
	}
	waiter_start(&w, k);
	for (;;) {
		pa_context_state_t s = pa_context_get_state(k->ctx);
		if (s == PA_CONTEXT_READY) {
			st = LKP_OK;
			break;
		}
		if (!PA_CONTEXT_IS_GOOD(s)) {
			int e = pa_context_errno(k->ctx);
			*detail = e;
			if (e == PA_ERR_CONNECTIONTERMINATED && k->reached_auth)
				/* The socket connected but the server hung up
				 * before answering AUTH: protocol-native drops
				 * connections beyond its limit that way. */
				st = LKP_ERR_TOO_MANY;
			else if (e == PA_ERR_ACCESS)
				st = LKP_ERR_CONNECT;
			else if ((st = status_of(e)) == LKP_OK ||
			         st == LKP_ERR_LOST)
				st = LKP_ERR_CONNECT;
			break;
		}
		if (w.expired) {
			*detail = PA_ERR_TIMEOUT;
			st = LKP_ERR_TIMEOUT;
			break;
		}
		pa_threaded_mainloop_wait(k->ml);
	}
	waiter_stop(&w);
	pa_threaded_mainloop_unlock(k->ml);
	return st;
}

/* conn_close frees what conn_open made; k itself is the caller's. */
static void conn_close(struct conn *k)
{
	if (k->ml)
		pa_threaded_mainloop_stop(k->ml); /* joins the thread */
	if (k->ctx) {
		pa_context_set_state_callback(k->ctx, NULL, NULL);
		pa_context_disconnect(k->ctx);
		pa_context_unref(k->ctx);
	}
	if (k->ml)
		pa_threaded_mainloop_free(k->ml);
}

static void conn_interrupt(struct conn *k)
{
	pa_threaded_mainloop_lock(k->ml);
	k->closing = 1;
	pa_threaded_mainloop_signal(k->ml, 0);
	pa_threaded_mainloop_unlock(k->ml);
}

/* ---- control ------------------------------------------------------- */

int lkp_ctl_open(const char *server, int timeout_ms, lkp_ctl **out,
                 int *detail)
{
	*out = NULL;
	*detail = 0;
	lkp_ctl *c = calloc(1, sizeof *c);
	if (!c)
		return LKP_ERR_NOMEM;
	int st = conn_open(&c->k, server, timeout_ms, detail);
	if (st != LKP_OK) {
		lkp_ctl_close(c);
		return st;
	}
	*out = c;
	return LKP_OK;
}

void lkp_ctl_close(lkp_ctl *c)
{
	if (!c)
		return;
	conn_close(&c->k);
	free(c);
}

void lkp_ctl_interrupt(lkp_ctl *c) { conn_interrupt(&c->k); }

int lkp_ctl_alive(lkp_ctl *c)
{
	pa_threaded_mainloop_lock(c->k.ml);
	int ok = pa_context_get_state(c->k.ctx) == PA_CONTEXT_READY;
	pa_threaded_mainloop_unlock(c->k.ml);
	return ok;
}

/* Result of one operation, on the stack of the function waiting for it. */
struct result {
	struct conn *k;
	int err;        /* PulseAudio error reported by the callback */
	uint32_t index; /* module or sink index */
	uint32_t sink;  /* sink whose inputs are counted */
	int count;
};

static void op_state_cb(pa_operation *o, void *u)
{
	struct conn *k = u;
	(void)o;
	pa_threaded_mainloop_signal(k->ml, 0);
}

/* run_op waits (lock held) until o is done, then unrefs it. On success the
 * status is the callback's error, if any. */
static int run_op(struct conn *k, pa_operation *o, struct result *r,
                  int *detail)
{
	struct waiter w;
	int st = LKP_OK;

	if (!o) {
		if (pa_context_get_state(k->ctx) != PA_CONTEXT_READY)
			return ctx_lost(k, detail);
		*detail = pa_context_errno(k->ctx);
		return status_of(*detail) == LKP_OK ? LKP_ERR_PA : status_of(*detail);
	}
	pa_operation_set_state_callback(o, op_state_cb, k);
	waiter_start(&w, k);
	while (pa_operation_get_state(o) == PA_OPERATION_RUNNING) {
		if (k->closing) {
			st = LKP_ERR_CLOSED;
			break;
		}
		if (pa_context_get_state(k->ctx) != PA_CONTEXT_READY) {
			st = ctx_lost(k, detail);
			break;
		}
		if (w.expired) {
			*detail = PA_ERR_TIMEOUT;
			st = LKP_ERR_TIMEOUT;
			break;
		}
		pa_threaded_mainloop_wait(k->ml);
	}
	waiter_stop(&w);
	if (st == LKP_OK && pa_operation_get_state(o) == PA_OPERATION_CANCELLED)
		st = ctx_lost(k, detail); /* the context died under it */
	if (pa_operation_get_state(o) == PA_OPERATION_RUNNING) {
		/* Stop the callback from writing into r after we return. */
		pa_operation_set_state_callback(o, NULL, NULL);
		pa_operation_cancel(o);
	}
	pa_operation_unref(o);
	if (st == LKP_OK && r->err) {
		*detail = r->err;
		st = status_of(r->err);
		if (st == LKP_OK)
			st = LKP_ERR_PA;
	}
	return st;
}

static void index_cb(pa_context *ctx, uint32_t idx, void *u)
{
	struct result *r = u;
	if (idx == PA_INVALID_INDEX)
		r->err = pa_context_errno(ctx);
	r->index = idx;
	pa_threaded_mainloop_signal(r->k->ml, 0);
}

static void success_cb(pa_context *ctx, int ok, void *u)
{
	struct result *r = u;
	if (!ok)
		r->err = pa_context_errno(ctx);
	pa_threaded_mainloop_signal(r->k->ml, 0);
}

static void sink_info_cb(pa_context *ctx, const pa_sink_info *i, int eol,
                         void *u)
{
	struct result *r = u;
	if (eol < 0)
		r->err = pa_context_errno(ctx);
	else if (i)
		r->sink = i->index;
	pa_threaded_mainloop_signal(r->k->ml, 0);
}

static void sink_owner_cb(pa_context *ctx, const pa_sink_info *i, int eol,
                          void *u)
{
	struct result *r = u;
	if (eol < 0)
		r->err = pa_context_errno(ctx);
	else if (i)
		r->sink = i->owner_module;
	pa_threaded_mainloop_signal(r->k->ml, 0);
}

static void sink_input_cb(pa_context *ctx, const pa_sink_input_info *i,
                          int eol, void *u)
{
	struct result *r = u;
	if (eol < 0)
		r->err = pa_context_errno(ctx);
	else if (i && i->sink == r->sink)
		r->count++;
	pa_threaded_mainloop_signal(r->k->ml, 0);
}

/* valid_name accepts [A-Za-z0-9_.-]{1,128}: module arguments and property
 * lists are parsed by the server, and these need no quoting. */
static int valid_name(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char ch = s[n];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		      ch == '-'))
			return 0;
	}
	return n > 0 && n <= 128;
}

static void module_info_cb(pa_context *ctx, const pa_module_info *i, int eol,
                           void *u)
{
	struct result *r = u;
	if (eol < 0)
		r->err = pa_context_errno(ctx);
	else if (i)
		r->count = 1;
	pa_threaded_mainloop_signal(r->k->ml, 0);
}

/* unload unloads a module and waits until it is gone (lock held). The
 * server acknowledges PA_COMMAND_UNLOAD_MODULE before it unloads (that is
 * deferred to its next main loop iteration), so a sink name would still be
 * taken right after the ack; asking for the module until the server says
 * there is none takes one more round trip, rarely two. */
static int unload(struct conn *k, uint32_t module, int *detail)
{
	struct result r = {k, 0, 0, 0, 0};
	pa_usec_t deadline = k->timeout_ms > 0 ?
		pa_rtclock_now() + (pa_usec_t)k->timeout_ms * PA_USEC_PER_MSEC : 0;
	int st;

	st = run_op(k, pa_context_unload_module(k->ctx, module, success_cb, &r),
	            &r, detail);
	while (st == LKP_OK) {
		struct result m = {k, 0, 0, 0, 0};
		st = run_op(k, pa_context_get_module_info(k->ctx, module,
		                                          module_info_cb, &m),
		            &m, detail);
		if (st == LKP_ERR_NOENTITY) {
			*detail = 0;
			return LKP_OK;
		}
		if (st == LKP_OK && deadline && pa_rtclock_now() > deadline) {
			*detail = PA_ERR_TIMEOUT;
			return LKP_ERR_TIMEOUT;
		}
	}
	return st;
}

int lkp_load_null_sink(lkp_ctl *c, const char *name, int rate, int channels,
                       uint32_t *module, int *detail)
{
	pa_sample_spec ss = {PA_SAMPLE_S16LE, (uint32_t)rate, (uint8_t)channels};
	struct result r = {&c->k, 0, PA_INVALID_INDEX, 0, 0};
	char args[512];
	int st;

	*module = PA_INVALID_INDEX;
	*detail = 0;
	if (!name || !valid_name(name) || rate <= 0 || channels <= 0 ||
	    channels > (int)PA_CHANNELS_MAX || !pa_sample_spec_valid(&ss))
		return LKP_ERR_ARG;
	snprintf(args, sizeof args,
	         "sink_name=%s rate=%d channels=%d format=s16le "
	         "sink_properties=device.description=%s",
	         name, rate, channels, name);
	pa_threaded_mainloop_lock(c->k.ml);
	st = run_op(&c->k, pa_context_load_module(c->k.ctx, "module-null-sink",
	                                          args, index_cb, &r),
	            &r, detail);
	if (st == LKP_OK) {
		/* A taken name does not fail: the server registers the new
		 * sink as "name.2". Check who owns name. */
		struct result o = {&c->k, 0, 0, PA_INVALID_INDEX, 0};
		st = run_op(&c->k, pa_context_get_sink_info_by_name(
		                       c->k.ctx, name, sink_owner_cb, &o),
		            &o, detail);
		if ((st == LKP_OK && o.sink != r.index) ||
		    st == LKP_ERR_NOENTITY) {
			/* NOENTITY: the old owner went away meanwhile. */
			*detail = PA_ERR_EXIST;
			st = LKP_ERR_EXIST;
		}
		if (st != LKP_OK && st != LKP_ERR_LOST && st != LKP_ERR_CLOSED) {
			int ignored = 0;
			unload(&c->k, r.index, &ignored);
		}
	}
	pa_threaded_mainloop_unlock(c->k.ml);
	if (st == LKP_OK)
		*module = r.index;
	return st;
}

int lkp_unload_module(lkp_ctl *c, uint32_t module, int *detail)
{
	int st;

	*detail = 0;
	pa_threaded_mainloop_lock(c->k.ml);
	st = unload(&c->k, module, detail);
	pa_threaded_mainloop_unlock(c->k.ml);
	return st;
}

int lkp_set_sink_mute(lkp_ctl *c, const char *sink, int mute, int *detail)
{
	struct result r = {&c->k, 0, 0, 0, 0};
	int st;

	*detail = 0;
	if (!sink || !*sink)
		return LKP_ERR_ARG;
	pa_threaded_mainloop_lock(c->k.ml);
	st = run_op(&c->k, pa_context_set_sink_mute_by_name(c->k.ctx, sink,
	                                                    !!mute, success_cb, &r),
	            &r, detail);
	pa_threaded_mainloop_unlock(c->k.ml);
	return st;
}

int lkp_sink_input_count(lkp_ctl *c, const char *sink, int *count,
                         int *detail)
{
	struct result r = {&c->k, 0, 0, PA_INVALID_INDEX, 0};
	int st;

	*count = 0;
	*detail = 0;
	if (!sink || !*sink)
		return LKP_ERR_ARG;
	pa_threaded_mainloop_lock(c->k.ml);
	st = run_op(&c->k, pa_context_get_sink_info_by_name(c->k.ctx, sink,
	                                                    sink_info_cb, &r),
	            &r, detail);
	if (st == LKP_OK && r.sink == PA_INVALID_INDEX) {
		*detail = PA_ERR_NOENTITY;
		st = LKP_ERR_NOENTITY;
	}
	if (st == LKP_OK)
		st = run_op(&c->k, pa_context_get_sink_input_info_list(
		                       c->k.ctx, sink_input_cb, &r),
		            &r, detail);
	pa_threaded_mainloop_unlock(c->k.ml);
	if (st == LKP_OK)
		*count = r.count;
	return st;
}

/* ---- recording ----------------------------------------------------- */

static void stream_cb(pa_stream *s, void *u)
{
	struct conn *k = u;
	(void)s;
	pa_threaded_mainloop_signal(k->ml, 0);
}

static void stream_read_cb(pa_stream *s, size_t n, void *u)
{
	(void)n;
	stream_cb(s, u);
}

/* rec_check returns LKP_OK if r's context and stream are usable (lock
 * held). Otherwise it forgets the peeked fragment, which libpulse released. */
static int rec_check(lkp_rec *r, int *detail)
{
	int st = LKP_OK;

	if (r->k.closing)
		st = LKP_ERR_CLOSED;
	else if (pa_context_get_state(r->k.ctx) != PA_CONTEXT_READY)
		st = ctx_lost(&r->k, detail);
	else if (pa_stream_get_state(r->st) != PA_STREAM_READY) {
		/* The server killed the stream (its source went away) or it
		 * failed otherwise; the context is fine. */
		int e = pa_context_errno(r->k.ctx);
		*detail = e ? e : PA_ERR_KILLED;
		st = LKP_ERR_KILLED;
	}
	if (st != LKP_OK && st != LKP_ERR_CLOSED)
		r->len = r->idx = 0;
	return st;
}

static void monitor_cb(pa_context *ctx, const pa_source_info *i, int eol,
                       void *u)
{
	struct result *r = u;
	if (eol < 0)
		r->err = pa_context_errno(ctx);
	else if (i)
		r->sink = i->monitor_of_sink;
	pa_threaded_mainloop_signal(r->k->ml, 0);
}

static void sink_latency_cb(pa_context *ctx, const pa_sink_info *i, int eol,
                            void *u)
{
	struct result *r = u;
	if (eol < 0)
		r->err = pa_context_errno(ctx);
	else if (i)
		r->count = i->latency > KICK_USEC; /* 1: kick needed */
	pa_threaded_mainloop_signal(r->k->ml, 0);
}

/* kick restarts the clock of the sink whose monitor r records, if that sink
 * renders far ahead (lock held).
 *
 * A null sink renders as far ahead as the lowest latency any of its streams
 * (and its monitor's) asked for, and 2 s when none asked: right after it was
 * loaded, or while nobody plays or records, it renders 2 s and sleeps, and a
 * new record stream gets its first samples only when it wakes (measured:
 * 1-2 s). Our stream has just asked for a fragment's latency; a suspend and
 * resume makes the sink restart its clock now and render with that latency,
 * so data flows at once. The restart makes the sink consume what it had
 * rendered ahead once more, so a stream playing into it underruns for about
 * that long (a gap in the recording), which is why a sink that renders less
 * than KICK_USEC ahead (someone asked for a low latency) is left alone.
 * Failures other than a lost connection or timeout are ignored. */
static int kick(lkp_rec *r, const char *source, int *detail)
{
	struct result m = {&r->k, 0, 0, PA_INVALID_INDEX, 0};
	int st, ignored = 0;

	st = run_op(&r->k, pa_context_get_source_info_by_name(
	                       r->k.ctx, source, monitor_cb, &m),
	            &m, &ignored);
	if (st == LKP_OK && m.sink != PA_INVALID_INDEX)
		st = run_op(&r->k, pa_context_get_sink_info_by_index(
		                       r->k.ctx, m.sink, sink_latency_cb, &m),
		            &m, &ignored);
	if (st == LKP_OK && m.sink != PA_INVALID_INDEX && m.count) {
		for (int suspend = 1; suspend >= 0 && st == LKP_OK; suspend--) {
			struct result x = {&r->k, 0, 0, 0, 0};
			st = run_op(&r->k, pa_context_suspend_sink_by_index(
			                       r->k.ctx, m.sink, suspend,
			                       success_cb, &x),
			            &x, &ignored);
		}
	}
	if (st == LKP_ERR_LOST || st == LKP_ERR_TIMEOUT) {
		*detail = ignored;
		return st;
	}
	return LKP_OK;
}

int lkp_rec_open(const char *server, const char *source, int rate,
                 int channels, uint32_t fragsize, int timeout_ms,
                 lkp_rec **out, int *detail)
{
	pa_sample_spec ss = {PA_SAMPLE_S16LE, (uint32_t)rate, (uint8_t)channels};
	pa_buffer_attr attr = {(uint32_t)-1, (uint32_t)-1, (uint32_t)-1,
	                       (uint32_t)-1, fragsize};
	struct waiter w;
	int st;

	*out = NULL;
	*detail = 0;
	if (!source || !*source || rate <= 0 || channels <= 0 ||
	    channels > (int)PA_CHANNELS_MAX || !pa_sample_spec_valid(&ss) ||
	    fragsize == 0 || fragsize % pa_frame_size(&ss) != 0)
		return LKP_ERR_ARG;
	lkp_rec *r = calloc(1, sizeof *r);
	if (!r)
		return LKP_ERR_NOMEM;
	if ((st = conn_open(&r->k, server, timeout_ms, detail)) != LKP_OK) {
		lkp_rec_close(r);
		return st;
	}

	pa_threaded_mainloop_lock(r->k.ml);
	r->st = pa_stream_new(r->k.ctx, "lkbrowser capture", &ss, NULL);
	if (!r->st) {
		*detail = pa_context_errno(r->k.ctx);
		st = LKP_ERR_PA;
		goto out;
	}
	pa_stream_set_state_callback(r->st, stream_cb, &r->k);
	pa_stream_set_read_callback(r->st, stream_read_cb, &r->k);
	if (pa_stream_connect_record(r->st, source, &attr,
	        PA_STREAM_ADJUST_LATENCY | PA_STREAM_DONT_MOVE) < 0) {
		*detail = pa_context_errno(r->k.ctx);
		st = LKP_ERR_PA;
		goto out;
	}
	waiter_start(&w, &r->k);
	for (;;) {
		pa_stream_state_t s = pa_stream_get_state(r->st);
		if (s == PA_STREAM_READY) {
			st = LKP_OK;
			break;
		}
		if (pa_context_get_state(r->k.ctx) != PA_CONTEXT_READY) {
			st = ctx_lost(&r->k, detail);
			break;
		}
		if (!PA_STREAM_IS_GOOD(s)) {
			*detail = pa_context_errno(r->k.ctx);
			if ((st = status_of(*detail)) == LKP_OK)
				st = LKP_ERR_PA;
			break;
		}
		if (w.expired) {
			*detail = PA_ERR_TIMEOUT;
			st = LKP_ERR_TIMEOUT;
			break;
		}
		pa_threaded_mainloop_wait(r->k.ml);
	}
	waiter_stop(&w);
	if (st == LKP_OK)
		st = kick(r, source, detail);
out:
	pa_threaded_mainloop_unlock(r->k.ml);
	if (st != LKP_OK) {
		lkp_rec_close(r);
		return st;
	}
	*out = r;
	return LKP_OK;
}

/* take copies up to n bytes of the fragment (d, l) to dst, NULL d being a
 * hole of zeros, and keeps the rest in r->buf (lock held; r->buf empty). It
 * returns the bytes written to dst, or (size_t)-1 when out of memory. */
static size_t take(lkp_rec *r, const uint8_t *d, size_t l, uint8_t *dst,
                size_t n)
{
	size_t m = l < n ? l : n;
	if (d)
		memcpy(dst, d, m);
	else
		memset(dst, 0, m);
	if (l > m) {
		if (l - m > r->cap) {
			uint8_t *b = realloc(r->buf, l - m);
			if (!b)
				return (size_t)-1;
			r->buf = b;
			r->cap = l - m;
		}
		if (d)
			memcpy(r->buf, d + m, l - m);
		else
			memset(r->buf, 0, l - m);
		r->len = l - m;
		r->idx = 0;
	}
	return m;
}

int lkp_rec_read(lkp_rec *r, uint8_t *dst, size_t n, int *detail)
{
	int st = LKP_OK;

	*detail = 0;
	pa_threaded_mainloop_lock(r->k.ml);
	while (n > 0) {
		if ((st = rec_check(r, detail)) != LKP_OK)
			break;
		if (r->idx < r->len) {
			size_t m = r->len - r->idx;
			if (m > n)
				m = n;
			memcpy(dst, r->buf + r->idx, m);
			dst += m;
			n -= m;
			r->idx += m;
			if (r->idx == r->len)
				r->len = r->idx = 0;
			continue;
		}
		const void *d;
		size_t l;
		if (pa_stream_peek(r->st, &d, &l) < 0) {
			*detail = pa_context_errno(r->k.ctx);
			if ((st = status_of(*detail)) == LKP_OK)
				st = LKP_ERR_PA;
			break;
		}
		if (l == 0) {
			pa_threaded_mainloop_wait(r->k.ml);
			continue;
		}
		size_t m = take(r, d, l, dst, n);
		pa_stream_drop(r->st);
		if (m == (size_t)-1) {
			st = LKP_ERR_NOMEM;
			break;
		}
		dst += m;
		n -= m;
	}
	pa_threaded_mainloop_unlock(r->k.ml);
	return st;
}

static void stream_success_cb(pa_stream *st, int ok, void *u)
{
	struct result *r = u;
	if (!ok)
		r->err = pa_context_errno(pa_stream_get_context(st));
	pa_threaded_mainloop_signal(r->k->ml, 0);
}

int lkp_rec_latency(lkp_rec *r, uint64_t *usec, int *detail)
{
	const pa_timing_info *ti;
	pa_usec_t now;
	int st;

	*usec = 0;
	*detail = 0;
	pa_threaded_mainloop_lock(r->k.ml);
	if ((st = rec_check(r, detail)) != LKP_OK)
		goto out;
	now = pa_rtclock_now();
	if (!r->snap || now - r->snap > LATENCY_REFRESH_USEC) {
		struct result x = {&r->k, 0, 0, 0, 0};
		st = run_op(&r->k, pa_stream_update_timing_info(
		                       r->st, stream_success_cb, &x),
		            &x, detail);
		if (st == LKP_OK)
			st = rec_check(r, detail);
		if (st != LKP_OK)
			goto out;
		r->snap = now = pa_rtclock_now();
	}
	if (!(ti = pa_stream_get_timing_info(r->st))) {
		*detail = PA_ERR_NODATA;
		st = LKP_ERR_PA;
		goto out;
	}
	/* Audio between the source and the caller: the source's own delay
	 * (for a monitor, what the server holds back for rewinds) and the
	 * transport, from the last timing update (they hardly change), and
	 * what libpulse has received and we have not read yet, counted now.
	 * The server sends each fragment as soon as it has it, and libpulse's
	 * thread reads the socket whether or not we read, so that queue is
	 * where the audio waits. */
	size_t queued = pa_stream_readable_size(r->st);
	if (queued == (size_t)-1)
		queued = 0;
	queued += r->len - r->idx;
	*usec = ti->source_usec + ti->transport_usec +
	        pa_bytes_to_usec(queued, pa_stream_get_sample_spec(r->st));
out:
	pa_threaded_mainloop_unlock(r->k.ml);
	return st;
}

void lkp_rec_interrupt(lkp_rec *r) { conn_interrupt(&r->k); }

void lkp_rec_close(lkp_rec *r)
{
	if (!r)
		return;
	if (r->k.ml)
		pa_threaded_mainloop_stop(r->k.ml);
	if (r->st) {
		pa_stream_set_state_callback(r->st, NULL, NULL);
		pa_stream_set_read_callback(r->st, NULL, NULL);
		pa_stream_unref(r->st); /* the context drops its own ref */
	}
	conn_close(&r->k);
	free(r->buf);
	free(r);
}

/* ---- test player --------------------------------------------------- */

int lkp_test_play_open(const char *server, const char *sink, int rate,
                       int channels, uint32_t tlength, lkp_play **out,
                       int *detail)
{
	pa_sample_spec ss = {PA_SAMPLE_S16LE, (uint32_t)rate, (uint8_t)channels};
	pa_buffer_attr attr = {(uint32_t)-1, tlength, (uint32_t)-1,
	                       (uint32_t)-1, (uint32_t)-1};
	int e = 0;

	*out = NULL;
	*detail = 0;
	if (rate <= 0 || channels <= 0 || channels > (int)PA_CHANNELS_MAX ||
	    !pa_sample_spec_valid(&ss))
		return LKP_ERR_ARG;
	lkp_play *p = calloc(1, sizeof *p);
	if (!p)
		return LKP_ERR_NOMEM;
	p->s = pa_simple_new(server && *server ? server : NULL, "lkbrowser test",
	                     PA_STREAM_PLAYBACK, sink && *sink ? sink : NULL,
	                     "tone", &ss, NULL, &attr, &e);
	if (!p->s) {
		free(p);
		*detail = e;
		return status_of(e) == LKP_OK ? LKP_ERR_PA : status_of(e);
	}
	*out = p;
	return LKP_OK;
}

int lkp_test_play_write(lkp_play *p, const uint8_t *src, size_t n,
                        int *detail)
{
	int e = 0;

	*detail = 0;
	if (n == 0)
		return LKP_OK;
	if (pa_simple_write(p->s, src, n, &e) < 0) {
		*detail = e;
		return status_of(e) == LKP_OK ? LKP_ERR_PA : status_of(e);
	}
	return LKP_OK;
}

void lkp_test_play_close(lkp_play *p)
{
	if (!p)
		return;
	pa_simple_free(p->s);
	free(p);
}
