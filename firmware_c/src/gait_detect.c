/*
 * gait_detect.c - stride events from the newest sample.
 *
 * One cycle of the pitch rate gy (+ = toes down) drives a small state machine:
 *   SWING   the toes-up swing rotation (gy well below zero): mid-swing;
 *   LANDING the swing rotation fades: initial contact (IC) is searched;
 *   STANCE  foot on the ground: zero-velocity span (or stillest instant),
 *           then the toes-down push-off burst whose peak marks toe-off (TC),
 *           confirmed when the next swing starts.
 * Events go to the queue with their exact sample positions; the strapdown,
 * which runs behind, consumes them.
 */
#include <math.h>

#include "gait.h"

enum {
    PH_IDLE = 0,    /* no stride yet, or standing */
    PH_SWING = 1,   /* toes-up swing rotation under way */
    PH_LANDING = 2, /* searching initial contact */
    PH_STANCE = 3,  /* on the ground */
};

/* Swing: gy below this (toes-up rate) starts a swing, dps. */
static const float SWING_DPS = 120.0f;
/* A swing that finds no contact within this time is abandoned, s. */
static const float LANDING_TIMEOUT_S = 1.2f;
/* Stillness: low-passed |w| under STILL_DPS and | |a| - 1 g | under STILL_G. */
static const float STILL_DPS = 25.0f;
static const float MOVE_DPS = 40.0f;
static const float STILL_G = 0.12f;
static const float MOVE_G = 0.25f;
/* Time constant of the stillness low-pass, s. */
static const float ENERGY_TAU_S = 0.015f;

void gait_detect_reset(gait_detect_t *d) {
    d->phase = PH_IDLE;
    d->phase_start = 0;
    d->have_prev = 0;
    d->gy1 = d->gy2 = 0.0f;
    d->idx1 = d->idx2 = 0;
    d->energy = 0.0f;
    d->acc_dev = 0.0f;
    d->swing_peak = 0.0f;
    d->swing_ref = 300.0f;
    d->pk_val = -1e30f;
    d->zv_state = 0;
    d->zv_any = 0;
    d->zv_last = 0;
    d->min_energy = 1e30f;
    d->min_index = 0;
}

static void set_phase(gait_detect_t *d, uint8_t phase, uint32_t index) {
    d->phase = phase;
    d->phase_start = index;
}

static void stance_begin(gait_detect_t *d) {
    d->zv_state = 0;
    d->zv_any = 0;
    d->min_energy = 1e30f;
    d->pk_val = -1e30f;
}

/* Upward zero crossing of gy between the previous sample and this one. */
static gait_pos_t crossing(const gait_detect_t *d, uint32_t index, float gy) {
    float f = -d->gy1 / (gy - d->gy1);
    return gait_pos_lerp(d->idx1, index, f);
}

/* Vertex of the parabola through the last three samples (peak refinement). */
static gait_pos_t peak_at(uint32_t i0, uint32_t i1, uint32_t i2, float y0, float y1, float y2) {
    float den = y0 - 2.0f * y1 + y2;
    float off = 0.0f;
    if (den < 0.0f) {
        off = 0.5f * (y0 - y2) / den;
        if (off > 0.5f) {
            off = 0.5f;
        } else if (off < -0.5f) {
            off = -0.5f;
        }
    }
    if (off >= 0.0f) {
        return gait_pos_lerp(i1, i2, off);
    }
    return gait_pos_lerp(i0, i1, 1.0f + off);
}

/* Stillness spans and the stillest instant of a stance. */
static void track_still(gait_t *g, gait_detect_t *d, uint32_t index) {
    int still = d->energy < STILL_DPS * STILL_DPS && d->acc_dev < STILL_G;
    int moving = d->energy > MOVE_DPS * MOVE_DPS || d->acc_dev > MOVE_G;
    if (d->zv_state != 1 && still) {
        gait_event_push(g, GAIT_EV_ZV_BEGIN, gait_pos_lerp(index, index, 0.0f));
        d->zv_state = 1;
        d->zv_any = 1;
        d->pk_val = -1e30f;
    }
    if (d->zv_state == 1) {
        if (moving) {
            gait_event_push(g, GAIT_EV_ZV_END, gait_pos_lerp(d->zv_last, d->zv_last, 0.0f));
            d->zv_state = 2;
        } else if (still) {
            d->zv_last = index;
            d->pk_val = -1e30f;
        }
    }
    if (d->energy < d->min_energy) {
        d->min_energy = d->energy;
        d->min_index = index;
        if (!d->zv_any) {
            d->pk_val = -1e30f;
        }
    }
}

