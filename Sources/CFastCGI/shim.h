#ifndef CFASTCGI_SHIM_H
#define CFASTCGI_SHIM_H
/* POLLRDHUP is a GNU extension. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcgiapp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <signal.h>
#include <pthread.h>
#include <poll.h>

/* True when the peer (nginx) has closed the connection: a long-lived response can stop at once
   instead of at its next write. */
static inline int cfastcgi_peer_closed(int fd) {
    struct pollfd descriptor = { .fd = fd, .events = POLLRDHUP, .revents = 0 };
    if (poll(&descriptor, 1, 0) <= 0) return 0;
    return (descriptor.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}
#endif
