#ifndef CFASTCGI_SHIM_H
#define CFASTCGI_SHIM_H
#include <fcgiapp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <signal.h>
#include <pthread.h>
#include <poll.h>

/* True when the peer (nginx) has closed the connection: a long-lived response can stop at once
   instead of at its next write. */
/* Linux's POLLRDHUP, which the headers show only to _GNU_SOURCE (defining that here would make
   this module's view of the system headers differ from Dispatch's). */
#define CFASTCGI_POLLRDHUP 0x2000
static inline int cfastcgi_peer_closed(int fd) {
    struct pollfd descriptor = { .fd = fd, .events = CFASTCGI_POLLRDHUP, .revents = 0 };
    if (poll(&descriptor, 1, 0) <= 0) return 0;
    return (descriptor.revents & (CFASTCGI_POLLRDHUP | POLLHUP | POLLERR)) != 0;
}
#endif
