// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the trace readers and the system-call name table. */
#include <stdio.h>
#include <string.h>

#include "trace.h"
#include "syscall_names.h"

static int failures, checks;

#define CHECK(cond) do {						\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, \
			#cond);						\
	}								\
} while (0)

static int parse(struct sa_trace_list *l, const char *text, int fmt)
{
	memset(l, 0, sizeof(*l));
	l->quiet = 1;
	return sa_trace_parse_buffer(l, "t", text, strlen(text), fmt, 0);
}

static int ids_are(const struct sa_trace *t, const int *want, size_t n)
{
	size_t i;

	if (t->n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (t->ids[i] != want[i])
			return 0;
	return 1;
}

static void test_names(void)
{
	CHECK(sa_syscall_count() > 300);
	CHECK(sa_syscall_nr("read") == 0);
	CHECK(sa_syscall_nr("write") == 1);
	CHECK(sa_syscall_nr("execve") == 59);
	CHECK(sa_syscall_nr("openat") == 257);
	CHECK(sa_syscall_nr("no_such_call") == -1);
	CHECK(sa_syscall_nr("") == -1);
	CHECK(!strcmp(sa_syscall_name(59), "execve"));
	CHECK(!strcmp(sa_syscall_name(0), "read"));
	CHECK(sa_syscall_name(-1) == NULL);
	CHECK(sa_syscall_name(5000) == NULL);
	/* The i386 table: other numbers for the same calls. */
	CHECK(!strcmp(sa_syscall_name_32(11), "execve"));
	CHECK(!strcmp(sa_syscall_name_32(3), "read"));
	CHECK(!strcmp(sa_syscall_name_32(295), "openat"));
	CHECK(sa_syscall_name_32(-1) == NULL);
	CHECK(sa_syscall_name_32(5000) == NULL);
}

static void test_strace(void)
{
	struct sa_trace_list l;
	static const char plain[] =
		"accept4(3, {sa_family=AF_INET}, [128->16], SOCK_CLOEXEC) = 10\n"
		"read(10, \"GET / HTTP/1.1\\r\\n\"..., 8000) = 358\n"
		"--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---\n"
		"close(10)                               = 0\n"
		"+++ exited with 0 +++\n";
	static const char forked[] =
		"[pid   100] read(3,  <unfinished ...>\n"
		"[pid   101] write(1, \"x\", 1)           = 1\n"
		"[pid   100] <... read resumed>\"a\", 1) = 1\n"
		"strace: Process 102 attached\n"
		"[pid   102] execve(\"/bin/sh\", [\"sh\"], 0x0 /* 3 vars */) = 0\n"
		"[pid   100] close(3)                   = 0\n"
		"[pid   101] +++ exited with 0 +++\n";
	static const char bare_pid_ts[] =
		"100   12:00:01.123456 openat(AT_FDCWD, \"/x\", O_RDONLY) = 3\n"
		"101   12:00:01.123457 getpid()          = 101\n"
		"100   1700000000.000001 close(3)        = 0\n";
	static const char garbage[] =
		"read(0, \"\", 1) = 0\n"
		"this is not strace\n"
		"frobnicate(1) = 0\n"
		"\x01\x02\xff(\n"
		"write(1, \"\", 0) = 0\n";
	int w1[] = { 288, 0, 3 };
	int p100[] = { 0, 3 }, p101[] = { 1 }, p102[] = { 59, SA_MARK_EXEC };
	int b100[] = { 257, 3 }, b101[] = { 39 };

	CHECK(parse(&l, plain, SA_FMT_STRACE) == 0);
	CHECK(l.n == 1 && ids_are(&l.v[0], w1, 3));
	CHECK(l.warnings == 0);
	sa_trace_list_free(&l);
	/* Auto-detection picks strace. */
	CHECK(parse(&l, plain, SA_FMT_AUTO) == 0);
	CHECK(l.n == 1 && ids_are(&l.v[0], w1, 3));
	sa_trace_list_free(&l);

	CHECK(parse(&l, forked, SA_FMT_STRACE) == 0);
	CHECK(l.n == 3);
	if (l.n == 3) {
		CHECK(l.v[0].pid == 100 && ids_are(&l.v[0], p100, 2));
		CHECK(l.v[1].pid == 101 && ids_are(&l.v[1], p101, 1));
		CHECK(l.v[2].pid == 102 && ids_are(&l.v[2], p102, 2));
		CHECK(!strcmp(l.v[0].name, "t#100"));
	}
	CHECK(l.warnings == 0);
	sa_trace_list_free(&l);

	CHECK(parse(&l, bare_pid_ts, SA_FMT_STRACE) == 0);
	CHECK(l.n == 2);
	if (l.n == 2) {
		CHECK(ids_are(&l.v[0], b100, 2));
		CHECK(ids_are(&l.v[1], b101, 1));
	}
	sa_trace_list_free(&l);

	/* Garbage lines: skipped with one warning; unknown name: a warning
	 * and a stable id in the fallback range.
	 */
	CHECK(parse(&l, garbage, SA_FMT_STRACE) == 0);
	CHECK(l.n == 1);
	if (l.n == 1) {
		CHECK(l.v[0].n == 3);
		CHECK(l.v[0].ids[0] == 0 && l.v[0].ids[2] == 1);
		CHECK(l.v[0].ids[1] >= SA_UNKNOWN_BASE &&
		      l.v[0].ids[1] < 1023);
	}
	CHECK(l.warnings == 2);
	{
		unsigned int first = l.n == 1 ? l.v[0].ids[1] : 0;

		sa_trace_list_free(&l);
		CHECK(parse(&l, "frobnicate() = 0\n", SA_FMT_STRACE) == 0);
		CHECK(l.n == 1 && l.v[0].ids[0] == first);
		sa_trace_list_free(&l);
	}

	/* Empty input and input without calls: skipped with a warning. */
	CHECK(parse(&l, "", SA_FMT_STRACE) == 0);
	CHECK(l.n == 0 && l.warnings == 1);
	sa_trace_list_free(&l);
	CHECK(parse(&l, "--- SIGINT ---\n+++ killed +++\n", SA_FMT_STRACE) ==
	      0);
	CHECK(l.n == 0 && l.warnings == 1);
	sa_trace_list_free(&l);
}

/* Signal handlers and exec: the markers the feeder acts on. */
static void test_strace_streams(void)
{
	struct sa_trace_list l;
	static const char handler[] =
		"read(0, \"\", 1) = 0\n"
		"--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER} ---\n"
		"write(1, \"h\", 1) = 1\n"
		"rt_sigreturn({mask=[]}) = 0\n"
		"close(3) = 0\n";
	static const char no_return[] =
		"read(0, \"\", 1) = 0\n"
		"--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---\n"
		"close(3) = 0\n";
	static const char nested[] =
		"--- SIGUSR1 {si_signo=SIGUSR1} ---\n"
		"read(0, \"\", 1) = 0\n"
		"--- SIGUSR2 {si_signo=SIGUSR2} ---\n"
		"write(1, \"\", 0) = 0\n"
		"rt_sigreturn({mask=[]}) = 0\n"
		"close(3) = 0\n"
		"rt_sigreturn({mask=[]}) = 0\n"
		"getpid() = 1\n";
	/* SIGCHLD is known to be SIG_DFL: the return closes SIGUSR1. */
	static const char disposition[] =
		"rt_sigaction(SIGCHLD, {sa_handler=SIG_DFL, sa_mask=[], "
		"sa_flags=0}, NULL, 8) = 0\n"
		"rt_sigaction(SIGUSR1, {sa_handler=0x4005d0, sa_mask=[], "
		"sa_flags=SA_RESTORER}, NULL, 8) = 0\n"
		"--- SIGUSR1 {si_signo=SIGUSR1} ---\n"
		"write(1, \"\", 0) = 0\n"
		"--- SIGCHLD {si_signo=SIGCHLD} ---\n"
		"close(3) = 0\n"
		"rt_sigreturn({mask=[]}) = 0\n";
	static const char execs[] =
		"read(0, \"\", 1) = 0\n"
		"execve(\"/nope\", [\"x\"], 0x0 /* 1 var */) = -1 ENOENT "
		"(No such file or directory)\n"
		"execve(\"/bin/sh\", [\"sh\"], 0x0 /* 1 var */) = 0\n"
		"brk(NULL) = 0x55d0c000\n"
		"--- SIGUSR1 {si_signo=SIGUSR1} ---\n"
		"execve(\"/bin/true\", [\"true\"], 0x0) = 0 <0.000123>\n"
		"rt_sigreturn({mask=[]}) = 0\n";
	static const char forked[] =
		"[pid   100] execve(\"/bin/sh\", [\"sh\"], 0x0 <unfinished ...>\n"
		"[pid   101] --- SIGUSR1 {si_signo=SIGUSR1} ---\n"
		"[pid   100] <... execve resumed>) = 0\n"
		"[pid   100] rt_sigreturn({mask=[]}) = 0\n"
		"[pid   101] read(0, \"\", 1) = 0\n"
		"[pid   101] rt_sigreturn({mask=[]}) = 0\n"
		"[pid   102] --- SIGTERM {si_signo=SIGTERM} ---\n"
		"[pid   100] close(3) = 0\n";
	int h[] = { 0, SA_MARK_SIGNAL, 1, 15, SA_MARK_SIGRETURN, 3 };
	int nr[] = { 0, 3 };
	int ne[] = { SA_MARK_SIGNAL, 0, SA_MARK_SIGNAL, 1, 15,
		     SA_MARK_SIGRETURN, 3, 15, SA_MARK_SIGRETURN, 39 };
	int di[] = { 13, 13, SA_MARK_SIGNAL, 1, 3, 15, SA_MARK_SIGRETURN };
	/* The delivery before the second exec is not closed: no handler. */
	int ex[] = { 0, 59, 59, SA_MARK_EXEC, 12, 59, SA_MARK_EXEC, 15 };
	int f100[] = { 59, SA_MARK_EXEC, 15, 3 };
	int f101[] = { SA_MARK_SIGNAL, 0, 15, SA_MARK_SIGRETURN };

	CHECK(parse(&l, handler, SA_FMT_STRACE) == 0);
	CHECK(l.n == 1 && ids_are(&l.v[0], h, 6) && l.v[0].calls == 4);
	sa_trace_list_free(&l);
	CHECK(parse(&l, no_return, SA_FMT_STRACE) == 0);
	CHECK(l.n == 1 && ids_are(&l.v[0], nr, 2) && l.v[0].calls == 2);
	sa_trace_list_free(&l);
	CHECK(parse(&l, nested, SA_FMT_STRACE) == 0);
	CHECK(l.n == 1 && ids_are(&l.v[0], ne, 10));
	sa_trace_list_free(&l);
	CHECK(parse(&l, disposition, SA_FMT_STRACE) == 0);
	CHECK(l.n == 1 && ids_are(&l.v[0], di, 7));
	sa_trace_list_free(&l);
	CHECK(parse(&l, execs, SA_FMT_STRACE) == 0);
	CHECK(l.n == 1 && ids_are(&l.v[0], ex, 8) && l.v[0].calls == 6);
	CHECK(l.warnings == 0);
	sa_trace_list_free(&l);
	/* Per pid; a pid with only a signal line gives no trace. */
	CHECK(parse(&l, forked, SA_FMT_STRACE) == 0);
	CHECK(l.n == 2);
	if (l.n == 2) {
		CHECK(l.v[0].pid == 100 && ids_are(&l.v[0], f100, 4));
		CHECK(l.v[1].pid == 101 && ids_are(&l.v[1], f101, 4));
		CHECK(!strcmp(l.v[1].name, "t#101"));
	}
	sa_trace_list_free(&l);
	/* Traces of two files: numbered by file. */
	memset(&l, 0, sizeof(l));
	l.quiet = 1;
	CHECK(sa_trace_parse_buffer(&l, "a", "1 2 3", 5, SA_FMT_ADFA, 0) ==
	      0);
	CHECK(sa_trace_parse_buffer(&l, "e", "", 0, SA_FMT_ADFA, 0) == 0);
	CHECK(sa_trace_parse_buffer(&l, "b", forked, strlen(forked),
				    SA_FMT_STRACE, 0) == 0);
	CHECK(l.n == 3 && l.files == 2);
	if (l.n == 3)
		CHECK(l.v[0].file == 0 && l.v[1].file == 1 &&
		      l.v[2].file == 1);
	sa_trace_list_free(&l);
}

static void test_adfa_ids(void)
{
	struct sa_trace_list l;
	int a[] = { 6, 6, 63, 1023, 0 };
	int b[] = { 0, 59, 1, 3 };

	CHECK(parse(&l, "6 6 63\n1023 0 \n", SA_FMT_ADFA) == 0);
	CHECK(l.n == 1 && ids_are(&l.v[0], a, 5) && l.warnings == 0);
	sa_trace_list_free(&l);
	CHECK(parse(&l, "6 6 63\n1023 0 \n", SA_FMT_AUTO) == 0);
	CHECK(l.n == 1 && ids_are(&l.v[0], a, 5));
	sa_trace_list_free(&l);
	/* Out of range and non-numeric tokens are skipped with a warning. */
	CHECK(parse(&l, "6 1024 6 x1 63 99999999999 1023 0", SA_FMT_ADFA) ==
	      0);
	CHECK(l.n == 1 && ids_are(&l.v[0], a, 5) && l.warnings == 1);
	sa_trace_list_free(&l);
	CHECK(parse(&l, "   \n\n", SA_FMT_ADFA) == 0);
	CHECK(l.n == 0 && l.warnings == 1);
	sa_trace_list_free(&l);

	CHECK(parse(&l, "# comment\nread\n59\n  write  \n\nclose\n",
		    SA_FMT_IDS) == 0);
	CHECK(l.n == 1 && ids_are(&l.v[0], b, 4) && l.warnings == 0);
	sa_trace_list_free(&l);
	CHECK(parse(&l, "read\n-5\nwr ite\n2000\nclose\n", SA_FMT_IDS) == 0);
	CHECK(l.n == 1 && l.v[0].n == 2 && l.warnings == 1);
	sa_trace_list_free(&l);
}

int main(void)
{
	test_names();
	test_strace();
	test_strace_streams();
	test_adfa_ids();
	printf("%d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
