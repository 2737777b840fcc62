// loadgen: a compiled keep-alive HTTP/1.1 load generator for the exact request mix of an evictor
// command (bench/run measures the registry's ceiling with it). wrk cannot time HEAD and a Python
// generator is slower than the client it measures, so ratios above 1 appeared; this one parses
// responses with a few byte scans and holds one persistent connection per thread.
//
//   cc -O2 -pthread -o loadgen bench/loadgen.c
//   loadgen HOST PORT PATHS_FILE [SECONDS=8] [CONNECTIONS=16]
// PATHS_FILE lines: "GET /v2/.../manifests/TAG" or "HEAD /v2/.../blobs/DIGEST". Prints requests
// per second over all connections (responses of any status count; a closed connection reconnects).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ACCEPT "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, " \
               "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"

static char **methods, **paths;
static size_t line_count;
static const char *host;
static int port;
static atomic_int stop;
static atomic_long total;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int connect_to(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &address.sin_addr);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { close(fd); return -1; }
    return fd;
}

// The connection's receive buffer: bytes [start, end) not yet consumed.
typedef struct { char data[1 << 16]; size_t start, end; int fd; } Connection;

static int fill(Connection *c) {
    if (c->start > 0) { memmove(c->data, c->data + c->start, c->end - c->start); c->end -= c->start; c->start = 0; }
    if (c->end == sizeof c->data) return -1;
    ssize_t n = read(c->fd, c->data + c->end, sizeof c->data - c->end);
    if (n <= 0) return -1;
    c->end += (size_t)n;
    return 0;
}

// Consumes `count` body bytes (reading more as needed).
static int skip(Connection *c, size_t count) {
    while (count > 0) {
        if (c->start == c->end && fill(c) != 0) return -1;
        size_t have = c->end - c->start, take = have < count ? have : count;
        c->start += take;
        count -= take;
    }
    return 0;
}

// A line ending in CRLF at the buffer's start: its length without the CRLF, consumed with it.
static long line(Connection *c, char **text) {
    for (;;) {
        char *found = memmem(c->data + c->start, c->end - c->start, "\r\n", 2);
        if (found) {
            *text = c->data + c->start;
            long length = found - *text;
            c->start += (size_t)length + 2;
            return length;
        }
        if (fill(c) != 0) return -1;
    }
}

// Reads one whole response; 0 on success.
static int response(Connection *c, int head) {
    char *text;
    long length = line(c, &text);
    if (length < 12) return -1;
    int status = atoi(text + 9);
    long content_length = -1;
    int chunked = 0;
    while ((length = line(c, &text)) > 0) {
        if (length > 15 && strncasecmp(text, "content-length:", 15) == 0) content_length = atol(text + 15);
        else if (length > 18 && strncasecmp(text, "transfer-encoding:", 18) == 0 && memmem(text, (size_t)length, "chunked", 7)) chunked = 1;
    }
    if (length < 0) return -1;
    if (head || status == 204 || status == 304) return 0;
    if (chunked) {
        for (;;) {
            if ((length = line(c, &text)) < 0) return -1;
            long size = strtol(text, NULL, 16);
            if (size == 0) { while ((length = line(c, &text)) > 0) {} return length < 0 ? -1 : 0; }
            if (skip(c, (size_t)size) != 0 || line(c, &text) != 0) return -1;
        }
    }
    return content_length > 0 ? skip(c, (size_t)content_length) : 0;
}

static void *worker(void *argument) {
    size_t index = (size_t)argument;
    Connection *c = calloc(1, sizeof *c);
    char request[8192];
    long done = 0;
    c->fd = -1;
    while (!atomic_load(&stop)) {
        if (c->fd < 0 && (c->fd = connect_to()) < 0) { usleep(10000); continue; }
        size_t i = index++ % line_count;
        int length = snprintf(request, sizeof request, "%s %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: " ACCEPT "\r\nUser-Agent: loadgen\r\n\r\n",
                              methods[i], paths[i], host, port);
        if (write(c->fd, request, (size_t)length) != length || response(c, strcmp(methods[i], "HEAD") == 0) != 0) {
            close(c->fd);
            c->fd = -1;
            c->start = c->end = 0;
            continue;
        }
        done++;
    }
    atomic_fetch_add(&total, done);
    if (c->fd >= 0) close(c->fd);
    free(c);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: loadgen HOST PORT PATHS_FILE [SECONDS] [CONNECTIONS]\n"); return 2; }
    host = argv[1];
    port = atoi(argv[2]);
    double seconds = argc > 4 ? atof(argv[4]) : 8;
    int connections = argc > 5 ? atoi(argv[5]) : 16;
    FILE *file = fopen(argv[3], "r");
    if (!file) { perror(argv[3]); return 2; }
    size_t capacity = 1024;
    methods = malloc(capacity * sizeof *methods);
    paths = malloc(capacity * sizeof *paths);
    char *text = NULL;
    size_t size = 0;
    while (getline(&text, &size, file) > 0) {
        char *space = strchr(text, ' ');
        if (!space) continue;
        *space = 0;
        space[1 + strcspn(space + 1, "\r\n")] = 0;
        if (line_count == capacity) {
            capacity *= 2;
            methods = realloc(methods, capacity * sizeof *methods);
            paths = realloc(paths, capacity * sizeof *paths);
        }
        methods[line_count] = strdup(text);
        paths[line_count++] = strdup(space + 1);
    }
    fclose(file);
    if (line_count == 0) { fprintf(stderr, "%s: no requests\n", argv[3]); return 2; }
    pthread_t threads[256];
    if (connections < 1 || connections > 256) connections = 16;
    size_t step = line_count / (size_t)connections;
    double started = now();
    for (int k = 0; k < connections; k++) pthread_create(&threads[k], NULL, worker, (void *)(k * (step ? step : 1)));
    usleep((useconds_t)(seconds * 1e6));
    atomic_store(&stop, 1);
    for (int k = 0; k < connections; k++) pthread_join(threads[k], NULL);
    printf("%.0f\n", atomic_load(&total) / (now() - started));
    return 0;
}
