/*
 * Host port: the firmware as a native process. The link is a pseudo-terminal
 * (default; its path is printed as "PTY <path>") or a TCP server on loopback
 * ("--tcp PORT", port 0 picks a free one; printed as "TCP <host>:<port>").
 * A crash (SIGSEGV, SIGBUS, SIGILL, SIGFPE) sends a FAULT frame with the
 * faulting PC before the process dies, as the board's HardFault handler does.
 * On a pty the process then waits (at most FAULT_DRAIN_MS) until the rig has
 * read the frame: the kernel discards what the terminal side has not read yet
 * when the process's end of the pty closes.
 * "--sensor synth" gives it a sensor: in live and raw mode it reads the synthetic
 * one (synth_sensor.h) at the CONFIG's rate, by the monotonic clock.
 */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, ptsname */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "app.h"
#include "synth_sensor.h"

typedef struct {
    int fd;
    int held; /* the pty's terminal side, held open by this process; -1 on TCP */
    struct timespec t0;
} host_link_t;

/* Longest wait for the rig to read the FAULT frame off the pty before dying, ms. */
#define FAULT_DRAIN_MS 2000

static host_link_t g_link;
static hal_t g_hal;
static app_t g_app;

static int host_write(void *ctx, const uint8_t *buf, size_t len) {
    host_link_t *l = ctx;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(l->fd, buf + done, len - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd p = {.fd = l->fd, .events = POLLOUT};
            if (poll(&p, 1, 1000) < 0 && errno != EINTR) return -errno;
        } else {
            return n == 0 ? -EPIPE : -errno;
        }
    }
    return (int)len;
}

static int host_read(void *ctx, uint8_t *buf, size_t cap) {
    host_link_t *l = ctx;
    ssize_t n = read(l->fd, buf, cap);
    if (n > 0) return (int)n;
    if (n == 0) return -EPIPE;
    if (errno == EAGAIN || errno == EINTR) return 0;
    return errno == EIO ? -EPIPE : -errno;
}

static uint32_t host_millis(void *ctx) {
    host_link_t *l = ctx;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint32_t)((t.tv_sec - l->t0.tv_sec) * 1000 + (t.tv_nsec - l->t0.tv_nsec) / 1000000);
}

static void host_idle(void *ctx) {
    host_link_t *l = ctx;
    struct pollfd p = {.fd = l->fd, .events = POLLIN};
    (void)poll(&p, 1, 50);
}

static void host_fault_test(void *ctx) {
    (void)ctx;
    raise(SIGSEGV); /* what a wild pointer write ends in, without undefined behaviour */
}

