// SPDX-License-Identifier: GPL-2.0
/*
 * watch: the daemon that matches containers to profiles by image.
 *
 * It notices containers starting and stopping (inotify on the cgroup v2
 * tree, and a rescan of the runtimes' state every second), names them from
 * that state (container.c) and keys each by image (store.c). Then:
 *  - an image with an approved profile in the store: the profile is loaded
 *    and enforced at once;
 *  - an unknown image: its first container is the leader, trained until
 *    stable (the module calibrates and enforces by itself); once it
 *    enforces, its profile is saved to the store, approved (and enforced)
 *    or held for review (and not enforced) as the config says;
 *  - another container of an image in training (a follower) trains too,
 *    without until-stable, so that it is watched from its start and can
 *    take over if the leader stops first; when the leader's profile is
 *    saved and approved, it replaces what the follower learnt and is
 *    enforced;
 *  - an image whose profile is held: its containers train (no alerts)
 *    until 'sysanomctl profiles approve', then enforce it.
 * Alerts, followed over netlink, go to journald (or stderr) and, with
 * --json, to stdout, with the container's names. SIGTERM or SIGINT saves
 * every approved profile that runs, then exits; SIGHUP reloads the config.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include <linux/genetlink.h>
#include <uapi/linux/sysanom.h>

#include "alerts.h"
#include "commands.h"
#include "config.h"
#include "container.h"
#include "genl.h"
#include "journal.h"
#include "json.h"
#include "profile_io.h"
#include "store.h"
#include "target.h"

enum wstate { W_NEW, W_LEADER, W_FOLLOWER, W_HELD, W_STARTING,
	      W_ENFORCED };

static const char *const wstate_names[] = { "new", "training", "following",
					    "held", "starting", "enforcing" };

struct watched {
	struct sa_ctr c;	/* labels not kept */
	uint64_t cgid;
	char key[SA_KEY_MAX];
	enum wstate state;
	int seen;
	double enforce_at;	/* W_STARTING: monotonic seconds */
	int graced;		/* learnt its start unjudged: never saved */
};

struct modrow {
	uint64_t id;
	uint32_t mode, calib, entries;
};

struct watcher {
	struct sa_config cfg;
	const char *config_path;
	int config_given;
	char store[4096];
	char mnt[4096];
	struct watched *w;
	size_t nw, capw;
	uint64_t *ignored;	/* cgroups the config leaves out */
	size_t nignored, capignored;
	uint64_t *kept;		/* of those, the ones this scan saw */
	size_t nkept, capkept;
	struct sa_stored *stored;
	int nstored;
	int store_dirty;
	struct modrow *rows;
	size_t nrows, caprows;
	int module_ok;		/* the last status dump worked */
	struct sa_nl alerts;
	int alerts_open;
	int ino;
	int store_wd[2];
	int initial;		/* the first scan: containers that ran before */
};

/* Module requests: TRACK, SET, UNTRACK on one cgroup. */
static int mod_request(uint8_t cmd, uint64_t id, int mode, int action,
		       int stable)
{
	struct nlmsghdr *nlh;
	struct sa_nl nl;
	int ret = sa_nl_open(&nl);

	if (ret)
		return ret;
	nlh = sa_nl_request(&nl, cmd, 0);
	mnl_attr_put_u64(nlh, SYSANOM_A_CGROUP_ID, id);
	if (mode >= 0)
		mnl_attr_put_u32(nlh, SYSANOM_A_MODE, mode);
	if (action >= 0)
		mnl_attr_put_u32(nlh, SYSANOM_A_ACTION, action);
	if (stable >= 0) {
		mnl_attr_put_u64(nlh, SYSANOM_A_STABLE_PPM,
				 stable ? SA_STABLE_PPM : 0);
		mnl_attr_put_u32(nlh, SYSANOM_A_STABLE_CHECKS,
				 stable ? SA_STABLE_CHECKS : 0);
	}
	ret = sa_nl_talk(&nl, nlh, NULL, NULL);
	sa_nl_close(&nl);
	return ret;
}

static int mod_track(uint64_t id, uint32_t mode)
{
	return mod_request(SYSANOM_CMD_TRACK, id, mode, -1, -1);
}

static int mod_set(uint64_t id, int action, int stable)
{
	return mod_request(SYSANOM_CMD_SET, id, -1, action, stable);
}

static int action_of(const struct watcher *wa)
{
	return wa->cfg.action_kill ? SYSANOM_ACTION_KILL : SYSANOM_ACTION_LOG;
}

