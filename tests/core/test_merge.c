// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of sysanomctl merge (tools/sysanomctl/merge.c): the union of
 * profiles, refusals, idempotence, corrupt input, growth and calibration
 * rules, and the command's exit status and atomic output. Built with ASan
 * and UBSan; exit status 0 when all pass.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysanom/detector.h"
#include "sysanom/profile_fmt.h"
#include "atomic_file.h"
#include "merge.h"

static int failures, checks;

#define CHECK(cond) do {						\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, \
			#cond);						\
	}								\
} while (0)

static u64 rng_state = 0x9e3779b9;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct blob {
	unsigned char *d;
	size_t len;
};

struct prof {
	struct sa_profile *p;
	void *m1, *m2;
};

static void prof_new(struct prof *x, const struct sa_params *pa,
		     unsigned int order)
{
	x->p = malloc(sizeof(*x->p));
	x->m1 = aligned_alloc(64, sa_hashset_size(order));
	x->m2 = aligned_alloc(64, sa_hashset_size(order));
	if (!x->p || !x->m1 || !x->m2 ||
	    sa_profile_init(x->p, pa, x->m1, order, x->m2, order)) {
		fprintf(stderr, "profile init failed\n");
		exit(1);
	}
}

static void prof_free(struct prof *x)
{
	free(x->p);
	free(x->m1);
	free(x->m2);
}

/* Feeds @t as one stream; returns the OR of the verdicts. */
static unsigned int feed(struct sa_profile *p, const u16 *t, unsigned int n,
			 enum sa_mode mode)
{
	struct sa_stream s;
	unsigned int i, any = 0;

	sa_stream_reset(&s);
	for (i = 0; i < n; i++)
		any |= sa_feed(p, &s, t[i], mode);
	if (mode == SA_MODE_CALIBRATE)
		sa_calib_flush(p, &s);
	else
		sa_stream_flush(p, &s);
	return any;
}

static struct blob export(const struct sa_profile *p)
{
	struct blob b;

	b.len = sa_profile_export_size(p);
	b.d = malloc(b.len);
	if (!b.d || sa_profile_export(p, b.d, b.len) != (long)b.len) {
		fprintf(stderr, "export failed\n");
		exit(1);
	}
	return b;
}

/* Imports @b into a fresh profile (caller frees). */
static int import(const struct blob *b, struct prof *x,
		  struct sa_profile_info *info)
{
	if (sa_profile_parse(b->d, b->len, info))
		return -1;
	prof_new(x, &info->params, 12);
	return sa_profile_import(x->p, b->d, b->len);
}

static int merge(const struct blob *v, unsigned int n, struct blob *out,
		 char *err, struct sa_merge_result *r)
{
	struct sa_merge_input in[8];
	struct sa_merge_result res;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		in[i].name = i ? "B.prof" : "A.prof";
		in[i].data = v[i].d;
		in[i].len = v[i].len;
	}
	err[0] = 0;
	ret = sa_profile_merge(in, n, &res, err, 512);
	out->d = res.data;
	out->len = res.len;
	if (r)
		*r = res;
	return ret;
}

/* Every entry of @part is in @whole, with at least its count. */
static int set_within(const struct sa_hashset *part,
		      const struct sa_hashset *whole)
{
	u32 i;
	int bad = 0;

	for (i = 0; i <= part->mask; i++)
		if (part->keys[i] && sa_hashset_lookup(whole, part->keys[i]) <
		    part->counts[i])
			bad++;
	return bad;
}

/* Same entries and counts, same header apart from the CRC. */
static int same_profile(const struct blob *a, const struct blob *b)
{
	struct sa_profile_info ia, ib;
	struct prof pa, pb;
	int same;

	if (import(a, &pa, &ia) || import(b, &pb, &ib))
		return 0;
	same = !memcmp(&ia, &ib, sizeof(ia)) &&
	       !set_within(&pa.p->stide, &pb.p->stide) &&
	       !set_within(&pb.p->stide, &pa.p->stide) &&
	       !set_within(&pa.p->bosc, &pb.p->bosc) &&
	       !set_within(&pb.p->bosc, &pa.p->bosc) &&
	       a->len == b->len && !memcmp(a->d, b->d, 60) &&
	       !memcmp(a->d + 64, b->d + 64, SA_PROF_HDR_SIZE - 64);
	prof_free(&pa);
	prof_free(&pb);
	return same;
}