static void on_crash(int sig, siginfo_t *info, void *uctx) {
    uint32_t pc = 0;
#if defined(__x86_64__) && defined(REG_RIP)
    pc = (uint32_t)((ucontext_t *)uctx)->uc_mcontext.gregs[REG_RIP];
#else
    (void)uctx;
#endif
    uint8_t reason = info->si_code == SI_TKILL || info->si_code == SI_USER ? FRAME_FAULT_TEST
                                                                          : FRAME_FAULT_HARDFAULT;
    (void)app_send_fault(&g_hal, reason, pc, 0, (uint32_t)sig,
                         0, (uint32_t)(uintptr_t)info->si_addr);
    /* poll, ioctl and nanosleep only: what a signal handler may call */
    for (int waited_ms = 0; g_link.held >= 0 && waited_ms < FAULT_DRAIN_MS; waited_ms += 5) {
        int unread = 0;
        struct timespec step = {0, 5 * 1000000L};
        if (waited_ms >= 20 && (ioctl(g_link.held, FIONREAD, &unread) < 0 || unread <= 0)) break;
        nanosleep(&step, NULL);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

#ifdef STRIDELAB_COVERAGE
/* The coverage build ends its main loop on SIGTERM (how the rig stops it), so the
 * normal exit writes the gcov counters; the other builds keep SIGTERM's default. */
static volatile sig_atomic_t g_stop;
static void on_term(int sig) {
    (void)sig;
    g_stop = 1;
}
#define STOP_REQUESTED() (g_stop != 0)
#else
#define STOP_REQUESTED() 0
#endif

static int open_pty(int *held) {
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) return -1;
    const char *name = ptsname(m);
    if (!name) return -1;
    /* Hold the terminal side open and raw: bytes sent before the rig opens it
     * must neither echo back nor be lost. */
    int s = open(name, O_RDWR | O_NOCTTY);
    struct termios t;
    if (s < 0 || tcgetattr(s, &t) < 0) return -1;
    cfmakeraw(&t);
    if (tcsetattr(s, TCSANOW, &t) < 0) return -1;
    *held = s;
    printf("PTY %s\n", name);
    return m;
}

static int open_tcp(int port) {
    int srv = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    if (srv < 0 || setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(srv, (struct sockaddr *)&a, sizeof a) < 0 || listen(srv, 1) < 0 ||
        getsockname(srv, (struct sockaddr *)&a, &alen) < 0) {
        return -1;
    }
    printf("TCP 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    int c = accept(srv, NULL, NULL);
    close(srv);
    if (c >= 0) setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return c;
}

static void usage(const char *argv0) {
    fprintf(stderr, "usage: %s [--pty | --tcp PORT] [--sensor synth]\n", argv0);
}

/* The synthetic sensor (--sensor synth): in live and raw mode, every sample the time since the
 * mode began says is due, at most SYNTH_BURST a pass of the main loop. */
#define SYNTH_BURST 64u
typedef struct {
    bool on, running;
    uint32_t next_index, t0_ms;
} host_synth_t;

static host_synth_t g_synth;

static int synth_poll(host_synth_t *s, app_t *app) {
    if (!s->on) return 0;
    if (!app_sensor_wanted(app)) {
        s->running = false;
        return 0;
    }
    uint32_t now = host_millis(&g_link);
    /* a new CONFIG restarted the analyzer (it has no sample index yet): restart the stream too */
    if (!s->running || (!app->have_index && s->next_index > 0)) {
        s->running = true;
        s->next_index = 0;
        s->t0_ms = now;
    }
    uint64_t due = (uint64_t)(now - s->t0_ms) * app->config.odr_mhz / 1000000u;
    for (uint32_t n = 0; n < SYNTH_BURST && s->next_index < due && app_sensor_wanted(app); n++) {
        frame_sample_t smp;
        synth_sensor_sample(s->next_index, &smp);
        int rc = app_push_raw(app, s->next_index++, &smp);
        if (rc < 0) return rc;
    }
    return 0;
}

int main(int argc, char **argv) {
    int fd, held = -1;
    long port = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--pty") == 0) {
            port = -1;
        } else if (strcmp(argv[i], "--tcp") == 0 && i + 1 < argc) {
            char *end;
            port = strtol(argv[++i], &end, 10);
            if (*end || port < 0 || port > 65535) {
                usage(argv[0]);
                return 2;
            }
        } else if (strcmp(argv[i], "--sensor") == 0 && i + 1 < argc && strcmp(argv[i + 1], "synth") == 0) {
            g_synth.on = true;
            i++;
        } else {
            usage(argv[0]);
            return 2;
        }
    }
    fd = port < 0 ? open_pty(&held) : open_tcp((int)port);
    if (fd < 0) {
        perror("stridelab-fw: cannot open the link");
        return 1;
    }
    fflush(stdout);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    g_link.fd = fd;
    g_link.held = held;
    clock_gettime(CLOCK_MONOTONIC, &g_link.t0);
    g_hal = (hal_t){.ctx = &g_link, .link_write = host_write, .link_read = host_read,
                    .millis = host_millis, .idle = host_idle, .fault_test = host_fault_test,
                    .board_name = "host"};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
#ifdef STRIDELAB_COVERAGE
    signal(SIGTERM, on_term);
#endif

    int rc = app_init(&g_app, &g_hal);
    while (rc >= 0 && !STOP_REQUESTED()) {
        rc = app_poll(&g_app);
        if (rc >= 0) {
            int handled = rc;
            rc = synth_poll(&g_synth, &g_app);
            if (rc == 0 && handled == 0) {
                if (g_synth.running) { /* wake for the next samples as well as for the link */
                    struct pollfd pf = {.fd = g_link.fd, .events = POLLIN};
                    (void)poll(&pf, 1, 5);
                } else {
                    g_hal.idle(g_hal.ctx);
                }
            }
        }
    }
    if (rc != -EPIPE) fprintf(stderr, "stridelab-fw: link error %d (%s)\n", rc, strerror(-rc));
    return rc == -EPIPE ? 0 : 1;
}
