/*
 * gait_satfix.c - rebuild the rotation a saturated gyroscope did not measure.
 *
 * At a sprint the toes-up swing rate exceeds the gyroscope's full scale and
 * the samples stick at it. The true rate is a smooth bump, so a quadratic
 * fitted by least squares to the unsaturated samples on both sides of the
 * stuck run reconstructs its top; wherever the fit lies beyond full scale it
 * replaces the stored sample. The repair happens in the ring buffer before the
 * strapdown reaches the run, so the attitude integrates the rebuilt rate.
 *
 * A fit cannot know how long the rate stayed above full scale. Gravity can:
 * the foot lies flat at the next zero-velocity instant, a few tenths of a
 * second later and still inside the ring. Integrating the gyro ahead from the
 * strapdown's attitude to that instant and levelling there gives the pitch
 * the run still misses; it is spread over the run where the fit rose above
 * full scale.
 */
#include <math.h>

#include "gait_state.h"

#if GAIT_TRACE
void gait_trace_satfix(uint32_t index, uint16_t len, float err_deg);
#endif

/* A sample at or beyond this fraction of full scale counts as saturated. */
static const float SAT_FRAC = 0.99f;
/* Unsaturated samples used on each side of a run: bounds. */
static const uint16_t SIDE_MIN = 4u;
static const uint16_t SIDE_MAX = 12u;
/* Pitch a repaired run may still miss at most; more means something else is wrong, deg. */
static const float MAX_FIX_DEG = 30.0f;

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

static void repair(gait_state_t *g, int axis) {
    if (axis == 1) {
        g->sat.pend = 1;
        g->sat.pend_reached = 0;
        g->sat.pend_sign = g->sat.sign[1];
        g->sat.pend_pos = g->sat.run_start[1];
        g->sat.pend_len = g->sat.run_len[1];
        g->sat.pend_index = g->sat.pend_index_new;
    }
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
    if (!gm_solve3(a, b, c) || !(sign * c[2] < 0.0f)) {
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
            g->ring[pos].w[axis] = gm_round_i16(y * g->gyro_inv);
        }
    }
}

