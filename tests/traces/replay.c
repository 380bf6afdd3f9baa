// SPDX-License-Identifier: GPL-2.0
/*
 * Replays an `strace -f -tt` recording through the detection core the way
 * the module sees it: one stream per thread in the order the calls entered
 * the kernel, a fresh stream at clone and after a successful execve, and the
 * until-stable rule checked once per second of trace time (slope over the
 * last 15 checkpoints <= --slope ppm, --for checks in a row, full span).
 *
 *   replay [-k K] [--bag N] [--shift S] [--slope PPM] [--for N]
 *          [--sigstream] [--sigreset N] [--late-from FRACTION] [--dump FILE]
 *          [--curve FILE] [--slopes FILE] [--rule N] [--end SECONDS]
 *          [--lifecycle [--alerts FILE] [--force-at S] [--calib-secs N]]
 *          [--margin PERCENT] [--prog]
 *          FILE.strace
 *
 * Prints the windows, seconds, entries when the rule first held (or
 * "never"), the final windows and entries, and the STIDE/BoSC entries that
 * were new after FRACTION (default 0.5) of the windows. --dump writes each
 * late-new STIDE window, one per line: seconds, window, pid, then its k calls
 * as names, with ":ERRNO" for a failed call and a leading "!" for a call
 * right after a signal was delivered (strace's "--- SIG... ---" line).
 * --curve writes "windows entries" at each checkpoint. --sigstream does
 * what the module does at signal delivery (main, cffa3b9): a handler's calls
 * go to a fresh stream, and its rt_sigreturn brings the interrupted one
 * back. Reads .strace files and .ftrace(.zst) files (see lib.sh).
 *
 * --lifecycle replays the trace a third time as `train --until-stable`
 * runs it: training until the rule holds, calibration as the module ends
 * it (15 checkpoints of windows and 10 checks, or --calib-secs checks),
 * back to training when no threshold fits, then enforcement at the learnt
 * thresholds; it counts incidents (anomalous windows in a row of one
 * thread) and --alerts writes each one's first window. --force-at S
 * takes the rule as holding from S seconds on. --end S ignores the trace
 * after S seconds (the recording scripts stop the servers at the end).
 * --slopes writes "seconds windows slope" at each check of pass 1.
 * --margin sets the calibration margin; --prog names the program after
 * exec (params.start 2, as the module does) from the exec'd file's name.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysanom/detector.h"
#include "syscall_names.h"

#define MAXPID		(1 << 22)
#define NSIG_TRACK	64

struct ann {
	u16 id;
	u8 sig;		/* a signal was delivered just before this call */
	char err[13];	/* errno name of a failed call, "" if none */
};

struct pstate {
	struct sa_stream s;
	u64 handlers;	/* signals with a handler installed (bit n-1) */
	struct ann ring[16];
	unsigned int pos;
	int sig_next;	/* mark the next call */
	int last;	/* ring slot of the last call, for its return */
	/* --sigstream: a handler's calls in a stream of their own */
	int intr;	/* the call a signal interrupted (EINTR...), or -1 */
	unsigned int depth;
	struct sa_stream saved;
	struct ann saved_ring[16];
	unsigned int saved_pos;
	/* --lifecycle: in an incident (anomalous windows in a row) */
	int incident;
	u8 at_level;	/* in an incident at LEVELS[i] (bit i), enforcing */
	/* --rule 2: windows of this stream, and at its last new entry */
	u64 nwin, last_new;
	/* --rule 3: the last k calls that are neither waits nor repeats */
	u64 skel;
	u16 skel_last;
	/* --rule 4: windows new to the STIDE and BoSC sets, newest bit 0 */
	u64 nf_s, nf_b;
};

/* The annotations of a fresh stream: "^" (no call yet). */
static void ann_reset(struct pstate *st)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		st->ring[i].id = 0xffff;
}

static struct pstate *ps[MAXPID];
static struct sa_profile prof;

static struct pstate *get(long pid)
{
	if (pid <= 0 || pid >= MAXPID)
		pid = 0;
	if (!ps[pid]) {
		ps[pid] = calloc(1, sizeof(*ps[pid]));
		if (!ps[pid]) {
			perror("calloc");
			exit(1);
		}
		sa_stream_reset(&ps[pid]->s);
		ann_reset(ps[pid]);
		ps[pid]->intr = -1;
		ps[pid]->skel_last = 0xffff;
	}
	return ps[pid];
}

static int signo(const char *name)
{
	static const char *const names[] = {
		"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP",
		"SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV",
		"SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
		"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
		"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM",
		"SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
	};
	size_t n = strcspn(name, " ,{)");
	unsigned int i;

	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !strncmp(name, names[i], n))
			return (int)i;
	if (!strncmp(name, "SIGRT_", 6))
		return 32 + atoi(name + 6);
	if (!strncmp(name, "SIGRTMIN", 8))
		return 34;
	return 0;
}

