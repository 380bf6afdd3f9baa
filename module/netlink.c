// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family: the control interface for sysanomctl. The
 * commands and attributes are documented in include/uapi/linux/sysanom.h.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/sysanom.h>

#include "netlink.h"
#include "profile.h"

static struct genl_family sysanom_family;

static const struct nla_policy sysanom_policy[SYSANOM_A_MAX + 1] = {
	[SYSANOM_A_CGROUP_ID] = { .type = NLA_U64 },
	[SYSANOM_A_MODE] = NLA_POLICY_RANGE(NLA_U32, SYSANOM_MODE_TRAINING,
					    SYSANOM_MODE_MAX),
};

static int sysanom_nl_track(struct sk_buff *skb, struct genl_info *info)
{
	u32 mode = SYSANOM_MODE_TRAINING;

	if (GENL_REQ_ATTR_CHECK(info, SYSANOM_A_CGROUP_ID))
		return -EINVAL;
	if (info->attrs[SYSANOM_A_MODE])
		mode = nla_get_u32(info->attrs[SYSANOM_A_MODE]);
	return sysanom_profile_track(
		nla_get_u64(info->attrs[SYSANOM_A_CGROUP_ID]), mode);
}

static int sysanom_nl_untrack(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, SYSANOM_A_CGROUP_ID))
		return -EINVAL;
	return sysanom_profile_untrack(
		nla_get_u64(info->attrs[SYSANOM_A_CGROUP_ID]));
}

struct sysanom_dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u64 last_seq;
};

static int sysanom_nl_put_cgroup(const struct sysanom_profile_info *pi,
				 void *arg)
{
	struct sysanom_dump_ctx *ctx = arg;
	void *hdr;

	hdr = genlmsg_put(ctx->skb, NETLINK_CB(ctx->cb->skb).portid,
			  ctx->cb->nlh->nlmsg_seq, &sysanom_family,
			  NLM_F_MULTI, SYSANOM_CMD_GET_CGROUPS);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(ctx->skb, SYSANOM_A_CGROUP_ID, pi->cgid,
			      SYSANOM_A_PAD) ||
	    nla_put_string(ctx->skb, SYSANOM_A_CGROUP_PATH, pi->path) ||
	    nla_put_u32(ctx->skb, SYSANOM_A_MODE, pi->mode) ||
	    nla_put_u64_64bit(ctx->skb, SYSANOM_A_SYSCALLS,
			      pi->stats.syscalls, SYSANOM_A_PAD) ||
	    nla_put_u64_64bit(ctx->skb, SYSANOM_A_FORKS, pi->stats.forks,
			      SYSANOM_A_PAD) ||
	    nla_put_u64_64bit(ctx->skb, SYSANOM_A_EXECS, pi->stats.execs,
			      SYSANOM_A_PAD) ||
	    nla_put_u64_64bit(ctx->skb, SYSANOM_A_EXITS, pi->stats.exits,
			      SYSANOM_A_PAD)) {
		genlmsg_cancel(ctx->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(ctx->skb, hdr);
	ctx->last_seq = pi->seq;
	return 0;
}

/* cb->args[0]: tracking sequence of the last profile sent. */
static int sysanom_nl_get_cgroups(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct sysanom_dump_ctx ctx = {
		.skb = skb,
		.cb = cb,
		.last_seq = cb->args[0],
	};
	int ret;

	ret = sysanom_profile_walk(ctx.last_seq, sysanom_nl_put_cgroup, &ctx);
	/* A full buffer ends this part; the next resumes after last_seq. */
	if (ret == -EMSGSIZE && ctx.last_seq != cb->args[0])
		ret = 0;
	cb->args[0] = ctx.last_seq;
	return ret ? ret : skb->len;
}

static const struct genl_small_ops sysanom_ops[] = {
	{
		.cmd = SYSANOM_CMD_TRACK,
		.doit = sysanom_nl_track,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = SYSANOM_CMD_UNTRACK,
		.doit = sysanom_nl_untrack,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = SYSANOM_CMD_GET_CGROUPS,
		.dumpit = sysanom_nl_get_cgroups,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family sysanom_family __ro_after_init = {
	.name = SYSANOM_GENL_NAME,
	.version = SYSANOM_GENL_VERSION,
	.maxattr = SYSANOM_A_MAX,
	.policy = sysanom_policy,
	.module = THIS_MODULE,
	.small_ops = sysanom_ops,
	.n_small_ops = ARRAY_SIZE(sysanom_ops),
};

int __init sysanom_genl_init(void)
{
	return genl_register_family(&sysanom_family);
}

void sysanom_genl_exit(void)
{
	genl_unregister_family(&sysanom_family);
}