/*
 * Two shares of one service's traffic: a common loop, plus a path that
 * only node A saw (ids 20..25) and one only node B saw (30..35).
 */
#define TN 6000
static u16 share_a[TN], share_b[TN], attack[TN];

static void make_traffic(void)
{
	unsigned int i;

	for (i = 0; i < TN; i++) {
		share_a[i] = 1 + i % 9;
		share_b[i] = 1 + i % 9;
		attack[i] = 1 + i % 9;
	}
	for (i = 500; i < TN; i += 700) {
		unsigned int j;

		for (j = 0; j < 6; j++) {
			share_a[i + j] = 20 + j;
			share_b[i + j] = 30 + j;
		}
	}
	for (i = 3000; i < 3040; i++)
		attack[i] = 50 + rng() % 5;
}

/* A trained profile, calibrated (online, state done) when @calibrate. */
static struct blob node_profile(const struct sa_params *pa, const u16 *t,
				int calibrate)
{
	struct prof x;
	struct blob b;

	prof_new(&x, pa, 12);
	feed(x.p, t, TN, SA_MODE_TRAIN);
	feed(x.p, t, TN, SA_MODE_TRAIN);
	if (calibrate) {
		struct sa_params learnt = *pa;

		sa_calib_reset(x.p);
		/* Normal behaviour with a detour: a non-zero worst score. */
		feed(x.p, t + 7, TN - 7, SA_MODE_CALIBRATE);
		x.p->calib.state = SA_CALIB_DONE;
		if (sa_calib_thresholds(&x.p->calib, &learnt) ||
		    sa_profile_tune(x.p, &learnt)) {
			fprintf(stderr, "calibration failed\n");
			exit(1);
		}
	}
	b = export(x.p);
	prof_free(&x);
	return b;
}

static void fix_crc(struct blob *b);

