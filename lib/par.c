// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: an independent loop over the CPUs the process may use; see
 * par.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* sched_getaffinity, CPU_COUNT */
#endif
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>

#include "par.h"

struct par {
	void (*fn)(void *ctx, unsigned int i);
	void *ctx;
	unsigned int n;
	atomic_uint next;	/* the first i no thread has taken */
};

static void *work(void *arg)
{
	struct par *p = arg;
	unsigned int i;

	while ((i = atomic_fetch_add_explicit(&p->next, 1,
					      memory_order_relaxed)) < p->n)
		p->fn(p->ctx, i);
	return NULL;
}

/* The CPUs this process may run on, at most LIO_PAR_MAX; 1 if unknown. */
static unsigned int cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	n = CPU_COUNT(&set);
	return n < 1 ? 1 : n > LIO_PAR_MAX ? LIO_PAR_MAX : (unsigned int)n;
}

void lio_par_for(unsigned int n, void (*fn)(void *ctx, unsigned int i),
		 void *ctx)
{
	struct par p = { .fn = fn, .ctx = ctx, .n = n };
	pthread_t th[LIO_PAR_MAX];
	unsigned int want = n < 2 ? 1 : cpus(), k = 0, i;
	sigset_t all, was;

	atomic_init(&p.next, 0);
	if (want > n)
		want = n;
	if (want > 1) {
		/*
		 * The threads start with every signal blocked: a signal for
		 * the process goes to the application's own threads, whose
		 * handlers may not expect one of ours.
		 */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &was);
		for (i = 1; i < want; i++)
			if (!pthread_create(&th[k], NULL, work, &p))
				k++;
		pthread_sigmask(SIG_SETMASK, &was, NULL);
	}
	work(&p);
	for (i = 0; i < k; i++)
		pthread_join(th[i], NULL);
}
