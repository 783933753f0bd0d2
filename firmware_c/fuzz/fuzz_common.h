/*
 * fuzz_common.h - a HAL for the libFuzzer harnesses: the link reads from the fuzz input and
 * every frame the firmware writes is decoded again and checked (a frame the firmware sends
 * must always be one the codec accepts).
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "app.h"
#include "frame.h"

/** Link state of one fuzz run: input bytes still to deliver, and a decoder for the output. */
typedef struct {
    const uint8_t *in;
    size_t in_len, in_pos;
    size_t chunk; /* bytes delivered per link_read, 1..64, from the input */
    frame_rx_t out_rx;
    uint32_t now_ms;
} fuzz_link_t;

static int fuzz_write(void *ctx, const uint8_t *buf, size_t len) {
    fuzz_link_t *l = ctx;
    for (size_t i = 0; i < len; i++) {
        frame_view_t v;
        /* every frame the firmware sends decodes: a corrupt one is a bug */
        if (frame_rx_byte(&l->out_rx, buf[i], &v) < 0) abort();
    }
    return (int)len;
}

static int fuzz_read(void *ctx, uint8_t *buf, size_t cap) {
    fuzz_link_t *l = ctx;
    if (l->in_pos >= l->in_len) return -32; /* -EPIPE: the input is used up */
    size_t n = l->in_len - l->in_pos;
    if (n > cap) n = cap;
    if (n > l->chunk) n = l->chunk;
    for (size_t i = 0; i < n; i++) buf[i] = l->in[l->in_pos + i];
    l->in_pos += n;
    return (int)n;
}

static uint32_t fuzz_millis(void *ctx) {
    fuzz_link_t *l = ctx;
    return l->now_ms += 7u;
}

static void fuzz_idle(void *ctx) { (void)ctx; }

/** A HAL over l; no fault_test (CMD FAULT_TEST must then be refused, not crash). */
static hal_t fuzz_hal(fuzz_link_t *l) {
    hal_t h = {.ctx = l, .link_write = fuzz_write, .link_read = fuzz_read, .millis = fuzz_millis,
               .idle = fuzz_idle, .fault_test = NULL, .board_name = "fuzz"};
    return h;
}

/** Run the application over the bytes of l until its link closes. */
static void fuzz_run_app(fuzz_link_t *l) {
    static app_t app; /* large: kept off the stack, reset by app_init */
    frame_rx_init(&l->out_rx);
    hal_t hal = fuzz_hal(l);
    if (app_init(&app, &hal) < 0) abort();
    int rc;
    do {
        rc = app_poll(&app);
    } while (rc >= 0);
}

#endif /* FUZZ_COMMON_H */
