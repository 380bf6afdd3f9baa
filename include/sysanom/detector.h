/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Detectors of the sysanom core: a profile (parameters, STIDE set, BoSC set,
 * growth curve) shared by every thread of a container, and a small stream
 * state per thread that the caller embeds in its own per-thread struct.
 *
 *	sa_profile_init(p, &params, stide_mem, stide_order, bosc_mem, bo);
 *	sa_stream_reset(&thread->stream);
 *	v = sa_feed(p, &thread->stream, id, SA_MODE_TRAIN);	per call
 *	v = sa_feed(p, &thread->stream, id, SA_MODE_DETECT);
 *	if (v & SA_V_ANOMALY) ... raise an alert with sa_stream_score()
 *
 * STIDE: every window of k calls absent from the STIDE set is a mismatch;
 * the locality frame counts the mismatches among the last @frame windows
 * and an anomaly is declared when that count reaches @lfc_threshold.
 * BoSC (Abed, Clancy & Levy 2015): the bag of the last @bag calls is looked
 * up in the BoSC set; the stream is cut into epochs of @epoch windows and an
 * epoch is anomalous when its mismatching bags reach @epoch_threshold.
 * Combined: the weighted sum of the frame's STIDE and BoSC mismatches, see
 * sa_feed().
 *
 * Nothing here allocates, sleeps or locks; sa_feed() is O(1) per call.
 * Concurrency: any number of streams may train or detect against one
 * profile at once; one stream must not be fed by two CPUs at once.
 */
#ifndef _SYSANOM_DETECTOR_H
#define _SYSANOM_DETECTOR_H

#include "types.h"
#include "hashset.h"
#include "window.h"

enum sa_detector {
	SA_DET_STIDE = 1,
	SA_DET_BOSC = 2,
	SA_DET_COMBO = 3,
	SA_DET_MAX = SA_DET_COMBO,
};

enum sa_abi {
	SA_ABI_OPAQUE = 0,	/* ids with no name mapping (e.g. ADFA-LD) */
	SA_ABI_X86_64 = 1,
	SA_ABI_I386 = 2,
	SA_ABI_MAX = SA_ABI_I386,
};

enum sa_mode {
	SA_MODE_DETECT = 0,
	SA_MODE_TRAIN = 1,
	SA_MODE_CALIBRATE = 2,
};

#define SA_FRAME_MAX		64
#define SA_FRAME_DEFAULT	20	/* Warrender, Forrest, Pearlmutter */
#define SA_LFC_DEFAULT		17	/* tuned on the HIDS-Docker dev split */
#define SA_EPOCH_DEFAULT	5000
#define SA_EPOCH_THR_DEFAULT	10
#define SA_GROWTH_SHIFT_DEFAULT	10	/* growth checkpoint every 1024 */
#define SA_GROWTH_SHIFT_MAX	40
#define SA_GROWTH_SLOTS		16
#define SA_BOSC_WEIGHT_DEFAULT	4
#define SA_BOSC_WEIGHT_MAX	16
#define SA_COMBO_THR_DEFAULT	216	/* 27 * 8: until calibrated */
#define SA_MARGIN_DEFAULT	25	/* calibration: percent over the worst */
#define SA_MARGIN_MAX		200
/*
 * Calibration scores this many growth checkpoints' worth of windows: the
 * span over which the until-stable rule judged training flat.
 */
#define SA_CALIB_CHECKPOINTS	(SA_GROWTH_SLOTS - 1)

/*
 * The id that pads a fresh stream (new thread, or after exec): its first
 * calls form windows with it, so that they are judged like any other.
 */
#define SA_ID_START		(SA_MAX_ID - 2)

/*
 * After exec (params.start SA_START_PROGRAM), two of the 16 ids from
 * SA_ID_PROG, chosen by a hash of the program's name, follow the start
 * markers: the first windows of a program the profile never ran do not
 * match, however much its loader's calls look like a known program's.
 */
#define SA_ID_PROG		(SA_ID_START - 16)
#define SA_START_MARKERS	1	/* params.start: pad with SA_ID_START */
#define SA_START_PROGRAM	2	/* ... and name the program after exec */

