// SPDX-License-Identifier: GPL-2.0
/*
 * Replays traces through the detection core: trains a profile on TRAIN,
 * then feeds every trace of TEST to sa_detect() (STIDE and BoSC lookups,
 * locality frame, epoch and combined score: the whole per-call work) and
 * prints calls per second. Files hold one trace per line, ids separated by
 * spaces.  usage: bench TRAIN TEST [ROUNDS]
 * With ROUNDS = 1 it is meant to run under callgrind
 * (--toggle-collect=sa_detect) to count instructions per call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sysanom/detector.h"

struct traces {
	u16 *ids;
	size_t *start;	/* trace i is ids[start[i] .. start[i + 1]) */
	size_t n, calls;
};

static void load(const char *path, struct traces *t)
{
	FILE *f = fopen(path, "r");
	size_t cap = 1 << 20, scap = 1024;
	int c, in_num = 0, v = 0, line_has = 0;

	if (!f) {
		perror(path);
		exit(1);
	}
	t->ids = malloc(cap * sizeof(u16));
	t->start = malloc(scap * sizeof(size_t));
	t->n = t->calls = 0;
	t->start[0] = 0;
	for (;;) {
		c = getc(f);
		if (c >= '0' && c <= '9') {
			v = v * 10 + (c - '0');
			in_num = 1;
			continue;
		}
		if (in_num) {
			if (t->calls == cap)
				t->ids = realloc(t->ids,
						 (cap *= 2) * sizeof(u16));
			t->ids[t->calls++] = (u16)(v & (SA_MAX_ID - 1));
			v = in_num = 0;
			line_has = 1;
		}
		if ((c == '\n' || c == EOF) && line_has) {
			if (t->n + 2 >= scap)
				t->start = realloc(t->start,
						   (scap *= 2) * sizeof(size_t));
			t->start[++t->n] = t->calls;
			line_has = 0;
		}
		if (c == EOF)
			break;
	}
	fclose(f);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct traces tr, te;
	struct sa_params pa;
	struct sa_profile p;
	struct sa_stream s;
	unsigned int order = 19, rounds, r;
	unsigned long long anomalies = 0;
	size_t i, j;
	void *m1, *m2;
	double t0, t1, best = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s TRAIN TEST [ROUNDS]\n", argv[0]);
		return 2;
	}
	rounds = argc > 3 ? (unsigned int)atoi(argv[3]) : 5;
	load(argv[1], &tr);
	load(argv[2], &te);
	sa_params_default(&pa);
	pa.abi = SA_ABI_OPAQUE;
	m1 = aligned_alloc(64, sa_hashset_size(order));
	m2 = aligned_alloc(64, sa_hashset_size(order));
	if (!m1 || !m2 || sa_profile_init(&p, &pa, m1, order, m2, order))
		return 1;
	t0 = now();
	for (i = 0; i < tr.n; i++) {
		sa_stream_reset(&s);
		for (j = tr.start[i]; j < tr.start[i + 1]; j++)
			sa_train(&p, &s, tr.ids[j]);
		sa_stream_flush(&p, &s);
	}
	t1 = now();
	printf("train: %zu calls in %zu traces, %.1f M calls/s, %u entries\n",
	       tr.calls, tr.n, tr.calls / (t1 - t0) / 1e6,
	       sa_profile_entries(&p));
	for (r = 0; r < rounds; r++) {
		t0 = now();
		for (i = 0; i < te.n; i++) {
			sa_stream_reset(&s);
			for (j = te.start[i]; j < te.start[i + 1]; j++)
				anomalies += !!(sa_detect(&p, &s, te.ids[j]) &
						SA_V_ANOMALY);
		}
		t1 = now();
		if (te.calls / (t1 - t0) > best)
			best = te.calls / (t1 - t0);
	}
	printf("detect: %zu calls in %zu traces x %u rounds, best %.1f M "
	       "calls/s (%llu anomaly verdicts)\n", te.calls, te.n, rounds,
	       best / 1e6, anomalies);
	printf("calls_per_second %.0f\n", best);
	printf("detect_calls %zu\n", te.calls);
	free(m1);
	free(m2);
	free(tr.ids);
	free(tr.start);
	free(te.ids);
	free(te.start);
	return 0;
}
