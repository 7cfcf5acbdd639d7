/* Request deadlines: a client must send a complete request header within --header-timeout of
 * connecting (or of its previous answer, on a kept-alive connection) and a complete body
 * within --body-timeout of its header. libmicrohttpd only has an inactivity timeout, which a
 * client sending one header line every few seconds never reaches; so every connection is
 * listed here with its deadline, and a watchdog thread shuts down the socket of one that
 * passed it (the connection's thread then reads end-of-file and MHD closes it). The list
 * lock is held across that shutdown, and MHD removes a connection from the list (CLOSED
 * notification) before closing its socket, so a descriptor is never shut after reuse. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "server.h"

typedef struct conn {
	struct conn *prev, *next;
	int fd;
	int64_t deadline; /* monotonic ms; 0: none (the answer is being sent) */
} conn;

struct srv_limits {
	pthread_mutex_t mu;
	pthread_cond_t wake;
	pthread_t thread;
	conn head; /* circular list */
	int64_t header_ms, body_ms;
	int stop;
	FILE *log;
};

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Checks the deadlines 4 times a second: precise enough for limits of seconds. */
static void *watchdog(void *arg)
{
	srv_limits *l = arg;
	pthread_mutex_lock(&l->mu);
	while (!l->stop) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += 250 * 1000000L;
		if (t.tv_nsec >= 1000000000L)
			t.tv_sec++, t.tv_nsec -= 1000000000L;
		pthread_cond_timedwait(&l->wake, &l->mu, &t);
		int64_t now = now_ms();
		for (conn *k = l->head.next; k != &l->head; k = k->next) {
			if (!k->deadline || k->deadline > now)
				continue;
			k->deadline = 0; /* cut once */
			shutdown(k->fd, SHUT_RDWR);
			if (l->log)
				fprintf(l->log, "request deadline passed: connection closed\n");
		}
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

int srv_limits_start(srv_limits **out, const srv_opts *o, FILE *log)
{
	srv_limits *l = calloc(1, sizeof *l);
	if (!l)
		return -1;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->wake, NULL);
	l->head.next = l->head.prev = &l->head;
	l->header_ms = (int64_t)o->header_timeout * 1000;
	l->body_ms = (int64_t)o->body_timeout * 1000;
	l->log = log;
	if (pthread_create(&l->thread, NULL, watchdog, l) != 0) {
		pthread_cond_destroy(&l->wake);
		pthread_mutex_destroy(&l->mu);
		free(l);
		return -1;
	}
	*out = l;
	return 0;
}

void srv_limits_stop(srv_limits *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	pthread_cond_signal(&l->wake);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	for (conn *k = l->head.next, *next; k != &l->head; k = next) {
		next = k->next;
		free(k);
	}
	pthread_cond_destroy(&l->wake);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

void srv_limits_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		       enum MHD_ConnectionNotificationCode code)
{
	srv_limits *l = cls;
	conn *k = *socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		k = fd ? calloc(1, sizeof *k) : NULL;
		if (!k)
			return; /* no deadline for this one: the inactivity timeout still holds */
		k->fd = fd->connect_fd;
		pthread_mutex_lock(&l->mu);
		k->deadline = l->header_ms ? now_ms() + l->header_ms : 0;
		k->next = &l->head;
		k->prev = l->head.prev;
		k->prev->next = k;
		l->head.prev = k;
		pthread_mutex_unlock(&l->mu);
		*socket_context = k;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && k) {
		pthread_mutex_lock(&l->mu);
		k->prev->next = k->next;
		k->next->prev = k->prev;
		pthread_mutex_unlock(&l->mu);
		free(k);
		*socket_context = NULL;
	}
}

void srv_limits_phase(srv_limits *l, struct MHD_Connection *c, srv_phase phase)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	conn *k = i ? i->socket_context : NULL;
	if (!l || !k)
		return;
	int64_t limit = phase == SRV_PHASE_HEADER ? l->header_ms
			: phase == SRV_PHASE_BODY ? l->body_ms
						  : 0;
	pthread_mutex_lock(&l->mu);
	k->deadline = limit ? now_ms() + limit : 0;
	pthread_mutex_unlock(&l->mu);
}
