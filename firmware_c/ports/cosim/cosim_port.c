/*
 * Co-simulation port: the link on a loopback TCP socket, the LSM6DSO on a simulated
 * I2C bus, INT1 and the clock from the simulation. See cosim_port.h.
 *
 * Live loop, as the board would run it: sleep until INT1 (FIFO watermark) or a poll
 * period, drain the FIFO in bursts with lsm6dso_fifo_read(), number the samples with
 * the slot clock, anchored on INT1 (a FIFO overrun or an empty sensor slot becomes an
 * index gap), push
 * each one to the application, handle link frames; when the stream is over, drain
 * once more and finish (last stride, SUMMARY).
 *
 * Waits on the rig follow the rig, not the host's clock: each polls the socket together
 * with a pidfd of the rig's process (or, where there is none, checks the process every
 * WATCH_SLICE_MS) and ends when the rig's end of the link closes or its process ends.
 */
#include "cosim_port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "app.h"
#include "lsm6dso.h"
#include "slotclock.h"

#define BOARD_NAME "cosim"
#define IDLE_POLL_MS 20
/* Without a pidfd: how often a wait on the rig checks that its process is still there, ms. */
#define WATCH_SLICE_MS 100
/* Samples one FIFO read may return: the real part's whole FIFO (512 words) and more. */
#define DRAIN_CAP 272u
/* An emptied FIFO cannot overrun again before the next read: more in a row is a fault. */
#define MAX_OVERRUNS_IN_A_ROW 3

typedef struct {
    const cosim_sim_t *sim;
    const cosim_options_t *opt;
    cosim_stats_t *stats;
    int fd;
    int rig_pid;    /* the rig's process */
    int rig_fd;     /* a pidfd of it (readable once it ended), or -1: checked with kill(pid, 0) */
    hal_t hal;
    app_t app;
    lsm6dso_t dev;
    slotclock_t clock;
    lsm6dso_raw_t drained[DRAIN_CAP];
} port_t;

static port_t g_port;
static cosim_stats_t g_no_stats;

void cosim_options_default(cosim_options_t *opt) {
    if (!opt) return;
    *opt = (cosim_options_t){
        .announce_path = NULL,
        .tcp_port = 0,
        .rig_pid = 0,
        .poll_us = 100000u,
        .sim_limit_ns = 0,
        .fifo_wtm_samples = 16,
    };
}

size_t cosim_struct_size(int which) {
    switch (which) {
    case 0: return sizeof(cosim_sim_t);
    case 1: return sizeof(cosim_options_t);
    case 2: return sizeof(cosim_stats_t);
    case 3: return sizeof(cosim_co_t);
    default: return 0;
    }
}

/* ---- the rig's liveness: what bounds every wait on the rig ---------------------------- */

/* Watch the rig's process (pid > 0) or the parent; -ESRCH if it is gone already. */
static int watch_rig(port_t *p, int32_t pid) {
    p->rig_pid = pid > 0 ? (int)pid : (int)getppid();
    p->rig_fd = -1;
#ifdef SYS_pidfd_open
    p->rig_fd = (int)syscall(SYS_pidfd_open, (pid_t)p->rig_pid, 0);
    if (p->rig_fd < 0 && errno == ESRCH) return -ESRCH;
#endif
    if (p->rig_fd < 0 && kill((pid_t)p->rig_pid, 0) < 0 && errno == ESRCH) return -ESRCH;
    return 0;
}

static bool rig_gone(const port_t *p) {
    if (p->rig_fd >= 0) {
        struct pollfd pf = {.fd = p->rig_fd, .events = POLLIN};
        return poll(&pf, 1, 0) > 0; /* a pidfd is readable once its process ended */
    }
    return kill((pid_t)p->rig_pid, 0) < 0 && errno == ESRCH;
}

/*
 * Wait until fd has one of events, or the rig's process ended: no bound of the host's clock.
 * @return 0 when fd is ready (or in error: the next call on it says which), -ESRCH when the rig
 *         is gone, or a negative errno of poll
 */
