// SPDX-License-Identifier: GPL-2.0
/*
 * merge: the union of profiles that several nodes learnt for the same
 * image. Every input is checked and imported with the detection core's own
 * parser and importer (what the module accepts), folded into one profile,
 * and exported with the core's exporter.
 *
 * The rules (docs/engine.md, "Merging profiles"): the parameters that
 * define the entries or how they are judged must be equal; entry counts
 * add up (saturating); windows add up; the growth origin is the sum of
 * the origins' windows and the largest of their entries, so the slope is
 * an upper bound; calibration's worst values take the maximum and the
 * thresholds are set again from them, or, when some input was never
 * calibrated, calibration is dropped and each threshold is the highest of
 * the inputs'. Byte-identical inputs count once.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysanom/detector.h"
#include "sysanom/profile_fmt.h"
#include "atomic_file.h"
#include "json.h"
#include "merge.h"

#define MERGE_FILE_MAX	(1UL << 30)

static void seterr(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static const char *detector_str(unsigned int d)
{
	static const char *const names[] = { "?", "stide", "bosc", "combo" };

	return d <= SA_DET_MAX ? names[d] : "?";
}

static const char *abi_str(unsigned int a)
{
	static const char *const names[] = { "opaque ids", "x86_64", "i386" };

	return a <= SA_ABI_MAX ? names[a] : "?";
}

/*
 * The parameters that must be equal: those that define what an entry is
 * (k, bag, abi, start markers) and those the thresholds are measured in
 * (detector, frame, epoch, BoSC weight, growth checkpoints, margin).
 * Returns 0, or writes which one differs.
 */
static int params_differ(const struct sa_params *a, const struct sa_params *b,
			 char *what, size_t len)
{
#define DIFF(field, label)						\
	do {								\
		if (a->field != b->field) {				\
			snprintf(what, len, "%s (%u vs %u)", label,	\
				 (unsigned int)a->field,		\
				 (unsigned int)b->field);		\
			return 1;					\
		}							\
	} while (0)
	DIFF(k, "k, the STIDE window");
	DIFF(bag, "bag, the BoSC window");
	if (a->abi != b->abi) {
		snprintf(what, len, "system-call ABI (%s vs %s)",
			 abi_str(a->abi), abi_str(b->abi));
		return 1;
	}
	DIFF(start, "start markers (format version 1 learnt without them)");
	if (a->detector != b->detector) {
		snprintf(what, len, "detector (%s vs %s)",
			 detector_str(a->detector), detector_str(b->detector));
		return 1;
	}
	DIFF(frame, "locality frame");
	DIFF(epoch, "BoSC epoch");
	DIFF(bosc_weight, "BoSC weight");
	DIFF(growth_shift, "growth checkpoint interval (growth_shift)");
	DIFF(margin, "calibration margin");
#undef DIFF
	return 0;
}

static struct sa_profile *profile_new(const struct sa_params *pa,
				      u32 stide, u32 bosc)
{
	int so = sa_hashset_order_for(stide), bo = sa_hashset_order_for(bosc);
	struct sa_profile *p;
	void *sm, *bm;

	if (so < 0 || bo < 0)
		return NULL;
	p = malloc(sizeof(*p));
	sm = malloc(sa_hashset_size(so));
	bm = malloc(sa_hashset_size(bo));
	if (!p || !sm || !bm || sa_profile_init(p, pa, sm, so, bm, bo)) {
		free(p);
		free(sm);
		free(bm);
		return NULL;
	}
	return p;
}

static void profile_free(struct sa_profile *p)
{
	if (!p)
		return;
	free(p->stide.keys);
	free(p->bosc.keys);
	free(p);
}

