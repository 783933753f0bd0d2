/* app.c - the firmware application, shared by every port. See app.h. */
#include "app.h"

#include "lsm6dso.h"

#include <errno.h>
#include <string.h>

static int send(app_t *app, uint8_t type, int packed) {
    if (packed < 0) return packed;
    int n = frame_encode(type, app->tx_seq, app->pay_buf, (size_t)packed, app->tx_buf,
                         sizeof app->tx_buf);
    if (n < 0) return n;
    app->tx_seq++;
    int w = app->hal->link_write(app->hal->ctx, app->tx_buf, (size_t)n);
    return w < 0 ? w : 0;
}

static int send_hello(app_t *app) {
    frame_hello_t h;
    memset(&h, 0, sizeof h);
    h.protocol = FRAME_PROTOCOL_VERSION;
    h.fw_major = FW_VERSION_MAJOR;
    h.fw_minor = FW_VERSION_MINOR;
    h.fw_patch = FW_VERSION_PATCH;
    h.max_batch = FRAME_MAX_BATCH_SAMPLES;
    h.rx_buffer_bytes = app->hal->rx_buffer_bytes ? app->hal->rx_buffer_bytes : FW_RX_RING_BYTES;
    const char *name = app->hal->board_name ? app->hal->board_name : "unknown";
    for (size_t i = 0; i < sizeof h.board && name[i]; i++) h.board[i] = name[i];
    return send(app, FRAME_MSG_HELLO, frame_pack_hello(&h, app->pay_buf, sizeof app->pay_buf));
}

static int send_ack(app_t *app, uint16_t seq, int status, uint32_t session) {
    frame_ack_t a = {.acked_seq = seq, .status = (int8_t)status, .session = session};
    return send(app, FRAME_MSG_ACK, frame_pack_ack(&a, app->pay_buf, sizeof app->pay_buf));
}

int app_log(app_t *app, uint8_t level, const char *text) {
    frame_log_t l;
    l.level = level;
    l.text_len = 0;
    while (text[l.text_len] && l.text_len < sizeof l.text) {
        l.text[l.text_len] = text[l.text_len];
        l.text_len++;
    }
    return send(app, FRAME_MSG_LOG, frame_pack_log(&l, app->pay_buf, sizeof app->pay_buf));
}

/* Microseconds from sample 0 to (index + frac), wrapping at 2^32 us. */
static uint32_t index_to_us(const app_t *app, uint32_t index, float frac) {
    uint32_t odr_mhz = app->config.odr_mhz;
    uint64_t whole = ((uint64_t)index * 1000000000u) / odr_mhz;
    return (uint32_t)whole + (uint32_t)(frac * (1e9f / (float)odr_mhz) + 0.5f);
}

/* The STRIDE and SUMMARY frames carry the analyzer's codes as they are: the
 * codec's codes (generated from frame_spec) must equal the analyzer's, checked
 * by the compiler (C99 has no _Static_assert: a negative array size stops the
 * build). */
#define APP_CODE_CHECK(name, cond) typedef char app_code_check_##name[(cond) ? 1 : -1]
APP_CODE_CHECK(strike_unknown, FRAME_STRIKE_UNKNOWN == GAIT_STRIKE_UNKNOWN);
APP_CODE_CHECK(strike_heel, FRAME_STRIKE_HEEL == GAIT_STRIKE_HEEL);
APP_CODE_CHECK(strike_mid, FRAME_STRIKE_MID == GAIT_STRIKE_MID);
APP_CODE_CHECK(strike_fore, FRAME_STRIKE_FORE == GAIT_STRIKE_FORE);
APP_CODE_CHECK(activity_still, FRAME_ACTIVITY_STILL == GAIT_ACTIVITY_STILL);
APP_CODE_CHECK(activity_walk, FRAME_ACTIVITY_WALK == GAIT_ACTIVITY_WALK);
APP_CODE_CHECK(activity_run, FRAME_ACTIVITY_RUN == GAIT_ACTIVITY_RUN);
APP_CODE_CHECK(activity_stairs, FRAME_ACTIVITY_STAIRS == GAIT_ACTIVITY_STAIRS);
APP_CODE_CHECK(activity_count, GAIT_ACTIVITY_COUNT == 4);
APP_CODE_CHECK(flag_impact_clipped, FRAME_FLAG_IMPACT_CLIPPED == GAIT_FLAG_IMPACT_CLIPPED);
APP_CODE_CHECK(flag_gyro_saturated, FRAME_FLAG_GYRO_SATURATED == GAIT_FLAG_GYRO_SATURATED);
APP_CODE_CHECK(flag_samples_dropped, FRAME_FLAG_SAMPLES_DROPPED == GAIT_FLAG_SAMPLES_DROPPED);

