// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family: the control interface for sysanomctl. The
 * commands and attributes are documented in include/uapi/linux/sysanom.h.
 */
#include <linux/cgroup.h>
#include <linux/limits.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <sysanom/profile_fmt.h>
#include <uapi/linux/sysanom.h>

#include "alert.h"
#include "netlink.h"
#include "profile.h"

static struct genl_family sysanom_family;

static const struct nla_policy sysanom_policy[SYSANOM_A_MAX + 1] = {
	[SYSANOM_A_CGROUP_ID] = { .type = NLA_U64 },
	[SYSANOM_A_MODE] = NLA_POLICY_RANGE(NLA_U32, SYSANOM_MODE_TRAINING,
					    SYSANOM_MODE_MAX),
	[SYSANOM_A_ACTION] = NLA_POLICY_RANGE(NLA_U32, SYSANOM_ACTION_LOG,
					      SYSANOM_ACTION_MAX),
	[SYSANOM_A_DETECTOR] = NLA_POLICY_RANGE(NLA_U32, SA_DET_STIDE,
						SA_DET_MAX),
	[SYSANOM_A_K] = NLA_POLICY_RANGE(NLA_U32, SA_K_MIN, SA_K_MAX),
	[SYSANOM_A_BAG] = NLA_POLICY_RANGE(NLA_U32, SA_BAG_MIN, SA_BAG_MAX),
	[SYSANOM_A_FRAME] = NLA_POLICY_RANGE(NLA_U32, 1, SA_FRAME_MAX),
	[SYSANOM_A_LFC_THRESHOLD] = NLA_POLICY_RANGE(NLA_U32, 1, SA_FRAME_MAX),
	[SYSANOM_A_EPOCH] = NLA_POLICY_MIN(NLA_U32, 1),
	[SYSANOM_A_EPOCH_THRESHOLD] = NLA_POLICY_MIN(NLA_U32, 1),
	[SYSANOM_A_COMBO_THRESHOLD] = NLA_POLICY_MIN(NLA_U32, 1),
	[SYSANOM_A_GROWTH_SHIFT] = NLA_POLICY_RANGE(NLA_U32, 4,
						    SA_GROWTH_SHIFT_MAX),
	[SYSANOM_A_MARGIN] = NLA_POLICY_MAX(NLA_U32, SA_MARGIN_MAX),
	[SYSANOM_A_STABLE_PPM] = { .type = NLA_U64 },
	[SYSANOM_A_STABLE_CHECKS] = { .type = NLA_U32 },
	[SYSANOM_A_ALERT_SEQ] = { .type = NLA_U64 },
	[SYSANOM_A_PROFILE_DATA] = { .type = NLA_BINARY },
};

