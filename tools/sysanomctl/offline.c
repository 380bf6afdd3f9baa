// SPDX-License-Identifier: GPL-2.0
/*
 * sysanomctl learn / eval: the detection core run over recorded traces.
 *
 *   learn [OPTIONS] -o PROFILE PATH...
 *   eval  [OPTIONS] (--train PATH... | --profile FILE)
 *         --normal PATH... --attack PATH... [--json]
 *
 * Thresholds are learnt by cross-validation over the training traces (see
 * calib_help and docs/engine.md); traces are fed per thread stream as the
 * module does, with the exec and signal-handler markers of trace.h.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "sysanom/detector.h"
#include "sysanom/profile_fmt.h"
#include "offline.h"
#include "trace.h"

#define EXIT_OK		0
#define EXIT_RUN	1
#define EXIT_USE	2

#define GIVEN_DETECTOR	0x100
#define GIVEN_WEIGHT	0x200
#define GIVEN_FRAME	0x400
#define GIVEN_EPOCH	0x800
#define FOLDS_DEFAULT	5
#define FOLDS_MAX	100
#define FP_BUDGET_DEFAULT	0

static void oerr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void oerr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("sysanomctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static const char learn_usage[] =
"usage: sysanomctl learn [OPTIONS] -o PROFILE PATH...\n";
static const char calib_help[] =
"thresholds (learn, and eval --train):\n"
"  Learnt by cross-validation over the training traces alone: the traces\n"
"  are dealt round-robin, by file, into F folds (the per-pid traces of one\n"
"  strace file stay together; by trace when there is a single file); a\n"
"  profile trained on the other folds scores each held-out trace as the\n"
"  kernel does, and each trace gives its highest frame score, locality\n"
"  frame count and epoch count. Aggregation: the worst normal value is the\n"
"  plain maximum over the held-out traces that stay under the ceiling (a\n"
"  whole frame of mismatches, or a whole epoch), because a trace at the\n"
"  ceiling is flagged at every threshold the detector admits and so cannot\n"
"  tell where the threshold goes; how many reached it is printed. The\n"
"  thresholds are the worst values plus --margin percent plus one unit\n"
"  (sa_calib_thresholds()), capped at the frame. --lfc, --epoch-threshold\n"
"  and --combo-threshold given explicitly override the learnt value.\n"
"  --folds N           cross-validation folds, 2..100 (5)\n"
"  --margin PCT        percent over the worst normal value, 0..200 (25)\n"
"  --fp-budget PCT     also set aside the top PCT% of the held-out traces\n"
"                      under the ceiling, 0..50 (0: plain maximum)\n"
"  --no-calibrate      keep the default (or given) thresholds\n"
"  --start 0|1         pad fresh streams with start markers (1)\n";
static const char eval_usage[] =
"usage: sysanomctl eval [OPTIONS] (--train PATH... | --profile FILE)\n"
"                       --normal PATH... --attack PATH... [--json]\n"
"  --profile: thresholds and detector as stored (learnt), unless given.\n"
"  --at-fpr F  also report the score ROC's detection rate at FPR <= F\n"
"              (\"dr_at_fpr\"; default: the FPR reached at the thresholds)\n";
static const char options_help[] =
"PATH is a trace file or a folder read recursively.\n"
"options:\n"
"  --format auto|strace|adfa|ids  trace format (auto)\n"
"  --detector stide|bosc|combo    detector deciding anomalies (combo)\n"
"  -k N                STIDE window, 3..16 (6)\n"
"  --bag N             BoSC window, 2..16 (10)\n"
"  --frame N           locality frame in windows, 1..64 (20)\n"
"  --lfc N             STIDE: mismatches in the frame for an anomaly\n"
"                      (learnt; 17 uncalibrated)\n"
"  --epoch N           BoSC: epoch length in windows (5000)\n"
"  --epoch-threshold N BoSC: mismatching bags per epoch (learnt; 10)\n"
"  --bosc-weight N     combo: weight of a BoSC mismatch, 0..16 (4)\n"
"  --combo-threshold N combo: frame score lfc*8+bfc*weight (learnt; 216)\n"
"  --abi x86_64|i386|opaque  ABI of the ids (from the format)\n"
"  --growth-shift N    growth checkpoint every 2^N windows (10)\n"
"  -q, --quiet         count trace warnings instead of printing each;\n"
"                      learn prints nothing\n";

struct offline_opts {
	struct sa_params params;
	int fmt;
	int abi_set;
	int json;
	int quiet;
	int no_calib;
	unsigned int folds;
	unsigned int fp_budget;
	unsigned int given;	/* SA_OVR_* thresholds, GIVEN_* given */
	double at_fpr;		/* < 0: the FPR at the thresholds */
	const char *out;
	const char *profile;
	struct sa_trace_list train, normal, attack;
	char **paths[3];
	int npaths[3];
};

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-')
		return -1;
	*v = strtoul(s, &end, 10);
	if (errno || *end || *v > max)
		return -1;
	return 0;
}

/*
 * Parses the options shared by learn and eval; free arguments go to the
 * current group (0: train / learn inputs, 1: normal, 2: attack).
 */