/* The return of a call: errno name (if any) and value (child pid...). */
static void ret_of(const char *line, char *err, size_t len, long *val)
{
	const char *r = strstr(line, ") = ");
	const char *q;

	*err = 0;
	*val = -1;
	while (r && (q = strstr(r + 1, ") = ")))
		r = q;
	if (!r)
		return;
	r += 4;
	if (*r != '?')
		*val = strtol(r, NULL, 0);
	while (*r && *r != ' ')
		r++;
	if (*r == ' ' && isupper((unsigned char)r[1])) {
		size_t n = strcspn(r + 1, " \n");

		if (n >= len)
			n = len - 1;
		memcpy(err, r + 1, n);
		err[n] = 0;
	}
}

static u64 windows_at_check, entries_at_check;
static double stable_t = -1;
static u64 stable_w, stable_e;
static unsigned int run_ok;
static double late_from = 0.5;
static u64 late_w;	/* windows after which a new entry is "late" */
static u64 late_stide, late_bosc;
static FILE *dump, *curve, *slopes;
static unsigned int kk;
static u64 slope_ppm = 100;
static unsigned int checks = 10;
static unsigned long torn;	/* ftrace lines that lost events */
static int sigstream;	/* emulate the module's signal-handler streams */
static int sigreset;	/* 1: fresh windows after rt_sigreturn, 2: and at delivery */
static int redo;	/* --redo: sa_stream_signal_redo() for interrupted calls */
static double t_stop = -1;	/* --end: ignore what follows (shutdown) */

/*
 * The rule's measure (--rule): 0 the profile's entries (the module's), 1
 * STIDE entries only, 2 novelty events: a new entry opens an event unless
 * its stream had one within the last frame of windows (one call landing
 * elsewhere makes up to k windows and bag windows new at once), 3 the
 * distinct windows of each stream's skeleton: its calls less waits
 * (futex, poll, select, epoll_wait, sleeps, sched_yield) and repeats.
 * Each is judged as the module judges entries: new ones per million
 * windows over the last 15 checkpoints. Rule 0 is the module's: with a
 * core that ticks (SA_HAVE_GROWTH_TICK), also flat when nothing was
 * learnt over the last 15 checks (sa_growth_quiet()), and calibration
 * also ends after 15 checks; rule 5 is the window rule alone, as before.
 */
static int rule;
static u64 n_stide_only, n_events;
static u64 ck_w[SA_GROWTH_SLOTS], ck_n[SA_GROWTH_SLOTS];
static u32 ck_max[SA_GROWTH_SLOTS];	/* rule 4: worst novelty frame */
static FILE *novel;
static int cur_pass;

/* --lifecycle: train until the rule holds, calibrate, enforce. */
static int lifecycle, lc, mode;	/* 0 train, 1 calibrate, 2 enforce */
static unsigned int calib_checks, calib_secs;
/*
 * --calib-double: calibration also goes on until it scored twice the
 * windows it had scored when its worst frame score last rose.
 */
static int calib_double;
/* As the module: calibration may also end after 15 checks (quiet ones). */
#ifdef SA_HAVE_GROWTH_TICK
#define calib_by_checks	(rule != 5)
#else
#define calib_by_checks	0
#endif
static u64 calib_last_max, calib_w_at_max;
static double force_at = -1;	/* --force-at: converge then, whatever */
static double t_flat = -1, t_enforce = -1;
static u64 w_flat, incidents, anomalous, enforced_windows;
/*
 * Enforcing: the highest frame score, and the incidents each combo
 * threshold of LEVELS would have counted (the profile's own decides).
 */
static const unsigned int LEVELS[] = { 24, 36, 48, 60, 72, 96, 120 };
#define NLEVELS (sizeof(LEVELS) / sizeof(LEVELS[0]))
static u64 enf_max, level_incidents[NLEVELS];
static FILE *alerts;
static u32 thr_combo;

static struct sa_hashset skel_set;

static int is_wait(u16 id)
{
	switch (id) {
	case 7: case 23: case 24: case 35: case 202: case 230: case 232:
	case 270: case 271: case 281: case 441: case 449:
		return 1;
	}
	return 0;
}

/* Rule 3: the stream's skeleton window, new or not. */
static void skel_feed(struct pstate *st, u16 id)
{
	u64 mask = (1ULL << (10 * prof.params.k)) - 1;

	if (is_wait(id) || id == st->skel_last)
		return;
	st->skel_last = id;
	st->skel = ((st->skel << 10) | id) & mask;
	sa_hashset_insert(&skel_set, st->skel | SA_KEY_EXACT);
}

static u64 measure(void)
{
	if (rule == 3)
		return sa_hashset_entries(&skel_set);
	if (rule == 1)
		return sa_hashset_entries(&prof.stide);
	if (rule == 2)
		return n_events;
	return sa_profile_entries(&prof);
}