static int send_stride(app_t *app, const gait_stride_t *s) {
    frame_stride_t f;
    f.stride_no = app->count.strides++;
    f.ic_us = index_to_us(app, s->ic_index, s->ic_frac);
    f.tc_us = index_to_us(app, s->tc_index, s->tc_frac);
    f.gct_ms = s->gct_ms;
    f.flight_ms = s->flight_ms;
    f.swing_ms = s->swing_ms;
    f.stride_ms = s->stride_ms;
    f.cadence_spm = s->cadence_spm;
    f.duty_factor = s->duty_factor;
    f.fsa_deg = s->fsa_deg;
    f.pronation_deg = s->pronation_deg;
    f.peak_roll_rate_dps = s->peak_roll_rate_dps;
    f.peak_impact_g = s->peak_impact_g;
    f.stride_m = s->stride_m;
    f.speed_mps = s->speed_mps;
    f.strike = s->strike;
    f.activity = s->activity;
    f.flags = s->flags;
    return send(app, FRAME_MSG_STRIDE, frame_pack_stride(&f, app->pay_buf, sizeof app->pay_buf));
}

/* RSC Measurement at sample index `index`, as it would be notified. */
static int send_rsc(app_t *app, uint32_t index) {
    gait_summary_t g;
    int rc = gait_get_summary(&app->gait, &g);
    if (rc < 0) return rc;
    rscs_measurement_t m;
    rc = rscs_measure(&app->rscs, index, app->rsc_idle_samples, g.distance_m, &m);
    if (rc < 0) return rc;
    frame_rsc_measurement_t f;
    f.t_us = index_to_us(app, index, 0.0f);
    rc = rscs_pack_measurement(&m, f.value, sizeof f.value);
    if (rc < 0) return rc;
    f.value_len = (uint16_t)rc;
    return send(app, FRAME_MSG_RSC_MEASUREMENT, frame_pack_rsc_measurement(&f, app->pay_buf, sizeof app->pay_buf));
}

/* A stride reported at sample index `index`: its STRIDE frame, then the RSC Measurement it updates. */
static int report_stride(app_t *app, const gait_stride_t *s, uint32_t index) {
    int rc = send_stride(app, s);
    if (rc < 0) return rc;
    rscs_on_stride(&app->rscs, index, s->speed_mps, s->stride_m, s->stride_ms, s->activity == GAIT_ACTIVITY_RUN);
    return send_rsc(app, index);
}

/* The periodic RSC Measurement, once every rsc_period_samples of sensor time. */
static int tick_rsc(app_t *app, uint32_t index) {
    if (!app->rsc_clock_started) {
        app->rsc_clock_started = true;
        app->rsc_next_index = index + app->rsc_period_samples;
        return 0;
    }
    if ((int32_t)(index - app->rsc_next_index) < 0) return 0;
    /* After a gap in the samples the clock restarts from now rather than catching up. */
    if ((uint32_t)(index - app->rsc_next_index) >= app->rsc_period_samples)
        app->rsc_next_index = index;
    app->rsc_next_index += app->rsc_period_samples;
    return send_rsc(app, index);
}

static int send_gatt_value(app_t *app, uint16_t uuid, const uint8_t *value, int len) {
    if (len < 0) return len;
    frame_gatt_value_t f;
    f.uuid = uuid;
    f.value_len = (uint16_t)len;
    memcpy(f.value, value, (size_t)len);
    return send(app, FRAME_MSG_GATT_VALUE, frame_pack_gatt_value(&f, app->pay_buf, sizeof app->pay_buf));
}

static int on_gatt_read(app_t *app, const frame_view_t *v) {
    frame_gatt_read_t r;
    if (frame_unpack_gatt_read(&r, v->payload, v->len) < 0) return -EBADMSG;
    uint8_t value[FRAME_MAX_GATT_VALUE];
    return send_gatt_value(app, r.uuid, value, rscs_read(&app->rscs, r.uuid, value, sizeof value));
}