static int parse_opts(int argc, char **argv, struct offline_opts *o,
		      int is_eval)
{
	int i, group = is_eval ? -1 : 0;
	const char *cmd = argv[0];

	sa_params_default(&o->params);
	o->fmt = SA_FMT_AUTO;
	o->folds = FOLDS_DEFAULT;
	o->fp_budget = FP_BUDGET_DEFAULT;
	o->at_fpr = -1;
	for (i = 0; i < 3; i++) {
		o->paths[i] = calloc((size_t)argc + 1, sizeof(char *));
		if (!o->paths[i]) {
			oerr("out of memory");
			return EXIT_RUN;
		}
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		unsigned long v;
		struct {
			const char *name;
			unsigned long max;
			void *dst;
			int bytes;
			unsigned int given;
		} num[] = {
			{ "-k", SA_K_MAX, &o->params.k, 1, 0 },
			{ "--bag", SA_BAG_MAX, &o->params.bag, 1, 0 },
			{ "--frame", SA_FRAME_MAX, &o->params.frame, 1,
			  GIVEN_FRAME },
			{ "--lfc", SA_FRAME_MAX, &o->params.lfc_threshold, 1,
			  SA_OVR_LFC },
			{ "--epoch", 0xffffffffUL, &o->params.epoch, 4,
			  GIVEN_EPOCH },
			{ "--epoch-threshold", 0xffffffffUL,
			  &o->params.epoch_threshold, 4, SA_OVR_EPOCH },
			{ "--bosc-weight", SA_BOSC_WEIGHT_MAX,
			  &o->params.bosc_weight, 1, GIVEN_WEIGHT },
			{ "--combo-threshold", 0xffffffffUL,
			  &o->params.combo_threshold, 4, SA_OVR_COMBO },
			{ "--growth-shift", SA_GROWTH_SHIFT_MAX,
			  &o->params.growth_shift, 1, 0 },
			{ "--margin", SA_MARGIN_MAX, &o->params.margin, 1,
			  0 },
			{ "--start", 1, &o->params.start, 1, 0 },
			{ "--folds", FOLDS_MAX, &o->folds, 4, 0 },
			{ "--fp-budget", 50, &o->fp_budget, 4, 0 },
		};
		size_t j;
		int found = 0;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(is_eval ? eval_usage : learn_usage, stdout);
			fputs(options_help, stdout);
			fputs(calib_help, stdout);
			return -1;
		}
		if (a[0] != '-' || !a[1]) {
			if (group < 0) {
				oerr("%s: %s: give --train, --normal or "
				     "--attack before paths", cmd, a);
				return EXIT_USE;
			}
			o->paths[group][o->npaths[group]++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--json") && is_eval) {
			o->json = 1;
			continue;
		}
		if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o->quiet = 1;
			continue;
		}
		if (!strcmp(a, "--no-calibrate")) {
			o->no_calib = 1;
			continue;
		}
		if (is_eval && (!strcmp(a, "--train") ||
				!strcmp(a, "--normal") ||
				!strcmp(a, "--attack"))) {
			group = a[2] == 't' ? 0 : a[2] == 'n' ? 1 : 2;
			continue;
		}
		if (i + 1 >= argc) {
			oerr("%s: option %s needs a value", cmd, a);
			return EXIT_USE;
		}
		val = argv[++i];
		for (j = 0; j < sizeof(num) / sizeof(num[0]); j++) {
			if (strcmp(a, num[j].name))
				continue;
			found = 1;
			if (parse_uint(val, num[j].max, &v)) {
				oerr("%s: %s: invalid value '%s'", cmd, a,
				     val);
				return EXIT_USE;
			}
			if (num[j].bytes == 1)
				*(u8 *)num[j].dst = (u8)v;
			else
				*(u32 *)num[j].dst = (u32)v;
			o->given |= num[j].given;
		}
		if (found)
			continue;
		if (!strcmp(a, "--format")) {
			o->fmt = sa_trace_format_parse(val);
			if (o->fmt < 0) {
				oerr("%s: unknown format '%s'", cmd, val);
				return EXIT_USE;
			}
		} else if (!strcmp(a, "--at-fpr") && is_eval) {
			char *end;

			o->at_fpr = strtod(val, &end);
			if (*end || !(o->at_fpr >= 0 && o->at_fpr <= 1)) {
				oerr("%s: --at-fpr: invalid value '%s'", cmd,
				     val);
				return EXIT_USE;
			}
		} else if (!strcmp(a, "--detector")) {
			o->given |= GIVEN_DETECTOR;
			if (!strcmp(val, "stide"))
				o->params.detector = SA_DET_STIDE;
			else if (!strcmp(val, "bosc"))
				o->params.detector = SA_DET_BOSC;
			else if (!strcmp(val, "combo"))
				o->params.detector = SA_DET_COMBO;
			else {
				oerr("%s: unknown detector '%s'", cmd, val);
				return EXIT_USE;
			}
		} else if (!strcmp(a, "--abi")) {
			o->abi_set = 1;
			if (!strcmp(val, "x86_64"))
				o->params.abi = SA_ABI_X86_64;
			else if (!strcmp(val, "i386"))
				o->params.abi = SA_ABI_I386;
			else if (!strcmp(val, "opaque"))
				o->params.abi = SA_ABI_OPAQUE;
			else {
				oerr("%s: unknown ABI '%s'", cmd, val);
				return EXIT_USE;
			}
		} else if (!strcmp(a, "-o") && !is_eval) {
			o->out = val;
		} else if (!strcmp(a, "--profile") && is_eval) {
			o->profile = val;
		} else {
			oerr("%s: unknown option '%s'", cmd, a);
			return EXIT_USE;
		}
	}
	if (!o->abi_set)
		o->params.abi = o->fmt == SA_FMT_STRACE ? SA_ABI_X86_64 :
				o->fmt == SA_FMT_AUTO ? SA_ABI_X86_64 :
				SA_ABI_OPAQUE;
	/* The frame threshold defaults follow a shorter frame. */
	if (o->params.lfc_threshold > o->params.frame)
		o->params.lfc_threshold = o->params.frame;
	if (sa_params_valid(&o->params)) {
		oerr("%s: invalid detector parameters (see --help)", cmd);
		return EXIT_USE;
	}
	if (o->folds < 2) {
		oerr("%s: --folds: at least 2", cmd);
		return EXIT_USE;
	}
	return EXIT_OK;
}

