// SPDX-License-Identifier: GPL-2.0
/* Alerts and watcher events to journald, stderr and JSON lines. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "commands.h"
#include "journal.h"
#include "json.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define MAX_FIELDS 32

static int out_json;

void sa_out_init(int json)
{
	out_json = json;
}

/* journald when its socket is there; checked each time, it may come later. */
static int have_journal(void)
{
	return !access(JOURNAL_SOCKET, F_OK);
}

struct fields {
	struct iovec iov[MAX_FIELDS];
	int n;
};

static void field(struct fields *f, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void field(struct fields *f, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *v, *s;

	if (f->n == MAX_FIELDS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		v = NULL;
	va_end(ap);
	if (!v)
		return;
	if (asprintf(&s, "%s=%s", name, v) >= 0) {
		f->iov[f->n].iov_base = s;
		f->iov[f->n].iov_len = strlen(s);
		f->n++;
	}
	free(v);
}

static void ctr_fields(struct fields *f, const struct sa_ctr *c,
		       const char *key)
{
	if (c) {
		field(f, "SYSANOM_CONTAINER", "%s", c->name);
		field(f, "SYSANOM_CONTAINER_ID", "%s", c->id);
		field(f, "SYSANOM_RUNTIME", "%s", c->runtime);
		if (c->image[0])
			field(f, "SYSANOM_IMAGE", "%s", c->image);
		if (c->digest[0])
			field(f, "SYSANOM_IMAGE_DIGEST", "%s", c->digest);
		if (c->k8s_namespace[0])
			field(f, "SYSANOM_K8S_NAMESPACE", "%s",
			      c->k8s_namespace);
		if (c->k8s_pod[0])
			field(f, "SYSANOM_K8S_POD", "%s", c->k8s_pod);
		if (c->k8s_container[0])
			field(f, "SYSANOM_K8S_CONTAINER", "%s",
			      c->k8s_container);
	}
	if (key && key[0])
		field(f, "SYSANOM_PROFILE", "%s", key);
}

/* Send to journald, or print MESSAGE and the SYSANOM_* fields on stderr. */
static void emit(struct fields *f)
{
	int sent = have_journal() && sd_journal_sendv(f->iov, f->n) >= 0;

	if (!sent) {
		const char *msg = "";

		for (int i = 0; i < f->n; i++)
			if (!strncmp(f->iov[i].iov_base, "MESSAGE=", 8))
				msg = (const char *)f->iov[i].iov_base + 8;
		fprintf(stderr, "sysanom: %s", msg);
		for (int i = 0; i < f->n; i++)
			if (!strncmp(f->iov[i].iov_base, "SYSANOM_", 8))
				fprintf(stderr, " %s",
					(char *)f->iov[i].iov_base + 8);
		fputc('\n', stderr);
	}
	for (int i = 0; i < f->n; i++)
		free(f->iov[i].iov_base);
	f->n = 0;
}

static void json_ctr(const struct sa_ctr *c, const char *key)
{
	printf(",\"container\":");
	sa_json_string(stdout, c ? c->name : "");
	printf(",\"container_id\":");
	sa_json_string(stdout, c ? c->id : "");
	printf(",\"runtime\":");
	sa_json_string(stdout, c ? c->runtime : "");
	printf(",\"image\":");
	sa_json_string(stdout, c ? c->image : "");
	printf(",\"image_digest\":");
	sa_json_string(stdout, c ? c->digest : "");
	printf(",\"k8s_namespace\":");
	sa_json_string(stdout, c ? c->k8s_namespace : "");
	printf(",\"k8s_pod\":");
	sa_json_string(stdout, c ? c->k8s_pod : "");
	printf(",\"k8s_container\":");
	sa_json_string(stdout, c ? c->k8s_container : "");
	printf(",\"profile\":");
	sa_json_string(stdout, key ? key : "");
}

void sa_out_alert(const struct sa_alert *a, const struct sa_ctr *c,
		  const char *key)
{
	const char *det = sa_detector_name(a->detector);
	char calls[32 * 24] = "", label[32];
	struct fields f = { .n = 0 };
	size_t o = 0;

	for (unsigned int i = 0; i < a->nwindow; i++) {
		sa_syscall_label(a->window[i], label, sizeof(label));
		o += snprintf(calls + o, sizeof(calls) - o, "%s%s",
			      i ? " " : "", label);
		if (o >= sizeof(calls))
			break;
	}
	field(&f, "MESSAGE", "anomaly in container %s%s%s%s: pid %u comm %s, %s score %u: %s",
	      c ? c->name : (a->path[0] ? a->path : "(removed cgroup)"),
	      c && c->image[0] ? " (image " : "",
	      c && c->image[0] ? c->image : "", c && c->image[0] ? ")" : "",
	      a->pid, a->comm, det, a->score, calls);
	field(&f, "MESSAGE_ID", "%s", SA_MESSAGE_ID_ALERT);
	field(&f, "PRIORITY", "%d", LOG_WARNING);
	field(&f, "SYSLOG_IDENTIFIER", "sysanom");
	field(&f, "SYSANOM_EVENT", "alert");
	field(&f, "SYSANOM_SEQ", "%" PRIu64, a->seq);
	ctr_fields(&f, c, key);
	field(&f, "SYSANOM_CGROUP", "%s", a->path);
	field(&f, "SYSANOM_CGROUP_ID", "%" PRIu64, a->cgid);
	field(&f, "SYSANOM_PID", "%u", a->pid);
	field(&f, "SYSANOM_TID", "%u", a->tid);
	field(&f, "SYSANOM_COMM", "%s", a->comm);
	field(&f, "SYSANOM_DETECTOR", "%s", det);
	field(&f, "SYSANOM_SCORE", "%u", a->score);
	field(&f, "SYSANOM_SYSCALLS", "%s", calls);
	emit(&f);

	if (!out_json)
		return;
	printf("{\"event\":\"alert\",\"seq\":%" PRIu64 ",\"time_ns\":%" PRIu64,
	       a->seq, a->time_ns);
	json_ctr(c, key);
	printf(",\"cgroup\":");
	sa_json_string(stdout, a->path);
	printf(",\"cgroup_id\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,\"comm\":",
	       a->cgid, a->pid, a->tid);
	sa_json_string(stdout, a->comm);
	printf(",\"detector\":\"%s\",\"score\":%u,\"syscalls\":[", det,
	       a->score);
	for (unsigned int i = 0; i < a->nwindow; i++) {
		sa_syscall_label(a->window[i], label, sizeof(label));
		printf("%s", i ? "," : "");
		sa_json_string(stdout, label);
	}
	printf("]}\n");
	fflush(stdout);
}

void sa_out_event(int priority, const char *event, const struct sa_ctr *c,
		  const char *key, const char *fmt, ...)
{
	struct fields f = { .n = 0 };
	struct timespec ts;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	field(&f, "MESSAGE", "%s", msg);
	field(&f, "MESSAGE_ID", "%s", SA_MESSAGE_ID_EVENT);
	field(&f, "PRIORITY", "%d", priority);
	field(&f, "SYSLOG_IDENTIFIER", "sysanom");
	field(&f, "SYSANOM_EVENT", "%s", event);
	ctr_fields(&f, c, key);
	if (c && c->cgroup[0])
		field(&f, "SYSANOM_CGROUP", "%s", c->cgroup);
	emit(&f);
	if (out_json) {
		clock_gettime(CLOCK_REALTIME, &ts);
		printf("{\"event\":");
		sa_json_string(stdout, event);
		printf(",\"time_ns\":%" PRIu64,
		       (uint64_t)ts.tv_sec * 1000000000U + (uint64_t)ts.tv_nsec);
		json_ctr(c, key);
		printf(",\"cgroup\":");
		sa_json_string(stdout, c ? c->cgroup : "");
		printf(",\"message\":");
		sa_json_string(stdout, msg);
		printf("}\n");
		fflush(stdout);
	}
	free(msg);
}
