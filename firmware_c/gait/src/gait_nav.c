/*
 * gait_nav.c - zero-velocity-aided strapdown integration of the foot.
 *
 * Attitude integrates the gyro (quaternion, trapezoidal rate); specific force
 * rotated to the navigation frame minus gravity integrates to velocity and
 * position. A segment runs from the end of one zero-velocity span to the
 * start of the next; there the residual velocity v_end is integration error.
 * With the error growing linearly over the segment (attitude and bias errors)
 * the displacement error is v_end * T / 2; when the accelerometer clipped (an
 * impact beyond full scale), the missing impulse is a velocity step at the
 * clipped instant t_c and the displacement error is v_end * (T - t_c). Roll
 * and pitch are re-levelled from gravity at every zero-velocity span.
 *
 * A foot that rolls over its stance is never still: at its stillest instant
 * it still turns about its ground contact (heel, then ball of the foot), and
 * a sensor at r from that contact moves at w x r. Taken as zero at both ends
 * of a segment, that velocity shortened every stride by about w h T (h the
 * sensor's height above the ground: a 25 dps stillest instant, h = 6 cm,
 * T = 0.9 s: 2.4 cm, 1.4 %). A segment therefore opens with, and measures its
 * residual against, w x (0, 0, h), w the pitch's part of the rate (a roll
 * turns about the shoe's edge or the ankle, wherever those are, and moves
 * the sensor sideways at most). The lever r is learnt in the body frame,
 * by least squares, from the heel rise that follows every stance (the foot
 * turning about the ball: the velocity gained since the segment opened is
 * w x R r - w_open x R_open r).
 */
#include <math.h>
#include <stddef.h>

#include "gait_state.h"

#if GAIT_TRACE
void gait_trace_close(uint32_t index, float seg, const float v[3], const float p[3], float clip_n, float t_c);
#endif

/* Full-scale fraction at which an accelerometer axis counts as clipped. */
static const float CLIP_FRAC = 0.99f;
/* Low-pass time constant of the specific force used for levelling, s. */
static const float ACC_LP_TAU_S = 0.01f;
/* Gyro bias learning: still spans at least this long, and this still (the
 * largest |w| less the offset learnt so far). */
static const float BIAS_SPAN_S = 0.2f;
static const float BIAS_STILL_DPS = 4.0f;
/* ... or, for an offset that test cannot see past (an offset beyond its
 * threshold would never be learnt: a still gyro reads its offset), a stand at
 * least BIAS_FULL_S long whose rates scatter about their own mean by less
 * than BIAS_SCATTER_DPS (rms of the vector; a still LSM6DSO's noise is ~0.1
 * dps). A foot standing still does not turn at a steady rate for a second
 * (up stairs the heel comes down over a shorter stance): a mean that holds
 * over such a stand is the offset, up to BIAS_MAX_DPS (the part's zero-rate
 * level is +-1 dps typical, more after soldering and over temperature). */
static const float BIAS_SCATTER_DPS = 2.0f;
static const float BIAS_MAX_DPS = 20.0f;
/* A still span this long measures the bias fully; shorter ones in part, s. */
static const float BIAS_FULL_S = 1.0f;
/* Standing still this long sets the neutral roll that pronation counts from, s. */
static const float NEUTRAL_SPAN_S = 0.5f;
/* A gap longer than this breaks the integration, s. */
static const float GAP_BREAK_S = 0.1f;
/* Below about 330 Hz (sample periods over DRIFT_CAP_DT_S) the vertical drift
 * the last segment left is carried into the next one's reading of a swing
 * top's descent (gait_nav_vz) only up to DRIFT_CAP_MPS: a segment's residual
 * velocity holds, besides the steady drift (bias, attitude error), the step
 * the contact's impact left, and an impact lasting a few ms, sampled at 104
 * or 208 Hz, is integrated as one sample's value or nothing, whichever the
 * sampling phase gives. Extrapolated over the next swing, that step moved
 * the top's descent by up to 0.6 m/s, so that heels still in the air there
 * read as already down (a 104 Hz turning walk of the model: contacts 23 ms
 * early on average, 4 ms off with the cap). The capped figure is a drift
 * estimate for the next stride, not a correction that persists. From 416 Hz
 * the impact spans samples and the residual is the drift itself. */
