/*
 * Stepping the co-simulation port from the simulation's thread: cosim_run() on a stack of
 * its own, switched to and from with ucontext. See cosim_port.h.
 *
 * The port's bus, wait and clock callbacks record the request in the caller's cosim_co_t and
 * switch back to the simulation; cosim_co_resume() switches to the port again with the answer.
 * One run at a time, like cosim_run(); everything is static.
 */
#include "cosim_port.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <ucontext.h>

/* The port's stack: the application, the analyzer and the driver use a few KiB. */
#define CO_STACK_BYTES (1u << 20)

static ucontext_t g_sim_ctx;
static ucontext_t g_port_ctx;
static unsigned char g_stack[CO_STACK_BYTES] __attribute__((aligned(16)));
static cosim_co_t *g_co;
static const cosim_options_t *g_opt;
static cosim_stats_t *g_stats;
static bool g_running;

/* Hand the request to the simulation; back here with its answer. */
static int32_t co_ask(void) {
    swapcontext(&g_port_ctx, &g_sim_ctx);
    return g_co->result;
}

static int co_bus_read(void *ctx, uint8_t reg, uint8_t *buf, size_t len) {
    (void)ctx;
    if (len > COSIM_CO_MAX_BYTES) return -EMSGSIZE;
    g_co->op = COSIM_CO_READ;
    g_co->reg = reg;
    g_co->len = (uint16_t)len;
    int32_t rc = co_ask();
    if (rc == 0) memcpy(buf, g_co->data, len);
    return rc > 0 ? -EIO : rc;
}

static int co_bus_write(void *ctx, uint8_t reg, const uint8_t *buf, size_t len) {
    (void)ctx;
    if (len > COSIM_CO_MAX_BYTES) return -EMSGSIZE;
    g_co->op = COSIM_CO_WRITE;
    g_co->reg = reg;
    g_co->len = (uint16_t)len;
    memcpy(g_co->data, buf, len);
    int32_t rc = co_ask();
    return rc > 0 ? -EIO : rc;
}

static int co_wait(void *ctx, uint32_t timeout_us) {
    (void)ctx;
    g_co->op = COSIM_CO_WAIT;
    g_co->timeout_us = timeout_us;
    return co_ask();
}

static uint64_t co_now_ns(void *ctx) {
    (void)ctx;
    return g_co->now_ns;
}

static void co_main(void) {
    const cosim_sim_t sim = {.ctx = NULL, .bus_read = co_bus_read, .bus_write = co_bus_write,
                             .wait = co_wait, .now_ns = co_now_ns};
    int rc = cosim_run(&sim, g_opt, g_stats);
    g_co->op = COSIM_CO_DONE;
    g_co->result = rc;
    g_running = false;
    /* returning resumes uc_link: the simulation, inside its last cosim_co_start/resume call */
}

int cosim_co_start(const cosim_options_t *opt, cosim_stats_t *stats, cosim_co_t *co) {
    if (!opt || !co) return -EINVAL;
    if (g_running) return -EBUSY;
    if (getcontext(&g_port_ctx) < 0) return -errno;
    g_port_ctx.uc_stack.ss_sp = g_stack;
    g_port_ctx.uc_stack.ss_size = sizeof g_stack;
    g_port_ctx.uc_link = &g_sim_ctx;
    makecontext(&g_port_ctx, co_main, 0);
    g_co = co;
    g_opt = opt;
    g_stats = stats;
    g_running = true;
    if (swapcontext(&g_sim_ctx, &g_port_ctx) < 0) {
        g_running = false;
        return -errno;
    }
    return 0;
}

int cosim_co_resume(cosim_co_t *co) {
    if (!g_running || co != g_co) return -EINVAL;
    if (swapcontext(&g_sim_ctx, &g_port_ctx) < 0) return -errno;
    return 0;
}