static const struct genl_multicast_group sysanom_mcgrps[] = {
	{
		.name = SYSANOM_GENL_MCGRP_ALERTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static u32 sysanom_nl_u32(struct genl_info *info, int attr, u32 dflt)
{
	return info->attrs[attr] ? nla_get_u32(info->attrs[attr]) : dflt;
}

/* SET: what is given is applied under the profile's locks. */
static int sysanom_nl_set(struct sk_buff *skb, struct genl_info *info)
{
	static const int attrs[] = {
		SYSANOM_A_ACTION, SYSANOM_A_DETECTOR, SYSANOM_A_K,
		SYSANOM_A_BAG, SYSANOM_A_FRAME, SYSANOM_A_LFC_THRESHOLD,
		SYSANOM_A_EPOCH, SYSANOM_A_EPOCH_THRESHOLD,
		SYSANOM_A_COMBO_THRESHOLD, SYSANOM_A_GROWTH_SHIFT,
		SYSANOM_A_MARGIN, SYSANOM_A_STABLE_PPM,
		SYSANOM_A_STABLE_CHECKS,
	};
	struct sysanom_settings set = {};
	struct sa_params *pa = &set.params;
	int i, ret;

	if (GENL_REQ_ATTR_CHECK(info, SYSANOM_A_CGROUP_ID))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(attrs); i++)
		if (info->attrs[attrs[i]])
			set.present |= BIT_ULL(attrs[i]);
	set.action = sysanom_nl_u32(info, SYSANOM_A_ACTION, 0);
	pa->detector = sysanom_nl_u32(info, SYSANOM_A_DETECTOR, 0);
	pa->k = sysanom_nl_u32(info, SYSANOM_A_K, 0);
	pa->bag = sysanom_nl_u32(info, SYSANOM_A_BAG, 0);
	pa->frame = sysanom_nl_u32(info, SYSANOM_A_FRAME, 0);
	pa->lfc_threshold = sysanom_nl_u32(info, SYSANOM_A_LFC_THRESHOLD, 0);
	pa->epoch = sysanom_nl_u32(info, SYSANOM_A_EPOCH, 0);
	pa->epoch_threshold = sysanom_nl_u32(info, SYSANOM_A_EPOCH_THRESHOLD,
					     0);
	pa->combo_threshold = sysanom_nl_u32(info, SYSANOM_A_COMBO_THRESHOLD,
					     0);
	pa->growth_shift = sysanom_nl_u32(info, SYSANOM_A_GROWTH_SHIFT, 0);
	pa->margin = sysanom_nl_u32(info, SYSANOM_A_MARGIN, 0);
	if (info->attrs[SYSANOM_A_STABLE_PPM])
		set.stable_ppm = nla_get_u64(info->attrs[SYSANOM_A_STABLE_PPM]);
	set.stable_checks = sysanom_nl_u32(info, SYSANOM_A_STABLE_CHECKS, 0);
	ret = sysanom_profile_set(
		nla_get_u64(info->attrs[SYSANOM_A_CGROUP_ID]), &set);
	if (ret == -EINVAL)
		NL_SET_ERR_MSG(info->extack, "inconsistent detector parameters");
	return ret;
}

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

/* Thresholds, and how calibration set them. */
static int sysanom_nl_put_calib(struct sk_buff *skb,
				const struct sysanom_profile_info *pi)
{
	const struct sa_params *pa = &pi->params;

	if (nla_put_u32(skb, SYSANOM_A_FRAME, pa->frame) ||
	    nla_put_u32(skb, SYSANOM_A_LFC_THRESHOLD, pa->lfc_threshold) ||
	    nla_put_u32(skb, SYSANOM_A_EPOCH, pa->epoch) ||
	    nla_put_u32(skb, SYSANOM_A_EPOCH_THRESHOLD, pa->epoch_threshold) ||
	    nla_put_u32(skb, SYSANOM_A_COMBO_THRESHOLD, pa->combo_threshold) ||
	    nla_put_u32(skb, SYSANOM_A_GROWTH_SHIFT, pa->growth_shift) ||
	    nla_put_u32(skb, SYSANOM_A_MARGIN, pa->margin) ||
	    nla_put_u32(skb, SYSANOM_A_CALIBRATION, pi->calib_state) ||
	    nla_put_u32(skb, SYSANOM_A_OVERRIDDEN, pi->overridden) ||
	    nla_put_u64_64bit(skb, SYSANOM_A_CALIB_WINDOWS, pi->calib_windows,
			      SYSANOM_A_PAD) ||
	    nla_put_u32(skb, SYSANOM_A_CALIB_MAX_SCORE,
			min_t(u64, pi->calib_max[0], U32_MAX)) ||
	    nla_put_u32(skb, SYSANOM_A_CALIB_MAX_LFC,
			min_t(u64, pi->calib_max[1], U32_MAX)) ||
	    nla_put_u32(skb, SYSANOM_A_CALIB_MAX_EPOCH,
			min_t(u64, pi->calib_max[2], U32_MAX)) ||
	    nla_put_u8(skb, SYSANOM_A_CONVERGED, pi->converged) ||
	    nla_put_u64_64bit(skb, SYSANOM_A_ANOMALOUS_WINDOWS,
			      pi->anomalous_windows, SYSANOM_A_PAD) ||
	    nla_put_u64_64bit(skb, SYSANOM_A_ALLOWED, pi->allowed,
			      SYSANOM_A_PAD) ||
	    nla_put_u8(skb, SYSANOM_A_CALL_SETS, pi->calls_on) ||
	    nla_put_u32(skb, SYSANOM_A_CALL_PAIRS, pi->call_pairs))
		return -EMSGSIZE;
	return 0;
}

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
			      SYSANOM_A_PAD) ||
	    nla_put_u32(ctx->skb, SYSANOM_A_ACTION, pi->action) ||
	    nla_put_u32(ctx->skb, SYSANOM_A_DETECTOR, pi->params.detector) ||
	    nla_put_u32(ctx->skb, SYSANOM_A_K, pi->params.k) ||
	    nla_put_u32(ctx->skb, SYSANOM_A_BAG, pi->params.bag) ||
	    nla_put_u64_64bit(ctx->skb, SYSANOM_A_WINDOWS, pi->windows,
			      SYSANOM_A_PAD) ||
	    nla_put_u32(ctx->skb, SYSANOM_A_ENTRIES, pi->entries) ||
	    nla_put_u64_64bit(ctx->skb, SYSANOM_A_SLOPE_PPM, pi->slope_ppm,
			      SYSANOM_A_PAD) ||
	    nla_put_u64_64bit(ctx->skb, SYSANOM_A_MEM_BYTES, pi->bytes,
			      SYSANOM_A_PAD) ||
	    nla_put_u8(ctx->skb, SYSANOM_A_FULL, pi->full) ||
	    nla_put_u64_64bit(ctx->skb, SYSANOM_A_ALERTS, pi->alerts,
			      SYSANOM_A_PAD) ||
	    nla_put_u64_64bit(ctx->skb, SYSANOM_A_ALERTS_SUPPRESSED,
			      pi->alerts_suppressed, SYSANOM_A_PAD) ||
	    sysanom_nl_put_calib(ctx->skb, pi)) {
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

static int sysanom_nl_fill_alert(struct sk_buff *skb,
				 const struct sysanom_alert *a, char *path)
{
	struct cgroup *cgrp;

	path[0] = '\0';
	cgrp = cgroup_get_from_id(a->cgid);
	if (!IS_ERR_OR_NULL(cgrp)) {
		if (cgroup_path(cgrp, path, PATH_MAX) < 0)
			path[0] = '\0';
		cgroup_put(cgrp);
	}
	if (nla_put_u64_64bit(skb, SYSANOM_A_ALERT_SEQ, a->seq,
			      SYSANOM_A_PAD) ||
	    nla_put_u64_64bit(skb, SYSANOM_A_TIME_NS, a->time_ns,
			      SYSANOM_A_PAD) ||
	    nla_put_u64_64bit(skb, SYSANOM_A_CGROUP_ID, a->cgid,
			      SYSANOM_A_PAD) ||
	    nla_put_string(skb, SYSANOM_A_CGROUP_PATH, path) ||
	    nla_put_u32(skb, SYSANOM_A_PID, a->pid) ||
	    nla_put_u32(skb, SYSANOM_A_TID, a->tid) ||
	    nla_put_string(skb, SYSANOM_A_COMM, a->comm) ||
	    nla_put_u32(skb, SYSANOM_A_DETECTOR, a->detector) ||
	    nla_put_u32(skb, SYSANOM_A_SCORE, a->score) ||
	    nla_put(skb, SYSANOM_A_WINDOW, a->nwindow * sizeof(u16),
		    &a->ctx[0][SA_RING - a->nwindow]) ||
	    nla_put_u32(skb, SYSANOM_A_INCIDENT_WINDOWS, a->count) ||
	    nla_put_u64_64bit(skb, SYSANOM_A_LAST_TIME_NS, a->last_ns,
			      SYSANOM_A_PAD) ||
	    nla_put_u32(skb, SYSANOM_A_MAX_SCORE, a->max_score) ||
	    nla_put(skb, SYSANOM_A_CONTEXT, a->nctx * sizeof(a->ctx[0]),
		    a->ctx))
		return -EMSGSIZE;
	return 0;
}

/* Process context: one alert to the multicast group, if anyone listens. */
void sysanom_genl_alert(const struct sysanom_alert *a)
{
	struct sk_buff *skb;
	char *path;
	void *hdr;

	if (!genl_has_listeners(&sysanom_family, &init_net, 0))
		return;
	path = kmalloc(PATH_MAX, GFP_KERNEL);
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!path || !skb)
		goto out;
	hdr = genlmsg_put(skb, 0, 0, &sysanom_family, 0, SYSANOM_CMD_ALERT);
	if (!hdr || sysanom_nl_fill_alert(skb, a, path))
		goto out;
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&sysanom_family, skb, 0, 0, GFP_KERNEL);
	skb = NULL;
