// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liboio: an independent loop over the CPUs the calling thread may use;
 * see par.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* sched_getaffinity, CPU_COUNT */
#endif
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#include "par.h"

static void *work(void *arg)
{
	struct lio_par *p = arg;
	unsigned int i;

	while ((i = atomic_fetch_add_explicit(&p->next, 1,
					      memory_order_relaxed)) < p->n)
		p->fn(p->ctx, i);
	return NULL;
}

/*
 * The CPUs the calling thread may run on, at most LIO_PAR_MAX; 1 if
 * unknown. A set sized for the machine: a fixed cpu_set_t is refused
 * (EINVAL) where there are more than CPU_SETSIZE CPUs.
 */
static unsigned int cpus(void)
{
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	unsigned int max = conf > CPU_SETSIZE ? (unsigned int)conf :
						CPU_SETSIZE;
	size_t size = CPU_ALLOC_SIZE(max);
	cpu_set_t *set = CPU_ALLOC(max);
	int n = 1;

	if (!set)
		return 1;
	if (!sched_getaffinity(0, size, set))
		n = CPU_COUNT_S(size, set);
	CPU_FREE(set);
	return n < 1 ? 1 : n > LIO_PAR_MAX ? LIO_PAR_MAX : (unsigned int)n;
}

/* Enough for naming a bus (some 26 KiB at most) many times over. */
#define STACK_SIZE	(256 * 1024)

/*
 * Start p's loop on threads of its own; the caller finishes it. The
 * caller is not cancelled until then, in pthread_join() either: the
 * threads use p until they are joined.
 */
static void begin(struct lio_par *p, unsigned int n,
		  void (*fn)(void *ctx, unsigned int i), void *ctx,
		  unsigned int threads)
{
	pthread_attr_t attr;
	sigset_t all, was;
	unsigned int i;

	p->fn = fn;
	p->ctx = ctx;
	p->n = n;
	p->threads = 0;
	atomic_init(&p->next, 0);
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &p->cancel);
	if (threads > LIO_PAR_MAX)
		threads = LIO_PAR_MAX;
	if (!threads || pthread_attr_init(&attr))
		return;
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	/*
	 * The threads start with every signal blocked: a signal for the
	 * process goes to the application's own threads, whose handlers may
	 * not expect one of ours.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &was);
	for (i = 0; i < threads; i++)
		if (!pthread_create(&p->th[p->threads], &attr, work, p))
			p->threads++;
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	pthread_attr_destroy(&attr);
}

void lio_par_finish(struct lio_par *p)
{
	unsigned int i;

	work(p);
	for (i = 0; i < p->threads; i++)
		pthread_join(p->th[i], NULL);
	pthread_setcancelstate(p->cancel, NULL);
}

void lio_par_start(struct lio_par *p, unsigned int n,
		   void (*fn)(void *ctx, unsigned int i), void *ctx)
{
	unsigned int want = n ? cpus() : 0;

	begin(p, n, fn, ctx, want > n ? n : want);
}

void lio_par_for(unsigned int n, void (*fn)(void *ctx, unsigned int i),
		 void *ctx)
{
	unsigned int want = n < 2 ? n : cpus();
	struct lio_par p;

	if (want > n)
		want = n;
	/* the calling thread is one of them */
	begin(&p, n, fn, ctx, want ? want - 1 : 0);
	lio_par_finish(&p);
}
