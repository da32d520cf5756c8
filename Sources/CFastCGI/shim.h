#ifndef CFASTCGI_SHIM_H
#define CFASTCGI_SHIM_H
#include <fcgiapp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <signal.h>
#include <pthread.h>
#include <poll.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

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

/* Kept-alive connections. nginx sends many requests down one connection (fastcgi_keep_conn), and
   an idle one must not hold a worker thread: the listening socket and every idle connection sit in
   one epoll set, each armed for one event at a time, and the kernel hands each ready one to a
   single waiting worker. */
static inline int cfastcgi_poller_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

/* Arms a socket for its next event: added the first time, re-armed after each. */
static inline int cfastcgi_poller_arm(int poller, int fd, int first_time) {
    struct epoll_event event = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data = { .fd = fd } };
    return epoll_ctl(poller, first_time ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event);
}

/* The stop signal, level-triggered: every waiting worker sees it. */
static inline int cfastcgi_poller_add_stop(int poller, int fd) {
    struct epoll_event event = { .events = EPOLLIN, .data = { .fd = fd } };
    return epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
}

/* Waits for one ready socket and returns it (-1 when interrupted); *readable is 0 when it only hung up. */
static inline int cfastcgi_poller_wait(int poller, int *readable) {
    struct epoll_event event;
    if (epoll_wait(poller, &event, 1, -1) != 1) return -1;
    *readable = (event.events & EPOLLIN) != 0;
    return event.data.fd;
}

/* A new connection, closed on exec like every other descriptor here (accept4 needs _GNU_SOURCE). */
static inline int cfastcgi_accept(int listening) {
    int connection = accept(listening, NULL, NULL);
    if (connection >= 0) fcntl(connection, F_SETFD, FD_CLOEXEC);
    return connection;
}

static inline int cfastcgi_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Lets libfcgi read the next request from a connection this code accepted or kept. With no
   listening socket of its own, libfcgi never accepts by itself: a connection closed before its
   request makes FCGX_Accept_r return an error instead of blocking in accept(). keepConnection set
   beforehand keeps FCGX_Accept_r's opening Finish from closing it. */
static inline void cfastcgi_adopt(FCGX_Request *request, int fd) {
    request->listen_sock = -1;
    request->keepConnection = 1;
    request->detached = 0;
    request->ipcFd = fd;
}

/* After FCGX_Finish_r: the connection when nginx keeps it for another request, else -1 (closed). */
static inline int cfastcgi_release(FCGX_Request *request) {
    int fd = request->ipcFd;
    request->ipcFd = -1;
    return fd;
}
#endif