static int await_fd_or_rig(const port_t *p, int fd, short events) {
    for (;;) {
        struct pollfd pf[2] = {{.fd = fd, .events = events}, {.fd = p->rig_fd, .events = POLLIN}};
        bool pidfd = p->rig_fd >= 0;
        int n = poll(pf, pidfd ? 2u : 1u, pidfd ? -1 : WATCH_SLICE_MS);
        if (n < 0 && errno != EINTR) return -errno;
        if (pidfd ? (n > 0 && pf[1].revents != 0) : rig_gone(p)) return -ESRCH;
        if (n > 0 && pf[0].revents != 0) return 0;
    }
}

/* ---- HAL: the link --------------------------------------------------------------- */

static int link_write(void *ctx, const uint8_t *buf, size_t len) {
    port_t *p = ctx;
    size_t done = 0;
    while (done < len) {
        ssize_t n = send(p->fd, buf + done, len - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return errno == ECONNRESET ? -EPIPE : -errno;
        }
        /* a full socket: the rig is slow (a busy host) or gone; wait for whichever it is */
        int rc = await_fd_or_rig(p, p->fd, POLLOUT);
        if (rc < 0) return rc;
    }
    return (int)len;
}

static int link_read(void *ctx, uint8_t *buf, size_t cap) {
    port_t *p = ctx;
    ssize_t n = recv(p->fd, buf, cap, 0);
    if (n > 0) return (int)n;
    if (n == 0) return -EPIPE;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    return errno == ECONNRESET ? -EPIPE : -errno;
}

static uint32_t sim_millis(void *ctx) {
    port_t *p = ctx;
    return (uint32_t)(p->sim->now_ns(p->sim->ctx) / 1000000u);
}

/* Before the sensor runs, nothing moves in simulated time: wait on the socket. */
static void link_idle(void *ctx) {
    port_t *p = ctx;
    struct pollfd pf = {.fd = p->fd, .events = POLLIN};
    (void)poll(&pf, 1, IDLE_POLL_MS);
}

/* ---- sensor bus -------------------------------------------------------------------- */

static int bus_read(void *ctx, uint8_t reg, uint8_t *buf, size_t len) {
    const cosim_sim_t *sim = ctx;
    return sim->bus_read(sim->ctx, reg, buf, len);
}

static int bus_write(void *ctx, uint8_t reg, const uint8_t *buf, size_t len) {
    const cosim_sim_t *sim = ctx;
    return sim->bus_write(sim->ctx, reg, buf, len);
}

/* ---- setup ------------------------------------------------------------------------- */

static int announce(const char *path, uint16_t port) {
    if (!path) return 0;
    char tmp[4096];
    int w = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (w < 0 || (size_t)w >= sizeof tmp) return -ENAMETOOLONG;
    FILE *f = fopen(tmp, "w");
    if (!f) return -errno;
    int ok = fprintf(f, "127.0.0.1:%u\n", (unsigned)port) > 0;
    ok &= fclose(f) == 0;
    if (!ok) return -EIO;
    return rename(tmp, path) == 0 ? 0 : -errno; /* atomic: the reader never sees half a line */
}

