// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace unit tests of the sysanom detection core (module/core),
 * built with AddressSanitizer and UBSan. Exit status 0 when all pass.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "sysanom/hashset.h"
#include "sysanom/window.h"
#include "sysanom/detector.h"
#include "sysanom/profile_fmt.h"

static int failures, checks;

#define CHECK(cond) do {						\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, \
			#cond);						\
	}								\
} while (0)

static u64 rng_state = 0x1234567;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void *xalloc(size_t n)
{
	void *p = aligned_alloc(64, (n + 63) & ~(size_t)63);

	if (!p) {
		perror("aligned_alloc");
		exit(1);
	}
	return p;
}

static void test_hashset_basic(void)
{
	struct sa_hashset hs;
	unsigned int order = 8, i;
	void *mem = xalloc(sa_hashset_size(order));
	int ret;

	CHECK(sa_hashset_size(3) == 0);
	CHECK(sa_hashset_size(order) == 256 * 9);
	CHECK(sa_hashset_init(&hs, mem, order) == 0);
	CHECK(sa_hashset_init(&hs, (char *)mem + 1, order) == -EINVAL);
	CHECK(sa_hashset_init(&hs, mem, order) == 0);
	CHECK(hs.limit == 192);
	CHECK(sa_hashset_insert(&hs, 0) == -EINVAL);
	CHECK(sa_hashset_lookup(&hs, 42) == 0);
	CHECK(sa_hashset_insert(&hs, 42) == 1);
	CHECK(sa_hashset_insert(&hs, 42) == 0);
	CHECK(sa_hashset_lookup(&hs, 42) == 2);
	for (i = 0; i < 300; i++)
		sa_hashset_insert(&hs, 42);
	CHECK(sa_hashset_lookup(&hs, 42) == SA_HS_COUNT_MAX);
	CHECK(sa_hashset_entries(&hs) == 1);
	/* Fill to the limit: the next new key must be refused. */
	for (i = 1; i < hs.limit; i++)
		CHECK(sa_hashset_insert(&hs, 1000 + i) == 1);
	CHECK(sa_hashset_entries(&hs) == hs.limit);
	ret = sa_hashset_insert(&hs, 99999);
	CHECK(ret == -ENOSPC);
	CHECK(sa_hashset_lookup(&hs, 99999) == 0);
	CHECK(sa_hashset_insert(&hs, 1001) == 0);	/* existing still ok */
	CHECK(sa_hashset_lookup(&hs, 1001) == 2);
	for (i = 2; i < hs.limit; i++)
		CHECK(sa_hashset_lookup(&hs, 1000 + i) == 1);

	/* Growth by copy into a larger set keeps keys and counts. */
	{
		struct sa_hashset big;
		void *bm = xalloc(sa_hashset_size(order + 2));

		CHECK(sa_hashset_init(&big, bm, order + 2) == 0);
		CHECK(sa_hashset_copy(&big, &hs) == 0);
		CHECK(sa_hashset_entries(&big) == hs.limit);
		CHECK(sa_hashset_lookup(&big, 42) == SA_HS_COUNT_MAX);
		CHECK(sa_hashset_lookup(&big, 1005) == 1);
		CHECK(sa_hashset_copy(&big, &hs) == 0);	/* idempotent */
		CHECK(sa_hashset_entries(&big) == hs.limit);
		CHECK(sa_hashset_insert(&big, 99999) == 1);
		free(bm);
	}
	CHECK(sa_hashset_order_for(128) == 8);
	CHECK(sa_hashset_order_for(129) == 9);
	free(mem);
}

/*
 * Keys b * M all hash to slot 0 of any set up to order 24 under the public
 * multiplier alone (M * 0x9e3779b97f4a7c15 mod 2^64 < 2^23, found from the
 * continued fraction of the multiplier over 2^64): a flood of one cluster.
 */
#define SA_FLOOD_M	0xa8a2288097ULL
#define SA_FLOOD_N	100000U

static void test_hashset_flood(void)
{
	unsigned int order = sa_hashset_order_for(SA_FLOOD_N), i, ok = 0;
	void *mem = xalloc(sa_hashset_size(order));
	struct sa_hashset hs;

	/* Unkeyed: the walk stops at the probe bound, and the set says full. */
	CHECK(sa_hashset_init(&hs, mem, order) == 0);
	CHECK(sa_hashset_index(&hs, SA_FLOOD_M) ==
	      sa_hashset_index(&hs, SA_FLOOD_M * SA_FLOOD_N));
	for (i = 1; i <= SA_FLOOD_N; i++)
		ok += sa_hashset_insert(&hs, SA_FLOOD_M * i) == 1;
	CHECK(ok == SA_HS_PROBE_MAX);
	CHECK(sa_hashset_lookup(&hs, SA_FLOOD_M * SA_FLOOD_N) == 0);
	CHECK(sa_hashset_lookup(&hs, SA_FLOOD_M) == 1);

	/* Keyed: the same keys spread and all fit. */
	CHECK(sa_hashset_init(&hs, mem, order) == 0);
	CHECK(sa_hashset_seed(&hs, 0x243f6a8885a308d3ULL) == 0);
	for (i = 1, ok = 0; i <= SA_FLOOD_N; i++)
		ok += sa_hashset_insert(&hs, SA_FLOOD_M * i) == 1;
	CHECK(ok == SA_FLOOD_N);
	CHECK(sa_hashset_seed(&hs, 1) == -EBUSY);
	for (i = 1, ok = 0; i <= SA_FLOOD_N; i++)
		ok += sa_hashset_lookup(&hs, SA_FLOOD_M * i) == 1;
	CHECK(ok == SA_FLOOD_N);
	free(mem);
}

/*
 * The largest set holds SA_HS_MAX_ENTRIES and refuses more, whatever memory
 * allows: a profile always fits a file that loads, below INT_MAX bytes.
 */
static void test_hashset_max_entries(void)
{
	unsigned int order = SA_HS_MAX_ORDER, i, ok = 0;
	void *mem;
	struct sa_hashset hs;

	CHECK(SA_PROF_MAX_SIZE <= 0x7fffffffUL);
	CHECK(sa_hashset_size(order + 1) == 0);
	CHECK(sa_hashset_order_for(SA_HS_MAX_ENTRIES) == (int)order);
	CHECK(sa_hashset_order_for(SA_HS_MAX_ENTRIES + 1) < 0);
	mem = xalloc(sa_hashset_size(order));
	CHECK(sa_hashset_init(&hs, mem, order) == 0);
	CHECK(sa_hashset_seed(&hs, 0xa4093822299f31d0ULL) == 0);
	for (i = 1; i <= SA_HS_MAX_ENTRIES; i++)
		ok += sa_hashset_insert(&hs, i) == 1;
	CHECK(ok == SA_HS_MAX_ENTRIES);
	CHECK(sa_hashset_insert(&hs, (u64)SA_HS_MAX_ENTRIES + 1) == -ENOSPC);
	CHECK(sa_hashset_insert(&hs, 1) == 0);
	CHECK(sa_hashset_entries(&hs) == SA_HS_MAX_ENTRIES);
	free(mem);
}