static const float DRIFT_CAP_DT_S = 1.0f / 330.0f;
static const float DRIFT_CAP_MPS = 0.3f;
/* The heel rise learnt from: up to this much rotation after the segment opens,
 * rad, and s. */
static const float LEVER_WIN_RAD = 0.1745f; /* 10 deg */
static const float LEVER_WIN_S = 0.15f;
/* A heel rise turns the rate this much at least (trace of its normal
 * equations, about twice the summed squared rate change), rad^2/s^2. */
static const float LEVER_MIN_TRACE = 2.0f;
/* A sensor on the shoe sits within this of the ball of the foot, m; and at
 * most LEVER_MAX_M above the ground contact. */
static const float LEVER_REACH_M = 0.3f;
static const float LEVER_MAX_M = 0.15f;
/* Weight of the stances before in the learnt lever, per stance. */
static const float LEVER_DECAY = 0.9f;
/* Ridge of the lever fit, relative to its trace: the lever along the rotation
 * axis is not seen and stays near zero. */
static const float LEVER_RIDGE = 1e-3f;

/* Body-to-navigation rotation matrix of q. */
static void quat_matrix(const gm_quat_t *q, float r[3][3]) {
    float w = q->w, x = q->x, y = q->y, z = q->z;
    r[0][0] = 1.0f - 2.0f * (y * y + z * z);
    r[0][1] = 2.0f * (x * y - w * z);
    r[0][2] = 2.0f * (x * z + w * y);
    r[1][0] = 2.0f * (x * y + w * z);
    r[1][1] = 1.0f - 2.0f * (x * x + z * z);
    r[1][2] = 2.0f * (y * z - w * x);
    r[2][0] = 2.0f * (x * z - w * y);
    r[2][1] = 2.0f * (y * z + w * x);
    r[2][2] = 1.0f - 2.0f * (x * x + y * y);
}

/*
 * The velocity a body-frame lever r gives the sensor at the body rate wr
 * (rad/s) is w_nav x (R r) = m r with m = [w_nav]x R: m, and w_nav.
 */
static void lever_matrix(const gm_quat_t *q, const float wr[3], float m[3][3], float wn[3]) {
    float r[3][3];
    quat_matrix(q, r);
    for (int i = 0; i < 3; i++) {
        wn[i] = r[i][0] * wr[0] + r[i][1] * wr[1] + r[i][2] * wr[2];
    }
    for (int j = 0; j < 3; j++) {
        m[0][j] = wn[1] * r[2][j] - wn[2] * r[1][j];
        m[1][j] = wn[2] * r[0][j] - wn[0] * r[2][j];
        m[2][j] = wn[0] * r[1][j] - wn[1] * r[0][j];
    }
}

/* The sensor's height above the ground contact now, m: the learnt lever's
 * vertical part (heel and ball lie level with a flat sole). */
static float lever_height(const gait_nav_t *n) {
    float up[3];
    gm_quat_up(&n->q, up);
    float h = up[0] * n->lever_b[0] + up[1] * n->lever_b[1] + up[2] * n->lever_b[2];
    return h < 0.0f ? 0.0f : (h > LEVER_MAX_M ? LEVER_MAX_M : h);
}

/* Horizontal velocity of the sensor as the foot rolls over its ground contact
 * at the last sample's pitch rate: w x (0, 0, h), w that rate in the nav
 * frame, h the sensor's height above the contact, m/s. */
