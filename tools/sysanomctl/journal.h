/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The watcher's output: alerts and events to journald as structured
 * entries (SYSANOM_* fields) when /run/systemd/journal/socket exists, else
 * to stderr; with --json also one JSON object per line on stdout.
 */
#ifndef SYSANOMCTL_JOURNAL_H
#define SYSANOMCTL_JOURNAL_H

#include "alerts.h"
#include "container.h"

/* MESSAGE_ID of alerts and of the watcher's events, for journalctl. */
#define SA_MESSAGE_ID_ALERT "470b969246fe43f1b540466ef5ca6761"
#define SA_MESSAGE_ID_EVENT "e608b5b527df45afa8d3a1438666f73a"

void sa_out_init(int json);
/* An alert; @c (may be NULL) and @key name its container and profile. */
void sa_out_alert(const struct sa_alert *a, const struct sa_ctr *c,
		  const char *key);
/* A watcher event: "trained", "saved", "enforced", "corrupt", ... */
void sa_out_event(int priority, const char *event, const struct sa_ctr *c,
		  const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
