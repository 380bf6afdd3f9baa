// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink transport: resolve the family, send one request, run the
 * replies (one ack, or a dump) through a callback.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uapi/linux/sysanom.h>

#include "genl.h"

struct mcgrp {
	const char *name;
	uint32_t id;
};

static int mcgrp_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == CTRL_ATTR_MCAST_GRP_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		tb[type] = attr;
	else if (type == CTRL_ATTR_MCAST_GRP_ID &&
		 mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct sa_nl *nl = data;
	const struct nlattr *grp;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			nl->family = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_for_each_nested(grp, attr) {
			const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = {};

			mnl_attr_parse_nested(grp, mcgrp_attr_cb, tb);
			if (tb[CTRL_ATTR_MCAST_GRP_NAME] &&
			    tb[CTRL_ATTR_MCAST_GRP_ID] &&
			    !strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
				    SYSANOM_GENL_MCGRP_ALERTS))
				nl->alerts_group =
					mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
		}
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
	return MNL_CB_OK;
}

static struct nlmsghdr *put_header(struct sa_nl *nl, void *buf,
				   uint16_t type, uint8_t cmd,
				   uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/* Returns 0, or a negative errno; -ENOENT means the module is not loaded. */
int sa_nl_open(struct sa_nl *nl)
{
	struct nlmsghdr *nlh;
	int ret, one;

	nl->family = 0;
	nl->alerts_group = 0;
	nl->seq = (uint32_t)time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err_close;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);

	/* Errors must not echo a large request back: just the header. */
	one = 1;
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nlh = put_header(nl, nl->buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, SYSANOM_GENL_NAME);
	ret = sa_nl_talk(nl, nlh, family_cb, nl);
	if (ret)
		goto err_close;
	if (!nl->family) {
		ret = -EPROTO;
		goto err_close;
	}
	return 0;

err_close:
	mnl_socket_close(nl->sock);
	nl->sock = NULL;
	return ret;
}

void sa_nl_close(struct sa_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

struct nlmsghdr *sa_nl_request(struct sa_nl *nl, uint8_t cmd, uint16_t flags)
{
	return put_header(nl, nl->buf, nl->family, cmd, SYSANOM_GENL_VERSION,
			  flags);
}

/* A request in a caller's buffer, for one larger than nl->buf. */
struct nlmsghdr *sa_nl_request_in(struct sa_nl *nl, void *buf, uint8_t cmd,
				  uint16_t flags)
{
	return put_header(nl, buf, nl->family, cmd, SYSANOM_GENL_VERSION,
			  flags);
}

/* Send nlh and run every reply through cb until the ack or end of dump. */
int sa_nl_talk(struct sa_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
	       void *data)
{
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t len;
	int ret;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (len < 0)
			return -errno;
		ret = mnl_cb_run(nl->buf, len, seq, nl->portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

int sa_nl_join_alerts(struct sa_nl *nl)
{
	int grp = nl->alerts_group;

	if (!grp)
		return -EPROTO;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return -errno;
	return 0;
}

/* Wait for and handle one batch of unsolicited (multicast) messages. */
int sa_nl_recv(struct sa_nl *nl, mnl_cb_t cb, void *data)
{
	ssize_t len = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));

	if (len < 0)
		return -errno;
	if (mnl_cb_run(nl->buf, len, 0, 0, cb, data) < 0)
		return -errno;
	return 0;
}

const char *sa_nl_strerror(int err)
{
	switch (-err) {
	case EPERM:
	case EACCES:
		return "permission denied (CAP_NET_ADMIN is required)";
	case ENOENT:
		return "the sysanom module is not loaded";
	default:
		return strerror(-err);
	}
}
