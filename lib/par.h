/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * liboio: a loop whose iterations are independent, spread over the CPUs
 * the calling thread may run on. A bring-up's analysis names the rings of
 * each bus apart from every other bus's, and on a real card the card's
 * clock does not stop while the host computes: the tuning phase is the
 * card's time plus the library's.
 */
#ifndef OIO_PAR_H
#define OIO_PAR_H

#include <pthread.h>
#include <stdatomic.h>

#define LIO_PAR_MAX	8

/*
 * fn(ctx, i) for every i in 0..n-1, each exactly once, on the calling
 * thread and up to LIO_PAR_MAX - 1 threads of its own, as many as the
 * calling thread's CPU affinity allows (taskset -c 0: it alone), with
 * every signal blocked and 256 KiB of stack each (fn must fit in it); not
 * cancelled midway.
 * Returns once every call has returned. Which thread runs an i, and in
 * what order, is not defined: fn must touch nothing another i touches,
 * and then the results do not depend on it. A thread that cannot be
 * started leaves its share to the others; nothing fails.
 */
void lio_par_for(unsigned int n, void (*fn)(void *ctx, unsigned int i),
		 void *ctx);

/*
 * The same loop begun in the background, while the caller waits for the
 * card: lio_par_start() returns at once, having started as many threads
 * as the calling thread's affinity allows CPUs (at least one, however
 * few, as the caller is mostly asleep meanwhile; at most LIO_PAR_MAX),
 * and lio_par_finish() runs what they have not taken on the calling
 * thread and returns once every call has returned. Nothing fails: with
 * no thread started, finish does it all. Between the two, fn must touch
 * nothing the caller does, p must stay where it is, and the calling
 * thread is not cancelled.
 */
struct lio_par {
	void (*fn)(void *ctx, unsigned int i);
	void *ctx;
	unsigned int n;
	atomic_uint next;	/* the first i no thread has taken */
	unsigned int threads;	/* started, to be joined */
	int cancel;		/* the caller's cancel state before */
	pthread_t th[LIO_PAR_MAX];
};

void lio_par_start(struct lio_par *p, unsigned int n,
		   void (*fn)(void *ctx, unsigned int i), void *ctx);
void lio_par_finish(struct lio_par *p);

#endif
