// SPDX-License-Identifier: GPL-2.0
/*
 * Signals that cut calls short (24-signal-retry). A SIGALRM handler runs
 * every 2 ms while the program alternates getppid and a sleep:
 *   between: sleeps 1 us and spins a while in user space, so the
 *            signals land between calls;
 *   during:  sleeps 10 ms, so the signals cut the sleep short (EINTR) and
 *            the program sleeps again for what is left, as programs do.
 * Both make the same calls; "during" only retries the interrupted one.
 * usage: sa-sigretry between|during ROUNDS
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

static void timer(long usec)
{
	struct itimerval it = {
		.it_interval = { .tv_usec = usec },
		.it_value = { .tv_usec = usec },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

/* No clock: where the vDSO cannot read it (emulated guests) it is a call. */
static void spin(void)
{
	volatile long n;

	for (n = 0; n < 3000000; n++)
		;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	int during, rounds, i, retries = 0;

	if (argc != 3 || (strcmp(argv[1], "between") && strcmp(argv[1], "during"))) {
		fprintf(stderr, "usage: sa-sigretry between|during ROUNDS\n");
		return 2;
	}
	during = !strcmp(argv[1], "during");
	rounds = atoi(argv[2]);
	sigaction(SIGALRM, &sa, NULL);
	timer(2000);
	for (i = 0; i < rounds; i++) {
		struct timespec ts = { .tv_nsec = during ? 10000000 : 1000 };

		getppid();
		while (nanosleep(&ts, &ts) && errno == EINTR)
			retries++;
		if (!during)
			spin();
	}
	timer(0);
	printf("sigretry: %s, %d rounds, %d signals, %d sleeps cut short\n",
	       argv[1], rounds, (int)ticks, retries);
	return 0;
}
