/* Unit tests of the Running Speed and Cadence service: unit conversions, the stop, NAN fields,
 * Set Cumulative Value, and the service through the application's link messages. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "app.h"
#include "check.h"
#include "rscs.h"

static void test_conversions(void) {
    rscs_t r;
    rscs_init(&r);
    rscs_measurement_t m;
    /* Before any stride: nothing moves, total distance only. */
    CHECK(rscs_measure(&r, 100u, 1248u, 0.0f, &m) == 0, "measure");
    CHECK(m.flags == FRAME_RSCS_MEAS_TOTAL_DISTANCE_PRESENT && m.speed_256ths_mps == 0 && m.cadence_per_min == 0,
          "no stride yet: flags 0x%02x speed %u", m.flags, m.speed_256ths_mps);
    /* 3.0 m/s, a 705.9 ms stride (85 of this foot's contacts a minute, 170 steps/min), 2.12 m. */
    CHECK(rscs_on_stride(&r, 1000u, 3.0f, 2.12f, 705.9f, true) == 0, "on_stride");
    CHECK(rscs_measure(&r, 1000u, 1248u, 105.5f, &m) == 0, "measure");
    CHECK(m.speed_256ths_mps == 768u, "speed %u, want 768 (3.0 m/s in 1/256 m/s)", m.speed_256ths_mps);
    CHECK(m.cadence_per_min == 85u, "cadence %u, want 85 contacts of the sensor's foot per minute", m.cadence_per_min);
    CHECK(m.stride_length_cm == 212u, "stride %u cm, want 212", m.stride_length_cm);
    CHECK(m.total_distance_dm == 1055u, "total %u dm, want 1055", (unsigned)m.total_distance_dm);
    CHECK(m.flags == 0x07u, "flags 0x%02x, want 0x07", m.flags);
    /* Still within the idle time: the same values; one sample past it: stopped. */
    CHECK(rscs_measure(&r, 1000u + 1248u, 1248u, 105.5f, &m) == 0 && m.speed_256ths_mps == 768u, "within idle");
    CHECK(rscs_measure(&r, 1000u + 1249u, 1248u, 105.5f, &m) == 0, "measure");
    CHECK(m.speed_256ths_mps == 0 && m.cadence_per_min == 0 && m.flags == FRAME_RSCS_MEAS_TOTAL_DISTANCE_PRESENT,
          "stopped: speed %u cadence %u flags 0x%02x", m.speed_256ths_mps, m.cadence_per_min, m.flags);
    /* A stride the analyzer could not measure: speed and cadence stay, the length is left out. */
    CHECK(rscs_on_stride(&r, 3000u, NAN, NAN, NAN, false) == 0, "on_stride NAN");
    CHECK(rscs_measure(&r, 3000u, 1248u, 105.5f, &m) == 0, "measure");
    CHECK(m.speed_256ths_mps == 768u && m.cadence_per_min == 85u && !(m.flags & FRAME_RSCS_MEAS_STRIDE_LENGTH_PRESENT) &&
              !(m.flags & FRAME_RSCS_MEAS_RUNNING),
          "NAN stride: speed %u cadence %u flags 0x%02x", m.speed_256ths_mps, m.cadence_per_min, m.flags);
    /* Negative and huge values are clamped, never wrapped. */
    CHECK(rscs_on_stride(&r, 4000u, 300.0f, 700.0f, 10.0f, true) == 0, "on_stride huge");
    CHECK(rscs_measure(&r, 4000u, 1248u, -5.0f, &m) == 0, "measure");
    CHECK(m.speed_256ths_mps == 0xFFFFu && m.cadence_per_min == 0xFFu && m.stride_length_cm == 0xFFFFu &&
              m.total_distance_dm == 0u,
          "clamped: %u %u %u %u", m.speed_256ths_mps, m.cadence_per_min, m.stride_length_cm, (unsigned)m.total_distance_dm);
    CHECK(rscs_measure(NULL, 0u, 0u, 0.0f, &m) == -EINVAL && rscs_on_stride(NULL, 0u, 0.0f, 0.0f, 0.0f, false) == -EINVAL,
          "NULL refused");
}