out:
	nlmsg_free(skb);
	kfree(path);
}

struct sysanom_alert_dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	char *path;
	u64 last_seq;
};

static int sysanom_nl_put_alert(const struct sysanom_alert *a, void *arg)
{
	struct sysanom_alert_dump_ctx *ctx = arg;
	void *hdr;

	hdr = genlmsg_put(ctx->skb, NETLINK_CB(ctx->cb->skb).portid,
			  ctx->cb->nlh->nlmsg_seq, &sysanom_family,
			  NLM_F_MULTI, SYSANOM_CMD_GET_ALERTS);
	if (!hdr)
		return -EMSGSIZE;
	if (sysanom_nl_fill_alert(ctx->skb, a, ctx->path)) {
		genlmsg_cancel(ctx->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(ctx->skb, hdr);
	ctx->last_seq = a->seq;
	return 0;
}

/*
 * Attribute @type of a dump's request, which genetlink validated against
 * the policy before the start callback. Found in the message itself: where
 * the parsed attributes hang off genl_dumpit_info changed in 6.6.
 */
static struct nlattr *sysanom_nl_dump_attr(struct netlink_callback *cb,
					   int type)
{
	return nlmsg_find_attr(cb->nlh, GENL_HDRLEN, type);
}

static int sysanom_nl_get_alerts_start(struct netlink_callback *cb)
{
	struct nlattr *seq = sysanom_nl_dump_attr(cb, SYSANOM_A_ALERT_SEQ);

	cb->args[0] = seq ? nla_get_u64(seq) : 0;
	return 0;
}

/* cb->args[0]: sequence of the last alert sent. */
static int sysanom_nl_get_alerts(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct sysanom_alert_dump_ctx ctx = {
		.skb = skb,
		.cb = cb,
		.last_seq = cb->args[0],
	};
	int ret;

	ctx.path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!ctx.path)
		return -ENOMEM;
	ret = sysanom_alert_walk(ctx.last_seq, sysanom_nl_put_alert, &ctx);
	kfree(ctx.path);
	if (ret == -EMSGSIZE && ctx.last_seq != cb->args[0])
		ret = 0;
	cb->args[0] = ctx.last_seq;
	return ret ? ret : skb->len;
}

/* Profiles larger than this are refused before any copy. */
static size_t sysanom_import_max(void)
{
	return min_t(size_t, sysanom_max_profile_bytes, SA_PROF_MAX_SIZE);
}

static int sysanom_nl_import(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *attr;
	size_t len = 0, off = 0;
	int rem, ret;
	u8 *buf;

	if (GENL_REQ_ATTR_CHECK(info, SYSANOM_A_CGROUP_ID) ||
	    GENL_REQ_ATTR_CHECK(info, SYSANOM_A_PROFILE_DATA))
		return -EINVAL;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) == SYSANOM_A_PROFILE_DATA)
			len += nla_len(attr);
	}
	if (len > sysanom_import_max()) {
		NL_SET_ERR_MSG(info->extack, "profile exceeds max_profile_bytes");
		return -ENOMEM;
	}
	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != SYSANOM_A_PROFILE_DATA)
			continue;
		memcpy(buf + off, nla_data(attr), nla_len(attr));
		off += nla_len(attr);
	}
	ret = sysanom_profile_import(
		nla_get_u64(info->attrs[SYSANOM_A_CGROUP_ID]), buf, len,
		sysanom_nl_u32(info, SYSANOM_A_MODE, SYSANOM_MODE_ENFORCING));
	kvfree(buf);
	if (ret == -EBADMSG)
		NL_SET_ERR_MSG(info->extack, "corrupt or truncated profile");
	else if (ret == -EPROTONOSUPPORT)
		NL_SET_ERR_MSG(info->extack, "profile of another system-call ABI");
	return ret;
}