static void rolling_velocity(const gait_nav_t *n, float out[3]) {
    const float wp[3] = {0.0f, n->w_prev[1], 0.0f};
    float wn[3];
    gm_quat_to_nav(&n->q, wp, wn);
    float h = lever_height(n);
    out[0] = wn[1] * h;
    out[1] = -wn[0] * h;
    out[2] = 0.0f;
}

/*
 * The specific force at a still instant levels the attitude; the foot is not
 * quite still there: it turns about a point of its sole, and a sensor at r
 * from that point feels dw/dt x r + w x (w x r) on top of gravity. Up from a
 * sole point the sensor sits at the learnt height h whichever point that is
 * (heel, ball, the shoe's edge); along the sole the lever depends on the
 * point, and for a foot turning about a horizontal axis that part adds a
 * vertical force, which barely tilts the level. So r = h up, and w the
 * pitch's part of the rate (a roll turns about the shoe's edge or the ankle,
 * its lever unknown, as in rolling_velocity): on the laces (h about 8 cm) a
 * push-off already under way at 90 rad/s^2 adds 0.8 g forward, a tilt of
 * the level by tens of degrees that cost a fast run 10 % of its length.
 * wy_lo, wy_mid, wy_hi: body pitch rates at the window's start, middle and
 * end, rad/s, span_s apart end to end; acc (g) is corrected in place.
 */
void gait_nav_unlever(const gait_state_t *g, float wy_lo, float wy_mid, float wy_hi, float span_s, float acc[3]) {
    const gait_nav_t *n = &g->nav;
    float h = lever_height(n);
    if (!(span_s > 0.0f) || !(h > 0.0f)) {
        return;
    }
    float up[3];
    gm_quat_up(&n->q, up);
    /* w = (0, wy, 0), r = h up: dw/dt x r + w x (w x r) */
    float wd = (wy_hi - wy_lo) / span_s;
    float wy = wy_mid;
    float f[3] = {wd * h * up[2] - wy * wy * h * up[0], 0.0f, -wd * h * up[0] - wy * wy * h * up[2]};
    for (int k = 0; k < 3; k++) {
        acc[k] -= f[k] * (1.0f / GM_G_MPS2);
    }
}

/* Solve the symmetric normal equations (a packed 00 01 02 11 12 22) with a
 * ridge relative to their trace; 0 when singular. */
static int lever_solve(const float a[6], const float b[3], float x[3]) {
    float ridge = LEVER_RIDGE * (a[0] + a[3] + a[5]);
    float m[3][3] = {{a[0] + ridge, a[1], a[2]}, {a[1], a[3] + ridge, a[4]}, {a[2], a[4], a[5] + ridge}};
    float r[3] = {b[0], b[1], b[2]};
    return gm_solve3(m, r, x);
}

/* The heel rise after a segment opened is over: fold its fit of the lever
 * into the learnt one (a rise that turned too little, or whose lever lies
 * off the foot, teaches nothing). */
static void lever_learn(gait_nav_t *n) {
    n->win_on = 0;
    if (!(n->win_a[0] + n->win_a[3] + n->win_a[5] >= LEVER_MIN_TRACE)) {
        return;
    }
    float r[3];
    if (!lever_solve(n->win_a, n->win_b, r) || !(r[0] * r[0] + r[1] * r[1] + r[2] * r[2] < LEVER_REACH_M * LEVER_REACH_M)) {
        return;
    }
    for (int k = 0; k < 6; k++) {
        n->lev_a[k] = LEVER_DECAY * n->lev_a[k] + n->win_a[k];
    }
    for (int k = 0; k < 3; k++) {
        n->lev_b[k] = LEVER_DECAY * n->lev_b[k] + n->win_b[k];
    }
    if (!lever_solve(n->lev_a, n->lev_b, n->lever_b)) {
        n->lever_b[0] = n->lever_b[1] = n->lever_b[2] = 0.0f;
    }
}

/* One sample of the heel rise: the velocity gained since the segment opened
 * is (m - m_open) r for the lever r; accumulate the normal equations. */
