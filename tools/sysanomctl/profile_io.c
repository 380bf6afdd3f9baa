// SPDX-License-Identifier: GPL-2.0
/* save and load: a container's profile to and from a file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include <linux/genetlink.h>
#include <sysanom/profile_fmt.h>
#include <uapi/linux/sysanom.h>

#include "commands.h"
#include "genl.h"
#include "profile_io.h"
#include "target.h"

/* Profiles above this are refused before reading them. */
#define PROFILE_FILE_MAX SA_PROF_MAX_SIZE
/* Bytes of profile per attribute: an attribute holds at most 64 KiB. */
#define PIECE 60000

struct blob {
	unsigned char *data;
	size_t len, cap;
	int oom;
};

static int piece_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct blob *b = arg;
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		size_t n = mnl_attr_get_payload_len(attr);

		if (mnl_attr_get_type(attr) != SYSANOM_A_PROFILE_DATA)
			continue;
		if (b->len + n > b->cap) {
			size_t cap = (b->cap ? b->cap * 2 : 65536) + n;
			void *d = realloc(b->data, cap);

			if (!d) {
				b->oom = 1;
				return MNL_CB_ERROR;
			}
			b->data = d;
			b->cap = cap;
		}
		memcpy(b->data + b->len, mnl_attr_get_payload(attr), n);
		b->len += n;
	}
	return MNL_CB_OK;
}

/*
 * Write @path atomically: a temporary file in the same directory, fsync,
 * rename over @path, then fsync the directory so that the rename itself
 * survives a crash. "-" is standard output.
 */
