// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: hostile generic netlink input for the "sysanom" family, run inside
 * the test guest. Plain sockets rather than libmnl: most of what it sends is
 * deliberately malformed, which a well-behaved library will not build.
 *
 *   nlfuzz fuzz [--seed N] [--iters N] [--real ID]... [--bogus ID]...
 *               [--expect ID:MODE]...
 *     1. targeted cases that must fail with a given error, aimed at tracked
 *        cgroups (--real) and at ids that are not cgroups (--bogus);
 *     2. N random messages (seeded): random commands, header versions and
 *        flags, random, unknown, duplicated, oversized and wrongly sized
 *        attributes, broken attribute and message lengths, truncated
 *        datagrams, several messages in one datagram; only bogus ids, so
 *        no doit request may succeed;
 *     3. dumps read halfway (or not at all), then the socket closed;
 *     4. a well-formed GET_CGROUPS dump that must list every --expect
 *        cgroup in its mode.
 *     With --profile FILE (a valid profile) and a kernel with
 *     SYSANOM_CMD_IMPORT: truncated, bit-flipped, padded and doubled profiles
 *     aimed at the first --real cgroup must be refused; mutations with a
 *     recomputed CRC go to the --scratch cgroup, which may accept them.
 *   nlfuzz unpriv [--real ID] [--userns]
 *     Drops to nobody (when run as root), then every command must fail with
 *     EPERM and joining the "alerts" group must fail; --userns first becomes
 *     root of a new user namespace (skipped when the kernel has none).
 *   nlfuzz status
 *     Print "ID MODE" per monitored cgroup (a well-formed dump).
 *   nlfuzz flood --profile FILE --out FILE [--count N] [--spread]
 *     Write a valid profile of N (100000) STIDE keys that all collide under
 *     an unkeyed multiplicative hash, with FILE's header (version 2 or 3); with
 *     --spread, as many keys that do not, to compare with.
 *   nlfuzz noise [--seed N] --iters SECONDS
 *     Harmless system calls in a random order for SECONDS: training traffic
 *     whose windows are nearly all new.
 *   nlfuzz setrace --real ID [--iters N]
 *     Concurrent SETs on one tracked (training) cgroup, each writer on a
 *     socket of its own: one raises epoch_threshold by 1, N times, one
 *     combo_threshold likewise, one sets k to 3, 4, ... 16, 3, ... (N/4
 *     times: a new k empties the sets). Meanwhile status dumps must never
 *     see a threshold go backwards, and at the end each setting must hold
 *     its writer's last value: a SET that edits a stale copy of the
 *     parameters loses the others' updates, and brings back an old k.
 *
 * Output: "NLFUZZ ..." lines, the last one "NLFUZZ RESULT ok|FAIL ...".
 * Exit 0 when every check held, 1 otherwise, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <uapi/linux/sysanom.h>

#define BUF_SIZE 65536
#define MAX_IDS 64
#define MAX_ERRNO 140
#define REPLY_TIMEOUT_MS 10000

struct nl {
	int fd;
	uint32_t seq;
	uint16_t family;
	uint32_t alerts_group;
};

struct expect {
	uint64_t id;
	uint32_t mode;
};

static struct {
	uint64_t sent, replies, acks_ok, no_reply, dumps_done;
	uint64_t unexpected_ok, wrong_errno, half_dumps;
	uint64_t errnos[MAX_ERRNO + 1];
	unsigned int failures;
} st;

static uint64_t real_ids[MAX_IDS], bogus_ids[MAX_IDS];
static unsigned int n_real, n_bogus;
static struct expect expects[MAX_IDS];
static unsigned char *profile;		/* a valid profile (--profile) */
static size_t profile_len;
static uint64_t scratch_id;		/* a tracked cgroup that may change */
static unsigned int n_expects;
static uint64_t rng_state = 0x5eed5a5a12345678ULL;
static __thread unsigned char buf[BUF_SIZE], rbuf[BUF_SIZE];	/* per thread: setrace */

static void failf(const char *fmt, ...)
{
	va_list ap;

	printf("NLFUZZ FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	st.failures++;
}

static void die(const char *what)
{
	printf("NLFUZZ RESULT FAIL %s: %s\n", what, strerror(errno));
	exit(1);
}

/* xorshift64*: small, seedable, the same sequence on every machine. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static void nl_open(struct nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		die("socket");
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	/* Extended acks: the kernel's message for a rejected attribute. */
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

/* Message builder over a caller's buffer. */
struct msg {
	unsigned char *b;
	size_t len;
};

static struct nlmsghdr *msg_start(struct msg *m, unsigned char *b,
				  uint16_t type, uint16_t flags, uint32_t seq,
				  uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)b;
	struct genlmsghdr *g = (struct genlmsghdr *)(b + NLMSG_HDRLEN);

	memset(b, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	g->cmd = cmd;
	g->version = version;
	m->b = b;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	nlh->nlmsg_len = m->len;
	return nlh;
}

/* An attribute with any header length (nla_len) and payload size. */
static void msg_put_raw(struct msg *m, uint16_t type, uint16_t nla_len,
			const void *data, size_t size)
{
	struct nlattr *a = (struct nlattr *)(m->b + m->len);
	size_t room = BUF_SIZE - m->len;

	if (room < NLA_HDRLEN + NLA_ALIGN(size))
		return;
	a->nla_type = type;
	a->nla_len = nla_len;
	if (size)
		memcpy(m->b + m->len + NLA_HDRLEN, data, size);
	memset(m->b + m->len + NLA_HDRLEN + size, 0,
	       NLA_ALIGN(size) - size);
	m->len += NLA_HDRLEN + NLA_ALIGN(size);
	((struct nlmsghdr *)m->b)->nlmsg_len = m->len;
}

static void msg_put(struct msg *m, uint16_t type, const void *data,
		    size_t size)
{
	msg_put_raw(m, type, NLA_HDRLEN + size, data, size);
}

static void msg_put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	msg_put(m, type, &v, sizeof(v));
}

static void msg_put_u64(struct msg *m, uint16_t type, uint64_t v)
{
	msg_put(m, type, &v, sizeof(v));
}

static int nl_send(struct nl *nl, const void *b, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	return sendto(nl->fd, b, len, 0, (struct sockaddr *)&sa, sizeof(sa));
}

/*
 * Read replies until an ack or error for seq (or NLMSG_DONE of a dump). Calls
 * fn on every data message for seq. Returns 0 or a positive errno from the
 * kernel, -ETIMEDOUT when nothing came, -EIO on a receive error.
 */
static int nl_wait(struct nl *nl, uint32_t seq, int timeout_ms,
		   void (*fn)(const struct nlmsghdr *, void *), void *arg)
{
	for (;;) {
		struct pollfd p = { .fd = nl->fd, .events = POLLIN };
		struct nlmsghdr *h;
		ssize_t n;

		if (poll(&p, 1, timeout_ms) <= 0)
			return -ETIMEDOUT;
		n = recv(nl->fd, rbuf, sizeof(rbuf), 0);
		if (n < 0)
			return errno == ENOBUFS ? -ENOBUFS : -EIO;
		for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;	/* a late reply to an earlier message */
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return -e->error;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (fn)
				fn(h, arg);
		}
	}
}

/* ---- family resolution through nlctrl ---- */