static int on_gatt_write(app_t *app, const frame_view_t *v) {
    frame_gatt_write_t *w = &app->gatt_write;
    if (frame_unpack_gatt_write(w, v->payload, v->len) < 0) return -EBADMSG;
    switch (w->uuid) {
    case FRAME_RSCS_CONTROL_POINT_UUID: {
        gait_summary_t g;
        int rc = gait_get_summary(&app->gait, &g);
        if (rc < 0) return rc;
        uint8_t rsp[FRAME_MAX_GATT_VALUE];
        return send_gatt_value(app, w->uuid, rsp,
                               rscs_control_point(&app->rscs, g.distance_m, w->value, w->value_len, rsp, sizeof rsp));
    }
    case FRAME_RSCS_MEASUREMENT_UUID:
    case FRAME_RSCS_FEATURE_UUID:
    case FRAME_RSCS_SENSOR_LOCATION_UUID:
        return -EACCES;
    default:
        return -ENOENT;
    }
}

static int send_summary(app_t *app) {
    gait_summary_t g;
    int rc = gait_get_summary(&app->gait, &g);
    if (rc < 0) return rc;
    frame_summary_t f = {
        .strides = g.strides,
        .distance_m = g.distance_m,
        .duration_s = g.duration_s,
        .avg_pace_s_per_km = g.avg_pace_s_per_km,
        .avg_cadence_spm = g.avg_cadence_spm,
        .still_s = g.activity_s[GAIT_ACTIVITY_STILL],
        .walk_s = g.activity_s[GAIT_ACTIVITY_WALK],
        .run_s = g.activity_s[GAIT_ACTIVITY_RUN],
        .stairs_s = g.activity_s[GAIT_ACTIVITY_STAIRS],
        .dropped_samples = g.dropped_samples,
    };
    return send(app, FRAME_MSG_SUMMARY, frame_pack_summary(&f, app->pay_buf, sizeof app->pay_buf));
}

static int send_status(app_t *app) {
    frame_status_t f = {
        .uptime_ms = app->hal->millis(app->hal->ctx),
        .samples = app->count.samples,
        .strides = app->count.strides,
        .rx_frames = app->count.rx_frames,
        .rx_bad_frames = app->count.rx_bad_frames,
        .rx_seq_gaps = app->count.rx_seq_gaps,
        .rx_overflows = app->count.rx_overflows,
        .mode = app->config.mode,
    };
    return send(app, FRAME_MSG_STATUS, frame_pack_status(&f, app->pay_buf, sizeof app->pay_buf));
}

/* Apply a CONFIG: validate, then restart the analyzer with it. */
static int apply_config(app_t *app, const frame_config_t *c) {
    float a = lsm6dso_accel_g_per_lsb(c->accel_fs_g);
    float g = lsm6dso_gyro_mdps_per_lsb(c->gyro_fs_dps) * 1e-3f;
    if (c->odr_mhz < 1000u || a == 0.0f || g == 0.0f || c->mode > FRAME_MODE_RAW) return -EINVAL;
    gait_config_t gc = {.odr_hz = (float)c->odr_mhz * 1e-3f,
                        .accel_fs_g = (float)c->accel_fs_g,
                        .gyro_fs_dps = (float)c->gyro_fs_dps};
    int rc = gait_init(&app->gait, &gc);
    if (rc < 0) return rc;
    app->config = *c;
    app->accel_g_per_lsb = a;
    app->gyro_dps_per_lsb = g;
    app->have_index = false;
    app->count.strides = 0;
    app->count.samples = 0;
    rscs_restart(&app->rscs);
    app->rsc_period_samples = (uint32_t)(((uint64_t)c->odr_mhz * FW_RSCS_PERIOD_MS + 500000u) / 1000000u);
    app->rsc_idle_samples = (uint32_t)(((uint64_t)c->odr_mhz * FW_RSCS_IDLE_MS + 500000u) / 1000000u);
    app->rsc_clock_started = false;
    app->raw.count = 0;
    return 0;
}