/* Whether @id is one of the core's markers, never a call. */
static inline bool sa_id_marker(u32 id)
{
	return id >= SA_ID_PROG && id <= SA_ID_START;
}

/*
 * Call sets: which calls each program made in training, a row per program
 * tag (stream.tag, 0 for a stream with no name). A call its program never
 * made is an anomaly whatever the frame score: the windows around it are
 * judged by calls that programs share, while a new call in a known program
 * is what running foreign code in it looks like. Row 0 holds the calls of
 * nameless streams (offline traces), which count for every program, and a
 * last row the union, against which a nameless stream is judged.
 */
#define SA_CALL_ROWS		256
#define SA_CALL_ANY		SA_CALL_ROWS	/* the union of the rows */
#define SA_CALL_LONGS		(SA_MAX_ID / SA_BITS_PER_LONG)

struct sa_params {
	u8 k;			/* STIDE window, SA_K_MIN..SA_K_MAX */
	u8 bag;			/* BoSC window, SA_BAG_MIN..SA_BAG_MAX */
	u8 frame;		/* locality frame, 1..SA_FRAME_MAX windows */
	u8 lfc_threshold;	/* 1..frame */
	u32 epoch;		/* BoSC epoch, windows (>= 1) */
	u32 epoch_threshold;	/* mismatching bags per epoch (>= 1) */
	u8 detector;		/* enum sa_detector */
	u8 abi;			/* enum sa_abi */
	u8 growth_shift;	/* growth checkpoint every 1 << shift windows */
	u8 bosc_weight;		/* combined: weight of a BoSC mismatch, 0..SA_BOSC_WEIGHT_MAX */
	u32 combo_threshold;	/* combined: frame score making an anomaly */
	u8 start;		/* 0, SA_START_MARKERS or SA_START_PROGRAM */
	u8 margin;		/* calibration margin, percent */
};

enum sa_calib_state {
	SA_CALIB_NONE = 0,	/* thresholds are the defaults or set by hand */
	SA_CALIB_RUNNING = 1,	/* normal behaviour being scored */
	SA_CALIB_DONE = 2,	/* thresholds learnt online */
	SA_CALIB_CV = 3,	/* thresholds learnt offline, cross-validated */
	SA_CALIB_STATE_MAX = SA_CALIB_CV,
};

/* Which learnt thresholds were set by hand afterwards. */
#define SA_OVR_LFC		0x1
#define SA_OVR_EPOCH		0x2
#define SA_OVR_COMBO		0x4
#define SA_OVR_ALL		0x7

/*
 * How far normal behaviour went when scored against the profile (the
 * worst frame and epoch seen), from which its thresholds were set.
 */
struct sa_calib {
	u8 state;		/* enum sa_calib_state */
	u8 overridden;		/* SA_OVR_* */
	sa_atomic64_t windows;	/* windows scored */
	u64 max_score;		/* highest combined frame score */
	u64 max_lfc;		/* highest STIDE locality frame count */
	u64 max_epoch;		/* most BoSC mismatches in one epoch */
};

/*
 * Growth curve: distinct entries against windows seen, at a checkpoint
 * every 1 << growth_shift windows (ck_*), and at every sa_growth_tick()
 * (tk_*: the module ticks once a second).
 */
struct sa_growth {
	sa_atomic64_t windows;
	u64 ck_windows[SA_GROWTH_SLOTS];
	u32 ck_entries[SA_GROWTH_SLOTS];
	u64 tk_windows[SA_GROWTH_SLOTS];
	u32 tk_entries[SA_GROWTH_SLOTS];
	u32 ticks;
};

/*
 * One per container, about 41 KB plus the two sets (the call sets and the
 * bag term table dominate): allocate it, never put it on a kernel stack.
 */