static void family_cb(const struct nlmsghdr *h, void *arg)
{
	struct nl *nl = arg;
	const struct nlattr *a;
	int len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	a = (const struct nlattr *)((const char *)NLMSG_DATA(h) + GENL_HDRLEN);
	for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			nl->family = *(const uint16_t *)((const char *)a + NLA_HDRLEN);
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS) {
			const struct nlattr *g = (const void *)((const char *)a + NLA_HDRLEN);
			int glen = a->nla_len - NLA_HDRLEN;

			for (; glen >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN &&
			       g->nla_len <= glen;
			     glen -= NLA_ALIGN(g->nla_len),
			     g = (const void *)((const char *)g + NLA_ALIGN(g->nla_len))) {
				const struct nlattr *x = (const void *)((const char *)g + NLA_HDRLEN);
				int xlen = g->nla_len - NLA_HDRLEN;
				uint32_t id = 0;
				bool alerts = false;

				for (; xlen >= NLA_HDRLEN && x->nla_len >= NLA_HDRLEN &&
				       x->nla_len <= xlen;
				     xlen -= NLA_ALIGN(x->nla_len),
				     x = (const void *)((const char *)x + NLA_ALIGN(x->nla_len))) {
					const char *d = (const char *)x + NLA_HDRLEN;

					if (x->nla_type == CTRL_ATTR_MCAST_GRP_ID)
						id = *(const uint32_t *)d;
					if (x->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
					    !strncmp(d, SYSANOM_GENL_MCGRP_ALERTS,
						     x->nla_len - NLA_HDRLEN))
						alerts = true;
				}
				if (alerts)
					nl->alerts_group = id;
			}
		}
	}
}

static int nl_resolve(struct nl *nl)
{
	unsigned char b[256];
	struct msg m;
	int ret;

	msg_start(&m, b, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, ++nl->seq,
		  CTRL_CMD_GETFAMILY, 1);
	msg_put(&m, CTRL_ATTR_FAMILY_NAME, SYSANOM_GENL_NAME,
		sizeof(SYSANOM_GENL_NAME));
	if (nl_send(nl, m.b, m.len) < 0)
		die("send GETFAMILY");
	ret = nl_wait(nl, nl->seq, REPLY_TIMEOUT_MS, family_cb, nl);
	if (ret)
		return ret;
	return nl->family ? 0 : ENOENT;
}

/* ---- a well-formed status dump ---- */

struct dump_list {
	unsigned int n;
	struct expect e[4096];
};

static void cgroup_cb(const struct nlmsghdr *h, void *arg)
{
	struct dump_list *l = arg;
	const struct nlattr *a;
	int len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	struct expect e = { 0, 0 };

	a = (const struct nlattr *)((const char *)NLMSG_DATA(h) + GENL_HDRLEN);
	for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		const void *d = (const char *)a + NLA_HDRLEN;

		if (a->nla_type == SYSANOM_A_CGROUP_ID)
			memcpy(&e.id, d, sizeof(e.id));
		if (a->nla_type == SYSANOM_A_MODE)
			memcpy(&e.mode, d, sizeof(e.mode));
	}
	if (l->n < sizeof(l->e) / sizeof(l->e[0]))
		l->e[l->n++] = e;
}

static int dump_cgroups(struct nl *nl, struct dump_list *l)
{
	unsigned char b[64];
	struct msg m;

	l->n = 0;
	msg_start(&m, b, nl->family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
		  ++nl->seq, SYSANOM_CMD_GET_CGROUPS, SYSANOM_GENL_VERSION);
	if (nl_send(nl, m.b, m.len) < 0)
		return errno;
	return nl_wait(nl, nl->seq, REPLY_TIMEOUT_MS, cgroup_cb, l);
}

static const char *mode_name(uint32_t mode)
{
	return mode == SYSANOM_MODE_TRAINING ? "training" :
	       mode == SYSANOM_MODE_ENFORCING ? "enforcing" : "unknown";
}

/* ---- targeted cases ---- */

/* Commands of the profile save/load interface, when the header has them. */
static bool is_new_cmd(unsigned int c)
{
#ifdef HAVE_IMPORT
	return c == SYSANOM_CMD_EXPORT || c == SYSANOM_CMD_IMPORT;
#else
	(void)c;
	return false;
#endif
}

static void count_reply(int ret)
{
	if (ret == -ETIMEDOUT) {
		st.no_reply++;
		return;
	}
	st.replies++;
	if (ret == 0)
		st.acks_ok++;
	else if (ret > 0 && ret <= MAX_ERRNO)
		st.errnos[ret]++;
}

/*
 * Send one request with NLM_F_ACK and read its answer: an ack or error, or a
 * dump's parts up to NLMSG_DONE. A NOOP with its own sequence number follows
 * it, so that a request the kernel drops silently (broken lengths) costs no
 * timeout: the NOOP's ack, with nothing seen for the request, ends the wait.
 * Returns 0, a positive errno from the kernel, or -ETIMEDOUT (no answer).
 */
static int send_and_wait(struct nl *nl, const void *b, size_t len,
			 uint32_t seq, bool dump)
{
	struct nlmsghdr sync = {
		.nlmsg_len = NLMSG_HDRLEN,
		.nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
	};
	bool got_any = false, synced = false;
	int ret = -ETIMEDOUT;

	(void)dump;	/* dumps and doits end the same way */
	st.sent++;
	if (nl_send(nl, b, len) < 0) {
		count_reply(-ETIMEDOUT);
		return -ETIMEDOUT;
	}
	sync.nlmsg_seq = ++nl->seq;
	if (nl_send(nl, &sync, sizeof(sync)) < 0)
		die("send NOOP");
	for (;;) {
		struct pollfd p = { .fd = nl->fd, .events = POLLIN };
		struct nlmsghdr *h;
		ssize_t n;

		if (poll(&p, 1, REPLY_TIMEOUT_MS) <= 0) {
			/* Lost in the middle: start again on a fresh socket. */
			close(nl->fd);
			nl_open(nl);
			break;
		}
		n = recv(nl->fd, rbuf, sizeof(rbuf), 0);
		if (n < 0) {
			if (errno == ENOBUFS)
				continue;
			die("recv");
		}
		for (h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq == sync.nlmsg_seq &&
			    h->nlmsg_type == NLMSG_ERROR) {
				synced = true;
			} else if (h->nlmsg_seq == seq) {
				got_any = true;
				if (h->nlmsg_type == NLMSG_ERROR) {
					ret = -((const struct nlmsgerr *)NLMSG_DATA(h))->error;
				} else if (h->nlmsg_type == NLMSG_DONE) {
					ret = 0;
				}
			}
		}
		if (synced && (!got_any || ret != -ETIMEDOUT))
			break;
	}
	count_reply(ret);
	return ret;
}

/* One targeted case: must fail with one of the errnos in want (0-ended). */
static void expect_fail(struct nl *nl, const char *what, struct msg *m,
			const int *want)
{
	uint32_t seq = ((struct nlmsghdr *)m->b)->nlmsg_seq;
	bool dump = ((struct nlmsghdr *)m->b)->nlmsg_flags & NLM_F_DUMP;
	int ret = send_and_wait(nl, m->b, m->len, seq, dump);
	const int *w;

	for (w = want; *w; w++)
		if (ret == *w)
			return;
	if (ret == 0) {
		st.unexpected_ok++;
		failf("%s: accepted, expected error %s", what, strerror(want[0]));
	} else if (ret == -ETIMEDOUT) {
		failf("%s: no answer, expected error %s", what, strerror(want[0]));
	} else {
		st.wrong_errno++;
		failf("%s: error %s (%d), expected %s", what,
		      ret > 0 ? strerror(ret) : "local", ret, strerror(want[0]));
	}
}

#define WANT(...) ((const int[]){ __VA_ARGS__, 0 })