static void row_cb(const uint64_t *a, const char *path, void *data)
{
	struct watcher *wa = data;

	(void)path;
	if (wa->nrows == wa->caprows) {
		size_t cap = wa->caprows ? wa->caprows * 2 : 32;
		struct modrow *v = realloc(wa->rows, cap * sizeof(*v));

		if (!v)
			return;
		wa->rows = v;
		wa->caprows = cap;
	}
	wa->rows[wa->nrows].id = a[SYSANOM_A_CGROUP_ID];
	wa->rows[wa->nrows].mode = a[SYSANOM_A_MODE];
	wa->rows[wa->nrows].calib = a[SYSANOM_A_CALIBRATION];
	wa->rows[wa->nrows].entries = a[SYSANOM_A_ENTRIES];
	wa->nrows++;
}

static const struct modrow *row_of(const struct watcher *wa, uint64_t id)
{
	for (size_t i = 0; i < wa->nrows; i++)
		if (wa->rows[i].id == id)
			return &wa->rows[i];
	return NULL;
}

static const struct sa_stored *stored_of(const struct watcher *wa,
					 const char *key, int held)
{
	for (int i = 0; i < wa->nstored; i++)
		if (wa->stored[i].held == held && !strcmp(wa->stored[i].key, key))
			return &wa->stored[i];
	return NULL;
}

static void report_corrupt(const char *msg, void *data)
{
	(void)data;
	sa_out_event(LOG_ERR, "corrupt", NULL, NULL, "%s", msg);
}

static void rescan_store(struct watcher *wa)
{
	struct sa_stored *v = NULL;
	int n = sa_store_scan(wa->store, 1, &v, report_corrupt, NULL);

	if (n < 0) {
		sa_out_event(LOG_ERR, "store-error", NULL, NULL,
			     "cannot read the store %s: %s", wa->store,
			     strerror(-n));
		return;
	}
	free(wa->stored);
	wa->stored = v;
	wa->nstored = n;
	wa->store_dirty = 0;
}

static struct watched *find_cgid(struct watcher *wa, uint64_t id)
{
	for (size_t i = 0; i < wa->nw; i++)
		if (wa->w[i].cgid == id)
			return &wa->w[i];
	return NULL;
}