static void test_union(void)
{
	struct sa_params pa;
	struct blob v[2], m;
	struct sa_profile_info ia, ib, im;
	struct prof a, b, x;
	char err[512];
	u32 i, both = 0;

	sa_params_default(&pa);
	pa.growth_shift = 6;	/* enough checkpoints for a growth origin */
	v[0] = node_profile(&pa, share_a, 0);
	v[1] = node_profile(&pa, share_b, 0);
	CHECK(merge(v, 2, &m, err, NULL) == 0);
	CHECK(import(&v[0], &a, &ia) == 0);
	CHECK(import(&v[1], &b, &ib) == 0);
	CHECK(import(&m, &x, &im) == 0);

	/* Every entry of each input, counts summed (saturating). */
	CHECK(set_within(&a.p->stide, &x.p->stide) == 0);
	CHECK(set_within(&b.p->stide, &x.p->stide) == 0);
	CHECK(set_within(&a.p->bosc, &x.p->bosc) == 0);
	CHECK(set_within(&b.p->bosc, &x.p->bosc) == 0);
	for (i = 0; i <= a.p->stide.mask; i++) {
		u64 k = a.p->stide.keys[i];
		unsigned int cb, want;

		if (!k)
			continue;
		cb = sa_hashset_lookup(&b.p->stide, k);
		both += !!cb;
		want = a.p->stide.counts[i] + cb;
		CHECK(sa_hashset_lookup(&x.p->stide, k) ==
		      (want > 255 ? 255 : want));
	}
	/* And nothing else: |A u B| = |A| + |B| - |A n B|. */
	CHECK(both > 0 && both < ia.stide_entries);
	CHECK(im.stide_entries == ia.stide_entries + ib.stide_entries - both);
	CHECK(im.stide_entries > ia.stide_entries &&
	      im.stide_entries > ib.stide_entries);
	CHECK(im.bosc_entries > ia.bosc_entries &&
	      im.bosc_entries > ib.bosc_entries);

	/* Growth: windows add up; origin = (sum of windows, max of entries). */
	CHECK(im.windows == ia.windows + ib.windows);
	CHECK(ia.growth_windows > 0 && ib.growth_windows > 0);
	CHECK(im.growth_windows == ia.growth_windows + ib.growth_windows);
	CHECK(im.growth_entries == (ia.growth_entries > ib.growth_entries ?
				    ia.growth_entries : ib.growth_entries));
	/* The slope is an upper bound: at least each input's. */
	CHECK(sa_growth_slope_ppm(x.p, 0) >= sa_growth_slope_ppm(a.p, 0));
	CHECK(sa_growth_slope_ppm(x.p, 0) >= sa_growth_slope_ppm(b.p, 0));
	/* Uncalibrated inputs: no calibration, the inputs' thresholds. */
	CHECK(im.calib_state == SA_CALIB_NONE);
	CHECK(im.params.combo_threshold == pa.combo_threshold);

	/* Each input's own profile flags the other share; the union neither. */
	CHECK(feed(a.p, share_b, TN, SA_MODE_DETECT) & SA_V_STIDE_MISS);
	CHECK(feed(b.p, share_a, TN, SA_MODE_DETECT) & SA_V_STIDE_MISS);
	CHECK(!(feed(x.p, share_a, TN, SA_MODE_DETECT) &
		(SA_V_STIDE_MISS | SA_V_BOSC_MISS)));
	CHECK(!(feed(x.p, share_b, TN, SA_MODE_DETECT) &
		(SA_V_STIDE_MISS | SA_V_BOSC_MISS)));
	CHECK(feed(x.p, attack, TN, SA_MODE_DETECT) & SA_V_ANOMALY);
	/* Call sets: the union of the inputs' rows, judging. */
	CHECK(im.calls_on && x.p->calls_on);
	for (i = 0; i < SA_MAX_ID; i++)
		CHECK(sa_calls_known(x.p, 0, i) ==
		      (sa_calls_known(a.p, 0, i) || sa_calls_known(b.p, 0, i)));
	/* A version 2 input (no call sets) turns them off in the union. */
	{
		struct blob v2[2] = { v[0], v[1] }, m2;
		struct sa_profile_info i2;
		size_t rows = (size_t)SA_PROF_ROW_SIZE * ib.call_rows;

		v2[1].d = malloc(v[1].len);
		memcpy(v2[1].d, v[1].d, v[1].len);
		v2[1].len = v[1].len - rows;
		v2[1].d[8] = 2;
		v2[1].d[68] = 0;
		memset(v2[1].d + 92, 0, 4);
		fix_crc(&v2[1]);
		CHECK(merge(v2, 2, &m2, err, NULL) == 0);
		CHECK(sa_profile_parse(m2.d, m2.len, &i2) == 0);
		CHECK(i2.version == 3 && !i2.calls_on && !i2.call_rows);
		free(m2.d);
		free(v2[1].d);
	}

	/* Order of the inputs does not matter. */
	{
		struct blob r[2] = { v[1], v[0] }, m2;

		CHECK(merge(r, 2, &m2, err, NULL) == 0);
		CHECK(same_profile(&m, &m2));
		free(m2.d);
	}
	prof_free(&a);
	prof_free(&b);
	prof_free(&x);
	free(m.d);
	free(v[0].d);
	free(v[1].d);
}

