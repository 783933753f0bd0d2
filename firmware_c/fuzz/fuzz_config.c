/*
 * fuzz_config.c - libFuzzer target: the CONFIG parser and its application. The input is the
 * payload of one CONFIG frame (of any length), sent as a valid frame to the application,
 * followed by a short batch of samples and END so an accepted configuration is exercised.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t wire[3 * FRAME_WIRE_BYTES(FW_MAX_FRAME_BYTES)];
    if (size > FW_MAX_FRAME_BYTES - FRAME_HEADER_BYTES - FRAME_CRC_BYTES) return 0;
    frame_config_t c;
    (void)frame_unpack_config(&c, data, size);
    size_t at = 0;
    int n = frame_encode(FRAME_MSG_CONFIG, 1, data, size, wire, sizeof wire);
    if (n < 0) return 0;
    at += (size_t)n;
    uint8_t pay[FW_MAX_FRAME_BYTES];
    frame_sample_batch_t b;
    memset(&b, 0, sizeof b);
    b.first_index = 0;
    b.count = 8;
    for (uint8_t i = 0; i < b.count; i++) {
        b.samples[i].az = (int16_t)(2048 + i * 100);
        b.samples[i].gy = (int16_t)(i * 1000 - 4000);
    }
    n = frame_pack_sample_batch(&b, pay, sizeof pay);
    if (n < 0) return 0;
    n = frame_encode(FRAME_MSG_SAMPLE_BATCH, 2, pay, (size_t)n, wire + at, sizeof wire - at);
    if (n < 0) return 0;
    at += (size_t)n;
    frame_cmd_t end = {.op = FRAME_OP_END};
    n = frame_pack_cmd(&end, pay, sizeof pay);
    n = frame_encode(FRAME_MSG_CMD, 3, pay, (size_t)n, wire + at, sizeof wire - at);
    if (n < 0) return 0;
    at += (size_t)n;
    fuzz_link_t l = {.in = wire, .in_len = at, .chunk = 64};
    fuzz_run_app(&l);
    return 0;
}