/* Listen on loopback, announce the port, accept one connection while the rig lives. */
static int open_link(const port_t *p) {
    const cosim_options_t *opt = p->opt;
    int srv = socket(AF_INET, SOCK_STREAM, 0);
    if (srv < 0) return -errno;
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(opt->tcp_port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    int rc = 0;
    if (setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(srv, (struct sockaddr *)&a, sizeof a) < 0 || listen(srv, 1) < 0 ||
        getsockname(srv, (struct sockaddr *)&a, &alen) < 0) {
        rc = -errno;
    }
    if (rc == 0) rc = announce(opt->announce_path, ntohs(a.sin_port));
    if (rc == 0) rc = await_fd_or_rig(p, srv, POLLIN);
    int fd = rc == 0 ? accept(srv, NULL, NULL) : -1;
    if (rc == 0 && fd < 0) rc = -errno;
    close(srv);
    if (rc < 0) return rc;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* The supported output rate nearest (by ratio) to the configured one. */
static uint16_t nominal_odr_hz(uint32_t odr_mhz) {
    static const uint16_t rates[] = {12, 26, 52, 104, 208, 416, 833, 1666, 3333, 6666};
    uint16_t best = rates[0];
    uint64_t best_err = UINT64_MAX;
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        uint64_t r = (uint64_t)rates[i] * 1000u, q = odr_mhz;
        uint64_t err = r > q ? (r * 1000u) / q : (q * 1000u) / r; /* ratio, permille, >= 1000 */
        if (err < best_err) {
            best_err = err;
            best = rates[i];
        }
    }
    return best;
}

static int fail(port_t *p, int rc, const char *what) {
    char text[128];
    if (rc == -ESRCH) {
        snprintf(text, sizeof text, "cosim: %s failed: the rig's process (pid %d) ended", what, p->rig_pid);
    } else {
        snprintf(text, sizeof text, "cosim: %s failed: %s", what, strerror(-rc));
    }
    fprintf(stderr, "%s\n", text);
    if (p->fd >= 0 && rc != -EPIPE) (void)app_log(&p->app, 0, text);
    return rc;
}

/* Serve the link until CONFIG puts the application in live mode, the rig closes it or is gone. */
static int await_live(port_t *p) {
    while (p->app.config.mode != FRAME_MODE_LIVE) {
        int rc = app_poll(&p->app);
        if (rc < 0) return rc;
        if (rc == 0 && (rc = await_fd_or_rig(p, p->fd, POLLIN)) < 0) return rc;
    }
    return 0;
}

static int start_sensor(port_t *p) {
    const frame_config_t *c = &p->app.config;
    lsm6dso_config_t cfg;
    lsm6dso_config_default(&cfg);
    cfg.odr_hz = nominal_odr_hz(c->odr_mhz);
    cfg.accel_fs_g = c->accel_fs_g;
    cfg.gyro_fs_dps = c->gyro_fs_dps;
    cfg.fifo_wtm_samples = p->opt->fifo_wtm_samples;
    lsm6dso_bus_t bus = {.ctx = (void *)p->sim, .read = bus_read, .write = bus_write};
    int rc = slotclock_init(&p->clock, c->odr_mhz);
    if (rc < 0) return rc;
    rc = lsm6dso_init(&p->dev, &bus, &cfg);
    if (rc == 0) p->stats->odr_hz = cfg.odr_hz;
    return rc;
}

/* ---- live loop --------------------------------------------------------------------- */

static int push(port_t *p, uint32_t first, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        const lsm6dso_raw_t *r = &p->drained[i];
        /* identity: the model is fed shoe-frame counts */
        frame_sample_t s = {.ax = r->accel[0], .ay = r->accel[1], .az = r->accel[2],
                            .gx = r->gyro[0], .gy = r->gyro[1], .gz = r->gyro[2]};
        int rc = app_push_raw(&p->app, first + i, &s);
        if (rc < 0) return rc;
        p->stats->samples++;
    }
    return 0;
}

/*
 * Read the FIFO until a status read finds it empty; number and push what came out.
 * A read that starts at the rising edge of INT1 and finds the watermark there (one
 * more may have come during the status read) knows when its watermark-th sample
 * was made: that anchors the slot clock. A late wake-up finds more and only counts.
 */
static int drain(port_t *p, bool int1_edge, uint64_t t_wake_ns) {
    uint32_t wtm = p->opt->fifo_wtm_samples;
    bool first_read = true;
    int overruns_in_a_row = 0;
    for (;;) {
        int n = lsm6dso_fifo_read(&p->dev, p->drained, DRAIN_CAP);
        if (n == -EOVERFLOW) { /* the driver emptied the FIFO: the next anchor finds the gap */
            p->stats->overruns++;
            first_read = false;
            if (++overruns_in_a_row > MAX_OVERRUNS_IN_A_ROW) return n; /* a FIFO that never recovers */
            continue;
        }
        overruns_in_a_row = 0;
        if (n <= 0) return n;
        uint32_t got = (uint32_t)n;
        bool on_time = first_read && int1_edge && (got == wtm || got == wtm + 1u);
        uint32_t first = on_time ? slotclock_anchor(&p->clock, got, wtm - 1u, t_wake_ns)
                                 : slotclock_follow(&p->clock, got);
        first_read = false;
        p->stats->anchors = p->clock.anchors;
        p->stats->gaps = p->clock.gaps;
        p->stats->missing = p->clock.missing;
        p->stats->resyncs = p->clock.resyncs;
        int rc = push(p, first, got);
        if (rc < 0) return rc;
    }
}