static void test_idempotent(void)
{
	struct sa_params pa;
	struct blob v[3], m, m2, mm[2];
	struct sa_merge_result r;
	char err[512];

	sa_params_default(&pa);
	pa.growth_shift = 6;
	v[0] = node_profile(&pa, share_a, 1);
	v[1] = v[0];
	CHECK(merge(v, 2, &m, err, &r) == 0);
	CHECK(r.used == 1);
	CHECK(same_profile(&m, &v[0]));
	free(m.d);
	CHECK(merge(v, 1, &m, err, NULL) == 0);
	CHECK(same_profile(&m, &v[0]));

	/* merge(M, M) = M for a merged M too, byte for byte. */
	v[1] = node_profile(&pa, share_b, 1);
	CHECK(merge(v, 2, &m2, err, NULL) == 0);
	mm[0] = m2;
	mm[1] = m2;
	free(m.d);
	CHECK(merge(mm, 2, &m, err, &r) == 0);
	CHECK(r.used == 1);
	CHECK(same_profile(&m, &m2));
	free(m.d);
	CHECK(merge(mm, 1, &m, err, NULL) == 0);
	CHECK(m.len == m2.len);
	free(m.d);
	/* A, B, A: A counts once. */
	v[2] = v[0];
	CHECK(merge(v, 3, &m, err, &r) == 0);
	CHECK(r.used == 2 && same_profile(&m, &m2));
	free(m.d);
	free(m2.d);
	free(v[0].d);
	free(v[1].d);
}

static void test_calibration(void)
{
	struct sa_params pa, want;
	struct blob v[2], m;
	struct sa_profile_info ia, ib, im;
	struct sa_calib c;
	char err[512];

	sa_params_default(&pa);
	v[0] = node_profile(&pa, share_a, 1);
	v[1] = node_profile(&pa, share_b, 1);
	CHECK(sa_profile_parse(v[0].d, v[0].len, &ia) == 0);
	CHECK(sa_profile_parse(v[1].d, v[1].len, &ib) == 0);
	CHECK(ia.calib_state == SA_CALIB_DONE && ia.calib_max_score > 0);
	CHECK(merge(v, 2, &m, err, NULL) == 0);
	CHECK(sa_profile_parse(m.d, m.len, &im) == 0);
	CHECK(im.calib_state == SA_CALIB_DONE);
	CHECK(im.calib_windows == ia.calib_windows + ib.calib_windows);
	CHECK(im.calib_max_score == (ia.calib_max_score > ib.calib_max_score ?
				     ia.calib_max_score : ib.calib_max_score));
	CHECK(im.calib_max_lfc >= ia.calib_max_lfc &&
	      im.calib_max_lfc >= ib.calib_max_lfc);
	/* Thresholds set again from the worst values: at least each input's. */
	memset(&c, 0, sizeof(c));
	c.max_score = im.calib_max_score;
	c.max_lfc = im.calib_max_lfc;
	c.max_epoch = im.calib_max_epoch;
	want = im.params;
	CHECK(sa_calib_thresholds(&c, &want) == 0);
	CHECK(!memcmp(&want, &im.params, sizeof(want)));
	CHECK(im.params.combo_threshold >= ia.params.combo_threshold &&
	      im.params.combo_threshold >= ib.params.combo_threshold);
	free(m.d);

	/* One input never calibrated: calibration is dropped. */
	free(v[1].d);
	v[1] = node_profile(&pa, share_b, 0);
	CHECK(merge(v, 2, &m, err, NULL) == 0);
	CHECK(sa_profile_parse(m.d, m.len, &im) == 0);
	CHECK(im.calib_state == SA_CALIB_NONE && im.calib_windows == 0 &&
	      im.calib_max_score == 0);
	/* Each threshold the highest of the inputs'. */
	CHECK(im.params.combo_threshold == (ia.params.combo_threshold >
		pa.combo_threshold ? ia.params.combo_threshold :
		pa.combo_threshold));
	CHECK(im.params.lfc_threshold >= ia.params.lfc_threshold);
	free(m.d);
	free(v[0].d);
	free(v[1].d);
}