static void test_set_cumulative_value(void) {
    rscs_t r;
    rscs_init(&r);
    const uint8_t set[] = {FRAME_RSCS_OP_SET_CUMULATIVE_VALUE, 0x10, 0x27, 0x00, 0x00}; /* 1000.0 m */
    uint8_t rsp[FRAME_MAX_GATT_VALUE];
    CHECK(rscs_control_point(&r, 50.0f, set, sizeof set, rsp, sizeof rsp) == 3 && rsp[2] == FRAME_RSCS_RESPONSE_SUCCESS,
          "set cumulative value");
    rscs_measurement_t m;
    CHECK(rscs_measure(&r, 0u, 1248u, 60.0f, &m) == 0 && m.total_distance_dm == 10100u,
          "1000 m set at 50 m, now at 60 m: total %u dm, want 10100", (unsigned)m.total_distance_dm);
    rscs_restart(&r); /* a new run: the distance restarts, the location stays */
    CHECK(rscs_measure(&r, 0u, 1248u, 0.0f, &m) == 0 && m.total_distance_dm == 0u, "restart");
    CHECK(rscs_control_point(&r, 0.0f, set, 0u, rsp, sizeof rsp) == -EINVAL, "empty request refused");
    CHECK(rscs_control_point(&r, 0.0f, set, sizeof set, rsp, 4u) == -ENOSPC, "small response buffer refused");
    uint8_t buf[2];
    CHECK(rscs_read(&r, FRAME_RSCS_MEASUREMENT_UUID, buf, sizeof buf) == -EACCES, "measurement is notify only");
    CHECK(rscs_read(&r, FRAME_RSCS_CONTROL_POINT_UUID, buf, sizeof buf) == -EACCES, "control point is write only");
    CHECK(rscs_read(&r, 0x2a37u, buf, sizeof buf) == -ENOENT, "no heart rate here");
    CHECK(rscs_read(&r, FRAME_RSCS_FEATURE_UUID, buf, 1u) == -ENOSPC, "feature needs 2 bytes");
}

/* ---- the service through the application: a HAL that records what the firmware sends ---- */

typedef struct {
    uint8_t in[4096];
    size_t in_len, in_pos;
    uint8_t out[16384];
    size_t out_len;
    uint32_t ms;
} fake_link_t;

static int fake_write(void *ctx, const uint8_t *buf, size_t len) {
    fake_link_t *f = ctx;
    if (f->out_len + len > sizeof f->out) return -ENOSPC;
    memcpy(f->out + f->out_len, buf, len);
    f->out_len += len;
    return (int)len;
}

static int fake_read(void *ctx, uint8_t *buf, size_t cap) {
    fake_link_t *f = ctx;
    size_t n = f->in_len - f->in_pos < cap ? f->in_len - f->in_pos : cap;
    memcpy(buf, f->in + f->in_pos, n);
    f->in_pos += n;
    return (int)n;
}

static uint32_t fake_millis(void *ctx) { return ((fake_link_t *)ctx)->ms; }

static uint16_t host_seq;

static void host_send(fake_link_t *f, uint8_t type, const uint8_t *pay, int n) {
    CHECK(n >= 0, "pack %d", n);
    int w = frame_encode(type, host_seq++, pay, (size_t)n, f->in + f->in_len, sizeof f->in - f->in_len);
    CHECK(w > 0, "encode %d", w);
    f->in_len += (size_t)w;
}

/* The frames the firmware sent since the last call, decoded one by one through a callback. */
typedef struct {
    int acks, last_ack_status, values, measurements;
    uint16_t value_uuid;
    uint8_t value[FRAME_MAX_GATT_VALUE];
    uint16_t value_len;
    uint32_t meas_t_us[8];
    uint8_t meas_flags[8];
} seen_t;

static void drain(fake_link_t *f, seen_t *s) {
    frame_rx_t rx;
    frame_rx_init(&rx);
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < f->out_len; i++) {
        frame_view_t v;
        if (frame_rx_byte(&rx, f->out[i], &v) != 1) continue;
        if (v.type == FRAME_MSG_ACK) {
            frame_ack_t a;
            CHECK(frame_unpack_ack(&a, v.payload, v.len) == 0, "ack");
            s->acks++;
            s->last_ack_status = a.status;
        } else if (v.type == FRAME_MSG_GATT_VALUE) {
            frame_gatt_value_t g;
            CHECK(frame_unpack_gatt_value(&g, v.payload, v.len) == 0, "gatt value");
            s->values++;
            s->value_uuid = g.uuid;
            s->value_len = g.value_len;
            memcpy(s->value, g.value, g.value_len);
        } else if (v.type == FRAME_MSG_RSC_MEASUREMENT) {
            frame_rsc_measurement_t m;
            CHECK(frame_unpack_rsc_measurement(&m, v.payload, v.len) == 0, "rsc measurement");
            if (s->measurements < 8) {
                s->meas_t_us[s->measurements] = m.t_us;
                s->meas_flags[s->measurements] = m.value[0];
            }
            s->measurements++;
        }
    }
    f->out_len = 0;
}

static void gatt_read(app_t *app, fake_link_t *f, uint16_t uuid, seen_t *s) {
    frame_gatt_read_t r = {.uuid = uuid};
    uint8_t pay[16];
    host_send(f, FRAME_MSG_GATT_READ, pay, frame_pack_gatt_read(&r, pay, sizeof pay));
    CHECK(app_poll(app) == 1, "poll");
    drain(f, s);
}

static void gatt_write(app_t *app, fake_link_t *f, uint16_t uuid, const uint8_t *value, uint16_t len, seen_t *s) {
    frame_gatt_write_t w = {.uuid = uuid, .value_len = len};
    memcpy(w.value, value, len);
    uint8_t pay[32];
    host_send(f, FRAME_MSG_GATT_WRITE, pay, frame_pack_gatt_write(&w, pay, sizeof pay));
    CHECK(app_poll(app) == 1, "poll");
    drain(f, s);
}