static struct nlmsghdr *req(struct nl *nl, struct msg *m, uint8_t cmd)
{
	return msg_start(m, buf, nl->family, NLM_F_REQUEST | NLM_F_ACK,
			 ++nl->seq, cmd, SYSANOM_GENL_VERSION);
}

static void targeted(struct nl *nl)
{
	static const uint8_t doit_cmds[] = {
		SYSANOM_CMD_TRACK, SYSANOM_CMD_UNTRACK, SYSANOM_CMD_SET,
	};
	static unsigned char big[16384];
	unsigned int i, c;
	struct msg m;
	char what[128];

	memset(big, 'A', sizeof(big));
	for (c = 0; c < sizeof(doit_cmds); c++) {
		uint8_t cmd = doit_cmds[c];

		/* Missing the required cgroup id. */
		req(nl, &m, cmd);
		snprintf(what, sizeof(what), "cmd %u without a cgroup id", cmd);
		expect_fail(nl, what, &m, WANT(EINVAL));
		req(nl, &m, cmd);
		msg_put_u32(&m, SYSANOM_A_MODE, SYSANOM_MODE_TRAINING);
		expect_fail(nl, what, &m, WANT(EINVAL));
		/* Doit commands asked for a dump. */
		msg_start(&m, buf, nl->family,
			  NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, ++nl->seq,
			  cmd, SYSANOM_GENL_VERSION);
		snprintf(what, sizeof(what), "cmd %u as a dump", cmd);
		expect_fail(nl, what, &m, WANT(EOPNOTSUPP));
		for (i = 0; i < n_real; i++) {
			uint32_t id32 = (uint32_t)real_ids[i];

			/* Wrong sizes for the cgroup id of a tracked cgroup. */
			req(nl, &m, cmd);
			msg_put(&m, SYSANOM_A_CGROUP_ID, &id32, sizeof(id32));
			snprintf(what, sizeof(what), "cmd %u, 4-byte cgroup id %" PRIu64, cmd, real_ids[i]);
			expect_fail(nl, what, &m, WANT(EINVAL, ERANGE));
			req(nl, &m, cmd);
			msg_put(&m, SYSANOM_A_CGROUP_ID, big, 12);
			snprintf(what, sizeof(what), "cmd %u, 12-byte cgroup id", cmd);
			expect_fail(nl, what, &m, WANT(EINVAL, ERANGE));
			req(nl, &m, cmd);
			msg_put(&m, SYSANOM_A_CGROUP_ID, NULL, 0);
			snprintf(what, sizeof(what), "cmd %u, empty cgroup id", cmd);
			expect_fail(nl, what, &m, WANT(EINVAL, ERANGE));
			/* A valid id next to a bad attribute: nothing changes. */
			req(nl, &m, cmd);
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, real_ids[i]);
			msg_put_u32(&m, SYSANOM_A_MAX + 5, 1);
			snprintf(what, sizeof(what), "cmd %u, unknown attribute", cmd);
			expect_fail(nl, what, &m, WANT(EINVAL, EOPNOTSUPP));
			req(nl, &m, cmd);
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, real_ids[i]);
			msg_put(&m, SYSANOM_A_MODE, big, 2);
			snprintf(what, sizeof(what), "cmd %u, 2-byte mode", cmd);
			expect_fail(nl, what, &m, WANT(EINVAL, ERANGE));
			req(nl, &m, cmd);
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, real_ids[i]);
			msg_put(&m, SYSANOM_A_MODE, big, sizeof(big));
			snprintf(what, sizeof(what), "cmd %u, 16 KiB mode", cmd);
			expect_fail(nl, what, &m, WANT(EINVAL, ERANGE));
			req(nl, &m, cmd);
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, real_ids[i]);
			msg_put_u32(&m, SYSANOM_A_MODE | NLA_F_NESTED,
				    SYSANOM_MODE_ENFORCING);
			snprintf(what, sizeof(what), "cmd %u, mode flagged nested", cmd);
			expect_fail(nl, what, &m, WANT(EINVAL));
			req(nl, &m, cmd);
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, real_ids[i]);
			msg_put_u32(&m, SYSANOM_A_MODE, SYSANOM_MODE_MAX + 1);
			snprintf(what, sizeof(what), "cmd %u, mode out of range", cmd);
			expect_fail(nl, what, &m, WANT(EINVAL, ERANGE));
			req(nl, &m, cmd);
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, real_ids[i]);
			msg_put_u32(&m, SYSANOM_A_MODE, 0);
			snprintf(what, sizeof(what), "cmd %u, mode 0", cmd);
			expect_fail(nl, what, &m, WANT(EINVAL, ERANGE));
			req(nl, &m, cmd);
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, real_ids[i]);
			msg_put_raw(&m, SYSANOM_A_MODE, 200, big, 4);
			snprintf(what, sizeof(what), "cmd %u, attribute longer than the message", cmd);
			expect_fail(nl, what, &m, WANT(EINVAL, ERANGE));
			req(nl, &m, cmd);
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, real_ids[i]);
			msg_put_raw(&m, SYSANOM_A_MODE, 2, big, 4);
			snprintf(what, sizeof(what), "cmd %u, attribute length under its header", cmd);
			expect_fail(nl, what, &m, WANT(EINVAL, ERANGE));
		}
		for (i = 0; i < n_bogus; i++) {
			req(nl, &m, cmd);
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, bogus_ids[i]);
			snprintf(what, sizeof(what), "cmd %u on bogus target %" PRIu64, cmd, bogus_ids[i]);
			expect_fail(nl, what, &m, WANT(ENOENT, EINVAL));
			/* Duplicated ids: the bogus one last. */
			req(nl, &m, cmd);
			if (n_real)
				msg_put_u64(&m, SYSANOM_A_CGROUP_ID, real_ids[0]);
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, bogus_ids[i]);
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, bogus_ids[i]);
			snprintf(what, sizeof(what), "cmd %u, duplicated ids ending bogus %" PRIu64, cmd, bogus_ids[i]);
			expect_fail(nl, what, &m, WANT(ENOENT, EINVAL));
		}
	}
	/* SET: values out of their documented ranges, on a tracked cgroup. */
	for (i = 0; i < n_real; i++) {
		static const struct { uint16_t attr; uint32_t v; } bad[] = {
			{ SYSANOM_A_K, 2 }, { SYSANOM_A_K, 17 }, { SYSANOM_A_K, 0xffffffff },
			{ SYSANOM_A_BAG, 1 }, { SYSANOM_A_BAG, 17 },
			{ SYSANOM_A_FRAME, 0 }, { SYSANOM_A_FRAME, 65 },
			{ SYSANOM_A_LFC_THRESHOLD, 0 }, { SYSANOM_A_LFC_THRESHOLD, 65 },
			{ SYSANOM_A_EPOCH, 0 }, { SYSANOM_A_EPOCH_THRESHOLD, 0 },
			{ SYSANOM_A_COMBO_THRESHOLD, 0 },
			{ SYSANOM_A_DETECTOR, 0 }, { SYSANOM_A_DETECTOR, 4 },
			{ SYSANOM_A_ACTION, 0 }, { SYSANOM_A_ACTION, 3 },
		};
		unsigned int j;

		for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
			req(nl, &m, SYSANOM_CMD_SET);
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, real_ids[i]);
			msg_put_u32(&m, bad[j].attr, bad[j].v);
			snprintf(what, sizeof(what), "SET attr %u = %u", bad[j].attr, bad[j].v);
			expect_fail(nl, what, &m, WANT(EINVAL, ERANGE));
		}
		/* Consistent alone, inconsistent together: threshold > frame. */
		req(nl, &m, SYSANOM_CMD_SET);
		msg_put_u64(&m, SYSANOM_A_CGROUP_ID, real_ids[i]);
		msg_put_u32(&m, SYSANOM_A_FRAME, 4);
		msg_put_u32(&m, SYSANOM_A_LFC_THRESHOLD, 9);
		expect_fail(nl, "SET lfc threshold above the frame", &m, WANT(EINVAL));
		/* Read-only status attributes are not settings. */
		req(nl, &m, SYSANOM_CMD_SET);
		msg_put_u64(&m, SYSANOM_A_CGROUP_ID, real_ids[i]);
		msg_put_u32(&m, SYSANOM_A_FRAME, 0);
		msg_put(&m, SYSANOM_A_WINDOW, big, 1000);
		expect_fail(nl, "SET with a status attribute and a bad frame", &m,
			    WANT(EINVAL, ERANGE));
	}
	/* Dumps with malformed attributes. */
	msg_start(&m, buf, nl->family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
		  ++nl->seq, SYSANOM_CMD_GET_ALERTS, SYSANOM_GENL_VERSION);
	msg_put_u32(&m, SYSANOM_A_ALERT_SEQ, 1);
	expect_fail(nl, "GET_ALERTS with a 4-byte seq", &m, WANT(EINVAL, ERANGE));
	msg_start(&m, buf, nl->family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
		  ++nl->seq, SYSANOM_CMD_GET_CGROUPS, SYSANOM_GENL_VERSION);
	msg_put_u32(&m, SYSANOM_A_MAX + 1, 1);
	expect_fail(nl, "GET_CGROUPS with an unknown attribute", &m, WANT(EINVAL));
	/* Commands the family does not have, or has only for the kernel. */
	for (c = 0; c < 256; c += (c < 12 ? 1 : 37)) {
		if (c == SYSANOM_CMD_TRACK || c == SYSANOM_CMD_UNTRACK ||
		    c == SYSANOM_CMD_SET || c == SYSANOM_CMD_GET_CGROUPS ||
		    c == SYSANOM_CMD_GET_ALERTS || c == SYSANOM_CMD_ALLOW ||
		    is_new_cmd(c))
			continue;
		req(nl, &m, c);
		if (n_real)
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, real_ids[0]);
		snprintf(what, sizeof(what), "unknown command %u", c);
		expect_fail(nl, what, &m, WANT(EOPNOTSUPP));
		msg_start(&m, buf, nl->family,
			  NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, ++nl->seq, c,
			  SYSANOM_GENL_VERSION);
		snprintf(what, sizeof(what), "unknown command %u as a dump", c);
		expect_fail(nl, what, &m, WANT(EOPNOTSUPP));
	}
	/* A message shorter than the generic netlink header. */
	msg_start(&m, buf, nl->family, NLM_F_REQUEST | NLM_F_ACK, ++nl->seq,
		  SYSANOM_CMD_TRACK, SYSANOM_GENL_VERSION);
	((struct nlmsghdr *)buf)->nlmsg_len = NLMSG_HDRLEN + 2;
	m.len = NLMSG_HDRLEN + 2;
	expect_fail(nl, "message shorter than the genl header", &m, WANT(EINVAL));
}