static struct watched *leader_of(struct watcher *wa, const char *key)
{
	for (size_t i = 0; i < wa->nw; i++)
		if (wa->w[i].state == W_LEADER && !strcmp(wa->w[i].key, key))
			return &wa->w[i];
	return NULL;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Seconds since process @pid started (its runtime's init, for a container). */
static double proc_age(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	double up = 0;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 1e9;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n > 0 ? n : 0] = '\0';
	p = strrchr(buf, ')');	/* comm may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &start) != 1)
		return 1e9;
	f = fopen("/proc/uptime", "re");
	if (!f)
		return 1e9;
	if (fscanf(f, "%lf", &up) != 1)
		up = 0;
	fclose(f);
	return up - (double)start / sysconf(_SC_CLK_TCK);
}

/*
 * Load the approved profile @s on @w and enforce it. A container starting
 * (@fresh: noticed by a running watcher, or younger than startup_grace)
 * first trains from it for startup_grace seconds: its leader's training
 * began when the watcher noticed it, after its start, so the calls of a
 * container's first program starting up may be missing from the profile.
 * Its age is no guide alone: a runtime may take seconds to start it.
 */
static void apply_stored(struct watcher *wa, struct watched *w,
			 const struct sa_stored *s, int fresh)
{
	double wait = wa->cfg.startup_grace;
	unsigned char *data = NULL;
	size_t len;
	int ret;

	if (!fresh)
		wait -= proc_age(w->c.pid);
	ret = sa_store_read(wa->store, s, &data, &len);
	if (!ret)
		ret = sa_profile_push(w->cgid, data, len, wait > 0 ?
				      SYSANOM_MODE_TRAINING :
				      SYSANOM_MODE_ENFORCING);
	free(data);
	if (!ret)
		ret = mod_set(w->cgid, action_of(wa), 0);
	if (ret) {
		sa_out_event(LOG_ERR, "error", &w->c, w->key,
			     "cannot enforce the stored profile %s on %s: %s",
			     s->base, w->c.name, sa_nl_strerror(ret));
		return;
	}
	if (wait > 0) {
		w->state = W_STARTING;
		w->graced = 1;
		w->enforce_at = now_mono() + wait;
		sa_out_event(LOG_INFO, "starting", &w->c, w->key,
			     "container %s starts: the stored profile of %s learns its start for %.1f s, then enforces",
			     w->c.name, w->key, wait);
		return;
	}
	w->state = W_ENFORCED;
	sa_out_event(LOG_NOTICE, "enforced", &w->c, w->key,
		     "container %s enforces the stored profile of %s (action %s)",
		     w->c.name, w->key, wa->cfg.action_kill ? "kill" : "log");
}

static void end_startup(struct watcher *wa, struct watched *w)
{
	int ret = mod_track(w->cgid, SYSANOM_MODE_ENFORCING);

	if (ret) {
		sa_out_event(LOG_ERR, "error", &w->c, w->key,
			     "cannot enforce on %s: %s", w->c.name,
			     sa_nl_strerror(ret));
		return;
	}
	w->state = W_ENFORCED;
	sa_out_event(LOG_NOTICE, "enforced", &w->c, w->key,
		     "container %s enforces the stored profile of %s (action %s)",
		     w->c.name, w->key, wa->cfg.action_kill ? "kill" : "log");
}

/* Start watching @w, a container the module may already monitor. */
static void start(struct watcher *wa, struct watched *w)
{
	const struct sa_stored *ok = stored_of(wa, w->key, 0);
	const struct sa_stored *held = stored_of(wa, w->key, 1);
	const struct modrow *r = row_of(wa, w->cgid);
	int ret = 0;

	if (r && r->mode == SYSANOM_MODE_ENFORCING && ok) {
		/* A watcher restart: keep what it enforces (and allowed). */
		w->state = W_ENFORCED;
		sa_out_event(LOG_INFO, "adopted", &w->c, w->key,
			     "container %s already enforces a profile of %s",
			     w->c.name, w->key);
		return;
	}
	if (ok) {
		apply_stored(wa, w, ok, !wa->initial);
		return;
	}
	if (r && r->mode == SYSANOM_MODE_ENFORCING) {
		/* Converged while no watcher ran: saved at the next pass. */
		w->state = W_LEADER;
		return;
	}
	if (!r)
		ret = mod_track(w->cgid, SYSANOM_MODE_TRAINING);
	if (held || leader_of(wa, w->key)) {
		w->state = held ? W_HELD : W_FOLLOWER;
		if (!ret)
			ret = mod_set(w->cgid, SYSANOM_ACTION_LOG, 0);
	} else {
		w->state = W_LEADER;
		/* Held profiles never kill, even in the instant before held. */
		if (!ret)
			ret = mod_set(w->cgid, wa->cfg.hold ?
				      SYSANOM_ACTION_LOG : action_of(wa), 1);
	}
	if (ret) {
		sa_out_event(LOG_ERR, "error", &w->c, w->key,
			     "cannot train container %s: %s", w->c.name,
			     sa_nl_strerror(ret));
		return;
	}
	if (w->state == W_LEADER)
		sa_out_event(LOG_NOTICE, "training", &w->c, w->key,
			     "container %s: no profile of %s yet, training until stable",
			     w->c.name, w->key);
	else if (w->state == W_FOLLOWER)
		sa_out_event(LOG_NOTICE, "following", &w->c, w->key,
			     "container %s trains beside %s, the leader for %s, and will enforce its profile",
			     w->c.name, leader_of(wa, w->key)->c.name, w->key);
	else
		sa_out_event(LOG_NOTICE, "held", &w->c, w->key,
			     "container %s: the profile of %s is held for review ('sysanomctl profiles approve'); training meanwhile",
			     w->c.name, w->key);
}

static int save_profile(struct watcher *wa, struct watched *w, int held)
{
	struct sa_stored s = { 0 };
	unsigned char *data = NULL;
	size_t len;
	int ret;

	snprintf(s.key, sizeof(s.key), "%s", w->key);
	sa_store_base(w->key, s.base, sizeof(s.base));
	s.held = held;
	snprintf(s.image, sizeof(s.image), "%s", w->c.image);
	snprintf(s.digest, sizeof(s.digest), "%s", w->c.digest);
	snprintf(s.container, sizeof(s.container), "%s", w->c.k8s_container);
	snprintf(s.source, sizeof(s.source), "%s", w->c.name);
	s.saved = time(NULL);
	ret = sa_profile_fetch(w->cgid, &data, &len);
	if (!ret)
		ret = sa_store_write(wa->store, &s, data, len);
	free(data);
	if (ret) {
		sa_out_event(LOG_ERR, "error", &w->c, w->key,
			     "cannot save the profile of %s: %s", w->key,
			     ret == -ESRCH || ret == -ENOENT ?
			     sa_nl_strerror(ret) : strerror(-ret));
		return ret;
	}
	sa_out_event(LOG_NOTICE, "saved", &w->c, w->key,
		     "saved the profile of %s from %s: %s/%s/%s.prof, %zu bytes",
		     w->key, w->c.name, wa->store, held ? "held" : "profiles",
		     s.base, len);
	rescan_store(wa);
	return 0;
}

/* A leader enforces: its training and calibration are done. */
static void converged(struct watcher *wa, struct watched *w)
{
	if (save_profile(wa, w, wa->cfg.hold))
		return;
	if (wa->cfg.hold) {
		/* Not enforced until approved: back to training, quietly. */
		if (!mod_track(w->cgid, SYSANOM_MODE_TRAINING))
			mod_set(w->cgid, SYSANOM_ACTION_LOG, 0);
		w->state = W_HELD;
		for (size_t i = 0; i < wa->nw; i++)
			if (wa->w[i].state == W_FOLLOWER &&
			    !strcmp(wa->w[i].key, w->key))
				wa->w[i].state = W_HELD;
		sa_out_event(LOG_NOTICE, "held", &w->c, w->key,
			     "the profile of %s is held for review: approve it with 'sysanomctl profiles approve %s'",
			     w->key, w->key);
		return;
	}
	mod_set(w->cgid, action_of(wa), -1);
	w->state = W_ENFORCED;
	sa_out_event(LOG_NOTICE, "enforced", &w->c, w->key,
		     "container %s converged and enforces its profile of %s (action %s)",
		     w->c.name, w->key, wa->cfg.action_kill ? "kill" : "log");
}

/* Append @id to a growing array; out of memory, it is left out. */
static void push_id(uint64_t **v, size_t *n, size_t *cap, uint64_t id)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		uint64_t *nv = realloc(*v, c * sizeof(*nv));

		if (!nv)
			return;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = id;
}

static void ignore(struct watcher *wa, uint64_t id)
{
	push_id(&wa->ignored, &wa->nignored, &wa->capignored, id);
}

/* The ignored containers seen in this scan. */
static void ignore_keep(struct watcher *wa, uint64_t id)
{
	push_id(&wa->kept, &wa->nkept, &wa->capkept, id);
}

static int is_ignored(const struct watcher *wa, uint64_t id)
{
	for (size_t i = 0; i < wa->nignored; i++)
		if (wa->ignored[i] == id)
			return 1;
	return 0;
}

static void drop(struct watcher *wa, size_t i, int untrack)
{
	struct watched *w = &wa->w[i];

	if (w->state == W_LEADER) {
		/* A follower takes over the training. */
		for (size_t j = 0; j < wa->nw; j++) {
			struct watched *f = &wa->w[j];

			if (j == i || f->state != W_FOLLOWER ||
			    strcmp(f->key, w->key))
				continue;
			f->state = W_LEADER;
			mod_set(f->cgid, wa->cfg.hold ? SYSANOM_ACTION_LOG :
				action_of(wa), 1);
			sa_out_event(LOG_NOTICE, "training", &f->c, f->key,
				     "container %s takes over the training of %s",
				     f->c.name, f->key);
			break;
		}
	}
	if (untrack)
		mod_request(SYSANOM_CMD_UNTRACK, w->cgid, -1, -1, -1);
	wa->w[i] = wa->w[--wa->nw];
}

static void reconcile(struct watcher *wa)
{
	struct sa_ctr *cs = NULL;
	char path[8192], why[1024];
	int n, ret;

	if (wa->store_dirty)
		rescan_store(wa);
	wa->nrows = 0;
	ret = sa_status_each(row_cb, wa);
	if (ret) {
		if (wa->module_ok)
			sa_out_event(LOG_ERR, "module", NULL, NULL,
				     "cannot reach the sysanom module: %s",
				     sa_nl_strerror(ret));
		wa->module_ok = 0;
		if (wa->alerts_open) {
			sa_nl_close(&wa->alerts);
			wa->alerts_open = 0;
		}
		return;
	}
	if (!wa->module_ok)
		sa_out_event(LOG_INFO, "module", NULL, NULL,
			     "the sysanom module answers; watching containers");
	wa->module_ok = 1;

	/* The module forgot a cgroup (reloaded, or untracked by hand). */
	for (size_t i = 0; i < wa->nw;) {
		if (row_of(wa, wa->w[i].cgid)) {
			i++;
			continue;
		}
		sa_out_event(LOG_WARNING, "lost", &wa->w[i].c, wa->w[i].key,
			     "container %s is no longer monitored by the module: starting over",
			     wa->w[i].c.name);
		drop(wa, i, 0);
	}

	n = sa_ctr_list("", &cs);
	if (n < 0) {
		sa_out_event(LOG_ERR, "error", NULL, NULL,
			     "cannot read the runtimes' state: %s",
			     strerror(-n));
		return;
	}
	for (size_t i = 0; i < wa->nw; i++)
		wa->w[i].seen = 0;
	wa->nkept = 0;
	for (int i = 0; i < n; i++) {
		struct sa_ctr *c = &cs[i];
		struct watched *w;
		struct stat st;

		if (!c->alive || !c->cgroup[0] || !strcmp(c->cgroup, "/"))
			continue;
		snprintf(path, sizeof(path), "%s%s", wa->mnt, c->cgroup);
		if (stat(path, &st))
			continue;
		w = find_cgid(wa, st.st_ino);
		if (w && !strcmp(w->c.id, c->id)) {
			w->seen = 1;
			continue;
		}
		if (w)	/* another container in that cgroup now: start over */
			drop(wa, w - wa->w, 0);
		if (is_ignored(wa, st.st_ino)) {
			ignore_keep(wa, st.st_ino);
			continue;
		}
		if (!sa_config_watches(&wa->cfg, c, why, sizeof(why))) {
			ignore(wa, st.st_ino);
			ignore_keep(wa, st.st_ino);
			sa_out_event(LOG_INFO, "ignored", c, NULL,
				     "container %s is not watched: %s",
				     c->name, why);
			continue;
		}
		if (wa->nw == wa->capw) {
			size_t cap = wa->capw ? wa->capw * 2 : 16;
			struct watched *v = realloc(wa->w, cap * sizeof(*v));

			if (!v)
				break;
			wa->w = v;
			wa->capw = cap;
		}
		w = &wa->w[wa->nw++];
		memset(w, 0, sizeof(*w));
		w->c = *c;
		w->c.labels = NULL;
		w->c.nlabels = 0;
		w->cgid = st.st_ino;
		w->seen = 1;
		sa_ctr_key(c, w->key, sizeof(w->key));
		start(wa, w);
	}
	sa_ctr_free(cs, n);
	/* Forget the ignored containers that stopped. */
	if (wa->nkept <= wa->nignored) {
		memcpy(wa->ignored, wa->kept, wa->nkept * sizeof(*wa->kept));
		wa->nignored = wa->nkept;
	}

	/* Stopped containers. */
	for (size_t i = 0; i < wa->nw;) {
		if (wa->w[i].seen) {
			i++;
			continue;
		}
		sa_out_event(LOG_INFO, "stopped", &wa->w[i].c, wa->w[i].key,
			     "container %s stopped (%s)", wa->w[i].c.name,
			     wstate_names[wa->w[i].state]);
		drop(wa, i, 1);
	}

	/* Fresh status: leaders that converged, profiles newly approved. */
	wa->nrows = 0;
	if (sa_status_each(row_cb, wa))
		return;
	for (size_t i = 0; i < wa->nw; i++) {
		struct watched *w = &wa->w[i];
		const struct modrow *r = row_of(wa, w->cgid);
		const struct sa_stored *ok;

		if (w->state == W_LEADER && r &&
		    r->mode == SYSANOM_MODE_ENFORCING)
			converged(wa, w);
		if (w->state == W_STARTING && now_mono() >= w->enforce_at)
			end_startup(wa, w);
		ok = stored_of(wa, w->key, 0);
		if ((w->state == W_FOLLOWER || w->state == W_HELD) && ok)
			apply_stored(wa, w, ok, 0);
	}
}

/*
 * SIGTERM: the approved profile of every image that runs is saved again,
 * from its container with the most entries (what 'allow' added). Never from
 * a container that learnt its own start unjudged (startup_grace): whoever
 * starts a container of a known image must not write into its profile.
 */
static void save_all(struct watcher *wa)
{
	wa->nrows = 0;
	if (sa_status_each(row_cb, wa))
		return;
	for (size_t i = 0; i < wa->nw; i++) {
		struct watched *w = &wa->w[i], *best = w;
		const struct modrow *r, *rb = row_of(wa, w->cgid);
		int done = 0;

		if (w->state != W_ENFORCED || !stored_of(wa, w->key, 0))
			continue;
		if (w->graced)
			rb = NULL;
		for (size_t j = 0; j < wa->nw; j++) {
			struct watched *o = &wa->w[j];

			if (o->state != W_ENFORCED || strcmp(o->key, w->key))
				continue;
			if (j < i)
				done = 1;
			if (o->graced)
				continue;
			r = row_of(wa, o->cgid);
			if (r && (!rb || r->entries > rb->entries)) {
				best = o;
				rb = r;
			}
		}
		if (!done && rb)
			save_profile(wa, best, 0);
	}
}

static void alert_in(struct watcher *wa, const struct sa_alert *a)
{
	struct watched *w = find_cgid(wa, a->cgid);

	sa_out_alert(a, w ? &w->c : NULL, w ? w->key : NULL);
}

static int alert_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sa_alert *a = malloc(sizeof(*a));

