/* test_app_raw.c - raw mode: the application sends the samples pushed to it in RAW_BATCH frames. */
#include <errno.h>
#include <string.h>

#include "app.h"
#include "check.h"
#include "synth_sensor.h"

static uint8_t g_out[16384];
static size_t g_out_len;
static uint8_t g_in[256];
static size_t g_in_len, g_in_pos;

static int w(void *ctx, const uint8_t *buf, size_t len) {
    (void)ctx;
    if (g_out_len + len > sizeof g_out) return -1;
    memcpy(g_out + g_out_len, buf, len);
    g_out_len += len;
    return (int)len;
}

static int r(void *ctx, uint8_t *buf, size_t cap) {
    (void)ctx;
    size_t n = g_in_len - g_in_pos < cap ? g_in_len - g_in_pos : cap;
    memcpy(buf, g_in + g_in_pos, n);
    g_in_pos += n;
    return (int)n;
}

static uint32_t ms(void *ctx) {
    (void)ctx;
    return 0;
}

/* Queue one host frame for app_poll. */
static void host_sends(uint8_t type, uint16_t seq, const uint8_t *pay, int len) {
    int n = frame_encode(type, seq, pay, (size_t)len, g_in + g_in_len, sizeof g_in - g_in_len);
    CHECK(n > 0, "frame_encode %d", n);
    g_in_len += (size_t)n;
}

/* Decode what the application sent; collect its RAW_BATCH frames and count its ACKs. */
static int raw_batches(frame_raw_batch_t *out, int cap, int *acks) {
    frame_rx_t rx;
    frame_rx_init(&rx);
    int got = 0;
    *acks = 0;
    for (size_t i = 0; i < g_out_len; i++) {
        frame_view_t v;
        if (frame_rx_byte(&rx, g_out[i], &v) != 1) continue;
        if (v.type == FRAME_MSG_ACK) (*acks)++;
        if (v.type == FRAME_MSG_RAW_BATCH && got < cap) {
            CHECK(frame_unpack_raw_batch(&out[got], v.payload, v.len) == 0, "RAW_BATCH unpacks");
            got++;
        }
    }
    return got;
}

int main(void) {
    static app_t app;
    hal_t hal = {.link_write = w, .link_read = r, .millis = ms, .board_name = "test"};
    CHECK(app_init(&app, &hal) == 0, "app_init");
    CHECK(!app_sensor_wanted(&app), "replay mode at boot: no sensor");

    uint8_t pay[32];
    frame_config_t cfg = {.odr_mhz = 416000u, .accel_fs_g = 16, .gyro_fs_dps = 2000, .mode = FRAME_MODE_RAW,
                          .session = 77u};
    host_sends(FRAME_MSG_CONFIG, 0, pay, frame_pack_config(&cfg, pay, sizeof pay));
    CHECK(app_poll(&app) == 1, "CONFIG handled");
    CHECK(app_sensor_wanted(&app), "raw mode wants the sensor");

    /* 40 samples, then 10 lost by the sensor, then 5 more */
    for (uint32_t i = 0; i < 55; i++) {
        if (i >= 40 && i < 50) continue;
        frame_sample_t s;
        synth_sensor_sample(i, &s);
        CHECK(app_push_raw(&app, i, &s) == 0, "push %u", (unsigned)i);
    }
    frame_sample_t back;
    synth_sensor_sample(0, &back);
    CHECK(app_push_raw(&app, 3, &back) == -EINVAL, "an index going back is refused");

    uint8_t end[1];
    frame_cmd_t cmd = {.op = FRAME_OP_END};
    g_in_len = g_in_pos = 0;
    host_sends(FRAME_MSG_CMD, 1, end, frame_pack_cmd(&cmd, end, sizeof end));
    CHECK(app_poll(&app) == 1, "END handled");
    CHECK(!app_sensor_wanted(&app), "END ends the raw stream");

    frame_raw_batch_t b[4];
    int acks;
    int n = raw_batches(b, 4, &acks);
    CHECK(n == 3, "a full batch, the rest before the gap, the samples after it: %d batches", n);
    CHECK(acks == 2, "CONFIG and END acknowledged: %d", acks);
    if (n == 3) {
        CHECK(b[0].first_index == 0 && b[0].count == FRAME_MAX_BATCH_SAMPLES, "batch 0: %u+%u",
              (unsigned)b[0].first_index, b[0].count);
        CHECK(b[1].first_index == 32 && b[1].count == 8, "batch 1: %u+%u", (unsigned)b[1].first_index, b[1].count);
        CHECK(b[2].first_index == 50 && b[2].count == 5, "batch 2: %u+%u", (unsigned)b[2].first_index, b[2].count);
        for (int k = 0; k < 3; k++) {
            for (uint8_t i = 0; i < b[k].count; i++) {
                frame_sample_t want;
                synth_sensor_sample(b[k].first_index + i, &want);
                CHECK(memcmp(&want, &b[k].samples[i], sizeof want) == 0, "sample %u as pushed",
                      (unsigned)(b[k].first_index + i));
            }
        }
    }
    /* the raw samples were sent, never analyzed: no STRIDE, no SUMMARY after END */
    CHECK(app.count.samples == 55 - 10, "samples counted: %u", (unsigned)app.count.samples);
    printf(failures ? "test_app_raw: %d failure(s)\n" : "test_app_raw: all checks passed\n", failures);
    return failures != 0;
}
