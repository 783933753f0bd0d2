/*
 * gait_satfix.c - rebuild the rotation a saturated gyroscope did not measure.
 *
 * When running, the toes-up swing rate and the push-off rate exceed the
 * gyroscope's full scale and the samples stick at it. The true rate is a
 * bump whose flanks are measured on both sides of the stuck run: their
 * tangents at the run's edges meet at its top, and a tent on them, two thirds
 * as high for a rounded top, rebuilds it (a parabola when both flanks are
 * alike; a push-off that rises slowly and falls steeply into the swing is
 * lopsided, which a symmetric fit over several samples on each side gets
 * badly wrong). Wherever it lies beyond full scale it replaces the stored
 * sample. The repair happens in the ring buffer before the strapdown reaches
 * the run, so the attitude integrates the rebuilt rate.
 *
 * A fit cannot know how long the rate stayed above full scale. Gravity can:
 * the foot lies flat at the next zero-velocity instant, a few tenths of a
 * second later and still inside the ring. Integrating the gyro ahead from the
 * strapdown's attitude to that instant and levelling there gives the pitch
 * the runs since the last still foot (push-off, swing, the heel's slap) still
 * miss; the runs clipped on its side share it, each spread where its fit rose
 * above full scale, or turned into the attitude at once when the strapdown
 * has passed the run already.
 */
#include <math.h>

#include "gait_state.h"

#if GAIT_TRACE
void gait_trace_satfix(uint32_t index, uint16_t len, float err_deg);
#endif

/* A sample at or beyond this fraction of full scale counts as saturated. */
static const float SAT_FRAC = 0.99f;
/* Unsaturated samples awaited after a run before it is repaired (a run that
 * resumes within them is one run): bounds. */
static const uint16_t SIDE_MIN = 4u;
static const uint16_t SIDE_MAX = 12u;
/* Longest a run waits for the next still instant, s (a slow running stride:
 * push-off, swing and landing). */
static const float WAIT_S = 0.8f;
/* Share of a fit's under-fill the rebuild adds itself, per unit of its mean
 * height above full scale over full scale (see repair). */
static const float UNDERFILL = 0.5f;
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

/* A zero-velocity event queued after sensor index a and up to b. */
static int zv_between(const gait_state_t *g, uint32_t a, uint32_t b) {
    for (uint8_t i = 0; i < g->ev_count; i++) {
        const gait_event_t *e = &g->ev[i];
        if ((e->type == GAIT_EV_ZV_BEGIN || e->type == GAIT_EV_ZV_END) && (int32_t)(e->at.index - a) > 0 &&
            (int32_t)(e->at.index - b) <= 0) {
            return 1;
        }
    }
    return 0;
}

static void pend_pop(gait_satfix_t *f) {
    for (uint8_t i = 1; i < f->pend_n; i++) {
        f->pq[i - 1u] = f->pq[i];
    }
    f->pend_n--;
}

/* Queue the pitch-rate run just repaired for the gravity check. Runs with no
 * still foot between them (a push-off, the swing after it, the heel's slap at
 * contact) meet the same check and share what it finds missing; a full queue
 * keeps the longer of two such runs. */
static void pend_add(gait_satfix_t *f, const gait_state_t *g) {
    gait_satpend_t nw;
    nw.index = f->pend_index_new;
    nw.nav_index = 0;
    nw.v[0] = nw.v[1] = nw.v[2] = 0.0f;
    nw.pos = f->run_start[1];
    nw.len = f->run_len[1];
    nw.sign = f->sign[1];
    nw.reached = 0;
    if (f->pend_n >= GAIT_SAT_PENDS) {
        gait_satpend_t *last = &f->pq[f->pend_n - 1u];
        if (!last->reached && !zv_between(g, last->index + last->len, nw.index)) {
            if (nw.len >= last->len) {
                *last = nw;
            }
            return;
        }
        pend_pop(f); /* the oldest waited longest */
    }
    f->pq[f->pend_n++] = nw;
}

/* The rebuilt rate t sample periods into a run of len: the chord between the
 * edges' levels plus two thirds of the tent the edges' tangents make. */
static float tent(float y_in, float y_out, float m_in, float m_out, float len, float t, float sign) {
    float up = m_in * t, down = m_out * (len - t);
    return y_in + (y_out - y_in) * t / len + sign * (2.0f / 3.0f) * (up < down ? up : down);
}