/* Send the raw samples gathered so far (RAW mode) as one RAW_BATCH. */
static int flush_raw(app_t *app) {
    if (app->raw.count == 0) return 0;
    int rc = send(app, FRAME_MSG_RAW_BATCH, frame_pack_raw_batch(&app->raw, app->pay_buf, sizeof app->pay_buf));
    app->raw.count = 0;
    return rc;
}

/* RAW mode: gather the sample into the current RAW_BATCH (consecutive indices only), send it when full. */
static int push_raw_sample(app_t *app, uint32_t index, const frame_sample_t *raw) {
    if (app->raw.count > 0 && index != app->raw.first_index + app->raw.count) {
        int rc = flush_raw(app); /* samples were lost in between: the next batch starts after the gap */
        if (rc < 0) return rc;
    }
    if (app->raw.count == 0) app->raw.first_index = index;
    app->raw.samples[app->raw.count++] = *raw;
    return app->raw.count == FRAME_MAX_BATCH_SAMPLES ? flush_raw(app) : 0;
}

bool app_sensor_wanted(const app_t *app) {
    return app->config.mode == FRAME_MODE_LIVE || app->config.mode == FRAME_MODE_RAW;
}

int app_push_raw(app_t *app, uint32_t index, const frame_sample_t *raw) {
    if (app->have_index && (int32_t)(index - app->next_index) < 0) return -EINVAL;
    if (app->config.mode == FRAME_MODE_RAW) {
        app->next_index = index + 1u;
        app->have_index = true;
        app->count.samples++;
        return push_raw_sample(app, index, raw);
    }
    gait_sample_t s = {
        .ax_g = (float)raw->ax * app->accel_g_per_lsb,
        .ay_g = (float)raw->ay * app->accel_g_per_lsb,
        .az_g = (float)raw->az * app->accel_g_per_lsb,
        .gx_dps = (float)raw->gx * app->gyro_dps_per_lsb,
        .gy_dps = (float)raw->gy * app->gyro_dps_per_lsb,
        .gz_dps = (float)raw->gz * app->gyro_dps_per_lsb,
    };
    gait_stride_t st;
    int got = gait_push(&app->gait, index, &s, &st);
    app->next_index = index + 1u;
    app->have_index = true;
    app->count.samples++;
    if (got < 0) return got;
    if (got) {
        int rc = report_stride(app, &st, index);
        if (rc < 0) return rc;
    }
    return tick_rsc(app, index);
}

static int on_batch(app_t *app, const frame_view_t *v) {
    frame_sample_batch_t *b = &app->batch;
    if (frame_unpack_sample_batch(b, v->payload, v->len) < 0) return -EBADMSG;
    if (app->config.mode != FRAME_MODE_REPLAY) return -EPERM;
    for (uint8_t i = 0; i < b->count; i++) {
        int rc = app_push_raw(app, b->first_index + i, &b->samples[i]);
        if (rc < 0) return rc;
    }
    return 0;
}

int app_finish(app_t *app) {
    if (app->config.mode == FRAME_MODE_RAW) {
        /* the raw stream ends: its last samples, then back to waiting for a host (replay mode) */
        int rc = flush_raw(app);
        app->config.mode = FRAME_MODE_REPLAY;
        return rc;
    }
    gait_stride_t st;
    /* The analyzer may hold several strides behind its delayed stage: drain them all. */
    while (gait_flush(&app->gait, &st) == 1) {
        int rc = report_stride(app, &st, app->next_index - 1u);
        if (rc < 0) return rc;
    }
    return send_summary(app);
}

/* FNV-1a over type, length and payload: tells a repeated frame from a new one with the same seq. */
static uint32_t fingerprint(const frame_view_t *v) {
    uint32_t h = 2166136261u;
    h = (h ^ v->type) * 16777619u;
    h = (h ^ (uint32_t)v->len) * 16777619u;
    for (size_t i = 0; i < v->len; i++) h = (h ^ v->payload[i]) * 16777619u;
    return h;
}

/* Handle one valid frame; returns the status to acknowledge, and in *session the session the
 * answer belongs to: a CONFIG's own (accepted or refused), else the one in force. */
