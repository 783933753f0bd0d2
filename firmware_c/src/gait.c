/* gait.c - the embedded gait analyzer: public entry points. */
#include "gait.h"

#include <errno.h>
#include <math.h>
#include <string.h>

int gait_init(gait_t *g, const gait_config_t *cfg) {
    if (g == NULL || cfg == NULL || !(cfg->odr_hz > 0.0f) || !(cfg->accel_fs_g > 0.0f) ||
        !(cfg->gyro_fs_dps > 0.0f)) {
        return -EINVAL;
    }
    memset(g, 0, sizeof(*g));
    g->cfg = *cfg;
    return 0;
}

int gait_push(gait_t *g, uint32_t index, const gait_sample_t *s, gait_stride_t *out) {
    if (g == NULL || s == NULL || out == NULL) {
        return -EINVAL;
    }
    if (g->started && index <= g->last_index) {
        return -EINVAL;
    }
    if (g->started) {
        g->dropped += index - g->last_index - 1u;
    }
    g->started = 1;
    g->last_index = index;
    g->samples++;
    return 0;
}

int gait_flush(gait_t *g, gait_stride_t *out) {
    if (g == NULL || out == NULL) {
        return -EINVAL;
    }
    return 0;
}

int gait_get_summary(const gait_t *g, gait_summary_t *out) {
    if (g == NULL || out == NULL) {
        return -EINVAL;
    }
    memset(out, 0, sizeof(*out));
    out->distance_m = 0.0f;
    out->duration_s = (float)g->samples / g->cfg.odr_hz;
    out->avg_pace_s_per_km = NAN;
    out->avg_cadence_spm = NAN;
    out->dropped_samples = g->dropped;
    return 0;
}