static void test_through_the_app(void) {
    static fake_link_t f;
    static app_t app;
    memset(&f, 0, sizeof f);
    hal_t hal = {.ctx = &f, .link_write = fake_write, .link_read = fake_read, .millis = fake_millis,
                 .board_name = "test"};
    CHECK(app_init(&app, &hal) == 0, "init");
    seen_t s;
    drain(&f, &s);

    gatt_read(&app, &f, FRAME_RSCS_FEATURE_UUID, &s);
    CHECK(s.values == 1 && s.value_uuid == FRAME_RSCS_FEATURE_UUID && s.value_len == 2 && s.value[0] == 0x17 &&
              s.value[1] == 0x00 && s.acks == 1 && s.last_ack_status == 0,
          "read RSC Feature: %d value(s), len %u, ack %d", s.values, s.value_len, s.last_ack_status);
    gatt_read(&app, &f, FRAME_RSCS_SENSOR_LOCATION_UUID, &s);
    CHECK(s.values == 1 && s.value_len == 1 && s.value[0] == FRAME_RSCS_LOCATION_IN_SHOE, "read Sensor Location");
    gatt_read(&app, &f, 0x2a37u, &s);
    CHECK(s.values == 0 && s.last_ack_status == -ENOENT, "read of a missing characteristic: ack %d", s.last_ack_status);
    gatt_read(&app, &f, FRAME_RSCS_MEASUREMENT_UUID, &s);
    CHECK(s.values == 0 && s.last_ack_status == -EACCES, "read of the measurement: ack %d", s.last_ack_status);

    const uint8_t req_locations[] = {FRAME_RSCS_OP_REQUEST_SUPPORTED_SENSOR_LOCATIONS};
    gatt_write(&app, &f, FRAME_RSCS_CONTROL_POINT_UUID, req_locations, 1u, &s);
    CHECK(s.values == 1 && s.value_uuid == FRAME_RSCS_CONTROL_POINT_UUID && s.value_len == 5 && s.value[0] == 0x10 &&
              s.value[1] == 0x04 && s.value[2] == 0x01 && s.value[3] == 2 && s.value[4] == 1 && s.last_ack_status == 0,
          "request supported locations: len %u", s.value_len);
    const uint8_t calibrate[] = {FRAME_RSCS_OP_START_SENSOR_CALIBRATION};
    gatt_write(&app, &f, FRAME_RSCS_CONTROL_POINT_UUID, calibrate, 1u, &s);
    CHECK(s.values == 1 && s.value[2] == FRAME_RSCS_RESPONSE_OP_CODE_NOT_SUPPORTED, "calibration not supported");
    gatt_write(&app, &f, FRAME_RSCS_CONTROL_POINT_UUID, calibrate, 0u, &s);
    CHECK(s.values == 0 && s.last_ack_status == -EINVAL, "empty write: ack %d", s.last_ack_status);
    gatt_write(&app, &f, FRAME_RSCS_FEATURE_UUID, calibrate, 1u, &s);
    CHECK(s.values == 0 && s.last_ack_status == -EACCES, "write of the feature: ack %d", s.last_ack_status);
    gatt_write(&app, &f, 0x2a39u, calibrate, 1u, &s);
    CHECK(s.values == 0 && s.last_ack_status == -ENOENT, "write of a missing characteristic: ack %d", s.last_ack_status);

    /* 2.5 s of a still foot at the default 416 Hz: periodic measurements at 1 s and 2 s of sensor time. */
    frame_sample_t still = {.az = 2048};
    for (uint32_t i = 0; i < 1040u; i++) CHECK(app_push_raw(&app, i, &still) == 0, "push %u", (unsigned)i);
    drain(&f, &s);
    CHECK(s.measurements == 2, "%d periodic measurements in 2.5 s, want 2", s.measurements);
    CHECK(s.meas_t_us[0] == 1000000u && s.meas_t_us[1] == 2000000u, "at %u and %u us", (unsigned)s.meas_t_us[0],
          (unsigned)s.meas_t_us[1]);
    CHECK(s.meas_flags[0] == FRAME_RSCS_MEAS_TOTAL_DISTANCE_PRESENT, "standing: flags 0x%02x", s.meas_flags[0]);
    /* A gap of 10 s in the samples: the next periodic one comes a second after it, not ten at once. */
    for (uint32_t i = 5200u; i < 5200u + 420u; i++) CHECK(app_push_raw(&app, i, &still) == 0, "push %u", (unsigned)i);
    drain(&f, &s);
    CHECK(s.measurements == 2, "%d measurements around a gap, want 2", s.measurements);
}

int main(void) {
    test_conversions();
    test_set_cumulative_value();
    test_through_the_app();
    printf("test_rscs: %d failure(s)\n", failures);
    return failures ? 1 : 0;
}
