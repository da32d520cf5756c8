#ifndef CFASTCGI_SHIM_H
#define CFASTCGI_SHIM_H
#include <fcgiapp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <signal.h>
#include <pthread.h>
#endif