static void repair(gait_state_t *g, int axis) {
    if (axis == 1) {
        pend_add(&g->sat, g);
    }
    gait_satfix_t *f = &g->sat;
    uint16_t run = f->run_len[axis];
    float sign = (float)f->sign[axis];
    /* the two unsaturated samples on each side of the run: levels and
     * slopes (toward full scale, per sample period) at its edges */
    uint16_t in1 = ring_back(f->run_start[axis], 1u), in2 = ring_back(f->run_start[axis], 2u);
    uint16_t out1 = (uint16_t)((f->run_start[axis] + run) % GAIT_RING_SAMPLES);
    uint16_t out2 = (uint16_t)((out1 + 1u) % GAIT_RING_SAMPLES);
    float y_in = (float)g->ring[in1].w[axis] * g->gyro_lsb;
    float y_out = (float)g->ring[out1].w[axis] * g->gyro_lsb;
    float m_in = sign * (y_in - (float)g->ring[in2].w[axis] * g->gyro_lsb) / (float)g->ring_gap[in1];
    float m_out = sign * (y_out - (float)g->ring[out2].w[axis] * g->gyro_lsb) / (float)g->ring_gap[out2];
    if (!(m_in > 0.0f) || !(m_out > 0.0f)) {
        return; /* no bump beyond full scale: leave the samples as they are */
    }
    /* length of the run from the last sample before it to the first after, samples */
    float len = 0.0f;
    for (uint16_t k = 0; k <= run; k++) {
        len += (float)g->ring_gap[(f->run_start[axis] + k) % GAIT_RING_SAMPLES];
    }
    /* the edges' tangents meet at the bump's top: a tent, two thirds as
     * high for a rounded top (a parabola when the edges are alike); first
     * how far above the stored samples it reaches, on average */
    float excess = 0.0f, t = 0.0f;
    for (uint16_t k = 0; k < run; k++) {
        uint16_t pos = (uint16_t)((f->run_start[axis] + k) % GAIT_RING_SAMPLES);
        t += (float)g->ring_gap[pos];
        float x = sign * (tent(y_in, y_out, m_in, m_out, len, t, sign) - (float)g->ring[pos].w[axis] * g->gyro_lsb);
        excess += x > 0.0f ? x * (float)g->ring_gap[pos] : 0.0f;
    }
    /* A bump clipped near its top is a parabola there and the tent fills it.
     * One clipped far below its top keeps steepening beyond full scale (the
     * foot's rotation still accelerating into its peak), which the edges'
     * tangents do not see: the higher the fit has to reach above full scale,
     * relative to full scale, the more it under-fills. Raise it by half of
     * that ratio (at most half again): the gravity check at the next still
     * foot gives the rest, and less when it is less. */
    float over = excess / (len * g->cfg.gyro_fs_dps);
    float raise = 1.0f + UNDERFILL * (over < 1.0f ? over : 1.0f);
    float store_max = 32767.0f * g->gyro_lsb;
    t = 0.0f;
    for (uint16_t k = 0; k < run; k++) {
        uint16_t pos = (uint16_t)((f->run_start[axis] + k) % GAIT_RING_SAMPLES);
        t += (float)g->ring_gap[pos];
        float meas = (float)g->ring[pos].w[axis] * g->gyro_lsb;
        float y = tent(y_in, y_out, m_in, m_out, len, t, sign);
        if (sign * y > sign * meas) {
            y = meas + (y - meas) * raise;
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
            int8_t side = (int8_t)(w[k] > 0.0f ? 1 : -1);
            if (f->run_len[k] > 0u && side != f->sign[k]) {
                /* clipped at the other side of full scale: a new rotation
                 * (the heel's slap toes down right after the swing's toes-up
                 * run), not the same run resuming; the run before ends here */
                if (f->after[k] >= 2u) {
                    repair(g, k);
                }
                f->run_len[k] = 0u;
            }
            if (f->run_len[k] == 0u) {
                f->run_start[k] = g->head;
                if (k == 1) {
                    f->pend_index_new = g->head_index;
                }
                f->run_len[k] = 1u;
                f->after[k] = 0u;
                f->sign[k] = side;
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

/* The pitch of the sole's long axis in the strapdown's attitude, rad. */
static float sole_pitch(const gait_state_t *g) {
    float f[3];
    gm_quat_to_nav(&g->nav.q, g->sole_x, f);
    return gm_atan2f(f[2], sqrtf(f[0] * f[0] + f[1] * f[1]));
}

/* Put the pitch a run missed, deg, into it: into its samples while the
 * strapdown has not reached them, else into the strapdown's attitude now. */
static void fix_run(gait_state_t *g, const gait_satpend_t *f, float err_deg, int late) {
    if (late) {
        /* turn the strapdown's attitude by what the run missed, from now on,
         * and give back what the wrong attitude did to the velocity since the
         * run: the specific force integrated since then (velocity change plus
         * gravity) turned by the same angle about the sole's pitch axis */
        gait_nav_t *n = &g->nav;
        float th = err_deg * GM_RAD;
        float t_s = (float)(n->index - f->nav_index) * g->dt_s;
        const float ey[3] = {0.0f, 1.0f, 0.0f};
        float ax[3];
        gm_quat_to_nav(&n->q, ey, ax);
        float sf[3] = {n->v[0] - f->v[0], n->v[1] - f->v[1],
                       n->v[2] - f->v[2] + n->g_local * GM_G_MPS2 * t_s};
        float dv[3] = {th * (ax[1] * sf[2] - ax[2] * sf[1]), th * (ax[2] * sf[0] - ax[0] * sf[2]),
                       th * (ax[0] * sf[1] - ax[1] * sf[0])};
        if (n->seg_open && !n->in_zv) {
            for (int c = 0; c < 3; c++) {
                n->v[c] += dv[c];
                n->p[c] += dv[c] * 0.5f * t_s; /* the error grew over the time since the run */
            }
        }
        float pitch_before = sole_pitch(g);
        gm_quat_rotvec(&n->q, 0.0f, th, 0.0f);
        /* a contact the strapdown passed since the run took its pitch from
         * the same wrong attitude */
        gait_pending_t *c = &g->cur;
        if (c->valid && !c->have_fsa && (int32_t)(c->ic.index - f->index) > 0) {
            c->pitch_ic += sole_pitch(g) - pitch_before;
        }
        return;
    }
    /* spread it where the fit rose above full scale (evenly if nowhere) */
    float lim = SAT_FRAC * g->cfg.gyro_fs_dps;
    float wsum = 0.0f;
    for (uint16_t k = 0; k < f->len; k++) {
        const gait_raw_t *r = &g->ring[(f->pos + k) % GAIT_RING_SAMPLES];
        float x = (float)f->sign * (float)r->w[1] * g->gyro_lsb - lim;
        wsum += (x > 0.0f ? x : 0.0f) + 1.0f;
    }
    float store_max = 32767.0f * g->gyro_lsb;
    for (uint16_t k = 0; k < f->len; k++) {
        uint16_t q_pos = (uint16_t)((f->pos + k) % GAIT_RING_SAMPLES);
        gait_raw_t *r = &g->ring[q_pos];
        float y = (float)r->w[1] * g->gyro_lsb;
        float x = (float)f->sign * y - lim;
        float wk = (x > 0.0f ? x : 0.0f) + 1.0f;
        float dt = (float)g->ring_gap[q_pos] * g->dt_s;
        y += err_deg * (wk / wsum) / dt;
        y = y > store_max ? store_max : (y < -store_max ? -store_max : y);
        r->w[1] = gm_round_i16(y * g->gyro_inv);
    }
}

void gait_satfix_check(gait_state_t *g, uint16_t pos) {
    gait_satfix_t *fx = &g->sat;
    if (fx->pend_n == 0u) {
        return;
    }
    for (uint8_t i = 0; i < fx->pend_n; i++) {
        gait_satpend_t *pi = &fx->pq[i];
        if (!pi->reached && pos == pi->pos) {
            pi->reached = 1;
            pi->nav_index = g->nav.index;
            for (int c = 0; c < 3; c++) {
                pi->v[c] = g->nav.v[c];
            }
        }
    }
    gait_satpend_t *f = &fx->pq[0];
    if (!f->reached) {
        return;
    }
    /* the first zero-velocity instant after the run, if already decided */
    uint32_t run_end = f->index + f->len;
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
        /* a push-off run waits through the swing and the landing for the
         * still foot: as long as the delay line, or a slow stride's time */
        float wait = WAIT_S * g->cfg.odr_hz;
        wait = wait > (float)g->delay ? wait : (float)g->delay;
        if ((float)(int32_t)(g->nav.index - f->index) > wait) {
            pend_pop(fx); /* no still instant came: leave it to the levelling there */
        }
        return;
    }
    /* the runs that end before that instant: the check covers them all */
    gait_satpend_t grp[GAIT_SAT_PENDS];
    uint8_t ng = 0;
    while (fx->pend_n > 0u && (int32_t)(fx->pq[0].index + fx->pq[0].len - zv) < 0) {
        grp[ng++] = fx->pq[0];
        pend_pop(fx);
    }
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
        gait_raw_rate(g, r, w);
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
    gait_trace_satfix(grp[0].index, grp[0].len, err_deg);
#endif
    if (fabsf(err_deg) > MAX_FIX_DEG) {
        return;
    }
    /* A run lost rate beyond full scale on its own side only, so the pitch
     * missing at the still instant belongs to the runs clipped on its side.
     * One number cannot say how it splits between them: each takes a share
     * in proportion to the square of its length (flanks of a given steepness
     * hide a height and so an area that grow with the time the rate went
     * unmeasured: a short slap at contact can hide little, a long swing much). */
    float wsum = 0.0f;
    for (uint8_t i = 0; i < ng; i++) {
        if ((float)grp[i].sign * err_deg > 0.0f) {
            wsum += (float)grp[i].len * (float)grp[i].len;
        }
    }
    if (!(wsum > 0.0f)) {
        return;
    }
    for (uint8_t i = 0; i < ng; i++) {
        if ((float)grp[i].sign * err_deg > 0.0f) {
            int late = grp[i].reached && pos != grp[i].pos;
            fix_run(g, &grp[i], err_deg * (float)grp[i].len * (float)grp[i].len / wsum, late);
        }
    }
}