static void test_mismatch(void)
{
	static const struct {
		const char *what;	/* in the message */
		int field;
	} cases[] = {
		{ "k, the STIDE window", 0 }, { "bag", 1 },
		{ "detector (combo vs stide)", 2 }, { "ABI (x86_64 vs i386)", 3 },
		{ "start markers", 4 }, { "locality frame", 5 },
		{ "growth", 6 }, { "margin", 7 },
	};
	struct sa_params pa, pb;
	struct blob v[2], m;
	char err[512];
	unsigned int i;

	sa_params_default(&pa);
	v[0] = node_profile(&pa, share_a, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pb = pa;
		switch (cases[i].field) {
		case 0: pb.k = 8; break;
		case 1: pb.bag = 6; break;
		case 2: pb.detector = SA_DET_STIDE; break;
		case 3: pb.abi = SA_ABI_I386; break;
		case 4: pb.start = 0; break;
		case 5: pb.frame = 30; break;
		case 6: pb.growth_shift = 8; break;
		case 7: pb.margin = 50; break;
		}
		v[1] = node_profile(&pb, share_b, 0);
		m.d = NULL;
		CHECK(merge(v, 2, &m, err, NULL) == -EINVAL);
		CHECK(m.d == NULL);
		CHECK(strstr(err, cases[i].what) != NULL);
		CHECK(strstr(err, "A.prof") && strstr(err, "B.prof"));
		if (!strstr(err, cases[i].what))
			fprintf(stderr, "  message: %s\n", err);
		free(v[1].d);
	}
	/* Thresholds may differ: they are combined. */
	pb = pa;
	pb.combo_threshold = 300;
	pb.lfc_threshold = 19;
	v[1] = node_profile(&pb, share_b, 0);
	CHECK(merge(v, 2, &m, err, NULL) == 0);
	{
		struct sa_profile_info im;

		CHECK(sa_profile_parse(m.d, m.len, &im) == 0);
		CHECK(im.params.combo_threshold == 300);
		CHECK(im.params.lfc_threshold == 19);
	}
	free(m.d);
	free(v[1].d);
	free(v[0].d);
}

/* Rewrites the CRC of @b after an edit. */
static void fix_crc(struct blob *b)
{
	u32 crc;

	memset(b->d + 60, 0, 4);
	crc = sa_crc32(0, b->d, b->len);
	b->d[60] = crc;
	b->d[61] = crc >> 8;
	b->d[62] = crc >> 16;
	b->d[63] = crc >> 24;
}

static void test_corrupt(void)
{
	struct sa_params pa;
	struct blob v[2], m, good;
	char err[512];
	size_t j;
	unsigned int refused = 0, tries = 0;

	sa_params_default(&pa);
	good = node_profile(&pa, share_b, 0);
	v[0] = node_profile(&pa, share_a, 0);
	v[1].d = malloc(good.len);
	/* Every truncation. */
	for (j = 0; j < good.len; j++) {
		memcpy(v[1].d, good.d, good.len);
		v[1].len = j;
		tries++;
		if (merge(v, 2, &m, err, NULL) == -EBADMSG && !m.d)
			refused++;
	}
	/* A bit flip in every byte. */
	v[1].len = good.len;
	for (j = 0; j < good.len; j++) {
		memcpy(v[1].d, good.d, good.len);
		v[1].d[j] ^= 1 << (j % 8);
		tries++;
		if (merge(v, 2, &m, err, NULL) == -EBADMSG && !m.d)
			refused++;
	}
	CHECK(refused == tries);
	CHECK(strstr(err, "B.prof: not a valid sysanom profile") != NULL);
	/* A duplicate key with a valid CRC: only the importer sees it. */
	memcpy(v[1].d, good.d, good.len);
	memcpy(v[1].d + SA_PROF_HDR_SIZE + 9, v[1].d + SA_PROF_HDR_SIZE, 9);
	fix_crc(&v[1]);
	CHECK(merge(v, 2, &m, err, NULL) == -EBADMSG);
	/* A zero count. */
	memcpy(v[1].d, good.d, good.len);
	v[1].d[SA_PROF_HDR_SIZE + 8] = 0;
	fix_crc(&v[1]);
	CHECK(merge(v, 2, &m, err, NULL) == -EBADMSG);
	CHECK(merge(v, 0, &m, err, NULL) == -EINVAL);
	free(v[1].d);
	free(v[0].d);
	free(good.d);
}