/* cb->args: [0] the export buffer, [1] its length, [2] bytes sent. */
static int sysanom_nl_export_start(struct netlink_callback *cb)
{
	struct nlattr *id = sysanom_nl_dump_attr(cb, SYSANOM_A_CGROUP_ID);
	size_t len;
	void *buf;

	if (!id) {
		NL_SET_ERR_MSG(cb->extack, "missing cgroup id");
		return -EINVAL;
	}
	buf = sysanom_profile_export(nla_get_u64(id), &len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	cb->args[0] = (long)buf;
	cb->args[1] = len;
	cb->args[2] = 0;
	return 0;
}

static int sysanom_nl_export(struct sk_buff *skb, struct netlink_callback *cb)
{
	const u8 *buf = (const u8 *)cb->args[0];
	size_t len = cb->args[1], off = cb->args[2], piece;
	int room;
	void *hdr;

	while (off < len) {
		room = skb_tailroom(skb) - NLMSG_HDRLEN - GENL_HDRLEN -
		       NLA_HDRLEN - NLA_ALIGNTO * 2;
		if (room < 256)
			break;
		piece = min3(len - off, (size_t)room, (size_t)U16_MAX - NLA_HDRLEN);
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &sysanom_family,
				  NLM_F_MULTI, SYSANOM_CMD_EXPORT);
		if (!hdr)
			break;
		if (nla_put(skb, SYSANOM_A_PROFILE_DATA, piece, buf + off)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		off += piece;
	}
	cb->args[2] = off;
	return skb->len;
}

static int sysanom_nl_export_done(struct netlink_callback *cb)
{
	kvfree((void *)cb->args[0]);
	return 0;
}

/* ALLOW: the windows of an alert join its cgroup's profile. */
static int sysanom_nl_allow(struct sk_buff *skb, struct genl_info *info)
{
	struct sysanom_alert *a;
	struct sk_buff *msg;
	u32 added = 0;
	void *hdr;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, SYSANOM_A_ALERT_SEQ))
		return -EINVAL;
	a = kmalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	ret = sysanom_alert_get(nla_get_u64(info->attrs[SYSANOM_A_ALERT_SEQ]),
				a);
	if (ret) {
		NL_SET_ERR_MSG(info->extack, "no such alert in the log");
		goto out;
	}
	ret = sysanom_profile_allow(a, &added);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "the alert's cgroup is not monitored");
	if (ret)
		goto out;
	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &sysanom_family, 0,
				SYSANOM_CMD_ALLOW);
	if (!hdr || nla_put_u32(msg, SYSANOM_A_ENTRIES, added)) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	kfree(a);
	return ret;
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
	{
		.cmd = SYSANOM_CMD_SET,
		.doit = sysanom_nl_set,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = SYSANOM_CMD_IMPORT,
		.doit = sysanom_nl_import,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = SYSANOM_CMD_ALLOW,
		.doit = sysanom_nl_allow,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_ops sysanom_full_ops[] = {
	{
		.cmd = SYSANOM_CMD_GET_ALERTS,
		.start = sysanom_nl_get_alerts_start,
		.dumpit = sysanom_nl_get_alerts,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = SYSANOM_CMD_EXPORT,
		.start = sysanom_nl_export_start,
		.dumpit = sysanom_nl_export,
		.done = sysanom_nl_export_done,
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
	.ops = sysanom_full_ops,
	.n_ops = ARRAY_SIZE(sysanom_full_ops),
	.mcgrps = sysanom_mcgrps,
	.n_mcgrps = ARRAY_SIZE(sysanom_mcgrps),
};

int __init sysanom_genl_init(void)
{
	return genl_register_family(&sysanom_family);
}

void sysanom_genl_exit(void)
{
	genl_unregister_family(&sysanom_family);
}