struct sa_profile {
	struct sa_params params;
	/* Derived from params by sa_profile_init() and sa_profile_tune(). */
	u64 stide_mask;		/* exact keys: low 10 * k bits, else 0 */
	u64 fp_pow;		/* SA_FP_BASE ** k */
	u32 warm;		/* max(k, bag): calls before all windows full */
	u32 fast_warm;		/* fast path past it: warm, ~0 if fingerprints */
	u32 anomaly_mask;	/* SA_V_*_ANOMALY bit of the detector */
	u64 frame_mask;		/* low @frame bits */
	u64 start_h;		/* stide_h and bag_sum of a fresh stream */
	u64 start_bag;
	struct sa_hashset stide;
	struct sa_hashset bosc;
	struct sa_growth growth;
	struct sa_calib calib;
	u64 bag_terms[SA_MAX_ID];	/* sa_bag_term() of every id */
	/*
	 * Whether the call sets judge: they were learnt with the sets (not a
	 * profile of format 1 or 2, which has none).
	 */
	bool calls_on;
	unsigned long calls[SA_CALL_ROWS + 1][SA_CALL_LONGS];
	/* Never new (see sa_profile_derive()): known to every program. */
	unsigned long calls_exempt[SA_CALL_LONGS];
};

/*
 * Per-thread state: 96 bytes, no pointers; zeroed by sa_stream_reset().
 *
 * The frame bits and the epoch count are kept lazily: a window whose STIDE
 * and BoSC keys are both found only counts @lag up, and the next mismatch
 * (or the slow path) shifts the frames by @lag and moves the epoch on, so
 * that the per-call fast path touches neither. frame_bits, bag_bits,
 * epoch_windows and epoch_miss are therefore as of @lag windows ago;
 * sa_stream_lfc() and sa_stream_bfc() account for it, and right after a
 * verdict with a miss bit @lag is 0.
 */
struct sa_stream {
	u64 stide_h;		/* exact packing or rolling fingerprint */
	u64 bag_sum;		/* sum of the bag terms of the last @bag ids */
	u64 frame_bits;		/* STIDE mismatch per window, newest = bit 0 */
	u64 bag_bits;		/* BoSC mismatch per window, newest = bit 0 */
	u64 lag;		/* matching windows not yet in the fields above */
	u32 epoch_windows;	/* windows in the current BoSC epoch */
	u32 epoch_miss;		/* BoSC mismatches in the current epoch */
	u32 pending;		/* windows not yet counted in the profile */
	u8 calls;		/* calls seen, saturates at warm + 1 */
	u8 pos;			/* ring write position */
	u8 midway;		/* joined a running thread: no start markers */
	u8 prog;		/* after exec or a rename: sa_prog_tag() */
	u16 ring[SA_RING];	/* last SA_RING call ids */
	/*
	 * Row of the call sets: sa_prog_tag() of the thread's name, whenever
	 * it has one (unlike @prog, which only exec and rename set, since it
	 * shapes the start windows); 0 for none. The caller sets it again
	 * after every reset.
	 */
	u8 tag;
};

/*
 * Verdict bits returned by sa_feed(). The *_ANOMALY bits are raised on each
 * mismatching window while its detector is at or over its threshold.
 */
#define SA_V_WINDOW		0x01	/* a full STIDE window was formed */
#define SA_V_STIDE_MISS		0x02	/* STIDE window absent */
#define SA_V_BOSC_MISS		0x04	/* bag absent */
#define SA_V_STIDE_ANOMALY	0x08	/* locality frame count >= threshold */
#define SA_V_BOSC_ANOMALY	0x10	/* epoch mismatches >= threshold */
#define SA_V_COMBO_ANOMALY	0x20	/* combined frame score >= threshold */
#define SA_V_ANOMALY		0x40	/* anomaly of the configured detector */
#define SA_V_NEW		0x80	/* training added an entry */
#define SA_V_FULL		0x100	/* training: a set is full (grow it) */
#define SA_V_NEWCALL		0x200	/* a call its program never made */

void sa_params_default(struct sa_params *params);
int sa_params_valid(const struct sa_params *params);

int sa_profile_init(struct sa_profile *p, const struct sa_params *params,
		    void *stide_mem, unsigned int stide_order,
		    void *bosc_mem, unsigned int bosc_order);

/*
 * Changes the detection settings of a live profile (detector, frame,
 * thresholds, weights); k, bag and abi define the sets and cannot change.
 */
int sa_profile_tune(struct sa_profile *p, const struct sa_params *params);

static inline void sa_stream_reset(struct sa_stream *s)
{
	memset(s, 0, sizeof(*s));
}

/*
 * A stream that joins a thread already running (monitoring began after it
 * started): its windows start at the k-th call, since a start marker would
 * claim calls that were only unseen.
 */