static int write_blob(const char *path, const struct blob *b)
{
	return sa_file_write_atomic(path, b->d, b->len, 0644);
}

static int run_cmd(int argc, const char **argv)
{
	return cmd_merge(argc, (char **)argv);
}

static unsigned int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") &&
					     strcmp(e->d_name, ".."));
	if (d)
		closedir(d);
	return n;
}

/* The command: exit status, output written atomically or not at all. */
static void test_command(void)
{
	char dir[] = "/tmp/test_merge.XXXXXX", a[300], b[300], k8[300],
	     bad[300], out[300];
	struct sa_params pa, pk;
	struct blob va, vb, vk, got, junk = { (unsigned char *)"junk", 4 };
	size_t len;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(a, sizeof(a), "%s/a.prof", dir);
	snprintf(b, sizeof(b), "%s/b.prof", dir);
	snprintf(k8, sizeof(k8), "%s/k8.prof", dir);
	snprintf(bad, sizeof(bad), "%s/bad.prof", dir);
	snprintf(out, sizeof(out), "%s/out.prof", dir);
	sa_params_default(&pa);
	pk = pa;
	pk.k = 8;
	va = node_profile(&pa, share_a, 0);
	vb = node_profile(&pa, share_b, 0);
	vk = node_profile(&pk, share_b, 0);
	CHECK(write_blob(a, &va) == 0 && write_blob(b, &vb) == 0 &&
	      write_blob(k8, &vk) == 0 && write_blob(bad, &junk) == 0);
	CHECK(count_files(dir) == 4);

	CHECK(run_cmd(5, (const char *[]){ "merge", "-o", out, a, b, NULL }) == 0);
	CHECK(sa_file_read(out, 1 << 20, &got.d, &len) == 0);
	got.len = len;
	{
		struct blob v[2] = { va, vb }, m;
		char err[512];

		CHECK(merge(v, 2, &m, err, NULL) == 0);
		CHECK(m.len == got.len && !memcmp(m.d, got.d, m.len));
		free(m.d);
	}
	/* Refusals leave the previous output as it was, and no temporary. */
	CHECK(run_cmd(5, (const char *[]){ "merge", "-o", out, a, k8, NULL }) == 1);
	CHECK(run_cmd(5, (const char *[]){ "merge", "-o", out, a, bad, NULL }) == 1);
	CHECK(run_cmd(4, (const char *[]){ "merge", "-o", out, "/nonexistent/x", NULL }) == 1);
	{
		unsigned char *d;

		CHECK(sa_file_read(out, 1 << 20, &d, &len) == 0);
		CHECK(len == got.len && !memcmp(d, got.d, len));
		free(d);
	}
	CHECK(count_files(dir) == 5);
	/* An output that cannot be written: exit 1. */
	CHECK(run_cmd(5, (const char *[]){ "merge", "-o", "/nonexistent/o", a, b, NULL }) == 1);
	/* Usage errors: exit 2. */
	CHECK(run_cmd(3, (const char *[]){ "merge", a, b, NULL }) == 2);
	CHECK(run_cmd(3, (const char *[]){ "merge", "-o", out, NULL }) == 2);
	CHECK(run_cmd(4, (const char *[]){ "merge", "--bogus", a, b, NULL }) == 2);
	CHECK(run_cmd(2, (const char *[]){ "merge", "--help", NULL }) == 0);
	free(got.d);
	free(va.d);
	free(vb.d);
	free(vk.d);
	unlink(a);
	unlink(b);
	unlink(k8);
	unlink(bad);
	unlink(out);
	CHECK(count_files(dir) == 0);
	rmdir(dir);
}

int main(void)
{
	make_traffic();
	test_union();
	test_idempotent();
	test_calibration();
	test_mismatch();
	test_corrupt();
	test_command();
	printf("test_merge: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