	if (!a)
		return MNL_CB_OK;
	sa_alert_parse(nlh, a);
	alert_in(data, a);
	free(a);
	return MNL_CB_OK;
}

static void open_alerts(struct watcher *wa)
{
	int ret;

	if (wa->alerts_open || !wa->module_ok)
		return;
	ret = sa_nl_open(&wa->alerts);
	if (!ret) {
		ret = sa_nl_join_alerts(&wa->alerts);
		if (ret)
			sa_nl_close(&wa->alerts);
	}
	if (ret) {
		sa_out_event(LOG_ERR, "error", NULL, NULL,
			     "cannot follow the alerts: %s",
			     sa_nl_strerror(ret));
		return;
	}
	wa->alerts_open = 1;
}

/* inotify on every directory of the cgroup tree: containers come and go. */
static void watch_tree(struct watcher *wa, const char *dir, int depth)
{
	char sub[4096];
	struct dirent *de;
	DIR *d;

	if (depth > 16 ||
	    inotify_add_watch(wa->ino, dir, IN_CREATE | IN_DELETE |
			      IN_ONLYDIR) < 0)
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) <
		    (int)sizeof(sub))
			watch_tree(wa, sub, depth + 1);
	}
	closedir(d);
}

static void watch_store(struct watcher *wa)
{
	static const char *const subs[] = { "profiles", "held" };
	char path[4200];

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", wa->store, subs[i]);
		wa->store_wd[i] = inotify_add_watch(wa->ino, path,
			IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE);
	}
}