/* The stance ends (a swing starts): close its zero-velocity span and toe-off. */
static void stance_end(gait_t *g, gait_detect_t *d, uint32_t index) {
    if (d->zv_state == 1) {
        gait_event_push(g, GAIT_EV_ZV_END, gait_pos_lerp(d->zv_last, d->zv_last, 0.0f));
        d->zv_state = 2;
    } else if (!d->zv_any && d->min_energy < 1e29f && index - d->min_index + 2u < g->delay) {
        gait_pos_t at = gait_pos_lerp(d->min_index, d->min_index, 0.0f);
        gait_event_push(g, GAIT_EV_ZV_BEGIN, at);
        gait_event_push(g, GAIT_EV_ZV_END, at);
    }
    if (d->phase == PH_STANCE && d->pk_val > 0.0f) {
        gait_event_push(g, GAIT_EV_TC, d->pk);
    }
}

void gait_detect_step(gait_t *g, uint32_t index, uint32_t gap, const gait_sample_t *s) {
    gait_detect_t *d = &g->det;
    float gy = s->gy_dps;
    float w2 = s->gx_dps * s->gx_dps + gy * gy + s->gz_dps * s->gz_dps;
    float an = sqrtf(s->ax_g * s->ax_g + s->ay_g * s->ay_g + s->az_g * s->az_g);
    float alpha = (float)gap * g->dt_s / ENERGY_TAU_S;
    if (alpha > 1.0f) {
        alpha = 1.0f;
    }
    if (!d->have_prev) {
        d->energy = w2;
        d->acc_dev = fabsf(an - 1.0f);
    } else {
        d->energy += alpha * (w2 - d->energy);
        d->acc_dev += alpha * (fabsf(an - 1.0f) - d->acc_dev);
    }

    if (d->have_prev) {
        uint32_t since = index - d->phase_start;
        switch (d->phase) {
        case PH_IDLE:
        case PH_STANCE:
            track_still(g, d, index);
            if (d->phase == PH_STANCE && gy > d->pk_val && gy > 0.0f) {
                d->pk_val = gy;
                d->pk = gait_pos_lerp(index, index, 0.0f);
            }
            /* a local maximum one sample back: refine the push-off peak */
            if (d->phase == PH_STANCE && d->gy1 >= d->gy2 && d->gy1 > gy && d->gy1 >= d->pk_val) {
                d->pk_val = d->gy1;
                d->pk = peak_at(d->idx2, d->idx1, index, d->gy2, d->gy1, gy);
            }
            if (gy < -SWING_DPS) {
                stance_end(g, d, index);
                set_phase(d, PH_SWING, index);
                d->swing_peak = gy;
            }
            break;
        case PH_SWING:
            if (gy < d->swing_peak) {
                d->swing_peak = gy;
            }
            if (gy > 0.5f * d->swing_peak) {
                set_phase(d, PH_LANDING, index);
            }
            break;
        case PH_LANDING:
            if (gy < d->swing_peak) {
                /* the swing rotation resumed: still mid-swing */
                set_phase(d, PH_SWING, index);
                d->swing_peak = gy;
            } else if (d->gy1 < 0.0f && gy >= 0.0f) {
                d->ic = crossing(d, index, gy);
                gait_event_push(g, GAIT_EV_IC, d->ic);
                d->swing_ref += 0.25f * (-d->swing_peak - d->swing_ref);
                stance_begin(d);
                set_phase(d, PH_STANCE, index);
            } else if ((float)since * g->dt_s > LANDING_TIMEOUT_S) {
                set_phase(d, PH_IDLE, index);
                stance_begin(d);
            }
            break;
        default:
            set_phase(d, PH_IDLE, index);
            break;
        }
    }
    d->gy2 = d->gy1;
    d->idx2 = d->idx1;
    d->gy1 = gy;
    d->idx1 = index;
    d->have_prev = 1;
}