/* Adds every entry of @src to @acc; counts add up, saturating. */
static int fold_set(struct sa_hashset *acc, const struct sa_hashset *src)
{
	u32 i;

	for (i = 0; i <= src->mask; i++) {
		u64 key = src->keys[i];
		unsigned int c;
		int ret;

		if (!key)
			continue;
		c = sa_hashset_lookup(acc, key) + (src->counts[i] ? src->counts[i] : 1);
		ret = sa_hashset_insert_count(acc, key, c > SA_HS_COUNT_MAX ?
					      SA_HS_COUNT_MAX : (u8)c);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static u64 add_sat(u64 a, u64 b)
{
	return a + b < a ? ~0ULL : a + b;
}

static u64 max64(u64 a, u64 b)
{
	return a > b ? a : b;
}

int sa_profile_merge(const struct sa_merge_input *in, unsigned int n,
		     struct sa_merge_result *res, char *err, size_t errlen)
{
	struct sa_profile_info *info = NULL;
	struct sa_profile *acc = NULL, *tmp = NULL;
	unsigned char *use = NULL;
	struct sa_params pa;
	struct sa_calib calib;
	u64 stide_sum = 0, bosc_sum = 0, windows = 0, w0 = 0, cwin = 0;
	u32 e0 = 0, lfc = 0, epoch_thr = 0, combo = 0;
	int all_calib = 1, all_cv = 1, all_calls = 1, ret = 0;
	unsigned int i, j, first = 0;
	u8 ovr = 0;
	long len;
	char what[160];

	memset(res, 0, sizeof(*res));
	memset(&calib, 0, sizeof(calib));
	if (!n) {
		seterr(err, errlen, "no profiles to merge");
		return -EINVAL;
	}
	info = calloc(n, sizeof(*info));
	use = calloc(n, 1);
	if (!info || !use) {
		ret = -ENOMEM;
		goto out;
	}

	/* Every header first: refuse before any work. */
	for (i = 0; i < n; i++) {
		if (sa_profile_parse(in[i].data, in[i].len, &info[i])) {
			seterr(err, errlen, "%s: not a valid sysanom profile (corrupt or truncated)",
			       in[i].name);
			ret = -EBADMSG;
			goto out;
		}
		if (i && params_differ(&info[first].params, &info[i].params,
				       what, sizeof(what))) {
			seterr(err, errlen, "%s and %s were learnt with different parameters: %s",
			       in[first].name, in[i].name, what);
			ret = -EINVAL;
			goto out;
		}
		/* The same training counted twice would double its windows. */
		use[i] = 1;
		for (j = 0; j < i; j++)
			if (use[j] && in[j].len == in[i].len &&
			    !memcmp(in[j].data, in[i].data, in[i].len))
				use[i] = 0;
		if (!use[i])
			continue;
		res->used++;
		stide_sum += info[i].stide_entries;
		bosc_sum += info[i].bosc_entries;
	}
	if (stide_sum > SA_PROF_MAX_ENTRIES * 2ULL ||
	    bosc_sum > SA_PROF_MAX_ENTRIES * 2ULL) {
		seterr(err, errlen, "too many entries to merge");
		ret = -E2BIG;
		goto out;
	}
	pa = info[first].params;
	acc = profile_new(&pa, (u32)stide_sum, (u32)bosc_sum);
	if (!acc) {
		ret = -ENOMEM;
		goto out;
	}

	for (i = 0; i < n; i++) {
		const struct sa_profile_info *f = &info[i];

		if (!use[i])
			continue;
		/* The module's own importer: zero, duplicate keys, counts. */
		tmp = profile_new(&f->params, f->stide_entries, f->bosc_entries);
		if (!tmp) {
			ret = -ENOMEM;
			goto out;
		}
		if (sa_profile_import(tmp, in[i].data, in[i].len)) {
			seterr(err, errlen, "%s: not a valid sysanom profile (bad entries)",
			       in[i].name);
			ret = -EBADMSG;
			goto out;
		}
		if (fold_set(&acc->stide, &tmp->stide) ||
		    fold_set(&acc->bosc, &tmp->bosc)) {
			seterr(err, errlen, "out of room while merging %s", in[i].name);
			ret = -E2BIG;
			goto out;
		}
		sa_calls_merge(acc, tmp);
		profile_free(tmp);
		tmp = NULL;

		/* A profile without call sets (format 2) turns them off. */
		if (!f->calls_on)
			all_calls = 0;
		windows = add_sat(windows, f->windows);
		w0 = add_sat(w0, f->growth_windows);
		if (f->growth_entries > e0)
			e0 = f->growth_entries;
		if (f->params.lfc_threshold > lfc)
			lfc = f->params.lfc_threshold;
		if (f->params.epoch_threshold > epoch_thr)
			epoch_thr = f->params.epoch_threshold;
		if (f->params.combo_threshold > combo)
			combo = f->params.combo_threshold;
		ovr |= f->calib_overridden;
		if (f->calib_state < SA_CALIB_DONE)
			all_calib = 0;
		if (f->calib_state != SA_CALIB_CV)
			all_cv = 0;
		cwin = add_sat(cwin, f->calib_windows);
		calib.max_score = max64(calib.max_score, f->calib_max_score);
		calib.max_lfc = max64(calib.max_lfc, f->calib_max_lfc);
		calib.max_epoch = max64(calib.max_epoch, f->calib_max_epoch);
	}
	if (sa_profile_entries(acc) > SA_PROF_MAX_ENTRIES) {
		seterr(err, errlen, "the union has more than %u entries", SA_PROF_MAX_ENTRIES);
		ret = -E2BIG;
		goto out;
	}

	/*
	 * Each input's normal behaviour was scored against a subset of the
	 * union: against the union its mismatches can only be fewer, so the
	 * worst values' maximum bounds them all, and thresholds set from it
	 * raise no alert on any node's calibration traffic.
	 */
	if (all_calib) {
		calib.state = all_cv ? SA_CALIB_CV : SA_CALIB_DONE;
		if (sa_calib_thresholds(&calib, &pa))
			all_calib = 0;
	}
	if (!all_calib) {
		/* Uncalibrated: no worst values to combine; the loader learns them. */
		memset(&calib, 0, sizeof(calib));
		cwin = 0;
		ovr = 0;
		pa.lfc_threshold = (u8)lfc;
		pa.epoch_threshold = epoch_thr;
		pa.combo_threshold = combo;
		res->calib_dropped = 1;
	}
	/* Set by hand on some node: the highest value, still marked so. */
	if (ovr & SA_OVR_LFC)
		pa.lfc_threshold = (u8)lfc;
	if (ovr & SA_OVR_EPOCH)
		pa.epoch_threshold = epoch_thr;
	if (ovr & SA_OVR_COMBO)
		pa.combo_threshold = combo;
	calib.overridden = ovr;
	if (sa_profile_tune(acc, &pa)) {
		seterr(err, errlen, "merged thresholds are out of range");
		ret = -EINVAL;
		goto out;
	}
	sa_atomic64_set(&acc->growth.windows, (s64)windows);
	sa_growth_set_origin(acc, w0, e0);
	acc->calib.state = calib.state;
	acc->calib.overridden = calib.overridden;
	sa_atomic64_set(&acc->calib.windows, (s64)cwin);
	acc->calib.max_score = calib.max_score;
	acc->calib.max_lfc = calib.max_lfc;
	acc->calib.max_epoch = calib.max_epoch;
	acc->calls_on = all_calls;

	res->len = sa_profile_export_size(acc);
	res->data = malloc(res->len);
	if (!res->data) {
		ret = -ENOMEM;
		goto out;
	}
	len = sa_profile_export(acc, res->data, res->len);
	if (len != (long)res->len || sa_profile_parse(res->data, res->len, &info[0])) {
		seterr(err, errlen, "internal error: the merged profile does not parse");
		ret = -EIO;
	}
out:
	if (ret == -ENOMEM)
		seterr(err, errlen, "out of memory");
	if (ret) {
		free(res->data);
		res->data = NULL;
		res->len = 0;
	}
	profile_free(tmp);
	profile_free(acc);
	free(info);
	free(use);
	return ret;
}

static void merge_help(FILE *f)
{
	fprintf(f,
		"usage: sysanomctl merge [--json] -o OUT PROFILE...\n"
		"Write to OUT ('-' for standard output) the union of profiles that\n"
		"several nodes learnt for the same image: every STIDE and BoSC entry\n"
		"and every program's calls of every input (the call sets are off if\n"
		"some input has none). The inputs must share k, bag, ABI, start markers,\n"
		"detector, frame, epoch, BoSC weight, growth interval and margin.\n"
		"Windows add up; the growth slope is an upper bound; calibration\n"
		"keeps the worst of the inputs' normal behaviour and the thresholds\n"
		"are set again from it, unless some input was never calibrated:\n"
		"then calibration is dropped and each threshold is the highest of\n"
		"the inputs' ('load --train' learns them again). Identical inputs\n"
		"count once. OUT is written atomically. --json prints a summary.\n");
}

static void merr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void merr(const char *fmt, ...)
{
	va_list ap;

	fputs("sysanomctl: merge: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const calib_names[] = {
		"none", "running", "done", "cross-validated"
	};
	struct sa_merge_input *in = NULL;
	struct sa_merge_result res = { 0 };
	struct sa_profile_info info;
	const char *out = NULL;
	unsigned int i, n = 0;
	int c, json = 0, ret = 1;
	char err[512];
	FILE *sum;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			merge_help(stdout);
			return 0;
		default:
			merr("unknown option (see 'sysanomctl merge --help')");
			return 2;
		}
	}
	if (!out || optind >= argc) {
		merr("expects -o OUT and at least one PROFILE (see 'sysanomctl merge --help')");
		return 2;
	}
	n = (unsigned int)(argc - optind);
	in = calloc(n, sizeof(*in));
	if (!in) {
		merr("out of memory");
		return 1;
	}
	for (i = 0; i < n; i++) {
		unsigned char *d;
		size_t len;
		int r = sa_file_read(argv[optind + i], MERGE_FILE_MAX, &d, &len);

		if (r) {
			merr("%s: %s", argv[optind + i], strerror(-r));
			goto out;
		}
		in[i].name = argv[optind + i];
		in[i].data = d;
		in[i].len = len;
	}
	if (sa_profile_merge(in, n, &res, err, sizeof(err))) {
		merr("%s", err);
		goto out;
	}
	c = sa_file_write_atomic(out, res.data, res.len, 0644);
	if (c) {
		merr("%s: %s", out, strerror(-c));
		goto out;
	}
	sa_profile_parse(res.data, res.len, &info);
	/* The summary never mixes with a profile written to standard output. */
	sum = strcmp(out, "-") ? stdout : stderr;
	if (json) {
		fprintf(sum, "{\"output\":");
		sa_json_string(sum, out);
		fprintf(sum, ",\"inputs\":%u,\"merged\":%u,\"stide_entries\":%" PRIu32
			",\"bosc_entries\":%" PRIu32 ",\"windows\":%" PRIu64
			",\"growth_origin_windows\":%" PRIu64
			",\"growth_origin_entries\":%" PRIu32
			",\"calibration\":\"%s\",\"calibration_dropped\":%s"
			",\"lfc_threshold\":%u,\"epoch_threshold\":%" PRIu32
			",\"combo_threshold\":%" PRIu32 "}\n",
			n, res.used, info.stide_entries, info.bosc_entries,
			info.windows, info.growth_windows, info.growth_entries,
			calib_names[info.calib_state & 3],
			res.calib_dropped ? "true" : "false",
			info.params.lfc_threshold, info.params.epoch_threshold,
			info.params.combo_threshold);
	} else {
		fprintf(sum, "merged %u of %u profiles into %s: %" PRIu32 " STIDE and %" PRIu32
			" BoSC entries, %" PRIu64 " windows, calibration %s%s\n",
			res.used, n, out, info.stide_entries, info.bosc_entries,
			info.windows, calib_names[info.calib_state & 3],
			res.calib_dropped ? " (dropped: some input was not calibrated)" : "");
	}
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free((void *)in[i].data);
	free(in);
	free(res.data);
	return ret;
}