int sa_write_atomic(const char *path, const void *data, size_t len)
{
	char tmp[4096], dir[4096];
	const char *slash;
	int fd, err;
	FILE *f;

	if (!strcmp(path, "-"))
		return fwrite(data, 1, len, stdout) == len && !fflush(stdout) ?
			0 : -errno;
	/* Never leave a half-written profile behind: write, then rename. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "wbx");
	if (!f)
		return -errno;
	if (fwrite(data, 1, len, f) != len || fflush(f) || fsync(fileno(f))) {
		err = -errno;
		fclose(f);
		unlink(tmp);
		return err;
	}
	if (fclose(f) || rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
		 slash ? (slash == path ? "/" : path) : ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = fsync(fd) ? -errno : 0;
	close(fd);
	return err;
}

static int open_target(const char *cmd, const char *target, uint64_t *id,
		       struct sa_nl *nl)
{
	char err[512];
	int ret = sa_target_resolve(target, id, err, sizeof(err));

	if (ret) {
		sa_err("%s: %s", cmd, err);
		return EXIT_RUNTIME;
	}
	ret = sa_nl_open(nl);
	if (ret) {
		sa_err("%s", sa_nl_strerror(ret));
		return EXIT_RUNTIME;
	}
	return 0;
}

/*
 * @id's profile, from the module; free *data. A negative errno on error:
 * -ENOENT the module is not loaded, -ESRCH @id is not monitored.
 */
int sa_profile_fetch(uint64_t id, unsigned char **data, size_t *len)
{
	struct blob b = { 0 };
	struct nlmsghdr *nlh;
	struct sa_nl nl;
	int ret;

	ret = sa_nl_open(&nl);
	if (ret)
		return ret;
	nlh = sa_nl_request(&nl, SYSANOM_CMD_EXPORT, NLM_F_DUMP);
	mnl_attr_put_u64(nlh, SYSANOM_A_CGROUP_ID, id);
	ret = sa_nl_talk(&nl, nlh, piece_cb, &b);
	sa_nl_close(&nl);
	if (b.oom)
		ret = -ENOMEM;
	if (ret == -ENOENT)	/* the module is there: the cgroup is not */
		ret = -ESRCH;
	if (ret) {
		free(b.data);
		return ret;
	}
	*data = b.data;
	*len = b.len;
	return 0;
}

int cmd_save(int argc, char **argv)
{
	unsigned char *data = NULL;
	char err[512];
	uint64_t id;
	size_t len;
	int ret;

	if (argc == 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		printf("usage: sysanomctl save TARGET FILE\n"
		       "Write what TARGET learnt to FILE ('-' for standard output),\n"
		       "in the profile format that 'load' and 'learn' share.\n");
		return 0;
	}
	if (argc != 3)
		return sa_usage_error("save", "expects TARGET FILE");
	ret = sa_target_resolve(argv[1], &id, err, sizeof(err));
	if (ret) {
		sa_err("save: %s", err);
		return EXIT_RUNTIME;
	}
	ret = sa_profile_fetch(id, &data, &len);
	if (ret == -ESRCH) {
		sa_err("save: %s is not monitored", argv[1]);
		return EXIT_RUNTIME;
	}
	if (ret) {
		sa_err("save: %s", sa_nl_strerror(ret));
		return EXIT_RUNTIME;
	}
	ret = sa_write_atomic(argv[2], data, len);
	if (ret)
		sa_err("save: %s: %s", argv[2], strerror(-ret));
	free(data);
	return ret ? EXIT_RUNTIME : 0;
}

int sa_read_file(const char *path, unsigned char **data, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 0, n;
	unsigned char *d = NULL, *nd;
	int ret = 0;

	*len = 0;
	if (!f)
		return -errno;
	do {
		if (*len == cap) {
			/* One byte past the largest file tells it is larger. */
			if (cap > PROFILE_FILE_MAX) {
				ret = -EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 65536;
			if (cap > PROFILE_FILE_MAX + 1)
				cap = PROFILE_FILE_MAX + 1;
			nd = realloc(d, cap);
			if (!nd) {
				ret = -ENOMEM;
				break;
			}
			d = nd;
		}
		n = fread(d + *len, 1, cap - *len, f);
		*len += n;
	} while (n);
	if (!ret && ferror(f))
		ret = -EIO;
	if (f != stdin)
		fclose(f);
	if (ret)
		free(d);
	else
		*data = d;
	return ret;
}

/*
 * Replace @id's profile with @data (or start monitoring it with it), in
 * @mode. A negative errno: see SYSANOM_CMD_IMPORT.
 */
int sa_profile_push(uint64_t id, const void *data, size_t len, uint32_t mode)
{
	struct nlmsghdr *nlh;
	size_t off, bufsize;
	struct sa_nl nl;
	int ret, sndbuf;
	void *msg;

	ret = sa_nl_open(&nl);
	if (ret)
		return ret;
	bufsize = len + (len / PIECE + 1) * MNL_ALIGN(sizeof(struct nlattr)) +
		  4096;
	msg = malloc(bufsize);
	if (!msg) {
		sa_nl_close(&nl);
		return -ENOMEM;
	}
	nlh = sa_nl_request_in(&nl, msg, SYSANOM_CMD_IMPORT, 0);
	mnl_attr_put_u64(nlh, SYSANOM_A_CGROUP_ID, id);
	mnl_attr_put_u32(nlh, SYSANOM_A_MODE, mode);
	for (off = 0; off < len; off += PIECE)
		mnl_attr_put(nlh, SYSANOM_A_PROFILE_DATA,
			     len - off < PIECE ? len - off : PIECE,
			     (const unsigned char *)data + off);
	sndbuf = nlh->nlmsg_len + 65536;
	if (setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_SNDBUFFORCE,
		       &sndbuf, sizeof(sndbuf)))
		setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_SNDBUF,
			   &sndbuf, sizeof(sndbuf));
	ret = sa_nl_talk(&nl, nlh, NULL, NULL);
	sa_nl_close(&nl);
	free(msg);
	return ret;
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "train", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint32_t mode = SYSANOM_MODE_ENFORCING;
	struct sa_profile_info info;
	unsigned char *data = NULL;
	struct sa_nl nl;
	uint64_t id;
	size_t len;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			mode = SYSANOM_MODE_TRAINING;
			break;
		case 'h':
			printf("usage: sysanomctl load [--train] TARGET FILE\n"
			       "Replace what TARGET learnt with the profile in FILE (from\n"
			       "'save' or 'learn'; '-' for standard input) and enforce it,\n"
			       "or with --train go on training from it. TARGET need not\n"
			       "be monitored yet.\n");
			return 0;
		default:
			return sa_usage_error("load", "unknown option");
		}
	}
	if (argc - optind != 2)
		return sa_usage_error("load", "expects TARGET FILE");

	ret = sa_read_file(argv[optind + 1], &data, &len);
	if (ret) {
		sa_err("load: %s: %s", argv[optind + 1], strerror(-ret));
		return EXIT_RUNTIME;
	}
	/* Check here too, for a clear message before the kernel says EBADMSG. */
	if (sa_profile_parse(data, len, &info)) {
		sa_err("load: %s: not a valid sysanom profile (corrupt or truncated)",
		       argv[optind + 1]);
		free(data);
		return EXIT_RUNTIME;
	}
	if (info.params.abi != SA_ABI_X86_64) {
		sa_err("load: %s: learnt from ids of another ABI, not x86_64 system calls",
		       argv[optind + 1]);
		free(data);
		return EXIT_RUNTIME;
	}
	ret = open_target("load", argv[optind], &id, &nl);
	if (ret) {
		free(data);
		return ret;
	}
	sa_nl_close(&nl);
	ret = sa_profile_push(id, data, len, mode);
	free(data);
	switch (-ret) {
	case 0:
		return 0;
	case ENOENT:
		sa_err("load: no such cgroup: %s", argv[optind]);
		break;
	case EINVAL:
		sa_err("load: %s: the root cgroup cannot be monitored",
		       argv[optind]);
		break;
	case EBADMSG:
		sa_err("load: the module rejected the profile as corrupt");
		break;
	case ENODATA:
		sa_err("load: the profile is empty: nothing to enforce (use --train)");
		break;
	case ENOMEM:
		sa_err("load: profile too large for the memory caps (module parameters max_profile_bytes, max_total_bytes)");
		break;
	default:
		sa_err("load: %s", sa_nl_strerror(ret));
	}
	return EXIT_RUNTIME;
}