/* The module's growth checkpoints, of the rule's measure. */
static void ck_record(u64 w0)
{
	unsigned int sh = prof.params.growth_shift;
	u64 w = sa_profile_windows(&prof);

	if ((w >> sh) == (w0 >> sh))
		return;
	ck_w[(w >> sh) & (SA_GROWTH_SLOTS - 1)] = w;
	ck_n[(w >> sh) & (SA_GROWTH_SLOTS - 1)] = measure();
	ck_max[((w >> sh) + 1) & (SA_GROWTH_SLOTS - 1)] = 0;
}

/*
 * Rule 4: the frame score training's own novelty reaches, as detection
 * would have scored it: a window new to the STIDE set is a STIDE
 * mismatch, one new to the BoSC set a BoSC mismatch.
 */
static void novelty_frame(struct pstate *st, u32 s0, u32 b0, unsigned int v,
			  long pid, double t)
{
	unsigned int sh = prof.params.growth_shift, sc;
	u64 w = sa_profile_windows(&prof);
	u32 *m = &ck_max[((w >> sh) + 1) & (SA_GROWTH_SLOTS - 1)];

	(void)v;
	st->nf_s = st->nf_s << 1 | (sa_hashset_entries(&prof.stide) != s0);
	st->nf_b = st->nf_b << 1 | (sa_hashset_entries(&prof.bosc) != b0);
	sc = 8 * sa_popcount64(st->nf_s & prof.frame_mask) +
	     prof.params.bosc_weight *
	     sa_popcount64(st->nf_b & prof.frame_mask);
	if (sc > *m)
		*m = sc;
	if (novel && cur_pass == 1 && (st->nf_s & 1 || st->nf_b & 1))
		fprintf(novel, "%.3f %ld %u\n", t, pid, sc);
}

static u64 rule_slope(void)
{
	unsigned int sh = prof.params.growth_shift;
	u64 w = sa_profile_windows(&prof), last = w >> sh, w0 = 0, n0 = 0;
	unsigned int span = SA_GROWTH_SLOTS - 1;

	if (!rule || rule == 5)
		return sa_growth_slope_ppm(&prof, 0);
	if (rule == 4) {
		u32 mx = 0;
		unsigned int i;

		for (i = 0; i < SA_GROWTH_SLOTS; i++)
			if (i != ((last + 1) & (SA_GROWTH_SLOTS - 1)) &&
			    ck_max[i] > mx)
				mx = ck_max[i];
		return mx;
	}
	if (last > span) {
		w0 = ck_w[(last - span) & (SA_GROWTH_SLOTS - 1)];
		n0 = ck_n[(last - span) & (SA_GROWTH_SLOTS - 1)];
	}
	return w > w0 ? (measure() - n0) * 1000000 / (w - w0) : 0;
}

/* A core with calibration (e703d43 and later): --lifecycle works. */
#ifdef SA_CALIB_CHECKPOINTS
#define HAVE_CALIB 1
#else
#define HAVE_CALIB 0
#define sa_calibrate(p, s, id)	sa_train(p, s, id)
#endif

static void flush(struct pstate *st)
{
#if HAVE_CALIB
	if (mode == 1) {
		sa_calib_flush(&prof, &st->s);
		return;
	}
#endif
	sa_stream_flush(&prof, &st->s);
}

#if !defined(SA_HAVE_SIGNAL_RESTART) && !defined(SA_HAVE_SIGNAL_STREAM)
/* Fresh windows in @st (the detection frames would be kept). */
static void restart(struct pstate *st)
{
	flush(st);
	sa_stream_reset(&st->s);
	ann_reset(st);
}
#endif

/* A handler is about to run in @st (module: signal_deliver). */
static void handler_start(struct pstate *st)
{
#ifdef SA_HAVE_SIGNAL_STREAM
	if (sigreset >= 2) {
		sa_stream_signal(&prof, &st->s);
		if (redo && st->intr >= 0)
			sa_stream_signal_redo(&st->s, (u32)st->intr);
		memcpy(st->saved_ring, st->ring, sizeof(st->ring));
		st->saved_pos = st->pos;
		st->depth = 1;
		ann_reset(st);
	}
#elif defined(SA_HAVE_SIGNAL_RESTART)
	if (sigreset >= 2) {
		sa_stream_restart(&prof, &st->s);
		ann_reset(st);
	}
#else
	if (sigreset >= 2)
		restart(st);
#endif
	/* As the module: each delivery sets aside what it interrupts. */
	if (sigstream) {
		st->depth = 1;
		st->saved = st->s;
		sa_stream_reset(&st->s);
		memcpy(st->saved_ring, st->ring, sizeof(st->ring));
		st->saved_pos = st->pos;
		ann_reset(st);
	}
}

