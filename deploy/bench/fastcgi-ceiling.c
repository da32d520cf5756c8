/* make bench's FastCGI ceiling: a bare threaded libfcgi responder in C, 8 threads on a unix socket
   behind the same nginx, answering every request with a small JSON body and doing nothing else.
   calcflow-api's figures are printed as ratios to it. Usage: fastcgi-ceiling SOCKET */
#include <fcgiapp.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int listening;

static void *serve(void *unused) {
    FCGX_Request request;
    FCGX_InitRequest(&request, listening, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutS("Status: 200 OK\r\nContent-Type: application/json\r\n\r\n"
                  "{\"id\":1,\"email\":\"ceiling@localhost\",\"role\":\"admin\"}", request.out);
        FCGX_Finish_r(&request);
    }
    return unused;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s SOCKET\n", argv[0]); return 2; }
    FCGX_Init();
    unlink(argv[1]);
    if ((listening = FCGX_OpenSocket(argv[1], 1024)) < 0) { perror("FCGX_OpenSocket"); return 1; }
    chmod(argv[1], 0660);
    pthread_t threads[8];
    for (int index = 0; index < 8; index++) pthread_create(&threads[index], NULL, serve, NULL);
    for (int index = 0; index < 8; index++) pthread_join(threads[index], NULL);
    return 0;
}