void gait_satfix_step(gait_state_t *g, const gait_sample_t *s) {
    gait_satfix_t *f = &g->sat;
    const float w[3] = {s->gx_dps, s->gy_dps, s->gz_dps};
    float lim = SAT_FRAC * g->cfg.gyro_fs_dps;
    for (int k = 0; k < 3; k++) {
        int sat = fabsf(w[k]) >= lim;
        if (sat) {
            if (f->run_len[k] == 0u) {
                f->run_start[k] = g->head;
                if (k == 1) {
                    f->pend_index_new = g->head_index;
                }
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

/* Mean specific force around ring position pos (within what is stored), g. */
static void mean_acc(const gait_state_t *g, uint16_t pos, uint16_t ahead, float out[3]) {
    int32_t h = (int32_t)(0.006f * g->cfg.odr_hz + 0.5f);
    int32_t lo = -h, hi = h < (int32_t)ahead ? h : (int32_t)ahead;
    float sum[3] = {0.0f, 0.0f, 0.0f};
    for (int32_t k = lo; k <= hi; k++) {
        const gait_raw_t *r = &g->ring[(uint16_t)(((int32_t)pos + k + (int32_t)GAIT_RING_SAMPLES) % GAIT_RING_SAMPLES)];
        for (int c = 0; c < 3; c++) {
            sum[c] += (float)r->a[c];
        }
    }
    float scale = g->acc_lsb / (float)(hi - lo + 1);
    for (int c = 0; c < 3; c++) {
        out[c] = sum[c] * scale;
    }
}

void gait_satfix_check(gait_state_t *g, uint16_t pos) {
    gait_satfix_t *f = &g->sat;
    if (!f->pend) {
        return;
    }
    /* late: the strapdown has integrated the run already (its next still
     * instant was not decided when it got there) */
    int late = pos != f->pend_pos;
    if (!late) {
        f->pend_reached = 1;
        f->run_nav_index = g->nav.index;
        for (int c = 0; c < 3; c++) {
            f->run_v[c] = g->nav.v[c];
        }
    } else if (!f->pend_reached) {
        return;
    }
    /* the first zero-velocity instant after the run, if already decided */
    uint32_t run_end = f->pend_index + f->pend_len;
    uint32_t zv = 0;
    int found = 0;
    for (uint8_t i = 0; i < g->ev_count; i++) {
        const gait_event_t *e = &g->ev[i];
        if ((e->type == GAIT_EV_ZV_BEGIN || e->type == GAIT_EV_ZV_END) && (int32_t)(e->at.index - run_end) > 0) {
            zv = e->at.index;
            found = 1;
            break;
        }
    }
    if (!found || (int32_t)(g->head_index - zv) < 0) {
        if ((int32_t)(g->nav.index - f->pend_index) > (int32_t)g->delay) {
            f->pend = 0; /* no still instant came: leave it to the levelling there */
        }
        return;
    }
    f->pend = 0;
    /* integrate the gyro from the strapdown's attitude up to that instant */
    gm_quat_t q = g->nav.q;
    float wp[3] = {g->nav.w_prev[0], g->nav.w_prev[1], g->nav.w_prev[2]};
    uint32_t index = g->nav.index;
    uint16_t p = pos;
    uint16_t ahead = g->owed;
    while (ahead > 0u) {
        const gait_raw_t *r = &g->ring[p];
        index += g->ring_gap[p];
        float dt = (float)g->ring_gap[p] * g->dt_s;
        float w[3];
        for (int c = 0; c < 3; c++) {
            w[c] = ((float)r->w[c] * g->gyro_lsb - g->nav.bias[c]) * GM_RAD;
        }
        gm_quat_rotvec(&q, 0.5f * (wp[0] + w[0]) * dt, 0.5f * (wp[1] + w[1]) * dt, 0.5f * (wp[2] + w[2]) * dt);
        wp[0] = w[0];
        wp[1] = w[1];
        wp[2] = w[2];
        if ((int32_t)(index - zv) >= 0) {
            break;
        }
        p = (uint16_t)((p + 1u) % GAIT_RING_SAMPLES);
        ahead--;
    }
    if ((int32_t)(index - zv) < 0) {
        return;
    }
    float acc[3];
    mean_acc(g, p, (uint16_t)(ahead > 0u ? ahead - 1u : 0u), acc);
    float before = gm_pitch_up_rad(&q);
    gm_quat_level(&q, acc);
    float err_deg = (before - gm_pitch_up_rad(&q)) * GM_DEG;
#if GAIT_TRACE
    gait_trace_satfix(f->pend_index, f->pend_len, err_deg);
#endif
    /* the run lost rate beyond full scale on its own side only */
    if (!((float)f->pend_sign * err_deg > 0.0f) || fabsf(err_deg) > MAX_FIX_DEG) {
        return;
    }
    if (late) {
        /* turn the strapdown's attitude by what the run missed, from now on,
         * and give back what the wrong attitude did to the velocity since the
         * run: the specific force integrated since then (velocity change plus
         * gravity) turned by the same angle about the sole's pitch axis */
        gait_nav_t *n = &g->nav;
        float th = err_deg * GM_RAD;
        float t_s = (float)(n->index - f->run_nav_index) * g->dt_s;
        const float ey[3] = {0.0f, 1.0f, 0.0f};
        float ax[3];
        gm_quat_to_nav(&n->q, ey, ax);
        float sf[3] = {n->v[0] - f->run_v[0], n->v[1] - f->run_v[1],
                       n->v[2] - f->run_v[2] + n->g_local * GM_G_MPS2 * t_s};
        float dv[3] = {th * (ax[1] * sf[2] - ax[2] * sf[1]), th * (ax[2] * sf[0] - ax[0] * sf[2]),
                       th * (ax[0] * sf[1] - ax[1] * sf[0])};
        if (n->seg_open && !n->in_zv) {
            for (int c = 0; c < 3; c++) {
                n->v[c] += dv[c];
                n->p[c] += dv[c] * 0.5f * t_s; /* the error grew over the time since the run */
            }
        }
        gm_quat_rotvec(&n->q, 0.0f, th, 0.0f);
        return;
    }
    /* spread it where the fit rose above full scale (evenly if nowhere) */
    float lim = SAT_FRAC * g->cfg.gyro_fs_dps;
    float wsum = 0.0f;
    for (uint16_t k = 0; k < f->pend_len; k++) {
        const gait_raw_t *r = &g->ring[(f->pend_pos + k) % GAIT_RING_SAMPLES];
        float x = (float)f->pend_sign * (float)r->w[1] * g->gyro_lsb - lim;
        wsum += (x > 0.0f ? x : 0.0f) + 1.0f;
    }
    float store_max = 32767.0f * g->gyro_lsb;
    for (uint16_t k = 0; k < f->pend_len; k++) {
        uint16_t q_pos = (uint16_t)((f->pend_pos + k) % GAIT_RING_SAMPLES);
        gait_raw_t *r = &g->ring[q_pos];
        float y = (float)r->w[1] * g->gyro_lsb;
        float x = (float)f->pend_sign * y - lim;
        float wk = (x > 0.0f ? x : 0.0f) + 1.0f;
        float dt = (float)g->ring_gap[q_pos] * g->dt_s;
        y += err_deg * (wk / wsum) / dt;
        y = y > store_max ? store_max : (y < -store_max ? -store_max : y);
        r->w[1] = gm_round_i16(y * g->gyro_inv);
    }
}
