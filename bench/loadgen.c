/* A lean epoll load generator: N concurrent HTTP requests, each read timestamped with the SSE frames it completed.

   Written in C so that the client costs next to nothing beside the server it
   measures: a Python client on one core cannot read 100,000 frames a second
   without merging them itself. Compiled on demand by bench/streams.py.

     loadgen PORT CONNECTIONS REQUEST_FILE OUT_FILE

   Sends the request (which must ask for `Connection: close`) on every
   connection at once and reads each response to EOF. OUT_FILE receives, per
   connection: int32 id, int32 reads, int32 ok (the response ended with the
   chunked terminator), int32 pad, double connected_s, then per read double
   t_s, int32 frames, int32 bytes. Times are CLOCK_MONOTONIC seconds. A frame
   end is "\n\n" (JSON never holds a raw newline).
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct { double t; int32_t frames, bytes; } Read;
typedef struct {
    int fd, sent, done, ok;
    double connected;
    char last, tail[5];
    Read *reads;
    int nreads, cap;
} Conn;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, long *size) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    rewind(f);
    char *data = malloc(*size);
    if (fread(data, 1, *size, f) != (size_t)*size) { perror("read"); exit(2); }
    fclose(f);
    return data;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: loadgen PORT CONNECTIONS REQUEST_FILE OUT_FILE\n"); return 2; }
    int port = atoi(argv[1]), n = atoi(argv[2]);
    long request_size;
    char *request = slurp(argv[3], &request_size);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    int ep = epoll_create1(0);
    Conn *conns = calloc(n, sizeof(Conn));
    for (int i = 0; i < n; i++) {
        Conn *c = &conns[i];
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) { perror("connect"); c->done = 1; continue; }
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.u32 = i};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    }
    int open = n;
    static char buf[1 << 16];
    struct epoll_event events[512];
    while (open > 0) {
        int ready = epoll_wait(ep, events, 512, 60000);
        if (ready <= 0) break; /* a minute of silence: give up on the rest */
        double t = now();
        for (int k = 0; k < ready; k++) {
            Conn *c = &conns[events[k].data.u32];
            if (c->done) continue;
            if ((events[k].events & EPOLLOUT) && !c->sent) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err || send(c->fd, request, request_size, MSG_NOSIGNAL) != request_size) {
                    c->done = 1; open--; close(c->fd); continue;
                }
                c->sent = 1;
                c->connected = t;
                struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = events[k].data.u32};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
            }
            if (!(events[k].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) continue;
            ssize_t got = recv(c->fd, buf, sizeof buf, 0);
            if (got > 0) {
                int frames = (c->last == '\n' && buf[0] == '\n');
                for (ssize_t j = 1; j < got; j++) frames += (buf[j] == '\n' && buf[j - 1] == '\n');
                c->last = buf[got - 1];
                if (got >= 5) memcpy(c->tail, buf + got - 5, 5);
                else { memmove(c->tail, c->tail + got, 5 - got); memcpy(c->tail + 5 - got, buf, got); }
                if (c->nreads == c->cap) { c->cap = c->cap ? c->cap * 2 : 256; c->reads = realloc(c->reads, c->cap * sizeof(Read)); }
                c->reads[c->nreads++] = (Read){t, frames, (int32_t)got};
                continue;
            }
            if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            c->ok = memcmp(c->tail, "0\r\n\r\n", 5) == 0;
            c->done = 1;
            open--;
            close(c->fd);
        }
    }
    FILE *out = fopen(argv[4], "wb");
    for (int i = 0; i < n; i++) {
        Conn *c = &conns[i];
        int32_t head[4] = {i, c->nreads, c->ok, 0};
        fwrite(head, sizeof head, 1, out);
        fwrite(&c->connected, sizeof(double), 1, out);
        fwrite(c->reads, sizeof(Read), c->nreads, out);
    }
    fclose(out);
    return 0;
}