/* Calibration ends as in the module (sysanom_profile_calib_check). */
#if HAVE_CALIB
static void calib_check(double t)
{
	struct sa_params pa = prof.params;
	long i;

	if (++calib_checks < (checks > 10 ? checks : 10) ||
	    calib_checks < calib_secs ||
	    (calib_double && (u64)sa_atomic64_read(&prof.calib.windows) <
	     2 * calib_w_at_max) ||
	    ((u64)sa_atomic64_read(&prof.calib.windows) <
	     ((u64)SA_CALIB_CHECKPOINTS << pa.growth_shift) &&
	     (!calib_by_checks || calib_checks < SA_CALIB_CHECKPOINTS)))
		return;
	if (sa_calib_thresholds(&prof.calib, &pa)) {
		mode = 0;	/* beyond any threshold: training again */
		run_ok = 0;
		printf("  lifecycle: %.0f s: calibration saw a frame score of %llu, training again\n",
		       t, (unsigned long long)prof.calib.max_score);
		return;
	}
	printf("  lifecycle: %.0f s: calibrated over %lld windows, worst frame score %llu: combo %u\n",
	       t, (long long)sa_atomic64_read(&prof.calib.windows),
	       (unsigned long long)prof.calib.max_score, pa.combo_threshold);
	sa_profile_tune(&prof, &pa);
	prof.calib.state = SA_CALIB_DONE;
	thr_combo = pa.combo_threshold;
	for (i = 0; i < MAXPID; i++) {
		if (!ps[i])
			continue;
		sa_calib_flush(&prof, &ps[i]->s);
		sa_stream_rejudge(&ps[i]->s);
		sa_stream_rejudge(&ps[i]->saved);
	}
	mode = 2;
	t_enforce = t;
}
#else
static void calib_check(double t)
{
	(void)t;
}
#endif

static void check(double t)
{
	u64 w = sa_profile_windows(&prof);
	int flat;

	if (lc && mode == 1) {
		calib_check(t);
		return;
	}
	if (lc && mode == 2)
		return;
	flat = (w >> prof.params.growth_shift) >= SA_GROWTH_SLOTS &&
	       rule_slope() <= slope_ppm;
#ifdef SA_HAVE_GROWTH_TICK
	/*
	 * As the module: or, for a quiet container, nothing learnt over the
	 * last 15 checks (--rule 5: the window rule alone, as before).
	 */
	sa_growth_tick(&prof);
	if (rule != 5 && !flat)
		flat = sa_growth_quiet(&prof);
#endif
	if (slopes && !lc)
		fprintf(slopes, "%.0f %llu %llu\n", t, (unsigned long long)w,
			(unsigned long long)rule_slope());
	if (force_at >= 0)
		flat = t >= force_at;
	if (!flat) {
		run_ok = 0;
		return;
	}
	if (++run_ok == checks && stable_t < 0) {
		stable_t = t;
		stable_w = w;
		stable_e = sa_profile_entries(&prof);
	}
	if (lc && run_ok >= checks) {
		if (t_flat < 0) {
			t_flat = t;
			w_flat = w;
		}
		printf("  lifecycle: %.0f s: converged (%llu windows), calibrating\n",
		       t, (unsigned long long)w);
#if HAVE_CALIB
		sa_calib_reset(&prof);
#endif
		calib_checks = 0;
		calib_last_max = 0;
		calib_w_at_max = 0;
		mode = 1;
	}
}

