/* Data-parallel loops of the build: independent items (MPHF partitions, the sub-partitions of a
 * keys pass) handed out to a few threads. Which thread does an item never changes its result,
 * and callers write results by item index, so the index bytes do not depend on the thread
 * count. */
#ifndef IDMAP_PAR_H
#define IDMAP_PAR_H

#include <stddef.h>
#include <stdint.h>

/* The work of item i on thread t (0 .. threads - 1: per-thread scratch goes by t). Returns 0,
 * or a negative code that stops the loop. */
typedef int (*par_fn)(void *ctx, size_t i, uint32_t t);

/* Runs fn(ctx, i, t) for every i in [0, count) on up to `threads` threads, the calling one
 * included (thread 0), each taking the next item not yet taken. After a failure no further
 * item is handed out. Returns 0, or the code of the failed item of lowest index, with that
 * index in *failed when failed is not NULL (so that the error reported does not depend on the
 * timing). Threads that cannot be started leave their share to the others. */
int par_for(uint32_t threads, size_t count, par_fn fn, void *ctx, size_t *failed);

#endif