static void free_opts(struct offline_opts *o)
{
	int i;

	for (i = 0; i < 3; i++)
		free(o->paths[i]);
	sa_trace_list_free(&o->train);
	sa_trace_list_free(&o->normal);
	sa_trace_list_free(&o->attack);
}

static int load_group(struct offline_opts *o, int group,
		      struct sa_trace_list *l, int label)
{
	int i;

	l->quiet = o->quiet;
	for (i = 0; i < o->npaths[group]; i++)
		if (sa_trace_load_path(l, o->paths[group][i], o->fmt, label))
			return -1;
	if (o->quiet && l->warnings)
		fprintf(stderr, "sysanomctl: %lu warning(s) while reading "
			"traces\n", l->warnings);
	return 0;
}

/* A profile whose sets live in malloc'ed memory and grow on demand. */
struct owned_profile {
	struct sa_profile p;
	void *mem[2];
};

static void *alloc_set(unsigned int order)
{
	size_t size = sa_hashset_size(order);

	return size ? aligned_alloc(64, (size + 63) & ~(size_t)63) : NULL;
}

/* A random key for a set's hash, as the module's (0 if none to be had). */
static u64 set_seed(void)
{
	u64 seed = 0;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = 0;
	return seed;
}

static int owned_init(struct owned_profile *op, const struct sa_params *pa,
		      unsigned int order_s, unsigned int order_b)
{
	int ret;

	op->mem[0] = alloc_set(order_s);
	op->mem[1] = alloc_set(order_b);
	if (!op->mem[0] || !op->mem[1])
		return -ENOMEM;
	ret = sa_profile_init(&op->p, pa, op->mem[0], order_s, op->mem[1],
			      order_b);
	if (!ret)
		ret = sa_hashset_seed(&op->p.stide, set_seed());
	if (!ret)
		ret = sa_hashset_seed(&op->p.bosc, set_seed());
	return ret;
}

static void owned_free(struct owned_profile *op)
{
	free(op->mem[0]);
	free(op->mem[1]);
}

/*
 * Grows set @which so that @extra more entries always fit: half full at
 * most, where the probe bound is out of reach (sa_hashset_order_for()).
 */
static int owned_reserve(struct owned_profile *op, int which, size_t extra)
{
	struct sa_hashset *hs = which ? &op->p.bosc : &op->p.stide;
	struct sa_hashset grown;
	size_t want = sa_hashset_entries(hs) + extra;
	int order;
	void *mem;

	if (want <= sa_hashset_slots(hs) / 2)
		return 0;
	if (want > SA_PROF_MAX_ENTRIES)
		want = SA_PROF_MAX_ENTRIES;
	order = sa_hashset_order_for((u32)want);
	if (order < 0)
		order = SA_HS_MAX_ORDER;
	mem = alloc_set(order);
	if (!mem || sa_hashset_init(&grown, mem, order) ||
	    sa_hashset_seed(&grown, set_seed()) ||
	    sa_hashset_copy(&grown, hs)) {
		free(mem);
		return -ENOMEM;
	}
	free(op->mem[which]);
	op->mem[which] = mem;
	*hs = grown;
	return 0;
}

/*
 * The streams of one thread as the module keeps them: the current one, and
 * the one a signal handler set aside (see trace.h for the markers).
 */
struct feeder {
	struct sa_stream s;
	struct sa_stream saved;
	unsigned int depth;	/* nested handlers running */
};

static void feeder_reset(struct feeder *f)
{
	sa_stream_reset(&f->s);
	f->depth = 0;
}

/*
 * Acts on a marker as the module acts on exec, signal delivery and a
 * handler's return; @p (training only) receives the windows of a stream
 * that is left. Returns 1 for a marker, 0 for a system call.
 */
static int feeder_marker(struct feeder *f, struct sa_profile *p, unsigned id)
{
	if (!sa_trace_is_marker(id))
		return 0;
	switch (id) {
	case SA_MARK_EXEC:
		if (p)
			sa_stream_flush(p, &f->s);
		if (p && f->depth)
			sa_stream_flush(p, &f->saved);
		feeder_reset(f);
		break;
	case SA_MARK_SIGNAL:
		if (!f->depth++) {
			f->saved = f->s;
			sa_stream_reset(&f->s);
		}
		break;
	case SA_MARK_SIGRETURN:
		if (f->depth && !--f->depth) {
			if (p)
				sa_stream_flush(p, &f->s);
			f->s = f->saved;
		}
		break;
	}
	return 1;
}

static int train_traces(struct owned_profile *op,
			const struct sa_trace_list *l, int fold,
			const unsigned int *folds)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		const struct sa_trace *t = &l->v[i];
		struct feeder f;

		if (folds && (int)folds[i] == fold)
			continue;	/* held out */
		if (owned_reserve(op, 0, t->n) || owned_reserve(op, 1, t->n)) {
			oerr("out of memory growing the profile");
			return -1;
		}
		feeder_reset(&f);
		for (j = 0; j < t->n; j++) {
			if (feeder_marker(&f, &op->p, t->ids[j]))
				continue;
			if (sa_train(&op->p, &f.s, t->ids[j]) & SA_V_FULL) {
				oerr("profile full (over %u entries)",
				     SA_PROF_MAX_ENTRIES);
				return -1;
			}
		}
		sa_stream_flush(&op->p, &f.s);
		if (f.depth)
			sa_stream_flush(&op->p, &f.saved);
	}
	return 0;
}

