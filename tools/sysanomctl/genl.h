/* SPDX-License-Identifier: GPL-2.0 */
/* Talking to the sysanom generic netlink family through libmnl. */
#ifndef SYSANOMCTL_GENL_H
#define SYSANOMCTL_GENL_H

#include <libmnl/libmnl.h>
#include <stdint.h>

struct sa_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	uint16_t family;
	uint32_t alerts_group;		/* multicast group id, 0 if none */
	uint32_t seq;
	char buf[32768];		/* a dump part never exceeds 32 KiB */
};

int sa_nl_open(struct sa_nl *nl);
void sa_nl_close(struct sa_nl *nl);
struct nlmsghdr *sa_nl_request(struct sa_nl *nl, uint8_t cmd, uint16_t flags);
struct nlmsghdr *sa_nl_request_in(struct sa_nl *nl, void *buf, uint8_t cmd,
				  uint16_t flags);
int sa_nl_talk(struct sa_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
	       void *data);
int sa_nl_join_alerts(struct sa_nl *nl);
int sa_nl_recv(struct sa_nl *nl, mnl_cb_t cb, void *data);
const char *sa_nl_strerror(int err);

#endif