static inline void sa_stream_reset_midway(struct sa_stream *s)
{
	sa_stream_reset(s);
	s->midway = 1;
}

/* 1..255 for the program named @name (at most @len bytes, or to a NUL). */
static inline u8 sa_prog_tag(const char *name, unsigned int len)
{
	u32 h = 2166136261u;	/* FNV-1a */
	unsigned int i;

	for (i = 0; i < len && name[i]; i++)
		h = (h ^ (u8)name[i]) * 16777619u;
	return (u8)(1 + h % 255);
}

/* Keeps the windows of @s but starts its frames and its epoch afresh. */
static inline void sa_stream_rejudge(struct sa_stream *s)
{
	s->frame_bits = 0;
	s->bag_bits = 0;
	s->lag = 0;
	s->epoch_windows = 0;
	s->epoch_miss = 0;
}

unsigned int sa_feed(struct sa_profile *p, struct sa_stream *s, u32 id,
		     enum sa_mode mode);
unsigned int sa_detect(const struct sa_profile *p, struct sa_stream *s,
		       u32 id);
unsigned int sa_train(struct sa_profile *p, struct sa_stream *s, u32 id);

/*
 * Whether program @tag made call @id, or a nameless stream did; for @tag 0,
 * whether any program did. Markers and exempt calls always count as made.
 */
bool sa_calls_known(const struct sa_profile *p, u8 tag, u32 id);
/* Adds call @id to program @tag's call set, as training does. */
void sa_calls_add(struct sa_profile *p, u8 tag, u32 id);
/* Adds the call sets of @src to those of @dst; @dst may be in use. */
void sa_calls_merge(struct sa_profile *dst, const struct sa_profile *src);
/* (program, call) pairs in the call sets. */
u32 sa_calls_count(const struct sa_profile *p);

/* Adds the stream's pending windows to the profile's growth count. */
void sa_stream_flush(struct sa_profile *p, struct sa_stream *s);

/*
 * Calibration: scores a call like sa_detect() but never reports an anomaly;
 * it records the worst frame score, locality frame count and epoch count
 * in @p->calib, and adds the windows it missed to the sets (so that normal
 * behaviour not yet learnt is learnt, after its novelty was measured).
 * May return SA_V_NEW and SA_V_FULL like sa_train().
 */
unsigned int sa_calibrate(struct sa_profile *p, struct sa_stream *s, u32 id);
/* Adds the stream's pending windows to the calibration count. */
void sa_calib_flush(struct sa_profile *p, struct sa_stream *s);
/* Starts calibrating afresh. */
void sa_calib_reset(struct sa_profile *p);
/* Folds what @src measured into @dst (a core replaced meanwhile). */
void sa_calib_merge(struct sa_profile *dst, const struct sa_profile *src);
/*
 * Thresholds from @c with @pa->margin percent over the worst normal value,
 * plus one unseen window for the frame score and one mismatch for the
 * counts, written into @pa (capped at a frame, or an epoch, full of
 * mismatches). Returns 0, or -ERANGE when the threshold of @pa's detector
 * had to be capped: no threshold would separate that normal behaviour.
 */
int sa_calib_thresholds(const struct sa_calib *c, struct sa_params *pa);

/* @bits as of now: shifted by the windows still counted in @lag. */
static inline u64 sa_stream_bits(const struct sa_stream *s, u64 bits)
{
	return s->lag >= 64 ? 0 : bits << s->lag;
}

/* STIDE locality frame count: mismatches among the last @frame windows. */
static inline unsigned int sa_stream_lfc(const struct sa_profile *p,
					 const struct sa_stream *s)
{
	return sa_popcount64(sa_stream_bits(s, s->frame_bits) & p->frame_mask);
}

/* BoSC mismatches among the last @frame bags. */
static inline unsigned int sa_stream_bfc(const struct sa_profile *p,
					 const struct sa_stream *s)
{
	return sa_popcount64(sa_stream_bits(s, s->bag_bits) & p->frame_mask);
}

/* Combined score of the current frame (lfc * 8 + bfc * bosc_weight). */
static inline u32 sa_stream_score(const struct sa_profile *p,
				  const struct sa_stream *s)
{
	return sa_stream_lfc(p, s) * 8 +
	       sa_stream_bfc(p, s) * p->params.bosc_weight;
}