/* A full set copies into one of the same order and key, slot for slot. */
static void test_hashset_same_copy(void)
{
	unsigned int order = 16, i, n = 0;
	void *m1 = xalloc(sa_hashset_size(order));
	void *m2 = xalloc(sa_hashset_size(order));
	struct sa_hashset a, b;
	u64 x = 0x9e3779b97f4a7c15ULL;

	CHECK(sa_hashset_init(&a, m1, order) == 0);
	CHECK(sa_hashset_seed(&a, 0x13198a2e03707344ULL) == 0);
	for (i = 0; i < a.limit; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n += sa_hashset_insert(&a, x | 1) == 1;
	}
	CHECK(n > a.limit / 2);
	CHECK(sa_hashset_init(&b, m2, order) == 0);
	CHECK(sa_hashset_seed(&b, a.seed) == 0);
	CHECK(sa_hashset_copy(&b, &a) == 0);
	CHECK(sa_hashset_entries(&b) == n);
	CHECK(memcmp(a.keys, b.keys, sizeof(u64) << order) == 0);
	free(m1);
	free(m2);
}

#define THREADS		4
#define PER_THREAD	60000

struct ins_arg {
	struct sa_hashset *hs;
	unsigned int id;
	int new_count;
	int errors;
};

static void *inserter(void *a)
{
	struct ins_arg *arg = a;
	unsigned int i;

	/*
	 * Every thread inserts the same 2 * PER_THREAD keys in its own order
	 * (half shared with everyone, half its own), checking lock-free
	 * lookups of what it inserted as it goes.
	 */
	for (i = 0; i < PER_THREAD; i++) {
		unsigned int j = (i * 7919 + arg->id * 104729) % PER_THREAD;
		u64 shared = 0x5000000000ULL + j * 0x9e3779b1ULL;
		u64 own = ((u64)(arg->id + 1) << 40) + i + 1;
		int r;

		r = sa_hashset_insert(arg->hs, shared);
		if (r < 0)
			arg->errors++;
		arg->new_count += r > 0;
		r = sa_hashset_insert(arg->hs, own);
		if (r != 1)
			arg->errors++;
		arg->new_count += r > 0;
		if (!sa_hashset_lookup(arg->hs, shared) ||
		    !sa_hashset_lookup(arg->hs, own))
			arg->errors++;
	}
	return NULL;
}