static int dispatch(app_t *app, const frame_view_t *v, uint32_t *session) {
    *session = app->config.session;
    switch (v->type) {
    case FRAME_MSG_CONFIG: {
        frame_config_t c;
        if (frame_unpack_config(&c, v->payload, v->len) < 0) return -EBADMSG;
        *session = c.session;
        return apply_config(app, &c);
    }
    case FRAME_MSG_SAMPLE_BATCH:
        return on_batch(app, v);
    case FRAME_MSG_GATT_READ:
        return on_gatt_read(app, v);
    case FRAME_MSG_GATT_WRITE:
        return on_gatt_write(app, v);
    case FRAME_MSG_CMD: {
        frame_cmd_t c;
        if (frame_unpack_cmd(&c, v->payload, v->len) < 0) return -EBADMSG;
        switch (c.op) {
        case FRAME_OP_HELLO: return send_hello(app);
        case FRAME_OP_END: return app_finish(app);
        case FRAME_OP_RESET: return apply_config(app, &app->config);
        case FRAME_OP_STATUS: return send_status(app);
        case FRAME_OP_FAULT_TEST:
            if (FW_ENABLE_FAULT_TEST && app->hal->fault_test) app->hal->fault_test(app->hal->ctx);
            return -ENOSYS;
        default: return -EINVAL;
        }
    }
    default:
        return -EINVAL;
    }
}

int app_init(app_t *app, const hal_t *hal) {
    if (!app || !hal || !hal->link_write || !hal->link_read || !hal->millis) return -EINVAL;
    memset(app, 0, sizeof *app);
    app->hal = hal;
    rscs_init(&app->rscs);
    frame_rx_init(&app->rx);
    frame_config_t def = {.odr_mhz = 416000u, .accel_fs_g = 16, .gyro_fs_dps = 2000, .mode = FRAME_MODE_REPLAY,
                          .session = 0u};
    int rc = apply_config(app, &def);
    if (rc < 0) return rc;
    return send_hello(app);
}

int app_poll(app_t *app) {
    uint8_t chunk[64];
    int handled = 0;
    for (;;) {
        int n = app->hal->link_read(app->hal->ctx, chunk, sizeof chunk);
        if (n < 0) return n;
        if (n == 0) return handled;
        for (int i = 0; i < n; i++) {
            frame_view_t v;
            int rc = frame_rx_byte(&app->rx, chunk[i], &v);
            if (rc == 0) continue;
            if (rc < 0) {
                app->count.rx_bad_frames++;
                int lr = app_log(app, 1, rc == -EMSGSIZE ? "rx: frame too long, dropped"
                                                         : "rx: corrupt frame (COBS/CRC/length), dropped");
                if (lr < 0) return lr;
                continue;
            }
            app->count.rx_frames++;
            uint32_t print = fingerprint(&v);
            if (v.type == FRAME_MSG_SAMPLE_BATCH && app->rx_seq_known &&
                v.seq == (uint16_t)(app->rx_next_seq - 1u) && print == app->last_print) {
                /* The batch just handled, repeated by the link: answer it again, apply it once
                 * (its samples again would read as time going back). Other frames are idempotent. */
                int ar = send_ack(app, v.seq, app->last_status, app->last_session);
                if (ar < 0) return ar;
                continue;
            }
            if (app->rx_seq_known && v.seq != app->rx_next_seq) app->count.rx_seq_gaps++;
            app->rx_next_seq = (uint16_t)(v.seq + 1u);
            app->rx_seq_known = true;
            uint32_t session;
            int status = dispatch(app, &v, &session);
            if (status == -EPIPE) return status;
            app->last_print = print;
            app->last_status = status;
            app->last_session = session;
            int ar = send_ack(app, v.seq, status, session);
            if (ar < 0) return ar;
            handled++;
        }
    }
}

int app_send_fault(const hal_t *hal, uint8_t reason, uint32_t pc, uint32_t lr, uint32_t cfsr,
                   uint32_t hfsr, uint32_t bfar) {
    uint8_t pay[32], wire[FRAME_WIRE_BYTES(48)];
    frame_fault_t f = {.reason = reason, .pc = pc, .lr = lr, .cfsr = cfsr, .hfsr = hfsr, .bfar = bfar};
    int n = frame_pack_fault(&f, pay, sizeof pay);
    if (n < 0) return n;
    n = frame_encode(FRAME_MSG_FAULT, 0xFFFFu, pay, (size_t)n, wire, sizeof wire);
    if (n < 0) return n;
    int w = hal->link_write(hal->ctx, wire, (size_t)n);
    return w < 0 ? w : 0;
}