static void lever_step(gait_nav_t *n, const float wr[3], float dt, float elapsed_s) {
    float m[3][3], wn[3];
    lever_matrix(&n->q, wr, m, wn);
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
            m[i][j] -= n->win_m[i][j];
        }
    }
    float dv[3] = {n->v[0] - n->win_v[0], n->v[1] - n->win_v[1], n->v[2] - n->win_v[2]};
    static const uint8_t I[6] = {0, 0, 0, 1, 1, 2}, J[6] = {0, 1, 2, 1, 2, 2};
    for (int k = 0; k < 6; k++) {
        n->win_a[k] += m[0][I[k]] * m[0][J[k]] + m[1][I[k]] * m[1][J[k]] + m[2][I[k]] * m[2][J[k]];
    }
    for (int j = 0; j < 3; j++) {
        n->win_b[j] += m[0][j] * dv[0] + m[1][j] * dv[1] + m[2][j] * dv[2];
    }
    n->win_ang += (fabsf(wn[0]) + fabsf(wn[1])) * dt;
    if (n->win_ang >= LEVER_WIN_RAD) {
        lever_learn(n);
    } else if (elapsed_s > LEVER_WIN_S) {
        n->win_on = 0; /* no heel rise: the foot lifted some other way */
    }
}

static void clip_reset(gait_nav_t *n) {
    for (int k = 0; k < 3; k++) {
        n->clip_n[k] = n->clip_sum[k] = 0.0f;
        n->clip_dir[k][0] = n->clip_dir[k][1] = n->clip_dir[k][2] = 0.0f;
        n->ep_len[k] = n->ep_t[k] = n->ep_in[k] = 0.0f;
        n->ep_dir[k][0] = n->ep_dir[k][1] = n->ep_dir[k][2] = 0.0f;
    }
}

/*
 * A clipped episode on one axis ended (exit slope m_out, g per sample): a
 * peak clipped over L samples whose flanks rise at m lost about m L^2 / 6
 * g-samples (a parabola through the flanks), so a sharp impact weighs far
 * more than a long shallow excursion just past full scale.
 */
static void clip_episode_end(gait_nav_t *n, int k, float m_out) {
    float len = n->ep_len[k];
    if (len <= 0.0f) {
        return;
    }
    float w = 0.5f * (n->ep_in[k] + m_out) * len * len * (1.0f / 6.0f) + 1e-6f;
    float inv = 1.0f / len;
    n->clip_n[k] += w;
    n->clip_sum[k] += w * n->ep_t[k] * inv;
    for (int c = 0; c < 3; c++) {
        n->clip_dir[k][c] += w * n->ep_dir[k][c] * inv;
        n->ep_dir[k][c] = 0.0f;
    }
    n->ep_len[k] = n->ep_t[k] = 0.0f;
}

void gait_nav_reset(gait_nav_t *n) {
    gm_quat_identity(&n->q);
    for (int k = 0; k < 3; k++) {
        n->v[k] = n->p[k] = n->an_prev[k] = n->w_prev[k] = 0.0f;
        n->acc_lp[k] = n->acc_sum[k] = n->gyr_sum[k] = n->bias[k] = 0.0f;
    }
    n->gyr_peak = n->gyr_sq = 0.0f;
    n->drift_z = 0.0f;
    n->g_local = 1.0f;
    n->span_n = 0;
    n->started = 0;
    n->in_zv = 0;
    n->seg_open = 0;
    n->index = 0;
    n->seg_start = 0;
    clip_reset(n);
    n->sat_n = n->sat_sum = 0.0f;
    n->in_stance = 0;
    n->roll_min = n->roll_max = 0.0f;
    n->roll_rate_peak = n->impact_peak = 0.0f;
    n->impact_clipped = 0;
    n->impact_until = 0;
    n->gyro_sat = 0;
    for (int k = 0; k < 6; k++) {
        n->lev_a[k] = n->win_a[k] = 0.0f;
    }
    for (int k = 0; k < 3; k++) {
        n->lever_b[k] = n->lev_b[k] = n->win_b[k] = n->win_v[k] = 0.0f;
        n->win_m[k][0] = n->win_m[k][1] = n->win_m[k][2] = 0.0f;
    }
    n->win_ang = 0.0f;
    n->win_on = 0;
}