/* Returns 1 when something in the cgroup tree changed. */
static int read_inotify(struct watcher *wa)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	int changed = 0;
	ssize_t len;

	while ((len = read(wa->ino, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->wd == wa->store_wd[0] ||
			    ev->wd == wa->store_wd[1]) {
				wa->store_dirty = 1;
			} else {
				changed = 1;
				/*
				 * A new cgroup: watch below it too. Watches do
				 * not keep their paths: walk the tree again
				 * (an existing watch is only refreshed).
				 */
				if (ev->mask & IN_CREATE)
					watch_tree(wa, wa->mnt, 0);
			}
			if (ev->mask & IN_Q_OVERFLOW)
				changed = 1;
			p += sizeof(*ev) + ev->len;
		}
	}
	return changed;
}

static int load_config(struct watcher *wa, struct sa_config *cfg)
{
	char err[8192];
	int ret;

	sa_config_init(cfg);
	ret = sa_config_load(cfg, wa->config_path, wa->config_given, err,
			     sizeof(err));
	if (ret) {
		sa_config_free(cfg);
		sa_err("watch: %s", err);
	}
	return ret;
}

static void print_config(const struct sa_config *cfg, const char *store)
{
	char rule[1024];

	printf("action = %s\nnew_profiles = %s\nstartup_grace = %d\nstore = %s\n",
	       cfg->action_kill ? "kill" : "log",
	       cfg->hold ? "hold" : "enforce", cfg->startup_grace, store);
	for (size_t i = 0; i < cfg->ninclude; i++) {
		sa_rule_text(&cfg->include[i], rule, sizeof(rule));
		printf("include = %s\n", rule);
	}
	for (size_t i = 0; i < cfg->nexclude; i++) {
		sa_rule_text(&cfg->exclude[i], rule, sizeof(rule));
		printf("exclude = %s\n", rule);
	}
}

