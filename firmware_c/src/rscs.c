/* rscs.c - the Running Speed and Cadence service's values. See rscs.h. */
#include "rscs.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* Locations the shoe can report (Request Supported Sensor Locations), in this order. */
static const uint8_t supported_locations[] = {FRAME_RSCS_LOCATION_IN_SHOE, FRAME_RSCS_LOCATION_TOP_OF_SHOE};

void rscs_init(rscs_t *r) {
    if (!r) return;
    memset(r, 0, sizeof *r);
    r->location = FRAME_RSCS_LOCATION_IN_SHOE;
    r->stride_m = NAN;
}

void rscs_restart(rscs_t *r) {
    if (!r) return;
    uint8_t location = r->location;
    rscs_init(r);
    r->location = location;
}

int rscs_on_stride(rscs_t *r, uint32_t index, float speed_mps, float stride_m, float stride_ms, bool running) {
    if (!r) return -EINVAL;
    if (isfinite(speed_mps) && speed_mps >= 0.0f) r->speed_mps = speed_mps;
    if (isfinite(stride_ms) && stride_ms > 0.0f) r->strides_per_min = 60000.0f / stride_ms;
    r->stride_m = (isfinite(stride_m) && stride_m >= 0.0f) ? stride_m : NAN;
    r->running = running;
    r->have_stride = true;
    r->last_index = index;
    return 0;
}

/* Round x / per_count to the nearest count, clamped to 0..top (NAN reads as 0). */
static uint32_t to_count(float x, float counts_per_unit, uint32_t top) {
    float c = x * counts_per_unit + 0.5f;
    if (!(c >= 1.0f)) return 0u;
    if (c >= (float)top) return top;
    return (uint32_t)c;
}

int rscs_measure(const rscs_t *r, uint32_t index, uint32_t idle_samples, float distance_m, rscs_measurement_t *out) {
    if (!r || !out) return -EINVAL;
    memset(out, 0, sizeof *out);
    bool moving = r->have_stride && (uint32_t)(index - r->last_index) <= idle_samples;
    if (moving) {
        out->speed_256ths_mps = (uint16_t)to_count(r->speed_mps, 256.0f, 0xFFFFu);
        out->cadence_per_min = (uint8_t)to_count(r->strides_per_min, 1.0f, 0xFFu);
        if (isfinite(r->stride_m)) {
            out->flags |= FRAME_RSCS_MEAS_STRIDE_LENGTH_PRESENT;
            out->stride_length_cm = (uint16_t)to_count(r->stride_m, 100.0f, 0xFFFFu);
        }
        if (r->running) out->flags |= FRAME_RSCS_MEAS_RUNNING;
    }
    /* Travel since the last Set Cumulative Value, added to the value it set; 1/10 m counts are
     * exact in a float up to 1677 km. */
    float since_m = isfinite(distance_m) ? distance_m - r->base_distance_m : 0.0f;
    uint32_t since_dm = to_count(since_m, 10.0f, 0xFFFFFFFFu - r->base_dm);
    out->flags |= FRAME_RSCS_MEAS_TOTAL_DISTANCE_PRESENT;
    out->total_distance_dm = r->base_dm + since_dm;
    return 0;
}

static void put_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v) {
    put_u16(p, (uint16_t)v);
    put_u16(p + 2, (uint16_t)(v >> 16));
}

int rscs_pack_measurement(const rscs_measurement_t *m, uint8_t *buf, size_t cap) {
    if (!m || !buf) return -EINVAL;
    size_t n = 4u + ((m->flags & FRAME_RSCS_MEAS_STRIDE_LENGTH_PRESENT) ? 2u : 0u) +
               ((m->flags & FRAME_RSCS_MEAS_TOTAL_DISTANCE_PRESENT) ? 4u : 0u);
    if (n > cap) return -ENOSPC;
    size_t off = 0;
    buf[off++] = m->flags;
    put_u16(buf + off, m->speed_256ths_mps);
    off += 2;
    buf[off++] = m->cadence_per_min;
    if (m->flags & FRAME_RSCS_MEAS_STRIDE_LENGTH_PRESENT) {
        put_u16(buf + off, m->stride_length_cm);
        off += 2;
    }
    if (m->flags & FRAME_RSCS_MEAS_TOTAL_DISTANCE_PRESENT) {
        put_u32(buf + off, m->total_distance_dm);
        off += 4;
    }
    return (int)off;
}

int rscs_read(const rscs_t *r, uint16_t uuid, uint8_t *buf, size_t cap) {
    if (!r || !buf) return -EINVAL;
    switch (uuid) {
    case FRAME_RSCS_FEATURE_UUID:
        if (cap < 2u) return -ENOSPC;
        put_u16(buf, (uint16_t)RSCS_FEATURES);
        return 2;
    case FRAME_RSCS_SENSOR_LOCATION_UUID:
        if (cap < 1u) return -ENOSPC;
        buf[0] = r->location;
        return 1;
    case FRAME_RSCS_MEASUREMENT_UUID:
    case FRAME_RSCS_CONTROL_POINT_UUID:
        return -EACCES;
    default:
        return -ENOENT;
    }
}

static bool location_supported(uint8_t location) {
    for (size_t i = 0; i < sizeof supported_locations; i++)
        if (supported_locations[i] == location) return true;
    return false;
}

int rscs_control_point(rscs_t *r, float distance_m, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap) {
    if (!r || !req || !rsp || len == 0u) return -EINVAL;
    if (cap < 3u + sizeof supported_locations) return -ENOSPC;
    uint8_t op = req[0];
    uint8_t value = FRAME_RSCS_RESPONSE_OP_CODE_NOT_SUPPORTED;
    size_t extra = 0;
    switch (op) {
    case FRAME_RSCS_OP_SET_CUMULATIVE_VALUE:
        if (len != 5u) {
            value = FRAME_RSCS_RESPONSE_INVALID_PARAMETER;
            break;
        }
        r->base_dm = (uint32_t)req[1] | ((uint32_t)req[2] << 8) | ((uint32_t)req[3] << 16) | ((uint32_t)req[4] << 24);
        r->base_distance_m = isfinite(distance_m) ? distance_m : 0.0f;
        value = FRAME_RSCS_RESPONSE_SUCCESS;
        break;
    case FRAME_RSCS_OP_UPDATE_SENSOR_LOCATION:
        if (len != 2u || !location_supported(req[1])) {
            value = FRAME_RSCS_RESPONSE_INVALID_PARAMETER;
            break;
        }
        r->location = req[1];
        value = FRAME_RSCS_RESPONSE_SUCCESS;
        break;
    case FRAME_RSCS_OP_REQUEST_SUPPORTED_SENSOR_LOCATIONS:
        if (len != 1u) {
            value = FRAME_RSCS_RESPONSE_INVALID_PARAMETER;
            break;
        }
        memcpy(rsp + 3, supported_locations, sizeof supported_locations);
        extra = sizeof supported_locations;
        value = FRAME_RSCS_RESPONSE_SUCCESS;
        break;
    default: /* Start Sensor Calibration (not supported by this shoe), reserved codes, 0x10 */
        break;
    }
    rsp[0] = FRAME_RSCS_OP_RESPONSE_CODE;
    rsp[1] = op;
    rsp[2] = value;
    return (int)(3u + extra);
}