static void test_hashset_concurrent(void)
{
	struct sa_hashset hs;
	unsigned int order = sa_hashset_order_for(PER_THREAD * (THREADS + 1));
	void *mem = xalloc(sa_hashset_size(order));
	struct ins_arg args[THREADS];
	pthread_t th[THREADS];
	int i, total_new = 0, errors = 0;
	u32 j;

	CHECK(sa_hashset_init(&hs, mem, order) == 0);
	for (i = 0; i < THREADS; i++) {
		args[i] = (struct ins_arg){ .hs = &hs, .id = i };
		CHECK(pthread_create(&th[i], NULL, inserter, &args[i]) == 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		total_new += args[i].new_count;
		errors += args[i].errors;
	}
	CHECK(errors == 0);
	/* Each shared key created once, each own key once. */
	CHECK(total_new == PER_THREAD * (THREADS + 1));
	CHECK(sa_hashset_entries(&hs) == PER_THREAD * (THREADS + 1));
	for (j = 0; j < PER_THREAD; j++)
		if (!sa_hashset_lookup(&hs, 0x5000000000ULL +
					j * 0x9e3779b1ULL))
			errors++;
	CHECK(errors == 0);
	/* No key is stored twice. */
	{
		u32 slots = sa_hashset_slots(&hs), occupied = 0;

		for (j = 0; j < slots; j++)
			occupied += hs.keys[j] != 0;
		CHECK(occupied == sa_hashset_entries(&hs));
	}
	free(mem);
}

static void test_bytes_per_entry(void)
{
	unsigned int order = 16;
	size_t bytes = sa_hashset_size(order);
	u32 limit = (1U << order) - (1U << order) / 4;

	/* 9 bytes per slot, at most 3/4 of the slots used: 12 per entry. */
	CHECK(bytes * 100 / limit == 1200);
	printf("bytes per entry: %zu per slot, %.2f at the 3/4 fill limit\n",
	       bytes >> order, (double)bytes / limit);
	CHECK(sizeof(struct sa_stream) == 96);
}

static void test_keys(void)
{
	u16 ids[SA_K_MAX], back[SA_K_MAX];
	unsigned int k, i, trial;

	/* Exact packing: unpack gives the window back, bit 63 set. */
	for (trial = 0; trial < 1000; trial++) {
		for (i = 0; i < SA_K_MAX; i++)
			ids[i] = rng() % SA_MAX_ID;
		for (k = SA_K_MIN; k <= SA_K_EXACT_MAX; k++) {
			u64 key = sa_stide_key(ids, k);

			CHECK(key & SA_KEY_EXACT);
			CHECK(sa_stide_unpack(key, k, back) == 0);
			CHECK(memcmp(ids, back, k * sizeof(u16)) == 0);
		}
		for (k = SA_K_EXACT_MAX + 1; k <= SA_K_MAX; k++) {
			u64 key = sa_stide_key(ids, k);

			CHECK(!(key & SA_KEY_EXACT) && key);
			CHECK(sa_stide_unpack(key, k, back) == -EINVAL);
		}
	}
	/* Windows differing in one call give different keys. */
	for (k = SA_K_MIN; k <= SA_K_MAX; k++) {
		for (i = 0; i < k; i++)
			ids[i] = i;
		{
			u64 a = sa_stide_key(ids, k);

			ids[k / 2] = 1023;
			CHECK(a != sa_stide_key(ids, k));
		}
	}
	/* Bag keys ignore order and depend on multiplicity. */
	{
		u16 a[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
		u16 b[10] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
		u16 c[10] = { 1, 1, 3, 4, 5, 6, 7, 8, 9, 10 };

		CHECK(sa_bag_key(a, 10) == sa_bag_key(b, 10));
		CHECK(sa_bag_key(a, 10) != sa_bag_key(c, 10));
		CHECK(sa_bag_key(a, 10) != 0);
	}
}

static void make_profile(struct sa_profile *p, const struct sa_params *pa,
			 unsigned int order, void **m1, void **m2)
{
	*m1 = xalloc(sa_hashset_size(order));
	*m2 = xalloc(sa_hashset_size(order));
	if (sa_profile_init(p, pa, *m1, order, *m2, order)) {
		fprintf(stderr, "sa_profile_init failed\n");
		exit(1);
	}
}

/* Sliding keys in the stream equal keys recomputed from scratch. */
static void test_sliding(void)
{
	unsigned int k, bag, i, n = 3000;
	u16 *trace = malloc(n * sizeof(u16));

	for (i = 0; i < n; i++)
		trace[i] = (i % 97 == 0) ? 1023 : rng() % 40;
	for (k = SA_K_MIN; k <= SA_K_MAX; k++) {
		bag = SA_BAG_MIN + (k * 5) % (SA_BAG_MAX - SA_BAG_MIN + 1);
		struct sa_params pa;
		struct sa_profile p;
		struct sa_stream s;
		void *m1, *m2;
		int bad = 0;

		sa_params_default(&pa);
		pa.k = k;
		pa.bag = bag;
		pa.start = 0;	/* windows from the k-th call, as below */
		make_profile(&p, &pa, 14, &m1, &m2);
		/* Train on the first half, then detect on the whole trace. */
		sa_stream_reset(&s);
		for (i = 0; i < n / 2; i++)
			sa_train(&p, &s, trace[i]);
		sa_stream_reset(&s);
		for (i = 0; i < n; i++) {
			unsigned int v = sa_detect(&p, &s, trace[i]);
			u64 skey, bkey;
			int in_s, in_b;

			if (i + 1 >= k) {
				skey = sa_stide_key(trace + i + 1 - k, k);
				in_s = sa_hashset_lookup(&p.stide, skey) != 0;
				bad += !(v & SA_V_WINDOW);
				bad += !!(v & SA_V_STIDE_MISS) != !in_s;
				/* Windows from training are all present. */
				if (i < n / 2)
					bad += !in_s;
			} else {
				bad += !!(v & (SA_V_WINDOW | SA_V_STIDE_MISS));
			}
			if (i + 1 >= bag) {
				bkey = sa_bag_key(trace + i + 1 - bag, bag);
				in_b = sa_hashset_lookup(&p.bosc, bkey) != 0;
				bad += !!(v & SA_V_BOSC_MISS) != !in_b;
				if (i < n / 2)
					bad += !in_b;
			}
		}
		CHECK(bad == 0);
		if (bad)
			fprintf(stderr, "  k=%u bag=%u: %d mismatches\n", k,
				bag, bad);
		free(m1);
		free(m2);
	}
	free(trace);
}

static unsigned int run(struct sa_profile *p, const u16 *t, unsigned int n,
			enum sa_mode mode, unsigned int *or_flags,
			unsigned int *stide_miss, unsigned int *bosc_miss)
{
	struct sa_stream s;
	unsigned int i, any = 0, sm = 0, bm = 0;

	sa_stream_reset(&s);
	for (i = 0; i < n; i++) {
		unsigned int v = sa_feed(p, &s, t[i], mode);

		any |= v;
		sm += !!(v & SA_V_STIDE_MISS);
		bm += !!(v & SA_V_BOSC_MISS);
	}
	sa_stream_flush(p, &s);
	if (or_flags)
		*or_flags = any;
	if (stide_miss)
		*stide_miss = sm;
	if (bosc_miss)
		*bosc_miss = bm;
	return sa_stream_lfc(p, &s);
}

static void test_detectors(void)
{
	/* Normal: 1..8 repeated. */
	u16 normal[80], probe[80];
	struct sa_params pa;
	struct sa_profile p;
	void *m1, *m2;
	unsigned int i, any, sm, bm;

	for (i = 0; i < 80; i++)
		normal[i] = 1 + i % 8;
	sa_params_default(&pa);
	pa.k = 3;
	pa.bag = 4;
	pa.frame = 10;
	pa.lfc_threshold = 3;
	pa.epoch = 20;
	pa.epoch_threshold = 4;
	pa.detector = SA_DET_STIDE;
	pa.start = 0;		/* the counts below ignore the first calls */
	make_profile(&p, &pa, 8, &m1, &m2);
	run(&p, normal, 80, SA_MODE_TRAIN, &any, NULL, NULL);
	CHECK(any & SA_V_NEW);
	/* 8 distinct windows of 3 calls, 8 distinct bags of 4. */
	CHECK(sa_hashset_entries(&p.stide) == 8);
	CHECK(sa_hashset_entries(&p.bosc) == 8);
	CHECK(sa_profile_windows(&p) == 78);
	/* Retraining the same trace adds nothing. */
	run(&p, normal, 80, SA_MODE_TRAIN, &any, NULL, NULL);
	CHECK(!(any & SA_V_NEW));

	/* Detection on normal data: no mismatch at all. */
	run(&p, normal, 80, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(sm == 0 && bm == 0 && !(any & SA_V_ANOMALY));

	/* One foreign call: exactly k STIDE mismatches, bag mismatches. */
	memcpy(probe, normal, sizeof(probe));
	probe[40] = 9;
	run(&p, probe, 80, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(sm == 3);
	CHECK(bm == 4);
	CHECK(any & SA_V_STIDE_ANOMALY);	/* 3 in a frame of 10 */
	CHECK(any & SA_V_ANOMALY);
	/* The 4 bad bags (windows 37..40) straddle epochs: 3 + 1 < 4. */
	CHECK(!(any & SA_V_BOSC_ANOMALY));

	/* Swapping two calls: STIDE sees it, BoSC (order-free) less. */
	memcpy(probe, normal, sizeof(probe));
	probe[40] = normal[41];
	probe[41] = normal[40];
	run(&p, probe, 80, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(sm == 4);		/* windows 38..41 hold the swap */
	/* Only the 2 bags holding one of the swapped calls differ. */
	CHECK(bm == 2);

	/* Two mismatches spread beyond the frame: no STIDE anomaly. */
	pa.k = 3;
	pa.lfc_threshold = 4;
	free(m1);
	free(m2);
	make_profile(&p, &pa, 8, &m1, &m2);
	run(&p, normal, 80, SA_MODE_TRAIN, NULL, NULL, NULL);
	memcpy(probe, normal, sizeof(probe));
	probe[20] = 9;
	probe[60] = 9;
	run(&p, probe, 80, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(sm == 6 && !(any & SA_V_STIDE_ANOMALY));
	probe[26] = 9;		/* 3 + 3 mismatches within 10 windows */
	run(&p, probe, 80, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(sm == 9 && (any & SA_V_STIDE_ANOMALY));

	/* BoSC epochs: 4 mismatching bags in one epoch of 20 windows. */
	pa.detector = SA_DET_BOSC;
	pa.epoch_threshold = 4;
	free(m1);
	free(m2);
	make_profile(&p, &pa, 8, &m1, &m2);
	run(&p, normal, 80, SA_MODE_TRAIN, NULL, NULL, NULL);
	memcpy(probe, normal, sizeof(probe));
	probe[10] = 9;		/* bags ending at 10..13: epoch 0 */
	run(&p, probe, 80, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(bm == 4 && (any & SA_V_BOSC_ANOMALY) && (any & SA_V_ANOMALY));
	pa.epoch_threshold = 5;
	free(m1);
	free(m2);
	make_profile(&p, &pa, 8, &m1, &m2);
	run(&p, normal, 80, SA_MODE_TRAIN, NULL, NULL, NULL);
	run(&p, probe, 80, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(bm == 4 && !(any & SA_V_BOSC_ANOMALY));
	/* 2 + 2 bags split over two epochs (windows 0..19, 20..39). */
	memcpy(probe, normal, sizeof(probe));
	probe[20] = 9;
	probe[44] = 9;
	pa.epoch_threshold = 8;
	free(m1);
	free(m2);
	make_profile(&p, &pa, 8, &m1, &m2);
	run(&p, normal, 80, SA_MODE_TRAIN, NULL, NULL, NULL);
	run(&p, probe, 80, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(bm == 8 && !(any & SA_V_BOSC_ANOMALY));
	free(m1);
	free(m2);

	/* Combined detector: score = lfc * 8 + bfc * weight. */
	sa_params_default(&pa);
	pa.k = 3;
	pa.bag = 4;
	pa.frame = 10;
	pa.lfc_threshold = 10;
	pa.bosc_weight = 4;
	pa.combo_threshold = 3 * 8 + 4 * 4;
	make_profile(&p, &pa, 8, &m1, &m2);
	run(&p, normal, 80, SA_MODE_TRAIN, NULL, NULL, NULL);
	memcpy(probe, normal, sizeof(probe));
	probe[40] = 41;
	run(&p, probe, 80, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(any & SA_V_COMBO_ANOMALY && any & SA_V_ANOMALY);
	p.params.combo_threshold++;
	run(&p, probe, 80, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(!(any & SA_V_COMBO_ANOMALY) && any & SA_V_NEWCALL);
	/* The threshold alone: call 41 is new, see test_calls(). */
	p.calls_on = false;
	run(&p, probe, 80, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(!(any & SA_V_COMBO_ANOMALY) && !(any & SA_V_ANOMALY));
	free(m1);
	free(m2);
}

/* A fresh stream is padded with start markers: its first call is judged. */
static void test_start_marker(void)
{
	/* socket, connect, dup2, dup2, dup2, execve: a reverse shell. */
	static const u16 shell[] = { 41, 42, 33, 33, 33, 59 };
	u16 normal[80], padded[SA_K_MAX + 1];
	struct sa_params pa;
	struct sa_profile p;
	struct sa_stream s;
	void *m1, *m2;
	unsigned int i, v, sm, bm, any;

	for (i = 0; i < 80; i++)
		normal[i] = 1 + i % 8;
	sa_params_default(&pa);
	CHECK(pa.start == 1);
	make_profile(&p, &pa, 10, &m1, &m2);
	run(&p, normal, 80, SA_MODE_TRAIN, NULL, NULL, NULL);
	/* Every call made a window: 80, the first ones with markers. */
	CHECK(sa_profile_windows(&p) == 80);
	for (i = 0; i < pa.k; i++)
		padded[i] = SA_ID_START;
	padded[pa.k - 1] = normal[0];
	CHECK(sa_hashset_contains(&p.stide, sa_stide_key(padded, pa.k)));

	/* The trained stream again, fresh: nothing new. */
	run(&p, normal, 80, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(sm == 0 && bm == 0);
	/* The shell's first call already forms a window, and it misses. */
	sa_stream_reset(&s);
	v = sa_detect(&p, &s, shell[0]);
	CHECK(v & SA_V_WINDOW && v & SA_V_STIDE_MISS);
	run(&p, shell, 6, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(sm == 6 && bm == 6);
	/* Joining a thread that ran unseen: no marker, a window at k calls. */
	sa_stream_reset_midway(&s);
	for (i = 0; i < pa.k - 1U; i++)
		CHECK(!(sa_detect(&p, &s, shell[i]) & SA_V_WINDOW));
	CHECK(sa_detect(&p, &s, shell[i]) & SA_V_WINDOW);
	/* Normal calls at the start of a stream differ from the middle. */
	run(&p, normal + 3, 20, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(sm == pa.k - 1U);
	free(m1);
	free(m2);
}

/* Calls @t of a program named @name, from its exec: misses counted. */
static void run_prog(struct sa_profile *p, const char *name, const u16 *t,
		     unsigned int n, enum sa_mode mode, unsigned int *sm,
		     unsigned int *bm)
{
	struct sa_stream s;
	unsigned int i, v;

	sa_stream_reset(&s);
	s.prog = sa_prog_tag(name, 16);
	*sm = *bm = 0;
	for (i = 0; i < n; i++) {
		v = sa_feed(p, &s, t[i], mode);
		*sm += !!(v & SA_V_STIDE_MISS);
		*bm += !!(v & SA_V_BOSC_MISS);
	}
	sa_stream_flush(p, &s);
}

/*
 * After exec the program's name follows the start markers: another program
 * making the very same calls (a shared loader prologue) misses at once.
 */
static void test_start_program(void)
{
	u16 calls[60];
	struct sa_params pa;
	struct sa_profile p;
	void *m1, *m2;
	unsigned int i, sm, bm;
	u8 grep = sa_prog_tag("grep", 16), cat = sa_prog_tag("cat", 16);

	for (i = 0; i < 60; i++)
		calls[i] = 1 + i % 8;
	CHECK(grep >= 1 && cat >= 1 && grep != cat);
	CHECK(sa_prog_tag("grep\0junk", 16) == grep);
	/* The two ids differ for these two names (else 4 misses, not 5). */
	CHECK((grep & 15) != (cat & 15) || (grep >> 4) != (cat >> 4));
	sa_params_default(&pa);
	pa.start = SA_START_PROGRAM + 1;
	CHECK(sa_params_valid(&pa) == -EINVAL);
	pa.start = SA_START_PROGRAM;
	CHECK(sa_params_valid(&pa) == 0);
	make_profile(&p, &pa, 10, &m1, &m2);
	run_prog(&p, "grep", calls, 60, SA_MODE_TRAIN, &sm, &bm);
	run_prog(&p, "grep", calls, 60, SA_MODE_DETECT, &sm, &bm);
	CHECK(sm == 0 && bm == 0);
	/* cat: the k - 1 windows and bag - 1 bags that hold its name miss. */
	run_prog(&p, "cat", calls, 60, SA_MODE_DETECT, &sm, &bm);
	CHECK(sm >= pa.k - 2U && sm <= pa.k - 1U);
	CHECK(bm >= pa.bag - 2U && bm <= pa.bag - 1U);
	free(m1);
	free(m2);
	/* Start markers alone ignore the program. */
	pa.start = SA_START_MARKERS;
	make_profile(&p, &pa, 10, &m1, &m2);
	run_prog(&p, "grep", calls, 60, SA_MODE_TRAIN, &sm, &bm);
	run_prog(&p, "cat", calls, 60, SA_MODE_DETECT, &sm, &bm);
	CHECK(sm == 0 && bm == 0);
	free(m1);
	free(m2);
}

/* Thresholds learnt from normal behaviour scored against the profile. */
static void test_calibration(void)
{
	u16 normal[400], variant[400], attack[400];
	struct sa_params pa, learnt;
	struct sa_profile p;
	void *m1, *m2;
	unsigned int i, any, sm, bm, e0;

	for (i = 0; i < 400; i++)
		normal[i] = 1 + i % 8;
	/* Normal too, but with a rare detour training did not see. */
	memcpy(variant, normal, sizeof(variant));
	variant[200] = 3;
	memcpy(attack, normal, sizeof(attack));
	for (i = 200; i < 206; i++)
		attack[i] = 41 + i % 3;
	sa_params_default(&pa);
	make_profile(&p, &pa, 12, &m1, &m2);
	run(&p, normal, 400, SA_MODE_TRAIN, NULL, NULL, NULL);
	e0 = sa_profile_entries(&p);

	sa_calib_reset(&p);
	CHECK(p.calib.state == SA_CALIB_RUNNING);
	run(&p, normal, 400, SA_MODE_CALIBRATE, &any, &sm, &bm);
	CHECK(sm == 0 && !(any & SA_V_ANOMALY));
	CHECK(p.calib.max_score == 0);
	run(&p, variant, 400, SA_MODE_CALIBRATE, &any, &sm, &bm);
	CHECK(sm > 0 && !(any & SA_V_ANOMALY));
	CHECK(p.calib.max_score == sm * 8 + bm * pa.bosc_weight);
	CHECK(p.calib.max_lfc == sm);
	sa_calib_flush(&p, &(struct sa_stream){ 0 });
	/* The detour was learnt after it was scored. */
	CHECK(sa_profile_entries(&p) > e0);
	run(&p, variant, 400, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(sm == 0 && bm == 0);

	learnt = pa;
	CHECK(sa_calib_thresholds(&p.calib, &learnt) == 0);
	/* 25% over the worst normal frame, plus one unseen window... */
	CHECK(p.calib.max_score < 2 * pa.k * (8U + pa.bosc_weight));
	CHECK(learnt.combo_threshold == 2 * pa.k * (8U + pa.bosc_weight));
	p.calib.max_score += 100;
	learnt = pa;
	CHECK(sa_calib_thresholds(&p.calib, &learnt) == 0);
	CHECK(learnt.combo_threshold == p.calib.max_score +
	      (p.calib.max_score * 25 + 99) / 100 + 8 + pa.bosc_weight);
	p.calib.max_score -= 100;
	/* ... at least the floor, as here. */
	learnt = pa;
	CHECK(sa_calib_thresholds(&p.calib, &learnt) == 0);
	CHECK(learnt.lfc_threshold > p.calib.max_lfc &&
	      learnt.lfc_threshold <= pa.frame);
	CHECK(sa_profile_tune(&p, &learnt) == 0);
	run(&p, attack, 400, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(any & SA_V_ANOMALY);
	/* The default threshold, fitted on whole traces, misses it... */
	CHECK(sa_profile_tune(&p, &pa) == 0);
	p.calls_on = false;
	run(&p, attack, 400, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK(!(any & SA_V_ANOMALY));
	/* ... unlike the call sets: calls 41..43 were never made. */
	p.calls_on = true;
	run(&p, attack, 400, SA_MODE_DETECT, &any, &sm, &bm);
	CHECK((any & (SA_V_ANOMALY | SA_V_NEWCALL | SA_V_COMBO_ANOMALY)) ==
	      (SA_V_ANOMALY | SA_V_NEWCALL));

	/* With no mismatch at all: two novelty events (2k windows) are the floor. */
	learnt = pa;
	p.calib.max_score = 0;
	p.calib.max_lfc = 0;
	p.calib.max_epoch = 0;
	CHECK(sa_calib_thresholds(&p.calib, &learnt) == 0);
	CHECK(learnt.combo_threshold == 2 * pa.k * (8U + pa.bosc_weight));
	CHECK(learnt.lfc_threshold == 2 * pa.k &&
	      learnt.epoch_threshold == 2 * pa.bag);
	/* ... and a frame shorter than 2k caps the floor at the frame. */
	learnt.frame = 10;
	learnt.lfc_threshold = 10;
	CHECK(sa_calib_thresholds(&p.calib, &learnt) == 0);
	CHECK(learnt.combo_threshold == 10 * (8U + pa.bosc_weight) && learnt.lfc_threshold == 10);
	learnt = pa;
	/* A frame full of mismatches leaves no threshold to learn. */
	p.calib.max_score = pa.frame * (8U + pa.bosc_weight);
	CHECK(sa_calib_thresholds(&p.calib, &learnt) == -ERANGE);
	/* Only the threshold of the detector in use matters. */
	p.calib.max_score = 0;
	p.calib.max_lfc = pa.frame;
	learnt = pa;
	CHECK(sa_calib_thresholds(&p.calib, &learnt) == 0);
	CHECK(learnt.lfc_threshold == pa.frame);
	learnt.detector = SA_DET_STIDE;
	CHECK(sa_calib_thresholds(&p.calib, &learnt) == -ERANGE);
	free(m1);
	free(m2);
}

static void test_growth(void)
{
	struct sa_params pa;
	struct sa_profile p;
	struct sa_stream s;
	void *m1, *m2;
	unsigned int i;
	u64 slope_new, slope_flat;

	sa_params_default(&pa);
	pa.k = 3;
	pa.start = 0;
	pa.growth_shift = 6;	/* checkpoint every 64 windows */
	make_profile(&p, &pa, 16, &m1, &m2);
	/* Random calls: nearly every window is new. */
	sa_stream_reset(&s);
	for (i = 0; i < 4000; i++)
		sa_train(&p, &s, rng() % 1000);
	sa_stream_flush(&p, &s);
	slope_new = sa_growth_slope_ppm(&p, 4);
	CHECK(slope_new > 1500000);	/* > 1.5 entries (2 sets) per window */
	/* Then a repetitive pattern: the curve flattens to 0. */
	for (i = 0; i < 4000; i++)
		sa_train(&p, &s, i % 5);
	sa_stream_flush(&p, &s);
	slope_flat = sa_growth_slope_ppm(&p, 4);
	CHECK(slope_flat == 0);
	CHECK(sa_profile_windows(&p) == 7998);
	printf("growth slope: %llu ppm while new, %llu ppm when flat\n",
	       (unsigned long long)slope_new, (unsigned long long)slope_flat);
	free(m1);
	free(m2);
}

/* The growth curve by time: quiet once nothing was learnt over 15 ticks. */
static void test_growth_quiet(void)
{
	struct sa_params pa;
	struct sa_profile p;
	struct sa_stream s;
	void *m1, *m2;
	unsigned int i, j;

	sa_params_default(&pa);
	pa.k = 3;
	pa.growth_shift = 6;	/* checkpoint every 64 windows */
	make_profile(&p, &pa, 16, &m1, &m2);
	sa_stream_reset(&s);
	CHECK(!sa_growth_quiet(&p));
	/* Ticks with no window at all: not quiet (nothing was seen). */
	for (i = 0; i < SA_GROWTH_SLOTS; i++)
		sa_growth_tick(&p);
	CHECK(!sa_growth_quiet(&p));
	/*
	 * A few windows a tick, all learnt in the first tick's: quiet once
	 * 15 ticks passed since the last tick before them.
	 */
	for (i = 0; i < SA_GROWTH_SLOTS - 1; i++) {
		for (j = 0; j < 10; j++)
			sa_train(&p, &s, j % 5);
		sa_stream_flush(&p, &s);
		sa_growth_tick(&p);
		CHECK(!sa_growth_quiet(&p));
	}
	for (j = 0; j < 10; j++)
		sa_train(&p, &s, j % 5);
	sa_stream_flush(&p, &s);
	sa_growth_tick(&p);
	CHECK(sa_growth_quiet(&p));	/* 15 */
	CHECK(sa_profile_windows(&p) >= 64);
	/* One new window: not quiet for the next 15 ticks. */
	sa_train(&p, &s, 7);
	sa_stream_flush(&p, &s);
	sa_growth_tick(&p);
	CHECK(!sa_growth_quiet(&p));
	/* Quiet ticks with no window in between: not quiet. */
	for (i = 0; i < SA_GROWTH_SLOTS; i++)
		sa_growth_tick(&p);
	CHECK(!sa_growth_quiet(&p));
	free(m1);
	free(m2);
}

static void test_params(void)
{
	struct sa_params pa;

	sa_params_default(&pa);
	CHECK(sa_params_valid(&pa) == 0);
	pa.k = 2;
	CHECK(sa_params_valid(&pa) == -EINVAL);
	pa.k = 17;
	CHECK(sa_params_valid(&pa) == -EINVAL);
	sa_params_default(&pa);
	pa.lfc_threshold = pa.frame + 1;
	CHECK(sa_params_valid(&pa) == -EINVAL);
	sa_params_default(&pa);
	pa.detector = 0;
	CHECK(sa_params_valid(&pa) == -EINVAL);
}

/*
 * A stream that deferred matching windows (sa_detect's lag), settled under
 * the old epoch before the profile's epoch is retuned, gives the verdicts of
 * a stream that counted every window as it came (sa_detect_slow).
 */
static void test_retune_epoch(void)
{
	static const u32 epochs[][2] = { { 50, 7 }, { 7, 50 }, { 13, 13 } };
	unsigned int e, i, n = 4000, cut = 1700, bad = 0;
	u16 *train = malloc(n * sizeof(u16)), *probe = malloc(n * sizeof(u16));
	struct sa_params pa;
	struct sa_profile p;
	void *m1, *m2;

	for (i = 0; i < n; i++) {
		train[i] = 1 + i % 11;
		/* Mostly normal, with bursts of foreign calls. */
		probe[i] = (rng() % 100 < 3) ? 20 + rng() % 5 : 1 + i % 11;
	}
	for (e = 0; e < 3; e++) {
		struct sa_stream a, b;

		sa_params_default(&pa);
		pa.k = 4;
		pa.bag = 5;
		pa.epoch = epochs[e][0];
		pa.epoch_threshold = 3;
		pa.detector = SA_DET_BOSC;
		make_profile(&p, &pa, 10, &m1, &m2);
		sa_stream_reset(&a);
		for (i = 0; i < n; i++)
			sa_train(&p, &a, train[i]);
		sa_stream_reset(&a);
		sa_stream_reset(&b);
		for (i = 0; i < n; i++) {
			if (i == cut) {
				sa_stream_settle(&a, pa.epoch);
				pa.epoch = epochs[e][1];
				CHECK(sa_profile_tune(&p, &pa) == 0);
			}
			bad += sa_detect(&p, &a, probe[i]) !=
			       sa_detect_slow(&p, &b, probe[i]);
		}
		CHECK(a.epoch_miss == b.epoch_miss);
		free(m1);
		free(m2);
	}
	CHECK(bad == 0);
	free(train);
	free(probe);
}

static void fix_crc(u8 *b, size_t len)
{
	u32 crc;

	memset(b + 60, 0, 4);
	crc = sa_crc32(0, b, len);
	b[60] = crc;
	b[61] = crc >> 8;
	b[62] = crc >> 16;
	b[63] = crc >> 24;
}

static void test_format(void)
{
	struct sa_params pa;
	struct sa_profile p, q;
	struct sa_profile_info info;
	void *m1, *m2, *n1, *n2;
	unsigned int i, rejected;
	size_t size, j;
	long len;
	u8 *buf, *cp;
	u16 trace[600];

	CHECK(sa_crc32(0, "123456789", 9) == 0xcbf43926);
	sa_params_default(&pa);
	pa.k = 8;	/* fingerprinted keys */
	pa.growth_shift = 4;	/* many checkpoints: a real slope origin */
	make_profile(&p, &pa, 10, &m1, &m2);
	for (i = 0; i < 600; i++)
		trace[i] = rng() % 7;
	run(&p, trace, 600, SA_MODE_TRAIN, NULL, NULL, NULL);
	run(&p, trace, 100, SA_MODE_TRAIN, NULL, NULL, NULL);
	size = sa_profile_export_size(&p);
	buf = malloc(size);
	CHECK(sa_profile_export(&p, buf, size - 1) == -ENOSPC);
	len = sa_profile_export(&p, buf, size);
	CHECK(len == (long)size);
	CHECK(sa_profile_parse(buf, size, &info) == 0);
	CHECK(info.stide_entries == sa_hashset_entries(&p.stide));
	CHECK(info.bosc_entries == sa_hashset_entries(&p.bosc));
	CHECK(info.windows == sa_profile_windows(&p));
	CHECK(memcmp(&info.params, &pa, sizeof(pa)) == 0);

	/* Round trip: same entries, counts and windows. */
	make_profile(&q, &info.params,
		     sa_hashset_order_for(info.stide_entries), &n1, &n2);
	CHECK(sa_profile_import(&q, buf, size) == 0);
	CHECK(sa_hashset_entries(&q.stide) == sa_hashset_entries(&p.stide));
	CHECK(sa_profile_windows(&q) == sa_profile_windows(&p));
	{
		int bad = 0;

		for (i = 0; i <= p.stide.mask; i++)
			if (p.stide.keys[i] &&
			    sa_hashset_lookup(&q.stide, p.stide.keys[i]) !=
			    sa_hashset_lookup(&p.stide, p.stide.keys[i]))
				bad++;
		for (i = 0; i <= p.bosc.mask; i++)
			if (p.bosc.keys[i] &&
			    sa_hashset_lookup(&q.bosc, p.bosc.keys[i]) !=
			    sa_hashset_lookup(&p.bosc, p.bosc.keys[i]))
				bad++;
		CHECK(bad == 0);
	}
	CHECK(sa_growth_slope_ppm(&q, 0) == sa_growth_slope_ppm(&p, 0));
	CHECK(info.growth_windows > 0);	/* the span did not start at 0 */
	/* The call sets: one row (no name), calls 0..6. */
	CHECK(info.version == 3 && info.calls_on == 1);
	CHECK(info.call_rows == 1 && info.call_pairs == 7);
	CHECK(q.calls_on && sa_calls_count(&q) == 7);
	CHECK(memcmp(q.calls, p.calls, sizeof(p.calls)) == 0);
	/* Importing twice into a non-empty profile is refused. */
	CHECK(sa_profile_import(&q, buf, size) == -EBUSY);

	/* Every truncation is rejected. */
	rejected = 0;
	for (j = 0; j < size; j++)
		rejected += sa_profile_parse(buf, j, &info) != 0;
	CHECK(rejected == size);
	/* Every single-bit flip is rejected (CRC or field checks). */
	cp = malloc(size);
	rejected = 0;
	for (j = 0; j < size; j++) {
		memcpy(cp, buf, size);
		cp[j] ^= 1U << (j % 8);
		rejected += sa_profile_parse(cp, size, &info) != 0;
	}
	CHECK(rejected == size);
	/* Bad fields with a valid checksum are still rejected. */
	memcpy(cp, buf, size);
	cp[12] = 2;	/* k < 3 */
	fix_crc(cp, size);
	CHECK(sa_profile_parse(cp, size, &info) == -EINVAL);
	memcpy(cp, buf, size);
	cp[8] = 4;	/* version */
	fix_crc(cp, size);
	CHECK(sa_profile_parse(cp, size, &info) == -EPROTONOSUPPORT);
	memcpy(cp, buf, size);
	cp[55] = 1;	/* growth origin beyond the windows seen */
	fix_crc(cp, size);
	CHECK(sa_profile_parse(cp, size, &info) == -EINVAL);
	memcpy(cp, buf, size);
	cp[59] = 1;	/* growth origin beyond the entries */
	fix_crc(cp, size);
	CHECK(sa_profile_parse(cp, size, &info) == -EINVAL);
	memcpy(cp, buf, size);
	cp[32] += 1;	/* entry count no longer matches the size */
	fix_crc(cp, size);
	CHECK(sa_profile_parse(cp, size, &info) == -EINVAL);
	/* Duplicate key, zero key and zero count pass parse, fail import. */
	{
		struct sa_profile r;
		void *r1, *r2;
		u8 *e = cp + SA_PROF_HDR_SIZE;

		make_profile(&r, &pa, 10, &r1, &r2);
		memcpy(cp, buf, size);
		memcpy(e + 9, e, 8);
		fix_crc(cp, size);
		CHECK(sa_profile_parse(cp, size, &info) == 0);
		CHECK(sa_profile_import(&r, cp, size) == -EINVAL);
		free(r1);
		free(r2);
		make_profile(&r, &pa, 10, &r1, &r2);
		memcpy(cp, buf, size);
		memset(e, 0, 8);
		fix_crc(cp, size);
		CHECK(sa_profile_import(&r, cp, size) == -EINVAL);
		free(r1);
		free(r2);
		make_profile(&r, &pa, 10, &r1, &r2);
		memcpy(cp, buf, size);
		e[8] = 0;
		fix_crc(cp, size);
		CHECK(sa_profile_import(&r, cp, size) == -EINVAL);
		free(r1);
		free(r2);
		/* Parameters different from the target profile's. */
		pa.k = 9;
		make_profile(&r, &pa, 10, &r1, &r2);
		CHECK(sa_profile_import(&r, buf, size) == -EINVAL);
		free(r1);
		free(r2);
	}
	free(cp);
	free(buf);
	free(m1);
	free(m2);
	free(n1);
	free(n2);
}

/* Calls @t under call-set row @tag; the verdicts ORed. */
static unsigned int run_tag(struct sa_profile *p, u8 tag, const u16 *t,
			    unsigned int n, enum sa_mode mode)
{
	struct sa_stream s;
	unsigned int i, any = 0;

	sa_stream_reset(&s);
	s.tag = tag;
	for (i = 0; i < n; i++)
		any |= sa_feed(p, &s, t[i], mode);
	sa_stream_flush(p, &s);
	sa_calib_flush(p, &s);
	return any;
}

/*
 * Call sets: a call its program never made is an anomaly whatever the
 * score, a call another program made is not; calibration learns it.
 */
static void test_calls(void)
{
	u16 normal[200], probe[200], other[200];
	struct sa_params pa;
	struct sa_profile p;
	void *m1, *m2;
	unsigned int i, any;

	for (i = 0; i < 200; i++)
		normal[i] = 1 + i % 8;
	memcpy(probe, normal, sizeof(probe));
	probe[100] = 41;
	memcpy(other, normal, sizeof(other));
	other[50] = 41;
	sa_params_default(&pa);
	pa.combo_threshold = pa.frame * (8 + pa.bosc_weight);
	make_profile(&p, &pa, 10, &m1, &m2);
	CHECK(p.calls_on);
	run_tag(&p, 5, normal, 200, SA_MODE_TRAIN);
	run_tag(&p, 7, other, 200, SA_MODE_TRAIN);
	CHECK(sa_calls_count(&p) == 8 + 9);
	CHECK(sa_calls_known(&p, 7, 41) && !sa_calls_known(&p, 5, 41));
	CHECK(sa_calls_known(&p, 5, SA_ID_START));
	/* Program 5 never made call 9: its windows miss, and it is new. */
	any = run_tag(&p, 5, probe, 200, SA_MODE_DETECT);
	CHECK((any & (SA_V_NEWCALL | SA_V_ANOMALY | SA_V_COMBO_ANOMALY)) ==
	      (SA_V_NEWCALL | SA_V_ANOMALY));
	/* Program 7 made it, elsewhere: its windows miss, nothing is new. */
	any = run_tag(&p, 7, probe, 200, SA_MODE_DETECT);
	CHECK(any & SA_V_STIDE_MISS && !(any & (SA_V_NEWCALL | SA_V_ANOMALY)));
	/* A nameless stream (offline) is judged by every program's calls. */
	any = run_tag(&p, 0, probe, 200, SA_MODE_DETECT);
	CHECK(any & SA_V_STIDE_MISS && !(any & (SA_V_NEWCALL | SA_V_ANOMALY)));
	CHECK(sa_calls_known(&p, 0, 41) && !sa_calls_known(&p, 0, 42));
	/* Off (a profile of format 2): the threshold alone judges. */
	p.calls_on = false;
	any = run_tag(&p, 5, probe, 200, SA_MODE_DETECT);
	CHECK(any & SA_V_STIDE_MISS && !(any & (SA_V_NEWCALL | SA_V_ANOMALY)));
	p.calls_on = true;
	/* Calibration scores it without alerting, then learns it. */
	sa_calib_reset(&p);
	any = run_tag(&p, 5, probe, 200, SA_MODE_CALIBRATE);
	CHECK(any & SA_V_STIDE_MISS && !(any & (SA_V_NEWCALL | SA_V_ANOMALY)));
	CHECK(sa_calls_known(&p, 5, 41));
	any = run_tag(&p, 5, probe, 200, SA_MODE_DETECT);
	CHECK(!(any & (SA_V_STIDE_MISS | SA_V_ANOMALY)));
	/* mmap (9), new to program 5, is exempt on x86_64 ids only. */
	probe[100] = 9;
	any = run_tag(&p, 5, probe, 200, SA_MODE_DETECT);
	CHECK(any & SA_V_STIDE_MISS && !(any & (SA_V_NEWCALL | SA_V_ANOMALY)));
	CHECK(sa_calls_known(&p, 5, 9) && sa_calls_known(&p, 5, 512 + 192));
	pa.abi = SA_ABI_OPAQUE;
	CHECK(sa_profile_tune(&p, &pa) == -EINVAL);	/* the ids' meaning */
	{
		struct sa_profile r;
		void *r1, *r2;

		make_profile(&r, &pa, 10, &r1, &r2);
		run_tag(&r, 5, normal, 200, SA_MODE_TRAIN);
		any = run_tag(&r, 5, probe, 200, SA_MODE_DETECT);
		CHECK(any & SA_V_NEWCALL);
		free(r1);
		free(r2);
	}
	pa.abi = SA_ABI_X86_64;
	probe[100] = 41;
	/* Merge: row by row. */
	{
		struct sa_profile q;
		void *n1, *n2;

		make_profile(&q, &pa, 10, &n1, &n2);
		/* Learnt nameless (offline): count for every program. */
		run_tag(&q, 0, normal, 200, SA_MODE_TRAIN);
		any = run_tag(&q, 5, normal, 200, SA_MODE_DETECT);
		CHECK(!(any & (SA_V_STIDE_MISS | SA_V_ANOMALY)));
		any = run_tag(&q, 5, probe, 200, SA_MODE_DETECT);
		CHECK(any & SA_V_NEWCALL);
		CHECK(sa_calls_known(&q, 5, 1) && !sa_calls_known(&q, 5, 41));
		sa_calls_add(&q, 200, 3);
		sa_calls_add(&q, 200, SA_ID_PROG);	/* a marker: ignored */
		sa_calls_merge(&q, &p);
		CHECK(sa_calls_count(&q) == sa_calls_count(&p) + 8 + 1);
		CHECK(sa_calls_known(&q, 5, 41) && sa_calls_known(&q, 200, 3));
		free(n1);
		free(n2);
	}
	free(m1);
	free(m2);
}

/*
 * Parses the first @len bytes of a copy of @buf (@size bytes, into @cp)
 * whose byte @off is @val, with its checksum fixed.
 */
static int parse_patched(const u8 *buf, u8 *cp, size_t size, size_t off,
			 u8 val, size_t len)
{
	struct sa_profile_info info;

	memcpy(cp, buf, size);
	cp[off] = val;
	fix_crc(cp, len);
	return sa_profile_parse(cp, len, &info);
}

/* Call-set rows of a file: checked by parse, whatever their checksum. */
static void test_format_calls(void)
{
	struct sa_profile_info info;
	struct sa_params pa;
	struct sa_profile p, q;
	void *m1, *m2, *n1, *n2;
	u16 t[100];
	size_t size, rows;
	unsigned int i;
	u8 *buf, *cp;

	for (i = 0; i < 100; i++)
		t[i] = 1 + i % 5;
	sa_params_default(&pa);
	make_profile(&p, &pa, 10, &m1, &m2);
	run_tag(&p, 3, t, 100, SA_MODE_TRAIN);
	t[10] = 1023;	/* the id of an invalid call is a call too */
	run_tag(&p, 250, t, 100, SA_MODE_TRAIN);
	size = sa_profile_export_size(&p);
	buf = malloc(size);
	cp = malloc(size);
	CHECK(sa_profile_export(&p, buf, size) == (long)size);
	CHECK(sa_profile_parse(buf, size, &info) == 0);
	CHECK(info.call_rows == 2 && info.call_pairs == 5 + 6);
	make_profile(&q, &pa, 10, &n1, &n2);
	CHECK(sa_profile_import(&q, buf, size) == 0);
	CHECK(memcmp(q.calls, p.calls, sizeof(p.calls)) == 0);
	CHECK(sa_calls_known(&q, 250, 1023) && !sa_calls_known(&q, 3, 1023));
	rows = size - 2 * SA_PROF_ROW_SIZE;
	/* Rows out of order, or the same row twice. */
	CHECK(parse_patched(buf, cp, size, rows + SA_PROF_ROW_SIZE, 3, size) ==
	      -EINVAL);
	/* A marker id in a row; an empty row. */
	CHECK(parse_patched(buf, cp, size, rows + 1 + SA_ID_START / 8,
			    buf[rows + 1 + SA_ID_START / 8] |
			    1 << (SA_ID_START % 8), size) == -EINVAL);
	memcpy(cp, buf, size);
	memset(cp + rows + 1, 0, SA_MAX_ID / 8);
	fix_crc(cp, size);
	CHECK(sa_profile_parse(cp, size, &info) == -EINVAL);
	/* Rows with the call sets off; rows beyond the file. */
	CHECK(parse_patched(buf, cp, size, 68, 0, size) == -EINVAL);
	CHECK(parse_patched(buf, cp, size, 92, 3, size) == -EINVAL);
	/* On with no rows, and entries: every call would be new. */
	CHECK(parse_patched(buf, cp, size, 92, 0, rows) == -EINVAL);
	/* Off, with no rows: loads, and judges by the threshold alone. */
	memcpy(cp, buf, size);
	cp[68] = 0;
	cp[92] = 0;
	fix_crc(cp, rows);
	CHECK(sa_profile_parse(cp, rows, &info) == 0 && !info.calls_on);
	free(n1);
	free(n2);
	make_profile(&q, &pa, 10, &n1, &n2);
	CHECK(sa_profile_import(&q, cp, rows) == 0);
	CHECK(!q.calls_on && sa_calls_count(&q) == 0);
	CHECK(sa_profile_export_size(&q) == rows);
	free(buf);
	free(cp);
	free(m1);
	free(m2);
	free(n1);
	free(n2);
}

/* Version 1 files (no start markers, no calibration) still load. */
static void test_format_v1(void)
{
	struct sa_profile_info info;
	struct sa_params pa;
	struct sa_profile p, q;
	void *m1, *m2, *n1, *n2;
	size_t size, v1size;
	u16 trace[300];
	unsigned int i;
	u8 *buf, *v1;

	sa_params_default(&pa);
	pa.start = 0;
	make_profile(&p, &pa, 10, &m1, &m2);
	for (i = 0; i < 300; i++)
		trace[i] = rng() % 9;
	run(&p, trace, 300, SA_MODE_TRAIN, NULL, NULL, NULL);
	size = sa_profile_export_size(&p);
	buf = malloc(size);
	CHECK(sa_profile_export(&p, buf, size) == (long)size);
	CHECK(sa_profile_parse(buf, size, &info) == 0);
	CHECK(info.version == 3 && info.calib_state == SA_CALIB_NONE);

	/* The same profile as version 2 wrote it: no call sets. */
	size -= (size_t)SA_PROF_ROW_SIZE * info.call_rows;
	buf[8] = 2;
	buf[68] = 0;
	memset(buf + 92, 0, 4);
	fix_crc(buf, size);
	CHECK(sa_profile_parse(buf, size, &info) == 0);
	CHECK(info.version == 2 && !info.calls_on && !info.call_rows);
	make_profile(&q, &info.params,
		     sa_hashset_order_for(info.stide_entries), &n1, &n2);
	CHECK(sa_profile_import(&q, buf, size) == 0);
	CHECK(!q.calls_on && sa_profile_entries(&q) == sa_profile_entries(&p));
	free(n1);
	free(n2);
	/* Version 2 with a call set is refused: those bytes were reserved. */
	buf[68] = 1;
	fix_crc(buf, size);
	CHECK(sa_profile_parse(buf, size, &info) == -EINVAL);
	buf[68] = 0;
	fix_crc(buf, size);

	/* The same profile as version 1 wrote it. */
	v1size = size - (SA_PROF_HDR_SIZE - SA_PROF_V1_HDR_SIZE);
	v1 = malloc(v1size);
	memcpy(v1, buf, SA_PROF_V1_HDR_SIZE);
	memcpy(v1 + SA_PROF_V1_HDR_SIZE, buf + SA_PROF_HDR_SIZE,
	       size - SA_PROF_HDR_SIZE);
	v1[8] = 1;
	v1[10] = SA_PROF_V1_HDR_SIZE;
	fix_crc(v1, v1size);
	CHECK(sa_profile_parse(v1, v1size, &info) == 0);
	CHECK(info.version == 1 && info.params.start == 0);
	CHECK(info.params.margin == SA_MARGIN_DEFAULT);
	make_profile(&q, &info.params,
		     sa_hashset_order_for(info.stide_entries), &n1, &n2);
	CHECK(sa_profile_import(&q, v1, v1size) == 0);
	CHECK(sa_profile_entries(&q) == sa_profile_entries(&p));
	/* A version 1 header claiming the version 2 size is refused. */
	v1[10] = SA_PROF_HDR_SIZE;
	fix_crc(v1, v1size);
	CHECK(sa_profile_parse(v1, v1size, &info) == -EINVAL);
	/* Version 2 with a running calibration or reserved bits: refused. */
	buf[66] = SA_CALIB_RUNNING;
	fix_crc(buf, size);
	CHECK(sa_profile_parse(buf, size, &info) == -EINVAL);
	buf[66] = SA_CALIB_DONE;
	buf[92] = 1;
	fix_crc(buf, size);
	CHECK(sa_profile_parse(buf, size, &info) == -EINVAL);
	free(buf);
	free(v1);
	free(m1);
	free(m2);
	free(n1);
	free(n2);
}

int main(void)
{
	test_hashset_basic();
	test_hashset_flood();
	test_hashset_max_entries();
	test_hashset_same_copy();
	test_hashset_concurrent();
	test_bytes_per_entry();
	test_keys();
	test_sliding();
	test_detectors();
	test_start_marker();
	test_start_program();
	test_calibration();
	test_growth();
	test_growth_quiet();
	test_params();
	test_retune_epoch();
	test_format();
	test_format_v1();
	test_calls();
	test_format_calls();
	printf("%d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