static int watch_usage(FILE *f)
{
	fprintf(f,
		"usage: sysanomctl watch [--config FILE] [--store DIR] [--json] [--check]\n"
		"Watch the host's containers and match them to profiles by image:\n"
		"a container of an image with a stored profile enforces it at\n"
		"once; the first container of a new image trains until stable,\n"
		"calibrates, and its profile is saved to the store, then\n"
		"enforced or held for review (new_profiles in the config);\n"
		"others of that image started meanwhile train beside it and\n"
		"enforce its profile when it is ready. Alerts go to journald\n"
		"(SYSANOM_* fields) or, without a journal, to stderr; --json also\n"
		"prints alerts and events as JSON lines on stdout.\n"
		"  --config FILE  default %s (absent: watch all, log)\n"
		"  --store DIR    default: the config's store, else %s\n"
		"  --check        parse the config, print it and exit\n"
		"SIGTERM or SIGINT saves the approved profiles that run and\n"
		"exits; SIGHUP reloads the config.\n",
		SA_CONFIG_DEFAULT, SA_STORE_DEFAULT);
	return f == stdout ? 0 : EXIT_USAGE;
}

int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct watcher wa = { .config_path = SA_CONFIG_DEFAULT,
			      .store_wd = { -1, -1 } };
	const char *store = NULL;
	int json = 0, check = 0, c, ret, sfd;
	time_t last = 0;
	sigset_t mask;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			wa.config_path = optarg;
			wa.config_given = 1;
			break;
		case 's':
			store = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'C':
			check = 1;
			break;
		case 'h':
			return watch_usage(stdout);
		default:
			return sa_usage_error("watch", "unknown option");
		}
	}
	if (optind != argc)
		return sa_usage_error("watch", "takes no arguments");
	if (load_config(&wa, &wa.cfg))
		return EXIT_RUNTIME;
	snprintf(wa.store, sizeof(wa.store), "%s", store ? store : wa.cfg.store);
	if (check) {
		print_config(&wa.cfg, wa.store);
		sa_config_free(&wa.cfg);
		return 0;
	}
	sa_out_init(json);
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = sa_cgroup2_mount(wa.mnt, sizeof(wa.mnt));
	if (ret) {
		sa_err("watch: no cgroup2 mount: %s", strerror(-ret));
		return EXIT_RUNTIME;
	}
	ret = sa_store_init(wa.store);
	if (ret) {
		sa_err("watch: store %s: %s", wa.store, strerror(-ret));
		return EXIT_RUNTIME;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	wa.ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (sfd < 0 || wa.ino < 0) {
		sa_err("watch: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	watch_tree(&wa, wa.mnt, 0);
	watch_store(&wa);
	wa.module_ok = 1;
	wa.initial = 1;
	rescan_store(&wa);
	sa_out_event(LOG_INFO, "start", NULL, NULL,
		     "watching containers: config %s, store %s (%d profiles), action %s, new profiles %s",
		     wa.config_path, wa.store, wa.nstored,
		     wa.cfg.action_kill ? "kill" : "log",
		     wa.cfg.hold ? "held for review" : "enforced at once");

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = wa.ino, .events = POLLIN },
			{ .fd = wa.alerts_open ?
				mnl_socket_get_fd(wa.alerts.sock) : -1,
			  .events = POLLIN },
		};
		int changed = 0;

		if (time(NULL) != last) {
			last = time(NULL);
			reconcile(&wa);
			/* Until the module answered, nothing was scanned. */
			if (wa.module_ok)
				wa.initial = 0;
			open_alerts(&wa);
			p[2].fd = wa.alerts_open ?
				  mnl_socket_get_fd(wa.alerts.sock) : -1;
		}
		ret = poll(p, 3, 1000);
		if (ret < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGHUP) {
				struct sa_config cfg;

				if (!load_config(&wa, &cfg)) {
					sa_config_free(&wa.cfg);
					wa.cfg = cfg;
					wa.nignored = 0;
					sa_out_event(LOG_INFO, "config", NULL,
						     NULL, "reloaded %s",
						     wa.config_path);
				}
				continue;
			}
			break;
		}
		if (p[1].revents & POLLIN)
			changed = read_inotify(&wa);
		if (p[2].fd >= 0 && (p[2].revents & POLLIN)) {
			ret = sa_nl_recv(&wa.alerts, alert_cb, &wa);
			if (ret == -ENOBUFS)
				sa_out_event(LOG_WARNING, "overrun", NULL, NULL,
					     "alerts were lost (socket buffer full): 'sysanomctl alerts' lists the log");
			else if (ret) {
				sa_nl_close(&wa.alerts);
				wa.alerts_open = 0;
			}
		}
		if (changed || wa.store_dirty) {
			/* Let the runtime write its state first. */
			usleep(100000);
			read_inotify(&wa);
			reconcile(&wa);
		}
	}
	save_all(&wa);
	sa_out_event(LOG_INFO, "stop", NULL, NULL, "stopped watching");
	if (wa.alerts_open)
		sa_nl_close(&wa.alerts);
	sa_config_free(&wa.cfg);
	free(wa.w);
	free(wa.ignored);
	free(wa.kept);
	free(wa.stored);
	free(wa.rows);
	return 0;
}

