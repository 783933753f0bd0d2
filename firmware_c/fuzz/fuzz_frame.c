/*
 * fuzz_frame.c - libFuzzer target: the frame decoder. Arbitrary bytes go through the receive
 * state machine one at a time; every frame it accepts is unpacked as every message type, and
 * COBS decoding runs on the raw input too. Nothing may read or write out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static frame_rx_t rx;
    static uint8_t plain[FRAME_WIRE_BYTES(FW_MAX_FRAME_BYTES)];
    frame_rx_init(&rx);
    for (size_t i = 0; i < size; i++) {
        frame_view_t v;
        int rc = frame_rx_byte(&rx, data[i], &v);
        if (rc <= 0) continue;
        if (v.len > FW_MAX_FRAME_BYTES) abort();
        frame_config_t c;
        frame_sample_batch_t b;
        frame_cmd_t cmd;
        frame_hello_t h;
        frame_ack_t a;
        frame_stride_t s;
        frame_summary_t sum;
        frame_status_t st;
        frame_fault_t f;
        frame_log_t lg;
        if (frame_unpack_sample_batch(&b, v.payload, v.len) == 0 && b.count > FRAME_MAX_BATCH_SAMPLES) abort();
        if (frame_unpack_log(&lg, v.payload, v.len) == 0 && lg.text_len > sizeof lg.text) abort();
        (void)frame_unpack_config(&c, v.payload, v.len);
        (void)frame_unpack_cmd(&cmd, v.payload, v.len);
        (void)frame_unpack_hello(&h, v.payload, v.len);
        (void)frame_unpack_ack(&a, v.payload, v.len);
        (void)frame_unpack_stride(&s, v.payload, v.len);
        (void)frame_unpack_summary(&sum, v.payload, v.len);
        (void)frame_unpack_status(&st, v.payload, v.len);
        (void)frame_unpack_fault(&f, v.payload, v.len);
    }
    int n = frame_cobs_decode(data, size, plain, sizeof plain);
    if (n > (int)sizeof plain) abort();
    return 0;
}