void gait_nav_step(gait_state_t *g, const gait_raw_t *r, uint32_t index, uint32_t gap) {
    gait_nav_t *n = &g->nav;
    float a[3], w[3], wr[3];
    for (int k = 0; k < 3; k++) {
        a[k] = (float)r->a[k] * g->acc_lsb;
        w[k] = (float)r->w[k] * g->gyro_lsb - n->bias[k];
        wr[k] = w[k] * GM_RAD;
    }
    float dt = (float)gap * g->dt_s;
    if (!n->started || dt > GAP_BREAK_S) {
        uint8_t after_gap = n->started;
        if (!n->started) {
            gm_quat_identity(&n->q);
            gm_quat_level(&n->q, a);
            for (int k = 0; k < 3; k++) {
                n->acc_lp[k] = a[k];
            }
        }
        n->started = 1;
        /* after a gap the foot may be anywhere in its stride: integrate from
         * here with the attitude carried over and the velocity unknown (taken
         * as zero); the next still instant measures that velocity */
        n->seg_open = after_gap;
        n->seg_gap = after_gap;
        n->win_on = 0;
        n->in_zv = 0;
        n->seg_start = index;
        clip_reset(n);
        n->sat_n = n->sat_sum = 0.0f;
        for (int k = 0; k < 3; k++) {
            n->v[k] = n->p[k] = n->an_prev[k] = 0.0f;
            n->w_prev[k] = wr[k];
        }
        n->index = index;
        return;
    }
    gm_quat_rotvec(&n->q, 0.5f * (n->w_prev[0] + wr[0]) * dt, 0.5f * (n->w_prev[1] + wr[1]) * dt,
                   0.5f * (n->w_prev[2] + wr[2]) * dt);
    float an[3];
    gm_quat_to_nav(&n->q, a, an);
    an[2] -= n->g_local;
    for (int k = 0; k < 3; k++) {
        an[k] *= GM_G_MPS2;
    }
    if (n->in_zv) {
        for (int k = 0; k < 3; k++) {
            n->v[k] = 0.0f;
            n->acc_sum[k] += a[k];
            n->gyr_sum[k] += w[k];
        }
        float wn = fabsf(w[0]) + fabsf(w[1]) + fabsf(w[2]);
        if (wn > n->gyr_peak) {
            n->gyr_peak = wn;
        }
        n->gyr_sq += w[0] * w[0] + w[1] * w[1] + w[2] * w[2];
        if (n->span_n < 0xFFFFu) {
            n->span_n++;
        }
    } else {
        for (int k = 0; k < 3; k++) {
            float v1 = n->v[k] + 0.5f * (n->an_prev[k] + an[k]) * dt;
            n->p[k] += 0.5f * (n->v[k] + v1) * dt;
            n->v[k] = v1;
        }
    }
    float alpha = dt / ACC_LP_TAU_S;
    if (alpha > 1.0f) {
        alpha = 1.0f;
    }
    float lim_a = CLIP_FRAC * g->cfg.accel_fs_g;
    float lim_w = CLIP_FRAC * g->cfg.gyro_fs_dps;
    int clipped = 0, sat = 0;
    for (int k = 0; k < 3; k++) {
        n->acc_lp[k] += alpha * (a[k] - n->acc_lp[k]);
        n->an_prev[k] = an[k];
        n->w_prev[k] = wr[k];
        clipped |= fabsf(a[k]) >= lim_a;
        if (fabsf((float)r->w[k] * g->gyro_lsb) >= lim_w) {
            n->gyro_sat = 1;
            sat = 1;
        }
    }
    if (n->win_on) {
        if (clipped || sat) {
            n->win_on = 0; /* an impact or a clipped rate: not a clean heel rise */
        } else {
            lever_step(n, wr, dt, (float)(index - n->seg_start) * g->dt_s);
        }
    }
    if (n->seg_open) {
        /* the impulse a clipped axis lost points along that axis, outwards */
        for (int k = 0; k < 3; k++) {
            if (fabsf(a[k]) >= lim_a) {
                float e[3] = {0.0f, 0.0f, 0.0f}, en[3];
                e[k] = a[k] > 0.0f ? 1.0f : -1.0f;
                gm_quat_to_nav(&n->q, e, en);
                if (n->ep_len[k] == 0.0f) {
                    n->ep_in[k] = fabsf(a[k] - n->a_prev[k]);
                }
                for (int c = 0; c < 3; c++) {
                    n->ep_dir[k][c] += en[c];
                }
                n->ep_len[k] += 1.0f;
                n->ep_t[k] += (float)(index - n->seg_start);
            } else if (n->ep_len[k] > 0.0f) {
                clip_episode_end(n, k, fabsf(a[k] - n->a_prev[k]));
            }
        }
    }
    for (int k = 0; k < 3; k++) {
        n->a_prev[k] = a[k];
    }
    if (sat && n->seg_open) {
        n->sat_n += 1.0f;
        n->sat_sum += (float)(index - n->seg_start);
    }
    if (n->in_stance) {
        float up[3];
        gm_quat_up(&n->q, up);
        float roll = gait_sole_roll_dot(g, up);
        if (roll < n->roll_min) {
            n->roll_min = roll;
        }
        if (roll > n->roll_max) {
            n->roll_max = roll;
        }
        if (fabsf(w[0]) > n->roll_rate_peak) {
            n->roll_rate_peak = fabsf(w[0]);
        }
    }
    if ((int32_t)(n->impact_until - index) >= 0) {
        float am = sqrtf(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
        if (am > n->impact_peak) {
            n->impact_peak = am;
        }
        n->impact_clipped |= (uint8_t)clipped;
    }
    n->index = index;
}

/*
 * The rise an attitude error alone could give a stride of horizontal length
 * L, m: at the still instant that ends it, the foot's specific force is
 * gravity, and the integrated attitude sees it lean theta off the vertical
 * (gyro scale, axis or timing errors; an accelerometer and a gyro that
 * disagree). A path seen through such an error climbs or sinks by up to
 * L sin(theta); sin(theta) is the horizontal share of that force, no
 * trigonometry needed. A foot not yet quite still only makes the figure
 * larger (a rise then counts for less, never for more).
 */
static float attitude_rise_m(const gait_nav_t *n, float horiz_m) {
    float an[3];
    gm_quat_to_nav(&n->q, n->acc_lp, an);
    float h2 = an[0] * an[0] + an[1] * an[1];
    float am2 = h2 + an[2] * an[2];
    if (!(am2 > 0.0f)) {
        return 0.0f;
    }
    return horiz_m * sqrtf(h2 / am2);
}

void gait_nav_close(gait_state_t *g, float *horiz_m, float *rise_m, float *tilt_rise_m) {
    gait_nav_t *n = &g->nav;
    *horiz_m = NAN;
    *rise_m = NAN;
    *tilt_rise_m = NAN;
    if (n->seg_open && n->seg_gap) {
        /* from a gap: the residual velocity is the unknown velocity the
         * foot had when the samples resumed, a constant offset throughout */
        float seg = (float)(n->index - n->seg_start) * g->dt_s;
        float px = n->p[0] - n->v[0] * seg, py = n->p[1] - n->v[1] * seg;
        *horiz_m = sqrtf(px * px + py * py);
        *rise_m = n->p[2] - n->v[2] * seg;
        n->drift_z = 0.0f;
        *tilt_rise_m = attitude_rise_m(n, *horiz_m);
    } else if (n->seg_open) {
        /* Residual velocity = drift (grows linearly over the segment: its
         * displacement error is v * T / 2) + the impulse clipping lost (a
         * step at the clipped instant t_c: error v * (T - t_c)). The impulse
         * an axis lost lies along that axis, outwards: the residual is split
         * by least squares onto those directions (one per clipped axis, a
         * step each); what they cannot explain, or explain with the wrong
         * sign, is drift. */
        float seg = (float)(n->index - n->seg_start);
        {
            /* the foot's own velocity here is not error */
            float vb[3];
            rolling_velocity(n, vb);
            for (int k = 0; k < 3; k++) {
                n->v[k] -= vb[k];
            }
        }
        for (int k = 0; k < 3; k++) {
            clip_episode_end(n, k, n->ep_in[k]); /* still clipped at the end */
        }
        float step[3] = {0.0f, 0.0f, 0.0f};
        float step_pos[3] = {0.0f, 0.0f, 0.0f}; /* sum of step * lever, m */
        float u[3][3];
        int use[3];
        for (int k = 0; k < 3; k++) {
            float un = sqrtf(n->clip_dir[k][0] * n->clip_dir[k][0] + n->clip_dir[k][1] * n->clip_dir[k][1] +
                             n->clip_dir[k][2] * n->clip_dir[k][2]);
            use[k] = n->clip_n[k] > 0.0f && un > 0.0f;
            for (int c = 0; c < 3; c++) {
                u[k][c] = use[k] ? n->clip_dir[k][c] / un : 0.0f;
            }
        }
        for (int pass = 0; pass < 2; pass++) {
            float m[3][3], rhs[3], s[3] = {0.0f, 0.0f, 0.0f};
            for (int i = 0; i < 3; i++) {
                rhs[i] = use[i] ? u[i][0] * n->v[0] + u[i][1] * n->v[1] + u[i][2] * n->v[2] : 0.0f;
                for (int j = 0; j < 3; j++) {
                    m[i][j] = (use[i] && use[j]) ? u[i][0] * u[j][0] + u[i][1] * u[j][1] + u[i][2] * u[j][2]
                                                 : (i == j ? 1.0f : 0.0f);
                }
                m[i][i] += 1e-3f; /* near-parallel directions stay solvable */
            }
            if (!gm_solve3(m, rhs, s)) {
                break;
            }
            int changed = 0;
            for (int k = 0; k < 3; k++) {
                if (use[k] && s[k] > 0.0f) { /* not a lost outward impulse */
                    use[k] = 0;
                    changed = 1;
                }
            }
            if (changed && pass == 0) {
                continue;
            }
            for (int k = 0; k < 3; k++) {
                if (!use[k]) {
                    continue;
                }
                float lever = (seg - n->clip_sum[k] / n->clip_n[k]) * g->dt_s;
                for (int c = 0; c < 3; c++) {
                    step[c] += s[k] * u[k][c];
                    step_pos[c] += s[k] * u[k][c] * lever;
                }
            }
            break;
        }
        /* a saturated gyro leaves an attitude error from the saturation on
         * (whatever the repair missed): the drift then starts there */
        float drift_from = n->sat_n > 0.0f ? n->sat_sum / n->sat_n : 0.0f;
        n->drift_z = seg > 0.0f ? (n->v[2] - step[2]) / seg : 0.0f;
        float lever_drift = 0.5f * (seg - drift_from) * g->dt_s;
        float pc[3];
        for (int k = 0; k < 3; k++) {
            pc[k] = n->p[k] - (n->v[k] - step[k]) * lever_drift - step_pos[k];
        }
        *horiz_m = sqrtf(pc[0] * pc[0] + pc[1] * pc[1]);
        *rise_m = pc[2];
        *tilt_rise_m = attitude_rise_m(n, *horiz_m);
#if GAIT_TRACE
        gait_trace_close(n->index, seg, n->v, n->p, n->clip_n[2], n->clip_n[2] > 0.0f ? n->clip_sum[2] / n->clip_n[2] : 0.0f);
#endif
    }
    for (int k = 0; k < 3; k++) {
        n->v[k] = 0.0f;
        n->acc_sum[k] = 0.0f;
        n->gyr_sum[k] = 0.0f;
    }
    n->gyr_peak = n->gyr_sq = 0.0f;
    n->span_n = 0;
    n->win_on = 0;
    n->in_zv = 1;
    n->seg_open = 0;
    n->seg_gap = 0;
}

float gait_nav_open(gait_state_t *g, const float acc_level[3]) {
    gait_nav_t *n = &g->nav;
    float a[3];
    if (n->span_n < 3u && acc_level != NULL) {
        for (int k = 0; k < 3; k++) {
            a[k] = acc_level[k];
        }
    } else if (n->span_n >= 3u) {
        float inv = 1.0f / (float)n->span_n;
        for (int k = 0; k < 3; k++) {
            a[k] = n->acc_sum[k] * inv;
        }
        float span_s = (float)n->span_n * g->dt_s;
        float m[3], m2 = 0.0f, b2 = 0.0f;
        for (int k = 0; k < 3; k++) {
            m[k] = n->gyr_sum[k] * inv; /* the offset left over the span */
            m2 += m[k] * m[k];
            b2 += (n->bias[k] + m[k]) * (n->bias[k] + m[k]);
        }
        float scatter2 = n->gyr_sq * inv - m2;
        int still = span_s >= BIAS_SPAN_S && n->gyr_peak < BIAS_STILL_DPS;
        int stand = span_s >= BIAS_FULL_S && scatter2 < BIAS_SCATTER_DPS * BIAS_SCATTER_DPS &&
                    b2 < BIAS_MAX_DPS * BIAS_MAX_DPS;
        if (still || stand) {
            float gain = span_s / BIAS_FULL_S;
            gain = gain > 1.0f ? 1.0f : gain;
            for (int k = 0; k < 3; k++) {
                n->bias[k] += gain * m[k];
            }
            float am = sqrtf(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
            n->g_local += 0.5f * (am - n->g_local);
        }
    } else {
        for (int k = 0; k < 3; k++) {
            a[k] = n->acc_lp[k];
        }
    }
    float before = gm_pitch_up_rad(&n->q);
    gm_quat_level(&n->q, a);
    float err = before - gm_pitch_up_rad(&n->q);
    if ((float)n->span_n * g->dt_s >= NEUTRAL_SPAN_S) {
        gm_quat_up(&n->q, n->up_still); /* standing: the sole's neutral roll, for the axis known at each stance */
    }
    float wn[3];
    lever_matrix(&n->q, n->w_prev, n->win_m, wn);
    rolling_velocity(n, n->v);
    for (int k = 0; k < 3; k++) {
        n->p[k] = 0.0f;
        n->win_v[k] = n->v[k];
        n->win_b[k] = 0.0f;
    }
    for (int k = 0; k < 6; k++) {
        n->win_a[k] = 0.0f;
    }
    n->win_ang = 0.0f;
    n->win_on = 1;
    n->in_zv = 0;
    n->seg_open = 1;
    n->seg_gap = 0;
    n->seg_start = n->index;
    clip_reset(n);
    n->sat_n = 0.0f;
    n->sat_sum = 0.0f;
    return err;
}

float gait_nav_vz(const gait_state_t *g) {
    const gait_nav_t *n = &g->nav;
    if (!n->seg_open) {
        return n->v[2];
    }
    float drift = n->drift_z * (float)(n->index - n->seg_start);
    if (g->dt_s > DRIFT_CAP_DT_S) {
        drift = drift > DRIFT_CAP_MPS ? DRIFT_CAP_MPS : (drift < -DRIFT_CAP_MPS ? -DRIFT_CAP_MPS : drift);
    }
    return n->v[2] - drift;
}
