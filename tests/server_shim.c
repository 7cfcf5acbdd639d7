/* LD_PRELOAD shim for tests/server_jobs_test.py: faults a test turns on and off while idmap
 * serve runs, by rewriting the file named by IDMAP_SHIM (read at every call, one per line):
 *   clock SECONDS   the wall clock (time, gettimeofday, clock_gettime(CLOCK_REALTIME)) is off
 *                   by SECONDS, negative for a step back (an NTP step, a VM restore)
 *   enospc          fsync of a job result being written (*.result.tmp) fails with ENOSPC
 *   hold            fsync of a job result waits as long as this line is there, so that the
 *                   test sees a job RUNNING and others queued behind it
 * The monotonic clock is left alone, as a real clock step leaves it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef struct {
	long long clock;
	int enospc, hold;
} shim_faults;

static shim_faults faults(void)
{
	shim_faults s = {0, 0, 0};
	const char *path = getenv("IDMAP_SHIM");
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return s;
	char buf[512];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strncmp(line, "clock ", 6))
			s.clock = strtoll(line + 6, NULL, 10);
		else if (!strcmp(line, "enospc"))
			s.enospc = 1;
		else if (!strcmp(line, "hold"))
			s.hold = 1;
	}
	return s;
}

typedef int (*clock_fn)(clockid_t, struct timespec *);

static int real_clock(clockid_t id, struct timespec *ts)
{
	static clock_fn next;
	if (!next)
		next = (clock_fn)dlsym(RTLD_NEXT, "clock_gettime");
	return next(id, ts);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int rc = real_clock(id, ts);
	if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += (time_t)faults().clock;
	return rc;
}

time_t time(time_t *t)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	(void)tz;
	struct timespec ts;
	int rc = clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = (suseconds_t)(ts.tv_nsec / 1000);
	return rc;
}

/* 1 when fd is a job result being written. */
static int is_result_tmp(int fd)
{
	char link[64], path[4200];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof path - 1);
	if (n <= 0)
		return 0;
	path[n] = 0;
	return n > 11 && !strcmp(path + n - 11, ".result.tmp");
}

int fsync(int fd)
{
	static int (*next)(int);
	if (!next)
		next = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (is_result_tmp(fd)) {
		while (faults().hold)
			usleep(10000);
		if (faults().enospc) {
			errno = ENOSPC;
			return -1;
		}
	}
	return next(fd);
}