static void feed(struct pstate *st, long pid, u16 id, double t, int pass)
{
	u32 s0 = sa_hashset_entries(&prof.stide);
	u32 b0 = sa_hashset_entries(&prof.bosc);
	u64 w0 = sa_profile_windows(&prof);
	unsigned int i;

	st->intr = -1;
	st->last = st->pos;
	st->ring[st->pos].id = id;
	st->ring[st->pos].sig = st->sig_next;
	st->ring[st->pos].err[0] = 0;
	st->pos = (st->pos + 1) & 15;
	st->sig_next = 0;
	if (mode == 2) {
		unsigned int v = sa_detect(&prof, &st->s, id);

		enforced_windows += !!(v & SA_V_WINDOW);
		if (v & (SA_V_STIDE_MISS | SA_V_BOSC_MISS)) {
			u64 sc = sa_stream_score(&prof, &st->s);

			if (sc > enf_max)
				enf_max = sc;
			for (i = 0; i < (int)NLEVELS; i++) {
				if (sc < LEVELS[i])
					st->at_level &= ~(1U << i);
				else if (!(st->at_level & (1U << i)))
					st->at_level |= 1U << i,
					level_incidents[i]++;
			}
		}
		if (v & SA_V_ANOMALY) {
			anomalous++;
			if (!st->incident && alerts) {
				fprintf(alerts, "%.3f %ld", t, pid);
				for (i = kk; i > 0; i--) {
					const struct ann *a =
						&st->ring[(st->pos - i) & 15];
					const char *nm = a->id == 0xffff ?
						"^" : sa_syscall_name(a->id);

					fprintf(alerts, " %s%s", a->sig ? "!" :
						"", nm ? nm : "?");
					if (a->err[0])
						fprintf(alerts, ":%s", a->err);
				}
				fputc('\n', alerts);
			}
			incidents += !st->incident;
			st->incident = 1;
		} else if (v & (SA_V_STIDE_MISS | SA_V_BOSC_MISS)) {
			st->incident = 0;
		}
	} else {
		unsigned int v = mode == 1 ? sa_calibrate(&prof, &st->s, id) :
			sa_train(&prof, &st->s, id);

#if HAVE_CALIB
		if (mode == 1 && prof.calib.max_score > calib_last_max) {
			calib_last_max = prof.calib.max_score;
			calib_w_at_max = (u64)sa_atomic64_read(&prof.calib.windows) +
					 st->s.pending;
		}
#endif
		u32 s1 = sa_hashset_entries(&prof.stide);

		if (v & SA_V_WINDOW)
			st->nwin++;
		if (mode == 0 && (v & SA_V_NEW)) {
			if (!st->last_new || st->nwin - st->last_new >=
			    prof.params.frame)
				n_events++;
			st->last_new = st->nwin;
		}
		if (s1 != s0)
			n_stide_only++;
		if (mode == 0 && rule == 3)
			skel_feed(st, id);
		if (mode == 0 && (v & SA_V_WINDOW))
			novelty_frame(st, s0, b0, v, pid, t);
		if (mode == 0)
			ck_record(w0);
	}
#ifdef SA_HAVE_SIGNAL_STREAM
	if (id == 15) {	/* the core brought the windows back, or restarted */
		if (st->depth) {
			memcpy(st->ring, st->saved_ring, sizeof(st->ring));
			st->pos = st->saved_pos;
			st->depth = 0;
		} else {
			ann_reset(st);
		}
	}
#elif defined(SA_HAVE_SIGNAL_RESTART)
	if (id == 15)	/* the core restarted the windows */
		ann_reset(st);
#else
	if (sigreset && id == 15)
		restart(st);
#endif
	if (sigstream && st->depth && id == 15) {
		st->depth = 0;
		flush(st);
		st->s = st->saved;
		memcpy(st->ring, st->saved_ring, sizeof(st->ring));
		st->pos = st->saved_pos;
	}
	if (curve && (sa_profile_windows(&prof) >> prof.params.growth_shift) !=
	    (w0 >> prof.params.growth_shift))
		fprintf(curve, "%llu %u\n",
			(unsigned long long)sa_profile_windows(&prof),
			sa_profile_entries(&prof));
	if (pass != 2 || w0 < late_w || mode)
		return;
	if (sa_hashset_entries(&prof.bosc) != b0)
		late_bosc++;
	if (sa_hashset_entries(&prof.stide) == s0)
		return;
	late_stide++;
	if (!dump)
		return;
	fprintf(dump, "%.3f %llu %ld", t, (unsigned long long)w0, pid);
	for (i = kk; i > 0; i--) {
		const struct ann *a = &st->ring[(st->pos - i) & 15];
		const char *nm = a->id == 0xffff ? "^" :
				 sa_syscall_name(a->id);

		fprintf(dump, " %s%s", a->sig ? "!" : "", nm ? nm : "?");
		if (a->err[0])
			fprintf(dump, ":%s", a->err);
	}
	fputc('\n', dump);
}

/* Sets the error annotation of the last call of @st (its return came). */
static void set_ret(struct pstate *st, const char *err)
{
	snprintf(st->ring[st->last].err, sizeof(st->ring[0].err), "%s", err);
	/* interrupted by a signal: made again after the handler */
	if (!strncmp(err, "ERESTART_R", 10))
		st->intr = 219;		/* restart_syscall */
	else if (!strcmp(err, "EINTR") || !strncmp(err, "ERESTART", 8))
		st->intr = st->ring[st->last].id;
}

/*
 * --prog: after exec the module names the program by its comm, the file
 * name's last part (at most 15 bytes); @q points just before the path,
 * which ends at @end.
 */
static int prog_tags;
static void set_prog(struct pstate *st, const char *q, char end)
{
#ifdef SA_START_PROGRAM
	const char *b, *e;

	if (!prog_tags || !q)
		return;
	e = strchr(q + 1, end);
	if (!e)
		e = q + 1 + strlen(q + 1);
	for (b = e; b > q + 1 && b[-1] != '/'; b--)
		;
	st->s.prog = sa_prog_tag(b, e - b < 15 ? (unsigned int)(e - b) : 15);
#else
	(void)st, (void)q, (void)end;
#endif
}