#ifdef HAVE_IMPORT
/* CRC-32 (IEEE), as include/sysanom/profile_fmt.h uses over the file. */
static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffff;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320 : c >> 1;
	}
	return ~c;
}

#define PROF_CRC_OFF 60
#define PIECE 65000

static void put_profile(struct msg *m, const unsigned char *p, size_t n)
{
	size_t off;

	if (!n)
		msg_put(m, SYSANOM_A_PROFILE_DATA, NULL, 0);
	for (off = 0; off < n; off += PIECE)
		msg_put(m, SYSANOM_A_PROFILE_DATA, p + off,
			n - off < PIECE ? n - off : PIECE);
}

/*
 * Corrupt and truncated profiles. Aimed at a tracked cgroup they must be
 * refused (the CRC catches flips, the size catches cuts) and leave its profile
 * alone. Mutations with a recomputed CRC go to the scratch cgroup: the kernel's
 * parser sees them, and may accept whatever is still a valid profile.
 */
static void import_cases(struct nl *nl)
{
	static unsigned char mut[1 << 20];
	size_t cuts[] = { 0, 1, 8, 16, 63, 64, 65, profile_len / 2,
			  profile_len - 4, profile_len - 1 };
	unsigned int i, j;
	struct msg m;
	char what[128];
	uint64_t target = n_real ? real_ids[0] : 0;

	if (!profile || profile_len > sizeof(mut) || profile_len < 68)
		return;
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]) && target; i++) {
		req(nl, &m, SYSANOM_CMD_IMPORT);
		msg_put_u64(&m, SYSANOM_A_CGROUP_ID, target);
		put_profile(&m, profile, cuts[i]);
		snprintf(what, sizeof(what), "IMPORT truncated to %zu of %zu bytes", cuts[i], profile_len);
		expect_fail(nl, what, &m, WANT(EBADMSG, EINVAL));
	}
	for (i = 0; i < 24 && target; i++) {
		size_t off = i < 8 ? i * 8 : rnd_below(profile_len);

		memcpy(mut, profile, profile_len);
		mut[off] ^= 1u << rnd_below(8);
		req(nl, &m, SYSANOM_CMD_IMPORT);
		msg_put_u64(&m, SYSANOM_A_CGROUP_ID, target);
		put_profile(&m, mut, profile_len);
		snprintf(what, sizeof(what), "IMPORT with a flipped bit at %zu", off);
		expect_fail(nl, what, &m, WANT(EBADMSG, EPROTONOSUPPORT));
	}
	if (target) {
		/* A valid profile with garbage appended, and twice over. */
		memcpy(mut, profile, profile_len);
		memset(mut + profile_len, 0x5a, 100);
		req(nl, &m, SYSANOM_CMD_IMPORT);
		msg_put_u64(&m, SYSANOM_A_CGROUP_ID, target);
		put_profile(&m, mut, profile_len + 100);
		expect_fail(nl, "IMPORT with trailing garbage", &m, WANT(EBADMSG));
		req(nl, &m, SYSANOM_CMD_IMPORT);
		msg_put_u64(&m, SYSANOM_A_CGROUP_ID, target);
		put_profile(&m, profile, profile_len);
		put_profile(&m, profile, profile_len);
		expect_fail(nl, "IMPORT of a profile twice over", &m, WANT(EBADMSG));
		/* A valid profile but a bad mode, an unknown attribute. */
		req(nl, &m, SYSANOM_CMD_IMPORT);
		msg_put_u64(&m, SYSANOM_A_CGROUP_ID, target);
		msg_put_u32(&m, SYSANOM_A_MODE, 7);
		put_profile(&m, profile, profile_len);
		expect_fail(nl, "IMPORT with mode 7", &m, WANT(EINVAL, ERANGE));
		req(nl, &m, SYSANOM_CMD_IMPORT);
		msg_put_u64(&m, SYSANOM_A_CGROUP_ID, target);
		msg_put_u32(&m, SYSANOM_A_MAX + 3, 0);
		put_profile(&m, profile, profile_len);
		expect_fail(nl, "IMPORT with an unknown attribute", &m, WANT(EINVAL));
		req(nl, &m, SYSANOM_CMD_IMPORT);
		msg_put_u64(&m, SYSANOM_A_CGROUP_ID, target);
		expect_fail(nl, "IMPORT without data", &m, WANT(EINVAL, EBADMSG));
	}
	for (i = 0; i < n_bogus; i++) {
		req(nl, &m, SYSANOM_CMD_IMPORT);
		msg_put_u64(&m, SYSANOM_A_CGROUP_ID, bogus_ids[i]);
		put_profile(&m, profile, profile_len);
		snprintf(what, sizeof(what), "IMPORT onto bogus target %" PRIu64, bogus_ids[i]);
		expect_fail(nl, what, &m, WANT(ENOENT, EINVAL));
	}
	if (!scratch_id)
		return;
	/* Structure-aware: mutate, then fix the CRC so the parser runs. */
	for (i = 0; i < 200; i++) {
		uint32_t crc;
		size_t len = profile_len;
		int ret, flips = 1 + rnd_below(4);

		memcpy(mut, profile, profile_len);
		for (j = 0; j < (unsigned int)flips; j++) {
			size_t off = rnd_below(2) ? rnd_below(PROF_CRC_OFF + 8) :
						    rnd_below(profile_len);

			if (rnd_below(3))
				mut[off] ^= 1u << rnd_below(8);
			else
				mut[off] = (unsigned char)rnd();
		}
		if (!rnd_below(5))
			len = 68 + rnd_below(profile_len - 68);
		memset(mut + PROF_CRC_OFF, 0, 4);
		crc = crc32_ieee(mut, len);
		memcpy(mut + PROF_CRC_OFF, &crc, 4);
		req(nl, &m, SYSANOM_CMD_IMPORT);
		msg_put_u64(&m, SYSANOM_A_CGROUP_ID, scratch_id);
		msg_put_u32(&m, SYSANOM_A_MODE, SYSANOM_MODE_ENFORCING);
		put_profile(&m, mut, len);
		ret = send_and_wait(nl, m.b, m.len, ((struct nlmsghdr *)m.b)->nlmsg_seq, false);
		if (ret != 0 && ret != EBADMSG && ret != EPROTONOSUPPORT &&
		    ret != ENOMEM && ret != EINVAL) {
			st.wrong_errno++;
			failf("IMPORT of CRC-fixed mutation %u: %s (%d)", i,
			      ret > 0 ? strerror(ret) : "no answer", ret);
		}
	}
}