/* 'containers': the containers as the watcher names and keys them. */
int cmd_containers(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct watcher wa = { .config_path = SA_CONFIG_DEFAULT };
	const char *root = getenv("SYSANOM_ROOT");
	struct sa_ctr *cs = NULL;
	char key[SA_KEY_MAX], why[1024];
	int json = 0, c, n;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			wa.config_path = optarg;
			wa.config_given = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			printf("usage: sysanomctl containers [--config FILE] [--json]\n"
			       "List the containers in the runtimes' state (runc, crun,\n"
			       "Docker, containerd and CRI, Podman, CRI-O) as 'watch' sees\n"
			       "them: name, image, profile key, cgroup, and whether the\n"
			       "config (default %s) watches them.\n",
			       SA_CONFIG_DEFAULT);
			return 0;
		default:
			return sa_usage_error("containers", "unknown option");
		}
	}
	if (optind != argc)
		return sa_usage_error("containers", "takes no arguments");
	if (load_config(&wa, &wa.cfg))
		return EXIT_RUNTIME;
	/* SYSANOM_ROOT: the state below another root (for tests). */
	n = sa_ctr_list(root ? root : "", &cs);
	if (n < 0) {
		sa_err("containers: %s", strerror(-n));
		sa_config_free(&wa.cfg);
		return EXIT_RUNTIME;
	}
	if (json)
		printf("{\"containers\":[");
	else if (n)
		printf("%-10s %-24s %-30s %-8s %s\n", "RUNTIME", "NAME",
		       "IMAGE", "WATCHED", "KEY");
	for (int i = 0; i < n; i++) {
		const struct sa_ctr *x = &cs[i];
		int watched = sa_config_watches(&wa.cfg, x, why, sizeof(why));

		sa_ctr_key(x, key, sizeof(key));
		if (!json) {
			printf("%-10s %-24s %-30s %-8s %s\n", x->runtime,
			       x->name, x->image[0] ? x->image : "-",
			       watched ? "yes" : "no", key);
			continue;
		}
		printf("%s{\"id\":", i ? "," : "");
		sa_json_string(stdout, x->id);
		printf(",\"runtime\":");
		sa_json_string(stdout, x->runtime);
		printf(",\"name\":");
		sa_json_string(stdout, x->name);
		printf(",\"image\":");
		sa_json_string(stdout, x->image);
		printf(",\"digest\":");
		sa_json_string(stdout, x->digest);
		printf(",\"k8s_namespace\":");
		sa_json_string(stdout, x->k8s_namespace);
		printf(",\"k8s_pod\":");
		sa_json_string(stdout, x->k8s_pod);
		printf(",\"k8s_container\":");
		sa_json_string(stdout, x->k8s_container);
		printf(",\"cgroup\":");
		sa_json_string(stdout, x->cgroup);
		printf(",\"pid\":%ld,\"running\":%s,\"key\":", x->pid,
		       x->alive ? "true" : "false");
		sa_json_string(stdout, key);
		printf(",\"watched\":%s,\"why\":", watched ? "true" : "false");
		sa_json_string(stdout, why);
		printf(",\"labels\":{");
		for (size_t j = 0; j < x->nlabels; j++) {
			const char *eq = strchr(x->labels[j], '=');
			char k[512];

			snprintf(k, sizeof(k), "%.*s", (int)(eq - x->labels[j]),
				 x->labels[j]);
			printf("%s", j ? "," : "");
			sa_json_string(stdout, k);
			printf(":");
			sa_json_string(stdout, eq + 1);
		}
		printf("}}");
	}
	if (json)
		printf("]}\n");
	else if (!n)
		printf("no containers found\n");
	sa_ctr_free(cs, n);
	sa_config_free(&wa.cfg);
	return 0;
}