static void on_return(struct pstate *st, const char *name,
		      const char *line)
{
	char err[13];
	long val;

	ret_of(line, err, sizeof(err), &val);
	set_ret(st, err);
	if ((!strcmp(name, "clone") || !strcmp(name, "clone3") ||
	     !strcmp(name, "fork") || !strcmp(name, "vfork")) && val > 0 &&
	    val < MAXPID) {
		struct pstate *c = get(val);

		c->handlers = st->handlers;
	} else if (!strcmp(name, "execve") && val == 0) {
		flush(st);
		sa_stream_reset(&st->s);
		set_prog(st, strchr(line, '"'), '"');
		ann_reset(st);
		st->depth = 0;
		st->handlers = 0;	/* handlers reset, SIG_IGN is kept */
	} else if (!strcmp(name, "rt_sigaction") && val == 0) {
		/* rt_sigaction(SIGX, {sa_handler=H, ...}, ...) */
		const char *a = strchr(line, '(');
		int n = a ? signo(a + 1) : 0;
		const char *h = a ? strstr(a, "{sa_handler=") : NULL;

		if (n > 0 && n <= NSIG_TRACK && h) {
			h += 12;
			if (!strncmp(h, "SIG_DFL", 7) || !strncmp(h, "SIG_IGN", 7))
				st->handlers &= ~(1ULL << (n - 1));
			else
				st->handlers |= 1ULL << (n - 1);
		}
	}
}

static double parse_time(const char **pp)
{
	const char *p = *pp;
	double h, m, s;
	char *e;

	h = strtod(p, &e);
	if (*e != ':')
		return -1;
	m = strtod(e + 1, &e);
	if (*e != ':')
		return -1;
	s = strtod(e + 1, &e);
	*pp = e;
	return h * 3600 + m * 60 + s;
}

static int run(FILE *f, int pass, double *t_end, u64 *w_end)
{
	char *line = NULL, name[64];
	size_t cap = 0;
	double t0 = -1, next_check = 0, t = 0;

	while (getline(&line, &cap, f) > 0) {
		const char *p = line;
		struct pstate *st;
		long pid;
		size_t n;

		pid = strtol(p, (char **)&p, 10);
		while (*p == ' ')
			p++;
		t = parse_time(&p);
		if (t < 0)
			continue;
		if (t0 < 0) {
			t0 = t;
			next_check = t0 + 1;
		}
		if (t_stop >= 0 && t - t0 > t_stop)
			break;
		while (t >= next_check) {
			if (pass != 2)
				check(next_check - t0);
			next_check += 1;
		}
		while (*p == ' ')
			p++;
		st = get(pid);
		if (!strncmp(p, "--- SIG", 7)) {
			int sig = signo(p + 4);

			st->sig_next = 1;
			if (sig > 0 && sig <= NSIG_TRACK &&
			    (st->handlers >> (sig - 1) & 1))
				handler_start(st);
			continue;
		}
		if (!strncmp(p, "+++", 3)) {
			flush(st);
			free(ps[pid]);
			ps[pid] = NULL;
			continue;
		}
		if (!strncmp(p, "<... ", 5)) {
			p += 5;
			n = strcspn(p, " ");
			if (n >= sizeof(name))
				continue;
			memcpy(name, p, n);
			name[n] = 0;
			on_return(st, name, p);
			continue;
		}
		n = 0;
		while (isalnum((unsigned char)p[n]) || p[n] == '_')
			n++;
		if (!n || p[n] != '(' || n >= sizeof(name))
			continue;
		memcpy(name, p, n);
		name[n] = 0;
		{
			int id = sa_syscall_nr(name);

			if (id < 0 || id >= 1024)
				id = 1000;
			feed(st, pid, (u16)id, t - t0, pass);
		}
		if (!strstr(p, "<unfinished ...>"))
			on_return(st, name, p);
	}
	free(line);
	*t_end = t - t0;
	*w_end = sa_profile_windows(&prof);
	return 0;
}

/* errno names for the annotations of the ftrace format. */
static const char *errname(long e)
{
	switch (e) {
	case 512: return "ERESTARTSYS";
	case 513: return "ERESTARTNOINTR";
	case 514: return "ERESTARTNOHAND";
	case 516: return "ERESTART_RESTARTBLOCK";
	default: {
		const char *n = strerrorname_np((int)e);

		return n ? n : "E?";
	}
	}
}

/*
 * ftrace text (trace_pipe of the instance set up by lib.sh):
 *   COMM-TID [CPU] SECONDS: EVENT: FIELDS
 * sys_enter: NR n (...); sys_exit: NR n = ret (failures only);
 * signal_deliver: sig=N ... sa_handler=H; sched_process_fork: ...
 * child_pid=C; sched_process_exec; sched_process_exit.
 */
