/*
 * gait_satfix.c - rebuild the rotation a saturated gyroscope did not measure.
 *
 * At a sprint the toes-up swing rate exceeds the gyroscope's full scale and
 * the samples stick at it. The true rate is a smooth bump, so a quadratic
 * fitted by least squares to the unsaturated samples on both sides of the
 * stuck run reconstructs its top; wherever the fit lies beyond full scale it
 * replaces the stored sample. The repair happens in the ring buffer before the
 * strapdown reaches the run, so the attitude integrates the rebuilt rate.
 */
#include <math.h>

#include "gait.h"

/* A sample at or beyond this fraction of full scale counts as saturated. */
static const float SAT_FRAC = 0.99f;
/* Unsaturated samples used on each side of a run: bounds. */
static const uint16_t SIDE_MIN = 4u;
static const uint16_t SIDE_MAX = 12u;

static uint16_t ring_back(uint16_t pos, uint16_t n) {
    return (uint16_t)((pos + GAIT_RING_SAMPLES - (n % GAIT_RING_SAMPLES)) % GAIT_RING_SAMPLES);
}

static uint16_t side_len(uint16_t run_len) {
    uint16_t m = (uint16_t)(run_len / 2u + 2u);
    if (m < SIDE_MIN) {
        m = SIDE_MIN;
    }
    if (m > SIDE_MAX) {
        m = SIDE_MAX;
    }
    return m;
}

/* Solve the 3x3 symmetric system a x = b (Gaussian elimination); 0 if singular. */
static int solve3(float a[3][3], float b[3], float x[3]) {
    for (int c = 0; c < 3; c++) {
        int p = c;
        for (int r = c + 1; r < 3; r++) {
            if (fabsf(a[r][c]) > fabsf(a[p][c])) {
                p = r;
            }
        }
        if (!(fabsf(a[p][c]) > 1e-12f)) {
            return 0;
        }
        if (p != c) {
            for (int k = 0; k < 3; k++) {
                float t = a[c][k];
                a[c][k] = a[p][k];
                a[p][k] = t;
            }
            float t = b[c];
            b[c] = b[p];
            b[p] = t;
        }
        for (int r = c + 1; r < 3; r++) {
            float f = a[r][c] / a[c][c];
            for (int k = c; k < 3; k++) {
                a[r][k] -= f * a[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    for (int c = 2; c >= 0; c--) {
        float s = b[c];
        for (int k = c + 1; k < 3; k++) {
            s -= a[c][k] * x[k];
        }
        x[c] = s / a[c][c];
    }
    return 1;
}

static void repair(gait_t *g, int axis) {
    gait_satfix_t *f = &g->sat;
    uint16_t run = f->run_len[axis];
    uint16_t after = f->after[axis];
    uint16_t side = side_len(run);
    uint16_t total = (uint16_t)(side + run + after);
    uint16_t first = ring_back(f->run_start[axis], side);
    float sign = (float)f->sign[axis];
    float lim = SAT_FRAC * g->cfg.gyro_fs_dps;
    /* times in samples from the first sample of the window (gaps honoured),
     * centred on the run to keep the normal equations well conditioned */
    float t_mid = (float)side + 0.5f * (float)run;
    float a[3][3] = {{0}}, b[3] = {0}, c[3];
    float t = 0.0f;
    for (uint16_t k = 0; k < total; k++) {
        uint16_t pos = (uint16_t)((first + k) % GAIT_RING_SAMPLES);
        if (k > 0) {
            t += (float)g->ring_gap[pos];
        }
        float y = (float)g->ring[pos].w[axis] * g->gyro_lsb;
        if (fabsf(y) >= lim) {
            continue;
        }
        float u = t - t_mid;
        float u2 = u * u;
        a[0][0] += 1.0f;
        a[0][1] += u;
        a[0][2] += u2;
        a[1][2] += u2 * u;
        a[2][2] += u2 * u2;
        b[0] += y;
        b[1] += y * u;
        b[2] += y * u2;
    }
    a[1][0] = a[0][1];
    a[1][1] = a[0][2];
    a[2][0] = a[0][2];
    a[2][1] = a[1][2];
    if (!solve3(a, b, c) || !(sign * c[2] < 0.0f)) {
        return; /* no bump beyond full scale: leave the samples as they are */
    }
    float store_max = 32767.0f * g->gyro_lsb;
    t = 0.0f;
    for (uint16_t k = 0; k < total; k++) {
        uint16_t pos = (uint16_t)((first + k) % GAIT_RING_SAMPLES);
        if (k > 0) {
            t += (float)g->ring_gap[pos];
        }
        if (k < side || k >= side + run) {
            continue;
        }
        float u = t - t_mid;
        float y = c[0] + u * (c[1] + u * c[2]);
        float meas = (float)g->ring[pos].w[axis] * g->gyro_lsb;
        if (sign * y > sign * meas) {
            if (y > store_max) {
                y = store_max;
            } else if (y < -store_max) {
                y = -store_max;
            }
            g->ring[pos].w[axis] = (int16_t)lrintf(y / g->gyro_lsb);
        }
    }
}

void gait_satfix_step(gait_t *g, const gait_sample_t *s) {
    gait_satfix_t *f = &g->sat;
    const float w[3] = {s->gx_dps, s->gy_dps, s->gz_dps};
    float lim = SAT_FRAC * g->cfg.gyro_fs_dps;
    for (int k = 0; k < 3; k++) {
        int sat = fabsf(w[k]) >= lim;
        if (sat) {
            if (f->run_len[k] == 0u) {
                f->run_start[k] = g->head;
                f->run_len[k] = 1u;
                f->after[k] = 0u;
                f->sign[k] = (int8_t)(w[k] > 0.0f ? 1 : -1);
            } else {
                /* a run that resumes after a short dip is one run */
                f->run_len[k] = (uint16_t)(f->run_len[k] + f->after[k] + 1u);
                f->after[k] = 0u;
            }
        } else if (f->run_len[k] > 0u) {
            f->after[k]++;
            if (f->after[k] >= side_len(f->run_len[k])) {
                repair(g, k);
                f->run_len[k] = 0u;
            }
        }
        /* a run the strapdown would reach before its repair is left alone */
        if (f->run_len[k] > 0u &&
            (uint32_t)f->run_len[k] + 2u * side_len(f->run_len[k]) + 2u >= g->delay) {
            f->run_len[k] = 0u;
        }
    }
}
