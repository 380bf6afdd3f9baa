/* SPDX-License-Identifier: GPL-2.0 */
/* An alert record from the module (SYSANOM_CMD_GET_ALERTS, multicast). */
#ifndef SYSANOMCTL_ALERTS_H
#define SYSANOMCTL_ALERTS_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

#define CTX_CALLS 16		/* calls kept per anomalous window */
#define CTX_MAX 64

struct sa_alert {
	uint64_t seq, time_ns, last_ns, cgid;
	uint32_t pid, tid, detector, score, max_score, count;
	char comm[32];
	char path[4096];
	uint16_t window[32];
	unsigned int nwindow;
	uint16_t ctx[CTX_MAX][CTX_CALLS];
	unsigned int nctx;
};

void sa_alert_parse(const struct nlmsghdr *nlh, struct sa_alert *a);
/* A window id as a name: "openat", "i386:read", "<start>". */
void sa_syscall_label(unsigned int id, char *buf, size_t len);

#endif