static int run_ftrace(FILE *f, int pass, double *t_end)
{
	char *line = NULL;
	size_t cap = 0;
	double t0 = -1, next_check = 0, t = 0;

	while (getline(&line, &cap, f) > 0) {
		char *p = strstr(line, "] "), *q, *ev, *p2;
		struct pstate *st;
		long pid;

		if (!p)
			continue;
		/*
		 * trace_pipe now and then loses the end of an event and what
		 * follows it up to the next event, which then shares the
		 * line: read that one, and count the loss.
		 */
		p2 = p;
		while ((p2 = strstr(p2 + 2, "] ")) && p2[-1] != ':') {
			q = p2 + 2;
			while (*q == ' ')
				q++;
			if (isdigit((unsigned char)*q) && strchr(q, ':')) {
				p = p2;
				torn++;
			}
		}
		q = p;
		while (q > line && *q != '[')
			q--;
		while (q > line && q[-1] == ' ')
			q--;
		while (q > line && isdigit((unsigned char)q[-1]))
			q--;
		pid = strtol(q, NULL, 10);
		p += 2;
		while (*p == ' ')
			p++;
		t = strtod(p, &q);
		if (*q != ':')
			continue;
		if (t0 < 0) {
			t0 = t;
			next_check = t0 + 1;
		}
		if (t_stop >= 0 && t - t0 > t_stop)
			break;
		while (t >= next_check) {
			if (pass != 2)
				check(next_check - t0);
			next_check += 1;
		}
		ev = q + 2;
		st = get(pid);
		if (!strncmp(ev, "sys_enter: NR ", 14)) {
			long id = strtol(ev + 14, NULL, 10);

			if (id < 0 || id >= 1024)
				id = 1023;
			feed(st, pid, (u16)id, t - t0, pass);
		} else if (!strncmp(ev, "sys_exit: NR ", 13)) {
			char *r = strstr(ev, " = ");
			long ret = r ? strtol(r + 3, NULL, 10) : 0;

			if (ret < 0)
				set_ret(st, errname(-ret));
		} else if (!strncmp(ev, "signal_deliver: ", 16)) {
			char *h = strstr(ev, "sa_handler=");
			unsigned long ha = h ? strtoul(h + 11, NULL, 16) : 0;

			/* 0 is SIG_DFL, 1 SIG_IGN: no handler runs */
			if (ha > 1) {
				st->sig_next = 1;
				handler_start(st);
			}
		} else if (!strncmp(ev, "sched_process_fork: ", 20)) {
			char *c = strstr(ev, "child_pid=");
			long cp = c ? strtol(c + 10, NULL, 10) : 0;

			if (cp > 0 && cp < MAXPID) {
				free(ps[cp]);
				ps[cp] = NULL;
				get(cp);
			}
		} else if (!strncmp(ev, "sched_process_exec: ", 20)) {
			char *fn = strstr(ev, "filename=");

			st->skel = 0;
			st->skel_last = 0xffff;
			flush(st);
			sa_stream_reset(&st->s);
			set_prog(st, fn ? fn + 8 : NULL, ' ');
			ann_reset(st);
			st->depth = 0;
		} else if (!strncmp(ev, "sched_process_exit: ", 20)) {
			flush(st);
			if (pid > 0 && pid < MAXPID) {
				free(ps[pid]);
				ps[pid] = NULL;
			}
		}
	}
	free(line);
	*t_end = t - t0;
	return 0;
}

static void reset_all(void)
{
	long i;

	for (i = 0; i < MAXPID; i++) {
		free(ps[i]);
		ps[i] = NULL;
	}
}

int main(int argc, char **argv)
{
	struct sa_params pa;
	unsigned int order = 20;
	void *m1, *m2, *skel_mem;
	const char *file = NULL;
	double t_end;
	u64 w_end = 0;
	u32 stide_end = 0, bosc_end = 0;
	int i, pass;
	FILE *f;

	sa_params_default(&pa);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-k") && i + 1 < argc)
			pa.k = (u8)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--bag") && i + 1 < argc)
			pa.bag = (u8)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--margin") && i + 1 < argc)
			pa.margin = (u8)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--prog"))
			prog_tags = 1;
		else if (!strcmp(argv[i], "--shift") && i + 1 < argc)
			pa.growth_shift = (u8)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--slope") && i + 1 < argc)
			slope_ppm = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--for") && i + 1 < argc)
			checks = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rule") && i + 1 < argc)
			rule = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--force-at") && i + 1 < argc)
			force_at = atof(argv[++i]);
		else if (!strcmp(argv[i], "--calib-secs") && i + 1 < argc)
			calib_secs = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--calib-double"))
			calib_double = 1;
		else if (!strcmp(argv[i], "--lifecycle"))
			lifecycle = 1;
		else if (!strcmp(argv[i], "--end") && i + 1 < argc)
			t_stop = atof(argv[++i]);
		else if (!strcmp(argv[i], "--alerts") && i + 1 < argc) {
			alerts = fopen(argv[++i], "w");
			if (!alerts)
				return perror(argv[i]), 1;
		} else if (!strcmp(argv[i], "--sigstream"))
			sigstream = 1;
		else if (!strcmp(argv[i], "--redo"))
			redo = 1;
		else if (!strcmp(argv[i], "--sigreset") && i + 1 < argc)
			sigreset = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--late-from") && i + 1 < argc)
			late_from = atof(argv[++i]);

		else if (!strcmp(argv[i], "--dump") && i + 1 < argc) {
			dump = fopen(argv[++i], "w");
			if (!dump)
				return perror(argv[i]), 1;
		} else if (!strcmp(argv[i], "--novel") && i + 1 < argc) {
			novel = fopen(argv[++i], "w");
			if (!novel)
				return perror(argv[i]), 1;
		} else if (!strcmp(argv[i], "--slopes") && i + 1 < argc) {
			slopes = fopen(argv[++i], "w");
			if (!slopes)
				return perror(argv[i]), 1;
		} else if (!strcmp(argv[i], "--curve") && i + 1 < argc) {
			curve = fopen(argv[++i], "w");
			if (!curve)
				return perror(argv[i]), 1;
		} else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else {
			fprintf(stderr, "usage: replay [options] FILE.strace\n");
			return 2;
		}
	}
	if (!file)
		return fprintf(stderr, "usage: replay [options] FILE\n"), 2;
	if (lifecycle && !HAVE_CALIB)
		return fprintf(stderr, "--lifecycle: this core has no calibration\n"), 2;
	kk = pa.k;