static int live(port_t *p) {
    const cosim_sim_t *sim = p->sim;
    /* never poll faster than twice the watermark period: INT1 should wake the loop */
    uint64_t wtm2_us = 2u * slotclock_offset_ns(&p->clock, p->opt->fifo_wtm_samples) / 1000u;
    uint32_t poll_us = wtm2_us > p->opt->poll_us ? (uint32_t)wtm2_us : p->opt->poll_us;
    for (;;) {
        int w = sim->wait(sim->ctx, poll_us);
        if (w < 0) return fail(p, w, "waiting for INT1");
        p->stats->wakeups++;
        if (w & COSIM_WAKE_INT1) p->stats->int1_wakeups++;
        int rc = drain(p, (w & COSIM_WAKE_INT1) != 0, sim->now_ns(sim->ctx));
        if (rc < 0) return fail(p, rc, "reading the sensor FIFO");
        rc = app_poll(&p->app);
        if (rc < 0) return fail(p, rc, "serving the link");
        if (w & COSIM_WAKE_STREAM_OVER) {
            p->stats->stream_end_ns = sim->now_ns(sim->ctx);
            rc = app_finish(&p->app);
            return rc < 0 ? fail(p, rc, "sending SUMMARY") : 0;
        }
        if (p->opt->sim_limit_ns && sim->now_ns(sim->ctx) > p->opt->sim_limit_ns) {
            return fail(p, -ETIMEDOUT, "waiting for the end of the sample stream");
        }
        if (rig_gone(p)) return fail(p, -ESRCH, "serving the link");
    }
}

/* After SUMMARY: keep answering until the rig closes the link (or its process ends: -ESRCH). */
static int await_close(port_t *p) {
    for (;;) {
        int rc = app_poll(&p->app);
        if (rc == -EPIPE) return 0;
        if (rc < 0) return rc;
        if (rc == 0 && (rc = await_fd_or_rig(p, p->fd, POLLIN)) < 0) return rc;
    }
}

int cosim_run(const cosim_sim_t *sim, const cosim_options_t *opt, cosim_stats_t *stats) {
    if (!sim || !opt || !sim->bus_read || !sim->bus_write || !sim->wait || !sim->now_ns ||
        opt->fifo_wtm_samples == 0 || opt->poll_us == 0) {
        return -EINVAL;
    }
    port_t *p = &g_port;
    memset(p, 0, sizeof *p);
    p->sim = sim;
    p->opt = opt;
    p->stats = stats ? stats : &g_no_stats;
    memset(p->stats, 0, sizeof *p->stats);
    p->fd = -1;
    int fd = watch_rig(p, opt->rig_pid);
    if (fd == 0) fd = open_link(p);
    if (fd < 0) {
        if (p->rig_fd >= 0) close(p->rig_fd);
        return fail(p, fd, "opening the link (listen, announce, accept)");
    }
    p->fd = fd;
    p->hal = (hal_t){.ctx = p, .link_write = link_write, .link_read = link_read, .millis = sim_millis,
                     .idle = link_idle, .fault_test = NULL, .board_name = BOARD_NAME};
    int rc = app_init(&p->app, &p->hal);
    if (rc < 0) {
        rc = fail(p, rc, "sending HELLO");
    } else if ((rc = await_live(p)) < 0) {
        rc = fail(p, rc, "waiting for CONFIG in live mode");
    } else if ((rc = start_sensor(p)) < 0) {
        rc = fail(p, rc, "starting the sensor (lsm6dso_init)");
    } else if ((rc = live(p)) == 0) {
        rc = await_close(p);
        if (rc < 0) rc = fail(p, rc, "waiting for the rig to close the link");
    }
    close(p->fd);
    p->fd = -1;
    if (p->rig_fd >= 0) close(p->rig_fd);
    p->rig_fd = -1;
    return rc;
}