struct scored {
	const struct sa_trace *t;
	double score;
	int anomaly;
	int label;
	unsigned int max_lfc;	/* largest STIDE locality frame count */
	unsigned int max_epoch;	/* most mismatching bags in one epoch */
	unsigned int max_combo;	/* largest combined frame score */
	u64 windows;		/* STIDE windows scored */
};

/*
 * Scores one trace as the module does: sa_detect() per call on the
 * thread's stream (a fresh one at the start, after an exec and in a signal
 * handler), keeping the per-trace maxima of what sa_detect() decides on.
 */
static void score_trace(const struct sa_profile *p, struct scored *sc)
{
	const struct sa_params *pa = &p->params;
	const struct sa_trace *t = sc->t;
	u64 windows = 0, smiss = 0, bags = 0, bmiss = 0;
	unsigned int any = 0;
	struct feeder f;
	size_t j;

	feeder_reset(&f);
	for (j = 0; j < t->n; j++) {
		unsigned int v;

		if (feeder_marker(&f, NULL, t->ids[j]))
			continue;
		v = sa_detect(p, &f.s, t->ids[j]);
		any |= v;
		windows += !!(v & SA_V_WINDOW);
		bags += f.s.calls >= pa->bag;
		smiss += !!(v & SA_V_STIDE_MISS);
		bmiss += !!(v & SA_V_BOSC_MISS);
		if (!(v & (SA_V_STIDE_MISS | SA_V_BOSC_MISS)))
			continue;	/* the frame counts only grow on a miss */
		if (sa_stream_lfc(p, &f.s) > sc->max_lfc)
			sc->max_lfc = sa_stream_lfc(p, &f.s);
		if (f.s.epoch_miss > sc->max_epoch)
			sc->max_epoch = f.s.epoch_miss;
		if (sa_stream_score(p, &f.s) > sc->max_combo)
			sc->max_combo = sa_stream_score(p, &f.s);
	}
	sc->windows = windows;
	sc->anomaly = !!(any & SA_V_ANOMALY);
	switch (pa->detector) {
	case SA_DET_STIDE:
		sc->score = windows ? (double)smiss / (double)windows : 0;
		break;
	case SA_DET_BOSC:
		sc->score = bags ? (double)bmiss / (double)bags : 0;
		break;
	default:
		sc->score = (windows ? 8.0 * (double)smiss / (double)windows :
			     0) + (bags ? (double)pa->bosc_weight *
				   (double)bmiss / (double)bags : 0);
		break;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return (x > y) - (x < y);
}

/*
 * The worst normal value of @v[0..n): the highest value under @ceiling
 * (what a frame or an epoch can hold at most), once the top @budget percent
 * of those are set aside. A value at the ceiling is flagged at every
 * threshold the detector admits, so it cannot tell where the threshold
 * goes; @censored counts them. All at the ceiling: the ceiling.
 */
static u32 worst_of(u32 *v, size_t n, u32 ceiling, unsigned int budget,
		    size_t *censored)
{
	size_t m = n, drop;

	qsort(v, n, sizeof(*v), cmp_u32);
	while (m && v[m - 1] >= ceiling)
		m--;
	*censored = n - m;
	if (!m)
		return ceiling;
	drop = m * budget / 100;
	return v[m - 1 - drop];
}

struct cv_result {
	unsigned int folds;
	unsigned int groups;	/* files (or traces) dealt to the folds */
	size_t held_out;	/* traces scored */
	int range;		/* SA_OVR_* thresholds capped at the frame */
	int by_file;		/* groups are files, not traces */
	size_t cens_combo, cens_lfc, cens_epoch;	/* at the ceiling */
	u32 max_combo, max_lfc, max_epoch;	/* plain maxima */
};

/*
 * Cross-validation over the training traces @l: fills @c (state
 * SA_CALIB_CV) with the worst values held-out normal traces reached.
 */
static int cross_validate(const struct offline_opts *o,
			  const struct sa_trace_list *l, struct sa_calib *c,
			  struct cv_result *r)
{
	unsigned int *fold = calloc(l->n + 1, sizeof(*fold));
	u32 *vc = calloc(l->n + 1, sizeof(u32));
	u32 *vl = calloc(l->n + 1, sizeof(u32));
	u32 *ve = calloc(l->n + 1, sizeof(u32));
	unsigned long last = 0;
	unsigned int g = 0, f;
	size_t i, m = 0;
	u64 windows = 0;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (!fold || !vc || !vl || !ve) {
		oerr("out of memory");
		goto out;
	}
	/* Groups: the files, in order; the traces when there is one file. */
	for (i = 0; i < l->n; i++) {
		if (i && l->v[i].file != last)
			g++;
		last = l->v[i].file;
		fold[i] = g;
	}
	g++;
	r->by_file = g >= 2;
	if (g < 2) {
		for (i = 0; i < l->n; i++)
			fold[i] = (unsigned int)i;
		g = (unsigned int)l->n;
	}
	if (g < 2) {
		ret = 1;	/* nothing to hold out */
		goto out;
	}
	r->groups = g;
	r->folds = o->folds < g ? o->folds : g;
	for (i = 0; i < l->n; i++)
		fold[i] %= r->folds;
	for (f = 0; f < r->folds; f++) {
		struct owned_profile op = { 0 };

		if (owned_init(&op, &o->params, 12, 12)) {
			oerr("out of memory");
			owned_free(&op);
			goto out;
		}
		if (train_traces(&op, l, (int)f, fold)) {
			owned_free(&op);
			goto out;
		}
		for (i = 0; i < l->n; i++) {
			struct scored sc;

			if (fold[i] != f)
				continue;
			memset(&sc, 0, sizeof(sc));
			sc.t = &l->v[i];
			score_trace(&op.p, &sc);
			windows += sc.windows;
			vc[m] = sc.max_combo;
			vl[m] = sc.max_lfc;
			ve[m] = sc.max_epoch;
			m++;
		}
		owned_free(&op);
	}
	r->held_out = m;
	memset(c, 0, sizeof(*c));
	c->state = SA_CALIB_CV;
	sa_atomic64_set(&c->windows, (s64)windows);
	c->max_score = worst_of(vc, m, (u32)o->params.frame *
				(8 + o->params.bosc_weight), o->fp_budget,
				&r->cens_combo);
	c->max_lfc = worst_of(vl, m, o->params.frame, o->fp_budget,
			      &r->cens_lfc);
	c->max_epoch = worst_of(ve, m, o->params.epoch, o->fp_budget,
				&r->cens_epoch);
	r->max_combo = vc[m - 1];
	r->max_lfc = vl[m - 1];
	r->max_epoch = ve[m - 1];
	ret = 0;
out:
	free(fold);
	free(vc);
	free(vl);
	free(ve);
	return ret;
}

/*
 * Sets the thresholds of @op (trained on all of @l) from cross-validation,
 * unless --no-calibrate; thresholds given on the command line win.
 */
static int calibrate(struct offline_opts *o, struct owned_profile *op,
		     const struct sa_trace_list *l, struct cv_result *r)
{
	struct sa_params pa = op->p.params;
	struct sa_calib c;
	int ret;

	memset(r, 0, sizeof(*r));
	if (o->no_calib)
		return 0;
	ret = cross_validate(o, l, &c, r);
	if (ret < 0)
		return -1;
	if (ret) {
		fprintf(stderr, "sysanomctl: warning: a single training trace:"
			" thresholds not calibrated\n");
		return 0;
	}
	ret = sa_calib_thresholds(&c, &pa);
	if (ret == -ERANGE) {
		/* Which ones the frame capped: as computed on the widest. */
		struct sa_params wide = pa;

		wide.frame = SA_FRAME_MAX;
		sa_calib_thresholds(&c, &wide);
		r->range = (wide.combo_threshold > pa.combo_threshold ?
			    SA_OVR_COMBO : 0) |
			   (wide.lfc_threshold > pa.lfc_threshold ?
			    SA_OVR_LFC : 0);
	}
	c.overridden = (u8)(o->given & SA_OVR_ALL);
	if (o->given & SA_OVR_LFC)
		pa.lfc_threshold = o->params.lfc_threshold;
	if (o->given & SA_OVR_EPOCH)
		pa.epoch_threshold = o->params.epoch_threshold;
	if (o->given & SA_OVR_COMBO)
		pa.combo_threshold = o->params.combo_threshold;
	ret = sa_profile_tune(&op->p, &pa);
	if (ret) {
		oerr("learnt thresholds rejected (%s)", strerror(-ret));
		return -1;
	}
	op->p.calib.state = c.state;
	op->p.calib.overridden = c.overridden;
	sa_atomic64_set(&op->p.calib.windows, sa_atomic64_read(&c.windows));
	op->p.calib.max_score = c.max_score;
	op->p.calib.max_lfc = c.max_lfc;
	op->p.calib.max_epoch = c.max_epoch;
	o->params = op->p.params;
	return 0;
}

static void print_calib(FILE *out, const struct offline_opts *o,
			const struct sa_profile *p, const struct cv_result *r)
{
	const struct sa_params *pa = &p->params;
	const struct sa_calib *c = &p->calib;

	if (c->state != SA_CALIB_CV) {
		fprintf(out, "thresholds (not calibrated): combo %u, lfc %u, "
			"epoch %u\n", pa->combo_threshold, pa->lfc_threshold,
			pa->epoch_threshold);
		return;
	}
	fprintf(out, "thresholds (cross-validated): combo %u, lfc %u, epoch "
		"%u, margin %u%%%s\n", pa->combo_threshold, pa->lfc_threshold,
		pa->epoch_threshold, pa->margin,
		c->overridden ? " (some given by hand)" : "");
	fprintf(out, "worst normal values: combo %llu, lfc %llu, epoch %llu "
		"over %llu windows", (unsigned long long)c->max_score,
		(unsigned long long)c->max_lfc,
		(unsigned long long)c->max_epoch,
		(unsigned long long)sa_atomic64_read(&c->windows));
	if (r && r->folds) {
		fprintf(out, "; %u folds of %u %s, %zu held-out traces",
			r->folds, r->groups, r->by_file ? "files" : "traces",
			r->held_out);
		if (o->fp_budget)
			fprintf(out, ", top %u%% set aside", o->fp_budget);
		fprintf(out, "\nheld-out traces at the ceiling (flagged at any "
			"threshold): combo %zu, lfc %zu, epoch %zu of %zu\n",
			r->cens_combo, r->cens_lfc, r->cens_epoch,
			r->held_out);
	} else {
		fputc('\n', out);
	}
	if (r && r->range)
		fprintf(out, "warning: the worst normal %s%s%s plus the margin "
			"exceeds a full frame: capped at the frame\n",
			r->range & SA_OVR_COMBO ? "frame score" : "",
			r->range == (SA_OVR_COMBO | SA_OVR_LFC) ? " and " : "",
			r->range & SA_OVR_LFC ? "lfc" : "");
}

static int do_learn(struct offline_opts *o, struct owned_profile *op,
		    int group, struct sa_trace_list *l)
{
	if (load_group(o, group, l, -1))
		return EXIT_RUN;
	if (!l->n) {
		oerr("%s: no traces with system calls found",
		     o->paths[group][0]);
		return EXIT_RUN;
	}
	if (owned_init(op, &o->params, 12, 12)) {
		oerr("out of memory");
		return EXIT_RUN;
	}
	if (train_traces(op, l, -1, NULL))
		return EXIT_RUN;
	return EXIT_OK;
}

static double slope(const struct sa_profile *p)
{
	return (double)sa_growth_slope_ppm(p, SA_GROWTH_SLOTS - 1) / 1e6;
}

int cmd_learn(int argc, char **argv)
{
	struct offline_opts o;
	struct owned_profile op = { 0 };
	struct cv_result cv;
	int ret;
	size_t size;
	void *buf = NULL;
	FILE *f;

	memset(&o, 0, sizeof(o));
	ret = parse_opts(argc, argv, &o, 0);
	if (ret) {
		free_opts(&o);
		return ret < 0 ? EXIT_OK : ret;
	}
	if (!o.out || !o.npaths[0]) {
		oerr("learn: %s", !o.out ? "-o PROFILE is required" :
		     "no trace PATH given");
		fputs(learn_usage, stderr);
		free_opts(&o);
		return EXIT_USE;
	}
	ret = do_learn(&o, &op, 0, &o.train);
	if (ret)
		goto out;
	if (calibrate(&o, &op, &o.train, &cv)) {
		ret = EXIT_RUN;
		goto out;
	}
	size = sa_profile_export_size(&op.p);
	buf = malloc(size);
	if (!buf || sa_profile_export(&op.p, buf, size) != (long)size) {
		oerr("learn: cannot export the profile");
		ret = EXIT_RUN;
		goto out;
	}
	f = fopen(o.out, "wb");
	if (!f || fwrite(buf, 1, size, f) != size || fclose(f)) {
		oerr("learn: %s: %s", o.out, strerror(errno));
		ret = EXIT_RUN;
		goto out;
	}
	if (o.quiet)
		goto out;
	printf("learnt %zu traces: %llu windows, %u STIDE + %u BoSC entries, "
	       "growth slope %.6f, %zu bytes -> %s\n", o.train.n,
	       (unsigned long long)sa_profile_windows(&op.p),
	       sa_hashset_entries(&op.p.stide),
	       sa_hashset_entries(&op.p.bosc), slope(&op.p), size, o.out);
	{
		/* Memory of the sets once imported at their smallest size. */
		u32 ns = sa_hashset_entries(&op.p.stide);
		u32 nb = sa_hashset_entries(&op.p.bosc);
		size_t mem = sa_hashset_size(sa_hashset_order_for(ns)) +
			     sa_hashset_size(sa_hashset_order_for(nb));

		printf("sets in memory after import: %zu bytes, %.1f bytes "
		       "per entry\n", mem, (double)mem / (double)(ns + nb));
	}
	print_calib(stdout, &o, &op.p, &cv);
out:
	free(buf);
	owned_free(&op);
	free_opts(&o);
	return ret;
}

static int load_profile(struct offline_opts *o, struct owned_profile *op)
{
	struct sa_profile_info info;
	FILE *f = fopen(o->profile, "rb");
	unsigned char *buf = NULL;
	long size;
	int ret, os, ob;

	if (!f) {
		oerr("eval: %s: %s", o->profile, strerror(errno));
		return EXIT_RUN;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		oerr("eval: %s: cannot read", o->profile);
		fclose(f);
		return EXIT_RUN;
	}
	buf = malloc(size ? (size_t)size : 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		oerr("eval: %s: cannot read", o->profile);
		free(buf);
		fclose(f);
		return EXIT_RUN;
	}
	fclose(f);
	ret = sa_profile_parse(buf, (size_t)size, &info);
	if (ret) {
		oerr("eval: %s: not a valid profile (%s)", o->profile,
		     strerror(-ret));
		free(buf);
		return EXIT_RUN;
	}
	/* Thresholds and detector may be overridden on the command line. */
	os = sa_hashset_order_for(info.stide_entries);
	ob = sa_hashset_order_for(info.bosc_entries);
	ret = os < 0 || ob < 0 ? -E2BIG : owned_init(op, &info.params, os, ob);
	if (!ret)
		ret = sa_profile_import(&op->p, buf, (size_t)size);
	free(buf);
	if (ret) {
		oerr("eval: %s: cannot import (%s)", o->profile,
		     strerror(-ret));
		return EXIT_RUN;
	}
	return EXIT_OK;
}

static int cmp_score(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;

	return x->score < y->score ? -1 : x->score > y->score;
}

/*
 * ROC AUC (ties count one half), detection rate at FPR <= @max_fpr and the
 * score threshold that gives it (HUGE_VAL when no threshold keeps it).
 */
static void roc(struct scored *v, size_t n, double max_fpr, double *auc,
		double *dr5, double *thr5)
{
	size_t i = 0, neg = 0, pos = 0, fp, tp;
	double rank_sum = 0;

	qsort(v, n, sizeof(*v), cmp_score);
	for (i = 0; i < n; i++)
		*(v[i].label ? &pos : &neg) += 1;
	for (i = 0; i < n;) {
		size_t j = i, p = 0;

		while (j < n && v[j].score == v[i].score) {
			p += v[j].label;
			j++;
		}
		rank_sum += (double)p * ((double)(i + 1 + j) / 2);
		i = j;
	}
	*auc = (rank_sum - (double)pos * (double)(pos + 1) / 2) /
	       ((double)pos * (double)neg);
	/* Lowest threshold "score >= t" whose FPR stays <= max_fpr. */
	*dr5 = 0;
	*thr5 = HUGE_VAL;
	fp = tp = 0;
	for (i = n; i > 0;) {
		size_t j = i;
		size_t f2 = fp, t2 = tp;

		while (j > 0 && v[j - 1].score == v[i - 1].score) {
			if (v[j - 1].label)
				t2++;
			else
				f2++;
			j--;
		}
		if ((double)f2 > max_fpr * (double)neg + 1e-9)
			break;
		fp = f2;
		tp = t2;
		*dr5 = (double)tp / (double)pos;
		*thr5 = v[j].score;
		i = j;
	}
}

/* Length of the folder part of a trace name ("a/b/t.txt" -> 3). */
static size_t run_len(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? (size_t)(slash - name) : 0;
}

static int cmp_run(const void *a, const void *b)
{
	const struct scored *x = *(const struct scored * const *)a;
	const struct scored *y = *(const struct scored * const *)b;
	size_t lx = run_len(x->t->name), ly = run_len(y->t->name);
	int c = memcmp(x->t->name, y->t->name, lx < ly ? lx : ly);

	return c ? c : (lx > ly) - (lx < ly);
}

/*
 * Attack runs, one per folder of attack traces (ADFA-LD keeps each run of
 * an attack in its own folder), and how many have a trace scoring at or
 * over @thr: what a per-container alert sees, one intrusion at a time.
 */
static int attack_runs(struct scored *v, size_t n, double thr,
		       size_t *runs, size_t *hit)
{
	struct scored **a;
	size_t i, m = 0;
	int seen = 0;

	a = calloc(n, sizeof(*a));
	if (!a)
		return -1;
	for (i = 0; i < n; i++)
		if (v[i].label)
			a[m++] = &v[i];
	qsort(a, m, sizeof(*a), cmp_run);
	*runs = *hit = 0;
	for (i = 0; i < m; i++) {
		if (!i || cmp_run(&a[i - 1], &a[i])) {
			++*runs;
			seen = 0;
		}
		if (!seen && a[i]->score >= thr) {
			++*hit;
			seen = 1;
		}
	}
	free(a);
	return 0;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static const char *calib_name(int st)
{
	return st == SA_CALIB_CV ? "cv" : st == SA_CALIB_DONE ? "online" :
	       "none";
}

static const char *det_name(int d)
{
	return d == SA_DET_STIDE ? "stide" : d == SA_DET_BOSC ? "bosc" :
	       "combo";
}

int cmd_eval(int argc, char **argv)
{
	struct offline_opts o;
	struct owned_profile op = { 0 };
	struct scored *v = NULL;
	struct cv_result cv;
	size_t n, i, fp = 0, tp = 0, neg, pos, runs, runs_hit;
	double auc, dr5, thr5, at_fpr, dr_at, thr_at;
	int ret;

	memset(&o, 0, sizeof(o));
	memset(&cv, 0, sizeof(cv));
	ret = parse_opts(argc, argv, &o, 1);
	if (ret) {
		free_opts(&o);
		return ret < 0 ? EXIT_OK : ret;
	}
	if ((!o.npaths[0] && !o.profile) || (o.npaths[0] && o.profile) ||
	    !o.npaths[1] || !o.npaths[2]) {
		oerr("eval: needs --train PATH... or --profile FILE, and "
		     "--normal PATH... and --attack PATH...");
		fputs(eval_usage, stderr);
		free_opts(&o);
		return EXIT_USE;
	}
	if (o.profile) {
		struct sa_params cli = o.params;

		ret = load_profile(&o, &op);
		if (ret)
			goto out;
		/* Detection settings given on the command line win. */
		if (o.given & GIVEN_DETECTOR)
			op.p.params.detector = cli.detector;
		if (o.given & GIVEN_FRAME)
			op.p.params.frame = cli.frame;
		if (o.given & SA_OVR_LFC)
			op.p.params.lfc_threshold = cli.lfc_threshold;
		if (o.given & GIVEN_EPOCH)
			op.p.params.epoch = cli.epoch;
		if (o.given & SA_OVR_EPOCH)
			op.p.params.epoch_threshold = cli.epoch_threshold;
		if (o.given & GIVEN_WEIGHT)
			op.p.params.bosc_weight = cli.bosc_weight;
		if (o.given & SA_OVR_COMBO)
			op.p.params.combo_threshold = cli.combo_threshold;
		if (op.p.params.lfc_threshold > op.p.params.frame)
			op.p.params.lfc_threshold = op.p.params.frame;
		if (sa_profile_tune(&op.p, &op.p.params)) {
			oerr("eval: invalid detector parameters for %s",
			     o.profile);
			ret = EXIT_USE;
			goto out;
		}
		op.p.calib.overridden |= (u8)(o.given & SA_OVR_ALL);
		o.params = op.p.params;
	} else {
		ret = do_learn(&o, &op, 0, &o.train);
		if (ret)
			goto out;
		if (calibrate(&o, &op, &o.train, &cv)) {
			ret = EXIT_RUN;
			goto out;
		}
	}
	if (load_group(&o, 1, &o.normal, 0) ||
	    load_group(&o, 2, &o.attack, 1)) {
		ret = EXIT_RUN;
		goto out;
	}
	neg = o.normal.n;
	pos = o.attack.n;
	if (!neg || !pos) {
		oerr("eval: no %s traces with system calls",
		     !neg ? "normal" : "attack");
		ret = EXIT_RUN;
		goto out;
	}
	n = neg + pos;
	v = calloc(n, sizeof(*v));
	if (!v) {
		oerr("out of memory");
		ret = EXIT_RUN;
		goto out;
	}
	for (i = 0; i < n; i++) {
		v[i].t = i < neg ? &o.normal.v[i] : &o.attack.v[i - neg];
		v[i].label = i >= neg;
		score_trace(&op.p, &v[i]);
		if (v[i].anomaly)
			*(v[i].label ? &tp : &fp) += 1;
	}
	if (!o.json)
		for (i = 0; i < n; i++)
			printf("%.6f %-7s %-6s lfc=%u epoch=%u combo=%u %s\n",
			       v[i].score, v[i].anomaly ? "ANOMALY" : "ok",
			       v[i].label ? "attack" : "normal",
			       v[i].max_lfc, v[i].max_epoch, v[i].max_combo,
			       v[i].t->name);
	at_fpr = o.at_fpr >= 0 ? o.at_fpr : (double)fp / (double)neg;
	roc(v, n, at_fpr, &auc, &dr_at, &thr_at);
	roc(v, n, 0.05, &auc, &dr5, &thr5);
	if (attack_runs(v, n, thr5, &runs, &runs_hit)) {
		oerr("out of memory");
		ret = EXIT_RUN;
		goto out;
	}
	if (o.json) {
		printf("{\"detector\":\"%s\",\"k\":%u,\"bag\":%u,\"frame\":%u,"
		       "\"lfc_threshold\":%u,\"epoch\":%u,"
		       "\"epoch_threshold\":%u,\"bosc_weight\":%u,"
		       "\"combo_threshold\":%u,",
		       det_name(o.params.detector), o.params.k, o.params.bag,
		       o.params.frame, o.params.lfc_threshold,
		       o.params.epoch, o.params.epoch_threshold,
		       o.params.bosc_weight, o.params.combo_threshold);
		printf("\"train_traces\":%zu,\"normal_traces\":%zu,"
		       "\"attack_traces\":%zu,\"auc\":%.6f,"
		       "\"dr_at_fpr5\":%.6f,\"attack_runs\":%zu,"
		       "\"runs_dr_at_fpr5\":%.6f,\"fpr\":%.6f,\"dr\":%.6f,"
		       "\"profile_entries\":%u,\"stide_entries\":%u,"
		       "\"bosc_entries\":%u,\"windows\":%llu,"
		       "\"growth_slope\":%.6f,",
		       o.train.n, neg, pos, auc, dr5, runs,
		       (double)runs_hit / runs, (double)fp / neg,
		       (double)tp / pos, sa_profile_entries(&op.p),
		       sa_hashset_entries(&op.p.stide),
		       sa_hashset_entries(&op.p.bosc),
		       (unsigned long long)sa_profile_windows(&op.p),
		       slope(&op.p));
		printf("\"at_fpr\":%.6f,\"dr_at_fpr\":%.6f,"
		       "\"calibration\":\"%s\",\"margin\":%u,"
		       "\"worst_combo\":%llu,\"worst_lfc\":%llu,"
		       "\"worst_epoch\":%llu,\"calib_windows\":%llu,"
		       "\"folds\":%u,\"fp_budget\":%u,\"start\":%u,"
		       "\"cv_held_out\":%zu,\"cv_at_ceiling\":%zu,"
		       "\"scores\":[", at_fpr, dr_at,
		       calib_name(op.p.calib.state), o.params.margin,
		       (unsigned long long)op.p.calib.max_score,
		       (unsigned long long)op.p.calib.max_lfc,
		       (unsigned long long)op.p.calib.max_epoch,
		       (unsigned long long)
		       sa_atomic64_read(&op.p.calib.windows),
		       cv.folds, o.profile ? 0 : o.fp_budget,
		       o.params.start, cv.held_out,
		       o.params.detector == SA_DET_STIDE ? cv.cens_lfc :
		       o.params.detector == SA_DET_BOSC ? cv.cens_epoch :
		       cv.cens_combo);
		for (i = 0; i < n; i++) {
			printf("%s{\"trace\":", i ? "," : "");
			json_str(v[i].t->name);
			printf(",\"label\":\"%s\",\"score\":%.6f,"
			       "\"anomaly\":%s,\"max_lfc\":%u,"
			       "\"max_epoch_mismatches\":%u,"
			       "\"max_combo\":%u}",
			       v[i].label ? "attack" : "normal", v[i].score,
			       v[i].anomaly ? "true" : "false", v[i].max_lfc,
			       v[i].max_epoch, v[i].max_combo);
		}
		printf("]}\n");
	} else {
		printf("detector %s k=%u bag=%u frame=%u lfc=%u epoch=%u "
		       "epoch_threshold=%u combo_threshold=%u\n",
		       det_name(o.params.detector),
		       o.params.k, o.params.bag, o.params.frame,
		       o.params.lfc_threshold, o.params.epoch,
		       o.params.epoch_threshold, o.params.combo_threshold);
		print_calib(stdout, &o, &op.p, o.profile ? NULL : &cv);
		printf("traces: %zu train, %zu normal, %zu attack\n",
		       o.train.n, neg, pos);
		printf("AUC %.4f  DR@FPR<=5%% %.4f  at thresholds: FPR %.4f "
		       "DR %.4f\n", auc, dr5, (double)fp / neg,
		       (double)tp / pos);
		printf("score ROC at FPR <= %.4f: DR %.4f\n", at_fpr, dr_at);
		printf("attack runs (folders) with a trace detected at "
		       "FPR<=5%%: %zu of %zu\n", runs_hit, runs);
		printf("profile: %u entries (%u STIDE, %u BoSC), %llu windows, "
		       "growth slope %.6f\n", sa_profile_entries(&op.p),
		       sa_hashset_entries(&op.p.stide),
		       sa_hashset_entries(&op.p.bosc),
		       (unsigned long long)sa_profile_windows(&op.p),
		       slope(&op.p));
	}
	ret = EXIT_OK;
out:
	free(v);
	owned_free(&op);
	free_opts(&o);
	return ret;
}