/*
 * Counts the windows deferred in @s->lag into its frames and its epoch of
 * @epoch windows. Before a stream goes on under a profile whose epoch was
 * retuned: they were seen under the old one.
 */
void sa_stream_settle(struct sa_stream *s, u32 epoch);

/* Out-of-line parts of sa_detect_fast(); callers use sa_detect(). */
unsigned int sa_detect_slow(const struct sa_profile *p, struct sa_stream *s,
			    u32 id);
unsigned int sa_detect_miss(const struct sa_profile *p, struct sa_stream *s,
			    unsigned int miss);

/*
 * The per-call step of sa_detect() for a stream whose windows are full and
 * whose keys are exact (k <= SA_K_EXACT_MAX): one ring write, two O(1) key
 * updates and two lock-free lookups. Returns 0 when both keys were found
 * (the frames and the epoch only count it in @lag), the miss bits (bit 0:
 * STIDE, bit 1: BoSC) for sa_detect_miss() to finish the call with, or -1,
 * having changed nothing, when the call needs sa_detect_slow().
 */
static __always_inline int sa_detect_step(const struct sa_profile *p,
					  struct sa_stream *s, u32 id)
{
	unsigned long pos = s->pos, old_b;
	int miss;
	u64 h, bsum;

	if (unlikely(s->calls <= p->fast_warm))
		return -1;
	id &= SA_MAX_ID - 1;
	old_b = s->ring[(pos - p->params.bag) & (SA_RING - 1)];
	h = ((s->stide_h << SA_ID_BITS) | id) & p->stide_mask;
	s->stide_h = h;
	s->ring[pos] = id;
	s->pos = (pos + 1) & (SA_RING - 1);
	bsum = s->bag_sum + p->bag_terms[id] - p->bag_terms[old_b];
	s->bag_sum = bsum;

	miss = !sa_hashset_contains(&p->stide, h | SA_KEY_EXACT);
	miss |= !sa_hashset_contains(&p->bosc, sa_bag_key_from_sum(bsum)) << 1;
	if (likely(!miss))
		s->lag++;
	return miss;
}

/* sa_detect(), inline. */
static __always_inline unsigned int
sa_detect_fast(const struct sa_profile *p, struct sa_stream *s, u32 id)
{
	int miss = sa_detect_step(p, s, id);

	if (likely(!miss))
		return SA_V_WINDOW;
	if (miss < 0)
		return sa_detect_slow(p, s, id);
	return sa_detect_miss(p, s, miss);
}

static inline u64 sa_profile_windows(const struct sa_profile *p)
{
	return (u64)sa_atomic64_read(&p->growth.windows);
}

static inline u32 sa_profile_entries(const struct sa_profile *p)
{
	return sa_hashset_entries(&p->stide) + sa_hashset_entries(&p->bosc);
}

/*
 * Growth slope: new distinct entries per million windows over the last
 * @span checkpoints (1..SA_GROWTH_SLOTS - 1), or over all training when
 * fewer checkpoints exist.
 */
u64 sa_growth_slope_ppm(const struct sa_profile *p, unsigned int span);
/*
 * Records a point of the growth curve by time; one caller at a time (the
 * module's one-second work). Probes never touch what it writes.
 */
void sa_growth_tick(struct sa_profile *p);
#define SA_HAVE_GROWTH_TICK	1
/*
 * Whether the profile learnt nothing over its last SA_GROWTH_SLOTS - 1
 * ticks while windows went on, with at least one checkpoint of windows in
 * all: the growth slope by time is 0. A quiet container makes too few
 * windows to fill the checkpoints of sa_growth_slope_ppm() in minutes.
 */
bool sa_growth_quiet(const struct sa_profile *p);
/* Start (windows, entries) of the slope's span; (0, 0) if from the start. */
void sa_growth_origin(const struct sa_profile *p, unsigned int span,
		      u64 *w0, u32 *e0);
/* Restores the origin of the full span after an import. */
void sa_growth_set_origin(struct sa_profile *p, u64 w0, u32 e0);

#endif /* _SYSANOM_DETECTOR_H */