/*
 * A valid profile whose @n STIDE keys b * 0xa8a2288097 all land in one
 * slot under the unkeyed multiplier the sets used (see tests/core's
 * test_hashset_flood), and no call sets; its header otherwise that of
 * --profile (version 2 or 3).
 */
static int write_flood(const char *out, uint32_t n, bool spread)
{
	const uint64_t m = 0xa8a2288097ULL;
	size_t len = 96 + (size_t)9 * n;
	unsigned char *p = calloc(1, len);
	uint64_t w = n;
	uint32_t b, zero = 0, crc;
	FILE *f;

	if (!p || !profile || profile_len < 96 || profile[8] < 2)
		return 1;
	memcpy(p, profile, 96);
	memcpy(p + 32, &n, 4);
	memcpy(p + 36, &zero, 4);
	p[68] = 0;	/* version 3: no call sets */
	memcpy(p + 92, &zero, 4);
	memcpy(p + 40, &w, 8);
	memset(p + 48, 0, 16);	/* growth origin, CRC */
	for (b = 1; b <= n; b++) {
		/* --spread: as many keys, spread by an odd multiplier. */
		uint64_t key = spread ? (uint64_t)b * 0xd6e8feb86659fd93ULL : m * b;

		memcpy(p + 96 + (size_t)9 * (b - 1), &key, 8);
		p[96 + (size_t)9 * (b - 1) + 8] = 1;
	}
	crc = crc32_ieee(p, len);
	memcpy(p + PROF_CRC_OFF, &crc, 4);
	f = fopen(out, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f))
		return 1;
	free(p);
	return 0;
}
#else
static int write_flood(const char *out, uint32_t n, bool spread)
{
	(void)out;
	(void)n;
	(void)spread;
	return 1;
}

static void import_cases(struct nl *nl)
{
	(void)nl;
	if (profile)
		printf("NLFUZZ SKIP --profile: built without SYSANOM_CMD_IMPORT\n");
}
#endif

/* ---- random messages ---- */

static const uint8_t sane_cmds[] = {
	SYSANOM_CMD_TRACK, SYSANOM_CMD_UNTRACK, SYSANOM_CMD_GET_CGROUPS,
	SYSANOM_CMD_SET, SYSANOM_CMD_GET_ALERTS,
};

static uint64_t random_bogus_id(void)
{
	static const uint64_t fixed[] = {
		0, 1, ~0ULL, 1ULL << 63, (1ULL << 32) - 1, 0xdeadbeefcafeULL,
	};

	if (n_bogus && rnd_below(2))
		return bogus_ids[rnd_below(n_bogus)];
	if (rnd_below(2))
		return fixed[rnd_below(sizeof(fixed) / sizeof(fixed[0]))];
	return rnd() | (1ULL << 62);	/* never a live cgroup's id */
}

static void random_payload(unsigned char *p, size_t n)
{
	size_t i;
	int style = rnd_below(4);

	for (i = 0; i < n; i++)
		p[i] = style == 0 ? 0 : style == 1 ? 0xff : (unsigned char)rnd();
}

/* Fill buf with one random message; returns its length to send. */
static size_t random_message(struct nl *nl, uint32_t *seq, bool *dump)
{
	static unsigned char payload[70000];
	struct nlmsghdr *nlh;
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	uint8_t cmd, version = SYSANOM_GENL_VERSION;
	unsigned int nattrs, i;
	struct msg m;
	size_t len;

	cmd = rnd_below(8) ? sane_cmds[rnd_below(sizeof(sane_cmds))] :
			     (uint8_t)rnd();
	if (cmd == SYSANOM_CMD_GET_CGROUPS || cmd == SYSANOM_CMD_GET_ALERTS ||
	    !rnd_below(10))
		flags |= NLM_F_DUMP;
	if (!rnd_below(10))
		flags |= (uint16_t)rnd() & ~NLM_F_DUMP;	/* random flag bits */
	if (!rnd_below(10))
		version = (uint8_t)rnd();
	*seq = ++nl->seq;
	nlh = msg_start(&m, buf, nl->family, flags, *seq, cmd, version);
	if (!rnd_below(20))
		((struct genlmsghdr *)NLMSG_DATA(nlh))->reserved = (uint16_t)rnd();

	nattrs = rnd_below(7);
	for (i = 0; i < nattrs; i++) {
		uint16_t type;
		size_t size;
		int kind = rnd_below(10);

		type = rnd_below(6) ? rnd_below(SYSANOM_A_MAX + 4) :
				       (uint16_t)rnd() & 0x7fff;
		if (!rnd_below(15))
			type |= rnd_below(2) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
		if (kind < 3 || type == SYSANOM_A_CGROUP_ID) {
			/* Well-formed u64 or u32 with a hostile value. */
			uint64_t v = type == SYSANOM_A_CGROUP_ID ?
				     random_bogus_id() : rnd() >> rnd_below(64);

			if (rnd_below(4))
				msg_put_u64(&m, type, v);
			else
				msg_put_u32(&m, type, (uint32_t)v);
		} else if (kind < 7) {
			static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 64, 255 };

			size = sizes[rnd_below(sizeof(sizes) / sizeof(sizes[0]))];
			random_payload(payload, size);
			msg_put(&m, type, payload, size);
		} else if (kind < 8) {
			/* Oversized: up to the 16-bit attribute length limit. */
			size = 1000 + rnd_below(64000);
			random_payload(payload, size);
			msg_put(&m, type, payload, size);
		} else if (kind < 9) {
			/* nla_len disagreeing with what follows. */
			size = rnd_below(32);
			random_payload(payload, size);
			msg_put_raw(&m, type, (uint16_t)rnd(), payload, size);
		} else {
			/* The previous attribute again (a duplicate). */
			if (m.len > NLMSG_HDRLEN + GENL_HDRLEN) {
				struct nlattr *a = (struct nlattr *)(buf + NLMSG_HDRLEN + GENL_HDRLEN);

				if (a->nla_len >= NLA_HDRLEN && a->nla_len < 256)
					msg_put_raw(&m, a->nla_type, a->nla_len,
						    (char *)a + NLA_HDRLEN,
						    a->nla_len - NLA_HDRLEN);
			}
		}
	}
	len = m.len;
	switch (rnd_below(12)) {
	case 0:		/* truncated datagram: nlmsg_len promises more */
		len = rnd_below(len + 1);
		break;
	case 1:		/* nlmsg_len smaller than what is sent */
		nlh->nlmsg_len = rnd_below(nlh->nlmsg_len + 1);
		break;
	case 2:		/* trailing garbage after the message */
		if (len + 64 <= BUF_SIZE) {
			random_payload(buf + len, 64);
			len += 64;
		}
		break;
	case 3:		/* a wrong family: nlctrl, or an unused id */
		nlh->nlmsg_type = rnd_below(2) ? GENL_ID_CTRL : 0x7ff0;
		flags &= ~NLM_F_DUMP;
		nlh->nlmsg_flags = flags;
		break;
	}
	*dump = flags & NLM_F_DUMP;
	return len;
}