#ifdef SA_START_PROGRAM
	if (prog_tags)
		pa.start = SA_START_PROGRAM;
#endif
	m1 = calloc(1, sa_hashset_size(order));
	m2 = calloc(1, sa_hashset_size(order));
	skel_mem = calloc(1, sa_hashset_size(order));
	/* Pass 1 measures; pass 2 replays again to tell late-new entries. */
	for (pass = 1; pass <= (lifecycle ? 3 : 2); pass++) {
		lc = pass == 3;
		cur_pass = pass;
		mode = 0;
		run_ok = 0;
		n_events = 0;
		n_stide_only = 0;
		memset(ck_w, 0, sizeof(ck_w));
		memset(ck_n, 0, sizeof(ck_n));
		memset(ck_max, 0, sizeof(ck_max));
		memset(m1, 0, sa_hashset_size(order));
		memset(m2, 0, sa_hashset_size(order));
		if (sa_profile_init(&prof, &pa, m1, order, m2, order)) {
			fprintf(stderr, "bad parameters\n");
			return 2;
		}
		reset_all();
		memset(skel_mem, 0, sa_hashset_size(order));
		sa_hashset_init(&skel_set, skel_mem, order);
		if (strstr(file, ".zst")) {
			char cmd[4200];

			snprintf(cmd, sizeof(cmd), "zstd -dc '%s'", file);
			f = popen(cmd, "r");
		} else {
			f = fopen(file, "r");
		}
		if (!f)
			return perror(file), 1;
		if (strstr(file, ".ftrace"))
			run_ftrace(f, pass, &t_end);
		else
			run(f, pass, &t_end, &w_end);
		if (pass == 3)
			break;
		w_end = sa_profile_windows(&prof);
		if (pass == 2) {
			stide_end = sa_hashset_entries(&prof.stide);
			bosc_end = sa_hashset_entries(&prof.bosc);
		}
		if (strstr(file, ".zst"))
			pclose(f);
		else
			fclose(f);
		if (pass == 1) {
			late_w = (u64)((double)w_end * late_from);
			if (pass == 1 && curve) {
				fclose(curve);
				curve = NULL;
			}
		}
	}
	printf("%s: k %u bag %u", file, pa.k, pa.bag);

	printf("\n  trace %.0f s, %llu windows, %u STIDE + %u BoSC entries\n",
	       t_end, (unsigned long long)w_end, stide_end, bosc_end);
	if (torn)
		printf("  %lu torn ftrace lines (events lost in them)\n",
		       torn / 2);
	if (stable_t >= 0)
		printf("  stable after %.0f s, %llu windows, %llu entries\n",
		       stable_t, (unsigned long long)stable_w,
		       (unsigned long long)stable_e);
	else
		printf("  never stable (slope at end %llu ppm)\n",
		       (unsigned long long)sa_growth_slope_ppm(&prof, 0));
	printf("  new after %.0f%% of windows (%llu): %llu STIDE, %llu BoSC\n",
	       late_from * 100, (unsigned long long)late_w,
	       (unsigned long long)late_stide, (unsigned long long)late_bosc);
	if (lifecycle && t_flat < 0)
		printf("  lifecycle: never converged\n");
	else if (lifecycle && t_enforce < 0)
		printf("  lifecycle: converged at %.0f s (%llu windows), still calibrating at the end\n",
		       t_flat, (unsigned long long)w_flat);
	else if (lifecycle)
		printf("  lifecycle: converged at %.0f s (%llu windows), enforcing at %.0f s (combo %u): %llu incidents, %llu anomalous of %llu windows\n",
		       t_flat, (unsigned long long)w_flat, t_enforce,
		       thr_combo, (unsigned long long)incidents,
		       (unsigned long long)anomalous,
		       (unsigned long long)enforced_windows);
	if (lifecycle && t_enforce >= 0) {
		printf("  lifecycle: enforcing, highest frame score %llu; incidents at combo",
		       (unsigned long long)enf_max);
		for (i = 0; i < (int)NLEVELS; i++)
			printf(" %u: %llu", LEVELS[i],
			       (unsigned long long)level_incidents[i]);
		printf("\n");
	}
	(void)windows_at_check;
	(void)entries_at_check;
	if (dump)
		fclose(dump);
	return 0;
}
