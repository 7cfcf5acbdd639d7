/* par_for: a loop over independent items on a few threads (par.h). */
#include "par.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct {
	par_fn fn;
	void *ctx;
	size_t count;
	size_t next;	/* next item to hand out, under the mutex */
	size_t failed;	/* lowest failed item, count when none */
	int code;	/* its code */
	pthread_mutex_t lock;
} par_job;

typedef struct {
	par_job *j;
	uint32_t t;
} par_arg;

static void *par_main(void *arg)
{
	par_arg *a = arg;
	par_job *j = a->j;
	for (;;) {
		pthread_mutex_lock(&j->lock);
		size_t i = j->failed < j->count ? j->count : j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->count)
			return NULL;
		int rc = j->fn(j->ctx, i, a->t);
		if (rc < 0) {
			pthread_mutex_lock(&j->lock);
			if (i < j->failed) {
				j->failed = i;
				j->code = rc;
			}
			pthread_mutex_unlock(&j->lock);
		}
	}
}

int par_for(uint32_t threads, size_t count, par_fn fn, void *ctx, size_t *failed)
{
	par_job j = {.fn = fn, .ctx = ctx, .count = count, .failed = count};
	uint32_t nt = threads < count ? threads : (uint32_t)count;
	if (nt <= 1) {
		/* the common case of one thread: no mutex, no allocation */
		for (size_t i = 0; i < count; i++) {
			int rc = fn(ctx, i, 0);
			if (rc < 0) {
				if (failed)
					*failed = i;
				return rc;
			}
		}
		return 0;
	}
	pthread_t *tid = malloc((size_t)(nt - 1) * sizeof(*tid));
	par_arg *args = malloc((size_t)nt * sizeof(*args));
	pthread_mutex_init(&j.lock, NULL);
	uint32_t started = 0;
	if (tid && args)
		for (; started < nt - 1; started++) {
			args[started + 1] = (par_arg){&j, started + 1};
			if (pthread_create(&tid[started], NULL, par_main, &args[started + 1]) != 0)
				break;
		}
	par_arg self = {&j, 0};
	par_main(&self); /* this thread works too */
	for (uint32_t t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&j.lock);
	free(tid);
	free(args);
	if (j.failed < count) {
		if (failed)
			*failed = j.failed;
		return j.code;
	}
	return 0;
}