static void fuzz(struct nl *nl, unsigned long iters)
{
	unsigned long i;

	for (i = 0; i < iters; i++) {
		uint32_t seq;
		bool dump;
		size_t len = random_message(nl, &seq, &dump);
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		uint8_t cmd = ((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd;
		int ret;

		ret = send_and_wait(nl, buf, len, seq, dump);
		/* Only bogus ids: a doit of ours can never succeed. */
		if (ret == 0 && !dump && nlh->nlmsg_type == nl->family &&
		    (nlh->nlmsg_flags & NLM_F_REQUEST) &&
		    len >= NLMSG_HDRLEN + GENL_HDRLEN &&
		    nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN &&
		    nlh->nlmsg_len <= len &&
		    (cmd == SYSANOM_CMD_TRACK || cmd == SYSANOM_CMD_UNTRACK ||
		     cmd == SYSANOM_CMD_SET)) {
			st.unexpected_ok++;
			failf("random message %lu (cmd %u, %zu bytes) was accepted", i, cmd, len);
		}
		if (ret < 0 && ret != -ETIMEDOUT && ret != -ENOBUFS && ret != -EINVAL &&
		    ret != -EMSGSIZE && ret != -EFAULT && ret != -ENOENT)
			failf("random message %lu: local error %s", i, strerror(-ret));
	}
}

/* Dumps that nobody finishes reading: the socket closes midway. */
static void half_dumps(struct nl *nl, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct nl d = { .family = nl->family };
		unsigned char b[64];
		struct msg m;
		uint8_t cmd = i % 2 ? SYSANOM_CMD_GET_ALERTS : SYSANOM_CMD_GET_CGROUPS;
		char small[i % 3 ? 512 : 32];

		nl_open(&d);
		if (i % 4 == 0) {
			int sz = 1024;	/* tiny receive buffer: parts overrun */

			setsockopt(d.fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		}
		msg_start(&m, b, d.family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
			  ++d.seq, cmd, SYSANOM_GENL_VERSION);
		if (cmd == SYSANOM_CMD_GET_ALERTS && i % 3)
			msg_put_u64(&m, SYSANOM_A_ALERT_SEQ, i);
		st.sent++;
		if (nl_send(&d, m.b, m.len) < 0)
			failf("half dump %u: send: %s", i, strerror(errno));
		/* Read nothing, one truncated part, or one or two parts. */
		if (i % 5 != 0)
			(void)recv(d.fd, small, sizeof(small), MSG_DONTWAIT);
		if (i % 5 == 3)
			(void)recv(d.fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		close(d.fd);
		st.half_dumps++;
	}
}

static int check_expects(struct nl *nl)
{
	static struct dump_list l;
	unsigned int i, j;
	int ret;

	ret = dump_cgroups(nl, &l);
	if (ret) {
		failf("well-formed status dump failed: %s", strerror(ret < 0 ? -ret : ret));
		return -1;
	}
	printf("NLFUZZ status dump lists %u cgroup(s)\n", l.n);
	for (i = 0; i < n_expects; i++) {
		for (j = 0; j < l.n; j++)
			if (l.e[j].id == expects[i].id)
				break;
		if (j == l.n)
			failf("cgroup %" PRIu64 " is no longer listed", expects[i].id);
		else if (l.e[j].mode != expects[i].mode)
			failf("cgroup %" PRIu64 " is %s, was %s", expects[i].id,
			      mode_name(l.e[j].mode), mode_name(expects[i].mode));
	}
	return 0;
}

static void print_counts(const char *what)
{
	unsigned int e;

	printf("NLFUZZ %s sent=%" PRIu64 " replies=%" PRIu64 " ok=%" PRIu64
	       " no_reply=%" PRIu64 " half_dumps=%" PRIu64
	       " unexpected_ok=%" PRIu64 " wrong_errno=%" PRIu64 " errors:",
	       what, st.sent, st.replies, st.acks_ok, st.no_reply,
	       st.half_dumps, st.unexpected_ok, st.wrong_errno);
	for (e = 1; e <= MAX_ERRNO; e++)
		if (st.errnos[e])
			printf(" %s=%" PRIu64, strerrorname_np(e) ? strerrorname_np(e) : "?",
			       st.errnos[e]);
	putchar('\n');
}

/* ---- unprivileged ---- */

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static int unpriv(bool userns)
{
	struct nl nl = { 0 };
	struct msg m;
	uint64_t id = n_real ? real_ids[0] : 2;
	unsigned int cmd;
	int ret;

	if (getuid() == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			die("dropping to nobody");
		/* setuid() made /proc/self root's: own it again for the maps. */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	}
	if (userns) {
		char map[64];

		if (unshare(CLONE_NEWUSER) < 0) {
			printf("NLFUZZ SKIP user namespace: %s\n", strerror(errno));
			printf("NLFUZZ RESULT ok (skipped)\n");
			return 0;
		}
		write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 65534 1");
		if (write_file("/proc/self/uid_map", map) ||
		    write_file("/proc/self/gid_map", map))
			die("writing the user namespace's id maps");
		if (setuid(0) || setgid(0))
			die("becoming root of the user namespace");
	}
	printf("NLFUZZ unprivileged: uid %u euid %u%s\n", getuid(), geteuid(),
	       userns ? " (root of a new user namespace)" : "");
	nl_open(&nl);
	ret = nl_resolve(&nl);
	if (ret) {
		printf("NLFUZZ RESULT FAIL resolving the family: %s\n", strerror(ret));
		return 1;
	}
	for (cmd = SYSANOM_CMD_TRACK; cmd <= SYSANOM_CMD_MAX; cmd++) {
		bool dump = cmd == SYSANOM_CMD_GET_CGROUPS ||
			    cmd == SYSANOM_CMD_GET_ALERTS;

		if (cmd == SYSANOM_CMD_ALERT)
			continue;	/* multicast only */
#ifdef HAVE_IMPORT
		dump = dump || cmd == SYSANOM_CMD_EXPORT;
#endif
		char what[64];

		msg_start(&m, buf, nl.family,
			  NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0),
			  ++nl.seq, cmd, SYSANOM_GENL_VERSION);
		if (!dump) {
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, id);
			if (cmd == SYSANOM_CMD_TRACK)
				msg_put_u32(&m, SYSANOM_A_MODE, SYSANOM_MODE_ENFORCING);
			if (cmd == SYSANOM_CMD_SET)
				msg_put_u32(&m, SYSANOM_A_ACTION, SYSANOM_ACTION_KILL);
			if (profile && is_new_cmd(cmd))
				msg_put(&m, SYSANOM_A_PROFILE_DATA, profile, profile_len);
		} else if (is_new_cmd(cmd)) {
			msg_put_u64(&m, SYSANOM_A_CGROUP_ID, id);
		}
		snprintf(what, sizeof(what), "unprivileged command %u", cmd);
		expect_fail(&nl, what, &m, WANT(EPERM));
		/* A dump request without NLM_F_DUMP, a doit with it. */
		msg_start(&m, buf, nl.family,
			  NLM_F_REQUEST | NLM_F_ACK | (dump ? 0 : NLM_F_DUMP),
			  ++nl.seq, cmd, SYSANOM_GENL_VERSION);
		snprintf(what, sizeof(what), "unprivileged command %u, flipped dump flag", cmd);
		expect_fail(&nl, what, &m, WANT(EPERM, EOPNOTSUPP));
	}
	printf("NLFUZZ alerts multicast group id %u\n", nl.alerts_group);
	if (!nl.alerts_group) {
		failf("the family has no \"%s\" multicast group", SYSANOM_GENL_MCGRP_ALERTS);
	} else {
		uint32_t g = nl.alerts_group;

		if (setsockopt(nl.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g,
			       sizeof(g)) == 0)
			failf("an unprivileged user joined the alerts group");
		else if (errno != EPERM)
			failf("joining the alerts group: %s, expected EPERM", strerror(errno));
		else
			printf("NLFUZZ NETLINK_ADD_MEMBERSHIP alerts: EPERM\n");
		if (g <= 32) {
			struct nl b = { 0 };
			struct sockaddr_nl sa = {
				.nl_family = AF_NETLINK,
				.nl_groups = 1U << (g - 1),
			};

			b.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
			if (b.fd >= 0 && bind(b.fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
				failf("an unprivileged bind() joined the alerts group");
			else
				printf("NLFUZZ bind() to the alerts group: %s\n", strerror(errno));
			if (b.fd >= 0)
				close(b.fd);
		}
	}
	print_counts("unpriv");
	if (st.failures) {
		printf("NLFUZZ RESULT FAIL %u check(s)\n", st.failures);
		return 1;
	}
	printf("NLFUZZ RESULT ok\n");
	return 0;
}

/*
 * Training traffic no workload makes: harmless calls in a random order, so
 * that nearly every window is new. Runs for @seconds.
 */
static int noise(unsigned long seconds)
{
	static const long calls[] = {
		SYS_getpid, SYS_getppid, SYS_getuid, SYS_geteuid, SYS_getgid,
		SYS_getegid, SYS_gettid, SYS_getpgrp, SYS_getsid, SYS_sched_yield,
		SYS_getrlimit, SYS_getcwd, SYS_umask, SYS_uname, SYS_times,
		SYS_getpriority,
	};
	time_t end = time(NULL) + (time_t)seconds;
	char b[512];
	unsigned long n = 0;

	while (time(NULL) < end) {
		long c = calls[rnd_below(sizeof(calls) / sizeof(calls[0]))];

		switch (c) {
		case SYS_getrlimit:
		case SYS_getcwd:
		case SYS_uname:
		case SYS_times:
			syscall(c, 0, b, sizeof(b));
			break;
		case SYS_umask:
			syscall(c, 022);
			break;
		default:
			syscall(c, 0, 0);
		}
		n++;
	}
	printf("NLFUZZ noise %lu calls\n", n);
	return 0;
}

/* ---- concurrent SETs ---- */

struct setter {
	pthread_t t;
	uint16_t attr;
	unsigned long iters;
	uint32_t base;		/* thresholds: the value before it */
	uint32_t last;		/* the last value it set */
	int err;
};

static uint64_t race_id;
static int race_running;

/* k cycles through its range; thresholds only grow. */
static uint32_t setter_value(const struct setter *w, unsigned long i)
{
	return w->attr == SYSANOM_A_K ? 3 + i % 14 : w->base + (uint32_t)i + 1;
}

static void *setter_run(void *arg)
{
	struct setter *w = arg;
	struct nl nl = { 0 };
	unsigned long i;
	struct msg m;

	nl_open(&nl);
	w->err = nl_resolve(&nl);
	for (i = 0; !w->err && i < w->iters; i++) {
		req(&nl, &m, SYSANOM_CMD_SET);
		msg_put_u64(&m, SYSANOM_A_CGROUP_ID, race_id);
		msg_put_u32(&m, w->attr, setter_value(w, i));
		if (nl_send(&nl, m.b, m.len) < 0)
			w->err = errno;
		else
			w->err = nl_wait(&nl, nl.seq, REPLY_TIMEOUT_MS, NULL, NULL);
		if (!w->err)
			w->last = setter_value(w, i);
	}
	close(nl.fd);
	__atomic_sub_fetch(&race_running, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* The u8, u32 and u64 attributes of race_id's status message, by type. */
static void race_cb(const struct nlmsghdr *h, void *arg)
{
	uint64_t *v = arg, a[SYSANOM_A_MAX + 1] = { 0 };
	const struct nlattr *x;
	int len = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	x = (const struct nlattr *)((const char *)NLMSG_DATA(h) + GENL_HDRLEN);
	for (; len >= NLA_HDRLEN && x->nla_len >= NLA_HDRLEN && x->nla_len <= len;
	     len -= NLA_ALIGN(x->nla_len),
	     x = (const void *)((const char *)x + NLA_ALIGN(x->nla_len))) {
		size_t n = x->nla_len - NLA_HDRLEN;

		if (x->nla_type <= SYSANOM_A_MAX && (n == 1 || n == 4 || n == 8))
			memcpy(&a[x->nla_type], (const char *)x + NLA_HDRLEN, n);
	}
	if (a[SYSANOM_A_CGROUP_ID] == race_id)
		memcpy(v, a, sizeof(a));
}

static int race_status(struct nl *nl, uint64_t *v)
{
	struct msg m;
	int ret;

	memset(v, 0, (SYSANOM_A_MAX + 1) * sizeof(*v));
	msg_start(&m, buf, nl->family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
		  ++nl->seq, SYSANOM_CMD_GET_CGROUPS, SYSANOM_GENL_VERSION);
	if (nl_send(nl, m.b, m.len) < 0)
		return errno;
	ret = nl_wait(nl, nl->seq, REPLY_TIMEOUT_MS, race_cb, v);
	if (!ret && v[SYSANOM_A_CGROUP_ID] != race_id)
		ret = ENOENT;
	return ret;
}

static int setrace(struct nl *nl, unsigned long iters)
{
	struct setter w[] = {
		{ .attr = SYSANOM_A_EPOCH_THRESHOLD, .iters = iters },
		{ .attr = SYSANOM_A_COMBO_THRESHOLD, .iters = iters },
		{ .attr = SYSANOM_A_K, .iters = iters / 4 + 1 },
	};
	static const char *const names[] = { "epoch_threshold", "combo_threshold", "k" };
	const unsigned int nw = sizeof(w) / sizeof(w[0]);
	uint64_t v[SYSANOM_A_MAX + 1], seen[2] = { 0, 0 };
	unsigned long dumps = 0, backwards = 0;
	unsigned int i;
	int ret;

	race_id = real_ids[0];
	ret = race_status(nl, v);
	if (ret) {
		printf("NLFUZZ RESULT FAIL cgroup %" PRIu64 " not listed: %s\n",
		       race_id, strerror(ret < 0 ? -ret : ret));
		return 1;
	}
	if (v[SYSANOM_A_MODE] != SYSANOM_MODE_TRAINING || v[SYSANOM_A_STABLE_CHECKS]) {
		printf("NLFUZZ RESULT FAIL cgroup %" PRIu64 " must train, not until stable\n",
		       race_id);
		return 1;
	}
	printf("NLFUZZ setrace cgroup %" PRIu64 ": %u writers, %lu SETs each (k %lu), k %" PRIu64
	       ", %" PRIu64 " entries\n", race_id, nw, iters, w[2].iters, v[SYSANOM_A_K],
	       v[SYSANOM_A_ENTRIES]);
	race_running = nw;
	for (i = 0; i < 2; i++)
		seen[i] = w[i].base = (uint32_t)v[w[i].attr];
	for (i = 0; i < nw; i++)
		if (pthread_create(&w[i].t, NULL, setter_run, &w[i]))
			die("pthread_create");
	/* Thresholds seen by the dumps: each one only grows. */
	while (__atomic_load_n(&race_running, __ATOMIC_SEQ_CST)) {
		ret = race_status(nl, v);
		if (ret) {
			failf("status dump: %s", strerror(ret < 0 ? -ret : ret));
			break;
		}
		dumps++;
		for (i = 0; i < 2; i++) {
			uint64_t x = v[w[i].attr];

			if (x < seen[i] && backwards++ < 5)
				failf("%s went back from %" PRIu64 " to %" PRIu64,
				      names[i], seen[i], x);
			seen[i] = x;
		}
	}
	for (i = 0; i < nw; i++) {
		pthread_join(w[i].t, NULL);
		if (w[i].err)
			failf("SET %s: %s", names[i],
			      strerror(w[i].err < 0 ? -w[i].err : w[i].err));
	}
	ret = race_status(nl, v);
	if (ret)
		failf("final status dump: %s", strerror(ret < 0 ? -ret : ret));
	printf("NLFUZZ setrace %lu dumps, %lu backwards; final", dumps, backwards);
	for (i = 0; i < nw; i++)
		printf(" %s=%" PRIu64 " (set %u)", names[i], v[w[i].attr], w[i].last);
	printf(", %" PRIu64 " entries\n", v[SYSANOM_A_ENTRIES]);
	for (i = 0; !ret && i < nw; i++)
		if (v[w[i].attr] != w[i].last)
			failf("%s is %" PRIu64 ", its last SET was %u: an update was lost",
			      names[i], v[w[i].attr], w[i].last);
	if (st.failures) {
		printf("NLFUZZ RESULT FAIL %u check(s)\n", st.failures);
		return 1;
	}
	printf("NLFUZZ RESULT ok\n");
	return 0;
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: nlfuzz fuzz [--seed N] [--iters N] [--half-dumps N] [--real ID]...\n"
		"                   [--bogus ID]... [--expect ID:training|enforcing]...\n"
		"                   [--profile FILE [--scratch ID]]\n"
		"       nlfuzz unpriv [--real ID] [--userns]\n"
		"       nlfuzz status\n"
		"       nlfuzz flood --profile FILE --out FILE [--count N] [--spread]\n"
		"       nlfuzz noise [--seed N] --iters SECONDS\n"
		"       nlfuzz setrace --real ID [--iters N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long iters = 1000, nhalf = 20, count = 100000;
	const char *out = NULL;
	bool userns = false, spread = false;
	struct nl nl = { 0 };
	const char *mode;
	int i, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	mode = argv[1];
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--userns")) {
			userns = true;
			continue;
		}
		if (!strcmp(a, "--spread")) {
			spread = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--seed")) {
			rng_state = strtoull(v, NULL, 0) * 0x9E3779B97F4A7C15ULL + 1;
		} else if (!strcmp(a, "--iters")) {
			iters = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--count")) {
			count = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--out")) {
			out = v;
		} else if (!strcmp(a, "--half-dumps")) {
			nhalf = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--real") && n_real < MAX_IDS) {
			real_ids[n_real++] = strtoull(v, NULL, 0);
		} else if (!strcmp(a, "--scratch")) {
			scratch_id = strtoull(v, NULL, 0);
		} else if (!strcmp(a, "--profile")) {
			FILE *f = fopen(v, "rb");

			profile = malloc(1 << 20);
			if (!f || !profile)
				die(v);
			profile_len = fread(profile, 1, 1 << 20, f);
			fclose(f);
		} else if (!strcmp(a, "--bogus") && n_bogus < MAX_IDS) {
			bogus_ids[n_bogus++] = strtoull(v, NULL, 0);
		} else if (!strcmp(a, "--expect") && n_expects < MAX_IDS) {
			char *colon;

			expects[n_expects].id = strtoull(v, &colon, 0);
			if (*colon != ':')
				usage();
			expects[n_expects++].mode =
				!strcmp(colon + 1, "training") ? SYSANOM_MODE_TRAINING :
				!strcmp(colon + 1, "enforcing") ? SYSANOM_MODE_ENFORCING : 0;
		} else {
			usage();
		}
	}

	if (!strcmp(mode, "unpriv"))
		return unpriv(userns);
	if (!strcmp(mode, "noise"))
		return noise(iters);
	if (!strcmp(mode, "flood")) {
		if (!out || !count || count > 1000000)
			usage();
		return write_flood(out, (uint32_t)count, spread);
	}

	nl_open(&nl);
	ret = nl_resolve(&nl);
	if (ret) {
		printf("NLFUZZ RESULT FAIL resolving family %s: %s\n",
		       SYSANOM_GENL_NAME, strerror(ret < 0 ? -ret : ret));
		return 1;
	}
	if (!strcmp(mode, "status")) {
		static struct dump_list l;
		unsigned int j;

		ret = dump_cgroups(&nl, &l);
		if (ret) {
			printf("NLFUZZ RESULT FAIL status dump: %s\n", strerror(ret < 0 ? -ret : ret));
			return 1;
		}
		for (j = 0; j < l.n; j++)
			printf("%" PRIu64 " %s\n", l.e[j].id, mode_name(l.e[j].mode));
		return 0;
	}
	if (!strcmp(mode, "setrace")) {
		if (!n_real || !iters)
			usage();
		return setrace(&nl, iters);
	}
	if (strcmp(mode, "fuzz"))
		usage();
	printf("NLFUZZ family %u, alerts group %u, %u real, %u bogus target(s), %lu random message(s)\n",
	       nl.family, nl.alerts_group, n_real, n_bogus, iters);
	targeted(&nl);
	import_cases(&nl);
	print_counts("targeted");
	check_expects(&nl);
	fuzz(&nl, iters);
	print_counts("random");
	half_dumps(&nl, nhalf);
	close(nl.fd);
	nl_open(&nl);
	check_expects(&nl);
	print_counts("total");
	if (st.failures) {
		printf("NLFUZZ RESULT FAIL %u check(s)\n", st.failures);
		return 1;
	}
	printf("NLFUZZ RESULT ok\n");
	return 0;
}
