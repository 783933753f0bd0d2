/*
 * gait.c - the embedded gait analyzer: entry points, ring buffer, event
 * queue, stride assembly and the run summary (see gait_state.h for the flow).
 *
 * Stride assembly runs behind the detector, at the strapdown's pace. An
 * initial contact opens a stride (attitude and stance metrics start there)
 * and closes the previous one's timing; the next zero-velocity span closes
 * the segment that holds that stride's swing and gives its length; the
 * stride is then reported. Heel strikes land a few ms after the toes-up
 * swing rotation ends; mid- and forefoot strikes when their landing bump of
 * pitch rate ends: the choice needs the foot's attitude, so it is made here.
 */
#include "gait_state.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

/* Headroom of the int16 ring over full scale: the gyro keeps repaired
 * samples beyond full scale, the accelerometer only its measured range. A
 * repaired swing reaches ~2,000 dps at a sprint whatever the full scale, so
 * the gyro's stored range is at least GYRO_STORE_MIN_DPS. */
static const float ACC_STORE_FS = 1.05f;
static const float GYRO_STORE_FS = 2.0f;
static const float GYRO_STORE_MIN_DPS = 2500.0f;
/* A gap in the sample indices longer than this restarts the detector, s. */
static const float GAP_RESET_S = 0.1f;
/* Travel from the end of a gap to the next still foot beyond this is not
 * believed (an attitude the gap left wrong), m. */
static const float GAP_TAIL_MAX_M = 6.0f;
/* Impact window after initial contact for the peak acceleration, s. */
static const float IMPACT_WINDOW_S = 0.06f;
/* A stride longer than this spans a stop: its duration fields are unmeasured, s. */
static const float STRIDE_MAX_S = 2.5f;
/* Strike classes by foot strike angle (Mo et al. 2023 cut-offs), deg. */
static const float HEEL_FSA_DEG = 7.4f;
static const float FORE_FSA_DEG = -0.8f;
/* Below this sample rate the strike angle comes from the levelled attitude,
 * Hz: a landing turns the sole in 20-40 ms, 2-4 samples at 104 Hz, too few
 * to integrate its rotation (foot trajectories hold down to ~250 Hz, Bailey
 * and Harle 2014); 4-8 samples at 208 Hz. */
static const float FSA_GYRO_MIN_HZ = 150.0f;
/* A swing that turns the sole toes up this much teaches its pitch axis, rad
 * (running 60-110 deg from the push-off's toes down to the landing, walking
 * 50-70; a turn on the spot or a shuffle less). */
static const float SOLE_TURN_MIN_RAD = 0.5236f;
/* A swing whose heading turns by more than this fraction of its whole turn
 * is a step of a turn (its axis leans toward the vertical): not learnt from.
 * Straight strides turn their heading 2-6 deg over a 60-110 deg swing. */
static const float SOLE_TURN_YAW_FRAC = 0.2f;
/* Weight of one swing in the learnt pitch axis: a few strides' average. */
static const float SOLE_AXIS_GAIN = 0.25f;
/* A ball-first landing's heel may still be coming down, slowly, when the
 * foot first reads still (up stairs, a forefoot walk: the heel comes down
 * over 0.1-0.25 s, its last degrees under the stillness threshold). If the
 * sole still turns toes up faster than FLAT_TURN_DPS there (gyro noise is
 * ~1 dps), its flat attitude is its most toes-up one until it turns back
 * toes down by FLAT_BACK_RAD (0.1 deg: noise and the roll's leak into the
 * pitch axis), at most FLAT_SETTLE_S after that instant. */
static const float FLAT_TURN_DPS = 10.0f;
static const float FLAT_BACK_RAD = 0.0017f;
static const float FLAT_SETTLE_S = 0.25f;
/* A landing whose sole turned this far more toes down than flat, deg, landed
 * on the ball of the foot there (see ball_first). */
static const float BALL_FIRST_DEG = -3.0f;
/* A swing top this far toes-up (the sole, to the foot lying flat) is a heel
 * strike even without an impact, deg. */
static const float HEEL_TOP_DEG = 12.0f;
/* A stance's stillest instant (no still span yet) found with the sole this
 * far toes up to its last flat attitude, deg, and still turning toes down
 * faster than SLAP_DOWN_DPS, dps: the heel's slap after the landing, the
 * foot not yet flat (a walk whose slap the detector took for the push-off). */
static const float SLAP_UP_DEG = 10.0f;
static const float SLAP_DOWN_DPS = 50.0f;
/* Heel-strike phase lead after the top: walking, and running a + b * speed, s. */
static const float WALK_LEAD_S = 0.0025f;
static const float RUN_LEAD_S = 0.002f;
static const float RUN_LEAD_S_PER_MPS = 0.0008f;
/* A heel strike's top where the foot still falls is not yet its contact:
 * a top whose sensor descends faster than this, m/s (strapdown less the last
 * stride's drift), is followed until the ground's force shows. At the top
 * the foot does not pitch, so every point of it descends alike: a heel
 * touching down at a walk descends at 0.0-0.37 m/s there (gaitmap's
 * motion-capture walks, 60 strides), and the strapdown reads real walking
 * tops at up to 0.5 m/s (gaitmap, gdin: those are told by the slap test
 * below); a foot with 10-80 ms still to fall descends at 0.4-2 m/s (the
 * model's airborne leads, walking to 8 m/s). */
static const float AIR_DESCENT_MPS = 0.3f;
/* ... less the spread of the strapdown's reading of that descent, which
 * grows with the square of the sample step, m/s at TOP_VZ_SPREAD_HZ: a swing
 * of 300-1,000 dps turns 3-10 deg a sample at 104 Hz, and where the samples
 * fall in it changes the gravity the integration leaks into the vertical
 * (the model's walks with a 45-65 ms airborne lead read the same tops at
 * -0.51 +- 0.03 m/s at 416 Hz, +- 0.15 at 208, anywhere from +0.07 to
 * -0.9 at 104, where a third of them read under AIR_DESCENT_MPS and got
 * their contact at the top, 40-60 ms early). A top read within that spread
 * of a descent is followed too: the slap test and a departure just after
 * the top leave a heel already down at its lead (the walks resynthesized
 * from gaitmap's at 104 Hz: none of their contacts moved). */
static const float TOP_VZ_SPREAD_MPS = 0.4f;
static const float TOP_VZ_SPREAD_HZ = 104.0f;
/* A walking top whose slap steepened late (GAIT_EVF_KNEE) had its contact at
 * that knee only if its sensor descended faster than this there, m/s: a heel
 * already down rolls on it before the forefoot slaps, with the same knee, and
 * the strapdown reads such tops at up to 0.5 m/s (gaitmap's walks, and the
 * walks resynthesized from them); the model's airborne feet descend at
 * 0.5-2.6 m/s. */
static const float KNEE_DESCENT_MPS = 0.5f;
/* ... and whatever the course from there to the knee when it descended
 * faster than this, m/s (a heel down at the top has stopped: the strapdown
 * reads most tops of the walks resynthesized from gaitmap's under 0.9 m/s,
 * a few very toes-up ones at up to 1.8, which then land at the knee). */
static const float KNEE_FALL_MPS = 1.0f;
/* A foot at the end of its swing descends onto the ground: a strapdown that
 * reads a running foot rising faster than this at the top has lost the swing
 * (a gyro clipped far past its range, or a low sample rate, spoilt the
 * integration of a fast swing: the model's 104 Hz runs with a 500-1000 dps
 * gyro read +1 to +3 m/s), m/s. Its descent then tells nothing, and a slap
 * that steepened late with its impact (GAIT_EVF_KNEE) is the contact. */
static const float RISE_LOST_MPS = 1.0f;
/* In the air the leg changes the foot's vertical acceleration smoothly; the
 * ground's force at contact makes it depart from that course within a few
 * ms: the heel's descent is arrested (up), and a sensor ahead of the heel is
 * first pulled down as the foot starts to pivot about it. A departure from
 * the line fitted to the vertical acceleration around the top larger than
 * this marks the contact, m/s^2 (the model: a walking heel landing at 0.35
 * m/s departs by 5-7 m/s^2 within 6 ms, a running one by 10-15 within 2 ms,
 * while a midsole sensor's course in the air stays within 1-2 m/s^2 of the
 * line over 10-80 ms). The departure grows from zero at contact: the
 * contact is where its rise, extrapolated back, started. */
static const float FALL_FORCE_MPS2 = 5.0f;
/* ... or this many times the course's own scatter about its line, where
 * that is larger (a fast swing's course in the air wanders by a few m/s^2,
 * more for a sensor away from the foot's rotation centre). */
static const float FALL_SCATTER = 3.0f;
/* ... unless the foot's descent sped up in the air, on average, by more
 * than this, m/s^2: a heel already on the ground lets the foot slap down
 * about it, and a sensor ahead of the heel then descends faster and faster
 * (real walks: 3-20 m/s^2), while the leg changes the descent of a foot in
 * the air little (the model's airborne leads: slowing it, or speeding it up
 * by under 2 m/s^2): the contact was then just after the top. A toes-down
 * turn in the air (the hump) also speeds up the descent of a sensor away
 * from the turn's centre (the turn's rate times its lever), though the foot
 * is in the air (the model's laces runs: 4-9 m/s^2). The fall tracker keeps
 * the test whatever the top's descent: skipping it for tops that fell faster
 * than KNEE_FALL_MPS gained a few drawn gaits (explore seeds 1-4) but lost
 * more IC accuracy on others (seeds 5-6: IC 5.03 -> 5.11 ms pooled).
 * Runs keep the knee (GAIT_EVF_KNEE) whatever the course to it: a runner's
 * foot turns toes down in the air before the heel lands (the model's laces
 * runs with a 40 ms airborne lead and no hump of their own: 4-5.5 m/s^2 by
 * the knee), and the heel already down that rolls on it before the forefoot
 * slaps, with the same knee, is a walk's (gaitmap's walks and the walks
 * resynthesized from them: the only real strides with such knees).
 * The fall tracker asks it of walks only, for the same reason: a runner's
 * heel down at the top slaps the foot down at once, and what speeds up the
 * descent of a running foot's sensor around the top is the swing rotation's
 * stop and the toes-down turn in the air, felt ahead of the ankle (the
 * model's laces runs at 104 Hz: -17 to -32 m/s^2 on average from just before the top,
 * where at 104 Hz the course's first points lie, to the ground's force,
 * which then comes 30-45 ms after the top). Asked of runs, the test put
 * those contacts at the top, 30-65 ms early. */
static const float AIR_SLAP_MPS2 = 2.0f;
/* A fall followed this long after the top with no departure: contact just
 * after the top after all, s (airborne leads are 10-80 ms). */
static const float FALL_MAX_S = 0.12f;
/* The departure's onset is known to within the span it was extrapolated
 * back over plus this or a sample (a soft landing's force builds slower
 * than linearly, and a sensor ahead of the heel feels the arrest and the
 * foot's pivot partly cancel at first), s: an onset no later than the
 * heel's phase lead plus that is the heel's contact just after the top. */
static const float FALL_ONSET_TOL_S = 0.005f;
/* The course in the air is fitted from this long before the top, s (at
 * most GAIT_FALL_HIST samples, at least 2): a heel that lands a few ms
 * after the top leaves too few samples in the air after it. */
static const float FALL_PRE_S = 0.01f;
/* A departure that began within this of the top may be the swing
 * rotation's own stop, felt by a sensor away from the rotation's centre, s
 * (the model's laces, heel and lateral sites: a step of 5-10 m/s^2 at the
 * top): the course in the air restarts after it. */
static const float FALL_STOP_S = 0.003f;
/* ... back to where the vertical acceleration changed faster than this,
 * m/s^3: a sensor away from the foot's rotation centre feels the swing
 * rotation's stop (tens of m/s^2 within a few ms on the heel or the laces),
 * while the leg changes the foot's own course by 100-500 m/s^3. */
static const float FALL_AIR_JERK = 1000.0f;
/* The fall tracker steps at this rate or below, Hz: above it, it takes
 * every n-th sample, as few as bring it under (the strapdown itself
 * integrates every sample). The departure is found where it first exceeds
 * the line fitted to the steps before it, and every step before that joins
 * the fit: the ground's force builds over 5-10 ms, and at 1,666 Hz the
 * first 15-20 samples of its rise, each still under the threshold, bent the
 * line toward it and raised its scatter, so a walking heel's arrest (5-7
 * m/s^2 within 6 ms) never stood out and the contact went to the foot's
 * pivot 12 ms later (at 833 Hz, in some of the catalog's walks' strides).
 * Steps of 2 ms or more hold that rise to the 2-3 points it has at the rates
 * the tracker's figures come from (104-416 Hz), and the extrapolation back
 * to its onset (up to two steps) spans the same time.
 * The course in the air (100-500 m/s^3) changes little within a step, and
 * the sensor's noise is far under the departure's threshold. */
static const float FALL_RATE_MAX_HZ = 500.0f;
/* The analyzer reads the sensor at this rate or below, Hz: above it, every
 * n-th sample, as few as bring it under, and the stride's sample positions
 * are turned back into the caller's. Its rules are set up and explored at
 * 104-833 Hz, and several count samples that must stand for enough time or
 * noise: the strapdown runs GAIT_RING_SAMPLES - 8 samples behind the
 * detector, and a swing's top must be queued before the strapdown reaches
 * it, while the detector weighs it over the top's 25 ms impact window
 * (gait_detect.c): 120 samples are 36 ms at 3,332 Hz but 18 ms at 6,664 Hz,
 * where the walks' tops reached the strapdown up to 7 ms after it had passed
 * them, the fall tracker's course in the air began inside the ground's
 * force, and contacts came 12 ms late. And the detector reads an impact from
 * the jump of |a| between samples, whose noise grows with the rate (a fixed
 * noise density over a bandwidth that follows the rate, divided by a shorter
 * step): the catalog's noisy sensor at 3,332 Hz read jerks over
 * IMPACT_JERK_GPS in the swing (contacts 25 ms off), and of the gaits explore
 * draws at 833 Hz (seeds 1-4: 97 of 102 held), sampled at 1,666 Hz instead,
 * 91 held read at that rate (noisy walks' contacts 7-12 ms off), 97 read at
 * 833 Hz. An impact's 5-10 ms rise still spans 4-8 samples at 833 Hz, and
 * the catalog reads at 1,666-6,664 Hz as at 416 Hz (contacts, strike
 * angles, stride lengths). */
static const float INPUT_RATE_MAX_HZ = 850.0f;
/* Without a measured stride, a swing faster than this is running, dps. */
static const float RUN_SWING_DPS = 550.0f;
/* Half width of the window that levels at a single zero-velocity instant, s. */
static const float LEVEL_HALF_S = 0.006f;
/* Activity: running has a duty factor below this; a stride that rises or
 * falls this much, m, and goes no farther than STAIRS_MAX_M is on stairs. */
static const float RUN_DUTY = 0.5f;
static const float STAIRS_RISE_M = 0.12f;
static const float STAIRS_MAX_M = 1.6f;
/* Stairs rise at least this much per metre of stride (a 17/28 cm flight:
 * 0.6; the steepest ramps for walking: 0.08-0.12). */
static const float STAIRS_SLOPE = 0.25f;
/* A run also has a cadence over RUN_MIN_SPM or a speed over RUN_MIN_MPS:
 * walking stays under ~135 steps/min and ~2.2 m/s (walk-run transition at
 * ~2.0 m/s, 135-140 steps/min). */
static const float RUN_MIN_SPM = 140.0f;
static const float RUN_MIN_MPS = 2.5f;
/* ... or a clear flight (duty factor under RUN_CLEAR_DUTY: a walk's double
 * support puts it over one half, measurement error by a few hundredths) at a
 * speed over the walk-run transition, RUN_TRANSITION_MPS: a slow jog at 120-135
 * steps/min. A walk would need a toe-off 50 ms early and a speed no walk
 * keeps at once to read as one. A run already under way stays one down to
 * RUN_KEEP_FRAC of that speed: a stride's speed scatters by several percent,
 * and a jog right at the transition must not flicker between the two. */
static const float RUN_CLEAR_DUTY = 0.45f;
static const float RUN_TRANSITION_MPS = 2.0f;
static const float RUN_KEEP_FRAC = 0.9f;

/* C99 has no _Static_assert: a negative array size stops the build. */
#define GAIT_STATIC_CHECK(name, cond) typedef char gait_check_##name[(cond) ? 1 : -1]

/* The caller's opaque gait_t holds the private state, aligned for it, with
 * little slack (if not, adjust GAIT_STATE_BYTES in gait.h). */
GAIT_STATIC_CHECK(state_fits, sizeof(gait_state_t) <= sizeof(gait_t));
GAIT_STATIC_CHECK(state_slack, sizeof(gait_t) - sizeof(gait_state_t) < 64u);
struct gait_align_probe {
    char c;
    gait_state_t s;
};
GAIT_STATIC_CHECK(state_align, offsetof(struct gait_align_probe, s) <= sizeof(uint32_t));

#if GAIT_TRACE
void gait_trace_fsa(uint32_t ic_index, float pitch_deg, float err_deg, uint32_t ic_in_seg, uint32_t seg_len);
#endif

/* ---- strides ---- */

/*
 * The sole's axes in the sensor frame. A sensor sits on the shoe turned
 * about the vertical by up to 15-20 deg (a clip on the laces, a pod in the
 * midsole): its own x axis then also rises with the foot's roll, and the
 * inversion at contact and eversion to flat (10-15 deg) reads as 2-3 deg of
 * strike angle. From its most toes-down attitude after toe-off to contact,
 * the swing turns the foot toes up by 50-110 deg while its roll and heading
 * go out and mostly back: the axis of that net turn is the sole's pitch
 * axis, whatever the mounting. The long axis is perpendicular to it and
 * level when the foot lies flat.
 */
static void sole_track(gait_state_t *g) {
    const gait_nav_t *n = &g->nav;
    if (n->in_zv || n->in_stance) {
        return;
    }
    const gm_quat_t *q = &n->q;
    float fz = 2.0f * (q->x * q->z - q->w * q->y); /* the sensor's toes direction, elevation sine */
    if (fz < g->swing_fz) {
        g->swing_fz = fz;
        g->swing_q = *q;
    }
}

/* At a contact: the swing's net turn since its most toes-down attitude. */
static void sole_learn(gait_state_t *g) {
    if (g->swing_fz <= 1.0f) {
        gm_quat_t a = {g->swing_q.w, -g->swing_q.x, -g->swing_q.y, -g->swing_q.z};
        gm_quat_t body, nav;
        gm_quat_mul(&body, &a, &g->nav.q); /* the turn in the sensor frame */
        gm_quat_mul(&nav, &g->nav.q, &a);  /* ... and in the navigation frame */
        float v[3] = {body.x, body.y, body.z};
        float vn = sqrtf(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        if (2.0f * gm_atan2f(vn, fabsf(body.w)) > SOLE_TURN_MIN_RAD && fabsf(nav.z) < SOLE_TURN_YAW_FRAC * vn) {
            /* the axis as a line, pointed toward the wearer's left */
            float s = v[0] * g->sole_y[0] + v[1] * g->sole_y[1] + v[2] * g->sole_y[2] < 0.0f ? -1.0f : 1.0f;
            s /= vn;
            for (int k = 0; k < 3; k++) {
                g->sole_acc[k] += SOLE_AXIS_GAIN * (s * v[k] - g->sole_acc[k]);
            }
        }
    }
    g->swing_fz = 2.0f;
}

/* Both sole axes from the learnt pitch axis and the sensor frame's up with
 * the foot flat (unit): the pitch axis made level, the long axis level too. */
static void sole_axes(gait_state_t *g, const float up[3]) {
    float y[3];
    gait_sole_mount_axis(g, y);
    float d = y[0] * up[0] + y[1] * up[1] + y[2] * up[2];
    for (int a = 0; a < 3; a++) {
        y[a] -= d * up[a];
    }
    float x[3] = {y[1] * up[2] - y[2] * up[1], y[2] * up[0] - y[0] * up[2], y[0] * up[1] - y[1] * up[0]};
    float ny = sqrtf(y[0] * y[0] + y[1] * y[1] + y[2] * y[2]);
    float nx = sqrtf(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    if (!(ny > 1e-3f) || !(nx > 1e-3f)) {
        return; /* the pitch axis upright: keep the axes */
    }
    for (int a = 0; a < 3; a++) {
        g->sole_y[a] = y[a] / ny;
        g->sole_x[a] = x[a] / nx;
    }
}

/* The sole's axes levelled with the attitude just levelled (the foot flat). */
static void sole_level(gait_state_t *g) {
    float up[3]; /* the navigation frame's up in the sensor frame */
    gm_quat_up(&g->nav.q, up);
    sole_axes(g, up);
}

/* Elevation of the sole's long axis (+ = toes up), rad. */
static float sole_pitch(const gait_state_t *g) {
    float f[3];
    gm_quat_to_nav(&g->nav.q, g->sole_x, f);
    return gm_atan2f(f[2], sqrtf(f[0] * f[0] + f[1] * f[1]));
}

/* The sole's pitch rate at the strapdown's last sample (bias removed), rad/s,
 * + = toes down. */
static float sole_rate(const gait_state_t *g) {
    const float *w = g->nav.w_prev;
    return w[0] * g->sole_y[0] + w[1] * g->sole_y[1] + w[2] * g->sole_y[2];
}

static void out_push(gait_state_t *g, const gait_stride_t *s) {
    if (g->out_n < GAIT_OUT_QUEUE) {
        g->outq[g->out_n++] = *s;
    }
}

/* A rise stairs make over a stride of stride_m, m: a climb or descent
 * steeper than a ramp over a short stride. */
static int stairs_rise(float rise_m, float stride_m) {
    return gait_valid(rise_m) && fabsf(rise_m) > STAIRS_RISE_M && !(stride_m > STAIRS_MAX_M) &&
           !(fabsf(rise_m) < STAIRS_SLOPE * stride_m);
}

/* A stride with a duration ran: a flight phase (duty factor under one half)
 * at a cadence or speed no walk reaches; a mistimed toe-off alone cannot
 * make a run. */
static int stride_ran(const gait_state_t *g, float duty, float cadence_spm, float speed_mps) {
    float jog_mps = g->last_activity == GAIT_ACTIVITY_RUN ? RUN_KEEP_FRAC * RUN_TRANSITION_MPS : RUN_TRANSITION_MPS;
    int fast = cadence_spm > RUN_MIN_SPM || speed_mps > RUN_MIN_MPS || (duty < RUN_CLEAR_DUTY && speed_mps > jog_mps);
    return duty < RUN_DUTY && fast;
}

static uint8_t classify(const gait_state_t *g, const gait_pending_t *p, float duty, float stride_m,
                        float cadence_spm, float speed_mps) {
    /* stairs: a stair's rise that the attitude error cannot explain away;
     * from level ground, one clear of that error as well (rise_clear) */
    if (stairs_rise(p->rise_m, stride_m) && (p->rise_clear || g->last_activity == GAIT_ACTIVITY_STAIRS)) {
        return GAIT_ACTIVITY_STAIRS;
    }
    if (gait_valid(duty)) {
        return stride_ran(g, duty, cadence_spm, speed_mps) ? GAIT_ACTIVITY_RUN : GAIT_ACTIVITY_WALK;
    }
    return g->last_activity; /* no duration: as the stride before */
}

/* Emit a pending stride; end = the next IC (NULL if unknown). */
static void emit(gait_state_t *g, gait_pending_t *p, const gait_pos_t *end) {
    gait_stride_t s;
    float ms = g->dt_s * 1000.0f;
    s.ic_index = p->ic.index;
    s.ic_frac = p->ic.frac;
    s.tc_index = p->have_tc ? p->tc.index : p->ic.index;
    s.tc_frac = p->have_tc ? p->tc.frac : p->ic.frac;
    s.gct_ms = p->have_tc ? gait_pos_diff(p->tc, p->ic) * ms : NAN;
    s.stride_ms = end != NULL ? gait_pos_diff(*end, p->ic) * ms : NAN;
    if (!(s.stride_ms <= STRIDE_MAX_S * 1000.0f)) {
        s.stride_ms = NAN;
    }
    s.swing_ms = s.stride_ms - s.gct_ms;
    s.flight_ms = 0.5f * s.stride_ms - s.gct_ms;
    if (s.flight_ms < 0.0f) {
        s.flight_ms = 0.0f; /* double support: no flight */
    }
    s.cadence_spm = 120000.0f / s.stride_ms;
    s.duty_factor = s.gct_ms / s.stride_ms;
    s.fsa_deg = p->have_fsa ? p->fsa_deg : NAN;
    s.strike = GAIT_STRIKE_UNKNOWN;
    if (p->have_fsa) {
        s.strike = s.fsa_deg > HEEL_FSA_DEG ? GAIT_STRIKE_HEEL
                   : s.fsa_deg < FORE_FSA_DEG ? GAIT_STRIKE_FORE
                                              : GAIT_STRIKE_MID;
    }
    s.pronation_deg = p->pronation_deg;
    s.peak_roll_rate_dps = p->peak_roll_rate_dps;
    s.peak_impact_g = p->peak_impact_g;
    s.stride_m = p->stride_m; /* footprint to footprint, even across a stop */
    s.speed_mps = s.stride_m / (s.stride_ms * 0.001f);
    s.activity = classify(g, p, s.duty_factor, s.stride_m, s.cadence_spm, s.speed_mps);
    s.flags = p->flags;
    out_push(g, &s);

    g->strides++;
    if (gait_valid(s.stride_m)) {
        g->distance_m += s.stride_m;
    }
    if (gait_valid(s.stride_ms)) {
        /* the foot's own pace, whatever rise the strapdown read: a run's
         * flight and cadence are a run's on a slope or a stair too, and a
         * fast swing the gyro clipped at a low rate can spoil the rise */
        if (gait_valid(s.duty_factor)) {
            g->last_ran = (uint8_t)stride_ran(g, s.duty_factor, s.cadence_spm, s.speed_mps);
        }
        g->last_activity = s.activity;
        if (gait_valid(s.speed_mps)) {
            g->last_speed = s.speed_mps;
        }
        g->activity_s[s.activity] += s.stride_ms * 0.001f;
        g->moving_s += s.stride_ms * 0.001f;
        g->cadence_sum += s.cadence_spm;
        g->cadence_n++;
    }
    p->valid = 0;
}

static void pending_open(gait_state_t *g, gait_pos_t ic, float pitch_rad) {
    gait_pending_t *p = &g->cur;
    gait_nav_t *n = &g->nav;
    memset(p, 0, sizeof(*p));
    p->valid = 1;
    p->ic = ic;
    p->pronation_deg = NAN;
    p->peak_roll_rate_dps = NAN;
    p->peak_impact_g = NAN;
    p->stride_m = NAN;
    p->rise_m = NAN;
    p->pitch_ic = pitch_rad;
    g->land_fz = 2.0f;
    p->ic_in_seg = n->seg_open ? ic.index - n->seg_start : 0xFFFFFFFFu;
    p->sat_before_ic = n->sat_n > 0.0f;
    n->in_stance = 1;
    float up[3];
    gm_quat_up(&n->q, up);
    n->roll_min = n->roll_max = gait_sole_roll_dot(g, up);
    n->roll_rate_peak = 0.0f;
    n->impact_peak = 0.0f;
    n->impact_clipped = 0;
    n->impact_until = ic.index + (uint32_t)(IMPACT_WINDOW_S * g->cfg.odr_hz + 0.5f);
}

/* x / d held within -1..1: a sine from a dot product with a vector of length d. */
static float unit_sine(float x, float d) {
    float s = x / d;
    return s > 1.0f ? 1.0f : (s < -1.0f ? -1.0f : s);
}

static void stance_close(gait_state_t *g) {
    gait_pending_t *p = &g->cur;
    gait_nav_t *n = &g->nav;
    if (!p->valid || !n->in_stance) {
        return;
    }
    n->in_stance = 0;
    /* the larger turn of the sole about its long axis away from its
     * standing roll: eversion for a pronating foot */
    float y[3];
    gait_sole_mount_axis(g, y); /* learnt at contact: the stance's axis */
    float ny = sqrtf(y[0] * y[0] + y[1] * y[1] + y[2] * y[2]);
    float hi = unit_sine(n->roll_max, ny), lo = unit_sine(n->roll_min, ny);
    float mid = unit_sine(gait_sole_roll_dot(g, n->up_still), ny);
    float a_hi = gm_atan2f(hi, sqrtf(1.0f - hi * hi));
    float a_lo = gm_atan2f(lo, sqrtf(1.0f - lo * lo));
    float a_mid = gm_atan2f(mid, sqrtf(1.0f - mid * mid));
    float up = a_hi - a_mid, down = a_mid - a_lo;
    p->pronation_deg = (up > down ? up : down) * GM_DEG;
    p->peak_roll_rate_dps = n->roll_rate_peak;
    p->peak_impact_g = n->impact_peak;
    if (n->impact_clipped) {
        p->flags |= GAIT_FLAG_IMPACT_CLIPPED;
    }
}

/* The heel is down: the strike angle is to the sole lying flat. */
static void flat_settle(gait_state_t *g) {
    gait_pending_t *p = &g->cur;
    if (g->flat_n > 0u && p->valid && p->have_fsa) {
        p->fsa_deg -= g->flat_up * GM_DEG;
    }
    g->flat_n = 0;
}

static void on_ic(gait_state_t *g, gait_pos_t at, float pitch_rad) {
    flat_settle(g);
    sole_learn(g);
    /* The pitch axis this swing just taught is the sole's at its own
     * contact too: a sensor turned about the vertical reads the inversion at
     * contact as strike angle (2-3 deg at 15 deg of mounting yaw) until its
     * axes are learnt, so the first stride of a walk would keep that error.
     * The sole's up when it last lay flat, in the sensor frame, is x cross y
     * of the axes levelled there (the sensor's own axes before any). */
    const float *sx = g->sole_x, *sy = g->sole_y;
    float up[3] = {sx[1] * sy[2] - sx[2] * sy[1], sx[2] * sy[0] - sx[0] * sy[2], sx[0] * sy[1] - sx[1] * sy[0]};
    float before = sole_pitch(g);
    sole_axes(g, up);
    pitch_rad += sole_pitch(g) - before;
    if (g->done.valid) {
        emit(g, &g->done, &g->done.end); /* no stance closed its length */
    }
    if (g->cur.valid && !g->cur.zv_seen) {
        /* no still foot between two contacts: not a stride (noise, shaking) */
        g->cur.valid = 0;
        g->nav.in_stance = 0;
    }
    if (g->cur.valid) {
        stance_close(g);
        if (g->nav.gyro_sat) {
            g->cur.flags |= GAIT_FLAG_GYRO_SATURATED;
        }
        if (g->nav.dropped) {
            g->cur.flags |= GAIT_FLAG_SAMPLES_DROPPED;
        }
        g->cur.end = at;
        g->done = g->cur;
        g->cur.valid = 0;
    }
    g->nav.gyro_sat = 0;
    g->nav.dropped = 0;
    pending_open(g, at, pitch_rad);
    if (g->nav.seg_open && g->nav.seg_ics < 255u) {
        g->nav.seg_ics++;
    }
}

static void on_tc(gait_state_t *g, gait_pos_t at) {
    if (g->cur.valid && !g->cur.have_tc && gait_pos_diff(at, g->cur.ic) > 0.0f) {
        g->cur.tc = at;
        g->cur.have_tc = 1;
        stance_close(g);
    }
}

/* From a contact to the first still instant: the sole's most toes-down
 * attitude (its long axis' elevation sine: no angle needed per sample). */
static void land_track(gait_state_t *g) {
    if (!g->cur.valid || g->cur.have_fsa || g->nav.in_zv) {
        return;
    }
    float up[3];
    gm_quat_up(&g->nav.q, up);
    const float *x = g->sole_x;
    float fz = up[0] * x[0] + up[1] * x[1] + up[2] * x[2];
    if (fz < g->land_fz) {
        g->land_fz = fz;
    }
}

/* The sole's most toes-down turn from the contact's pitch to the first still
 * instant, rad (<= 0). */
static float land_min_turn(const gait_state_t *g) {
    float fz = g->land_fz;
    if (!(fz < 1.0f)) {
        return 0.0f;
    }
    float turn = gm_atan2f(fz, sqrtf(1.0f - fz * fz)) - g->cur.pitch_ic;
    return turn < 0.0f ? turn : 0.0f;
}

/*
 * The strike angle of a landing, deg, from the sole's angle to flat at the
 * reported contact (fsa_deg) and its most toes-down turn from there before
 * the foot stood still (min_turn_deg, <= 0). A sole that turned more toes
 * down than flat after the reported contact and came back up landed on the
 * ball of the foot, and the heel drop that brought it back began when the
 * ball touched: the contact was at that most toes-down attitude, and any
 * earlier reported contact (the top of a toes-down turn before the ball
 * landed) was still in the air. A heel on the ground never lets the sole
 * turn past flat (the forefoot lands on the ground), so heel and midfoot
 * landings keep the angle at the reported contact; so does a dip under flat
 * smaller than BALL_FIRST_DEG (what the landing's roll leaking into a sole
 * axis a few degrees off, or an unlearnt gyro offset over the landing, can
 * read), and a heel strike's angle at the reported contact: such a dip
 * after it is no evidence that it was in the air.
 */
static float ball_first(float fsa_deg, float min_turn_deg) {
    float low = fsa_deg + min_turn_deg;
    return fsa_deg < HEEL_FSA_DEG && low < BALL_FIRST_DEG ? low : fsa_deg;
}

/*
 * Foot strike angle: the sole's turn from initial contact to the first
 * still instant after it, when the foot lies flat, from the gyroscope alone.
 * The landing lasts tens of ms, over which gyro drift is negligible, and no
 * gravity reference enters: levelling at a zero-velocity instant is off by
 * whatever the foot is still accelerating there (a running foot is never
 * quite still: on the laces, 6 cm above the sole, the turn from heel drop
 * to heel rise tilts the measured gravity by ~15 deg), and that error
 * differs between a running instant and a standing span, so a strike angle
 * taken between two levellings was wrong on the first and last strides of
 * a run. Falls back to on_zv_end's levelling when the contact came inside a
 * still span or after a gap, or at sample rates too low to follow a landing.
 * stillest: the still instant is a stance's stillest so far, no still span
 * (GAIT_EVF_STILLEST).
 */
static void fsa_at_flat(gait_state_t *g, int stillest) {
    gait_pending_t *p = &g->cur;
    const gait_nav_t *n = &g->nav;
    if (p->valid && (!p->have_fsa || p->fsa_slap) && p->ic_in_seg != 0xFFFFFFFFu && n->seg_open && !n->seg_gap &&
        g->cfg.odr_hz >= FSA_GYRO_MIN_HZ) {
        /* the turn from the contact: after a still instant in the slap, the
         * turn to it plus the turn since (the sole was levelled flat there) */
        float turn_deg = p->fsa_slap ? p->fsa_deg - sole_pitch(g) * GM_DEG : (p->pitch_ic - sole_pitch(g)) * GM_DEG;
        p->have_fsa = 1;
        if (stillest && sole_pitch(g) > SLAP_UP_DEG * GM_RAD && sole_rate(g) > SLAP_DOWN_DPS * GM_RAD) {
            /* still far toes up and slapping down: the foot is not flat yet,
             * the strike angle waits for the stance's next still instant
             * (taken here, a 26 deg heel strike read 3 deg, mid-foot) */
            p->fsa_deg = turn_deg;
            p->fsa_slap = 1;
            return;
        }
        p->fsa_deg = ball_first(turn_deg, p->fsa_slap ? 0.0f : land_min_turn(g) * GM_DEG);
        p->fsa_slap = 0;
        float up_dps = -sole_rate(g) * GM_DEG;
        if (p->fsa_deg < 0.0f && up_dps > FLAT_TURN_DPS) {
            g->flat_n = 1; /* the heel still coming down: follow it */
            g->flat_turn = g->flat_up = 0.0f;
        }
    }
}

/* Over the start of a still span after a ball-first landing: the sole's
 * toes-up turn as the heel comes down. */
static void flat_track(gait_state_t *g) {
    if (g->flat_n == 0u) {
        return;
    }
    if ((float)g->flat_n * g->dt_s > FLAT_SETTLE_S) {
        flat_settle(g);
        return;
    }
    g->flat_turn -= sole_rate(g) * g->dt_s;
    if (g->flat_turn > g->flat_up) {
        g->flat_up = g->flat_turn;
    } else if (g->flat_turn < g->flat_up - FLAT_BACK_RAD) {
        flat_settle(g); /* turning back toes down: the heel is down */
        return;
    }
    g->flat_n++;
}

/*
 * A stride's rise as evidence, m: the drift-corrected rise if it stands out
 * of what the attitude error found at its end could make on its own
 * (tilt_rise_m, the stride's length times the sine of the tilt the still
 * foot shows), else 0 (level within what the strapdown can tell). A
 * strapdown whose attitude comes back tilted turns a level stride into a
 * climb: stairs need a rise that error cannot explain.
 */
static float rise_evidence(float rise_m, float tilt_rise_m) {
    if (gait_valid(rise_m) && gait_valid(tilt_rise_m) && !(fabsf(rise_m) > tilt_rise_m)) {
        return 0.0f;
    }
    return rise_m;
}

/*
 * The rise beyond what that attitude error could make, m, with the rise's
 * sign (0 when the error explains it all). A rise just past the error is
 * still mostly error: a level stride read through a slightly tilted
 * attitude sits right at the stairs slope, where a fraction of a dps of
 * gyro offset tips it either way. Leaving level ground for stairs takes a
 * stair's rise beyond the error; on stairs, a stride's rise only has to
 * stand out of it (a still foot on a stair may lean, and its rise with it).
 */
static float rise_beyond(float rise_m, float tilt_rise_m) {
    if (!gait_valid(rise_m) || !gait_valid(tilt_rise_m)) {
        return rise_m;
    }
    float beyond = fabsf(rise_m) - tilt_rise_m;
    if (!(beyond > 0.0f)) {
        return 0.0f;
    }
    return rise_m < 0.0f ? -beyond : beyond;
}

static void on_zv_begin(gait_state_t *g, int stillest) {
    uint8_t ics = g->nav.seg_ics;
    fsa_at_flat(g, stillest);
    g->cur.zv_seen = 1;
    uint8_t from_gap = g->nav.seg_open && g->nav.seg_gap;
    float horiz, rise, tilt_rise;
    gait_nav_close(g, &horiz, &rise, &tilt_rise);
    g->nav.seg_ics = 0;
    if (from_gap) {
        /* the rest of the stride a gap interrupted: no stride owns it */
        if (gait_valid(horiz) && horiz < GAP_TAIL_MAX_M) {
            g->distance_m += horiz;
        }
        if (g->done.valid) {
            emit(g, &g->done, &g->done.end);
        }
    } else if (g->done.valid) {
        if (ics == 1u) {
            g->done.stride_m = horiz;
            g->done.rise_m = rise_evidence(rise, tilt_rise);
            g->done.rise_clear = (uint8_t)stairs_rise(rise_beyond(rise, tilt_rise), horiz);
        }
        emit(g, &g->done, &g->done.end);
    } else if (ics == 1u && gait_valid(horiz)) {
        g->distance_m += horiz; /* the first step from standing: no stride owns it */
    }
}

static void on_zv_end(gait_state_t *g, const float *acc_level) {
    gait_nav_t *n = &g->nav;
    uint32_t seg_len = n->index - n->seg_start;
    int had_seg = !n->seg_open && n->in_zv; /* closed by the matching begin */
    float before = sole_pitch(g);
    (void)gait_nav_open(g, acc_level);
    float err = before - sole_pitch(g); /* the pitch error levelling removed, along the sole */
    gait_pending_t *p = &g->cur;
    if (p->valid && !p->have_fsa) {
        float pitch = p->pitch_ic;
        if (had_seg && p->ic_in_seg != 0xFFFFFFFFu && seg_len > 0u && p->ic_in_seg <= seg_len) {
            /* attitude error grew linearly from the segment start, or came
             * all at once where the gyro saturated */
            pitch -= p->sat_before_ic ? err : err * (float)p->ic_in_seg / (float)seg_len;
        }
        /* the sole's angle to the ground: relative to the foot lying flat
         * here, which also cancels the sensor's tilt in the sole and the
         * accelerometer offsets that tilt every levelling alike */
        pitch -= sole_pitch(g);
        p->fsa_deg = ball_first(pitch * GM_DEG, land_min_turn(g) * GM_DEG);
        p->have_fsa = 1;
#if GAIT_TRACE
        gait_trace_fsa(p->ic.index, p->pitch_ic * GM_DEG, err * GM_DEG, p->ic_in_seg, seg_len);
#endif
    }
    sole_level(g);
}

/* ---- the delay line ---- */

/* The sole's pitch rate in ring sample pos (bias removed), rad/s, + = toes down. */
static float ring_sole_rate(const gait_state_t *g, uint16_t pos) {
    return gait_raw_rate_about(g, &g->ring[pos], g->sole_y);
}

/* Samples of history the ring keeps behind the strapdown that pitch_at may
 * go back over (a contact settled a few samples after it). */
#define PITCH_BACK_MAX 4u

/*
 * Strapdown pitch of the sole at a position near the sample the strapdown
 * has just integrated, rad: a contact may be settled a sample or more after
 * it (its heel-strike lead ended inside the top's sample), or before it (an
 * event overtook the lead). The sole's rate about its pitch axis turns it
 * toes down; the strapdown takes that rate as linear between samples
 * (trapezoid), and so does the turn from the strapdown's sample to the
 * contact, over the samples the ring holds on that side without a gap (past
 * them, the last rate held). A landing changes the rate by tens of
 * thousands of dps/s and turns the sole by up to 10 deg over one sample at
 * 104 Hz.
 */
static float pitch_at(const gait_state_t *g, gait_pos_t at) {
    const gait_nav_t *n = &g->nav;
    float w0 = sole_rate(g);
    gait_pos_t now = {n->index, 0.0f};
    float s = gait_pos_diff(at, now); /* samples from the strapdown's sample, + = later */
    float dir = s < 0.0f ? -1.0f : 1.0f;
    float left = fabsf(s);
    float turn = 0.0f; /* toes-down turn from now to the contact, in rate x samples */
    uint16_t pos = (uint16_t)((g->head + GAIT_RING_SAMPLES - g->owed) % GAIT_RING_SAMPLES);
    uint32_t avail = s < 0.0f ? PITCH_BACK_MAX : g->owed;
    for (uint32_t k = 0u; left > 0.0f && k < avail; k++) {
        /* the neighbour on the contact's side, and the gap between them */
        uint16_t nb = (uint16_t)((dir > 0.0f ? pos + 1u : pos + GAIT_RING_SAMPLES - 1u) % GAIT_RING_SAMPLES);
        if (g->ring_gap[dir > 0.0f ? nb : pos] != 1u) {
            break;
        }
        float w1 = ring_sole_rate(g, nb);
        float f = left < 1.0f ? left : 1.0f;
        turn += f * w0 + 0.5f * f * f * (w1 - w0);
        left -= f;
        w0 = w1;
        pos = nb;
    }
    turn += left * w0; /* beyond the samples at hand: the last rate held */
    return sole_pitch(g) - dir * turn * g->dt_s;
}

float gait_sole_lift_at(const gait_state_t *g, gait_pos_t at) {
    const float *u = g->nav.up_still;
    /* the toes' elevation (sine) when the foot last stood still; 0 before it has */
    float e = u[0] * g->sole_x[0] + u[1] * g->sole_x[1] + u[2] * g->sole_x[2];
    float c = 1.0f - e * e;
    return pitch_at(g, at) - gm_atan2f(e, sqrtf(c > 0.0f ? c : 0.0f));
}

/* Specific force averaged over a centred window around ring position pos, g
 * (the strapdown runs behind the newest sample, so the window is stored). */
static void ring_mean_acc(const gait_state_t *g, uint16_t pos, float out[3]) {
    int32_t h = (int32_t)(LEVEL_HALF_S * g->cfg.odr_hz + 0.5f);
    int32_t ahead = (int32_t)g->owed;
    if (h > ahead) {
        h = ahead;
    }
    float sum[3] = {0.0f, 0.0f, 0.0f};
    for (int32_t k = -h; k <= h; k++) {
        const gait_raw_t *r = &g->ring[(uint16_t)((int32_t)pos + k + (int32_t)GAIT_RING_SAMPLES) % GAIT_RING_SAMPLES];
        for (int a = 0; a < 3; a++) {
            sum[a] += (float)r->a[a];
        }
    }
    float scale = g->acc_lsb / (float)(2 * h + 1);
    for (int a = 0; a < 3; a++) {
        out[a] = sum[a] * scale;
    }
    if (h < 1) {
        return;
    }
    /* the window's pitch rates: its ends give the angular acceleration */
    float wy[3];
    const int32_t at[3] = {-h, 0, h};
    for (int i = 0; i < 3; i++) {
        const gait_raw_t *r = &g->ring[(uint16_t)((int32_t)pos + at[i] + (int32_t)GAIT_RING_SAMPLES) % GAIT_RING_SAMPLES];
        wy[i] = ((float)r->w[1] * g->gyro_lsb - g->nav.bias[1]) * GM_RAD;
    }
    gait_nav_unlever(g, wy[0], wy[1], wy[2], 2.0f * (float)h * g->dt_s, out);
}

/* The foot is running: the last measured stride ran, else (none yet) the
 * swing's peak toes-up rate is a runner's. */
int gait_running_now(const gait_state_t *g, float swing_peak_dps) {
    return g->last_speed > 0.0f ? g->last_ran : swing_peak_dps > RUN_SWING_DPS;
}

/*
 * A heel lands a few ms after its toes-up rotation ends (gy crosses zero):
 * the foot has started its slap when the heel touches. Like Falbriard et
 * al.'s speed-dependent phase correction, the lead grows with running speed;
 * walking uses a fixed lead (labelled walks: 0-5 ms). Speed: the last
 * measured stride, else the swing's peak rate (which rises with speed).
 */
static float heel_lead_s(const gait_state_t *g, float swing_peak_dps) {
    int running = gait_running_now(g, swing_peak_dps);
    if (!running) {
        return WALK_LEAD_S;
    }
    float v = g->last_speed > 0.0f ? g->last_speed : (swing_peak_dps - 200.0f) / 250.0f;
    v = v < 1.5f ? 1.5f : (v > 10.0f ? 10.0f : v);
    return RUN_LEAD_S + RUN_LEAD_S_PER_MPS * v;
}

/* The strapdown cannot tell whether a running foot still fell at the top:
 * it reads the foot rising there (see RISE_LOST_MPS), or the gyro clipped in
 * the swing (a runner's swing turns at 1,000-2,000 dps: its attitude through
 * the clipped run is rebuilt, and the vertical speed at the top that gravity's
 * leak leaves cannot bear a 0.5 m/s test). A walking heel down at the top
 * rolls on it into a knee too (see KNEE_DESCENT_MPS), and a walk's clipped
 * swing is short and slow enough to be rebuilt well: a walk keeps its top
 * without the strapdown's word. */
static int descent_lost(const gait_state_t *g, float swing_peak_dps) {
    return gait_running_now(g, swing_peak_dps) && (gait_nav_vz(g) > RISE_LOST_MPS || g->nav.sat_n > 0.0f);
}

/* A swing top whose landing never came is the contact. */
static void top_settle(gait_state_t *g) {
    if (g->top_pending) {
        g->top_pending = 0;
        on_ic(g, g->top_at, g->top_pitch);
    }
}

/* A falling top whose contact the ground's force did not place: just after
 * the top, or, for a top with a late impact, 10 ms before that impact. */
static void fall_fallback(gait_state_t *g) {
    g->fall = 0;
    if (g->fall_late == 1u) {
        g->late_pending = 1; /* its GAIT_EV_IC_LATE is still to come */
    } else {
        on_ic(g, g->heel_at, g->top_pitch);
    }
}

/* A falling top whose contact was not found. */
static void fall_settle(gait_state_t *g) {
    if (g->fall) {
        fall_fallback(g);
    }
}

/* Empty the line fit of the vertical acceleration in the air. */
static void fall_clear(gait_state_t *g) {
    g->fall_n = g->fall_t = g->fall_a = g->fall_tt = g->fall_ta = g->fall_aa = 0.0f;
    g->fall_dev = 0.0f;
}

/* Add a sample to that fit: k samples from the top, vertical acceleration a, m/s^2. */
static void fall_add(gait_state_t *g, float k, float a) {
    g->fall_n += 1.0f;
    g->fall_t += k;
    g->fall_a += a;
    g->fall_tt += k * k;
    g->fall_ta += k * a;
    g->fall_aa += a * a;
}

/* A heel-strike top whose foot still falls: contact awaits the ground's force. */
static void fall_start(gait_state_t *g, gait_pos_t top, float pitch, float heel_lead_samples, uint8_t late, float swing_peak_dps) {
    g->fall = 1;
    g->knee_run = (uint8_t)gait_running_now(g, swing_peak_dps); /* a runner's: no slap test (AIR_SLAP_MPS2) */
    g->fall_late = late;
    g->top_at = top;
    g->top_pitch = pitch;
    g->heel_at = gait_pos_add(top, heel_lead_samples);
    fall_clear(g);
    g->fall_fresh = 1;
    /* the course in the air starts before the top */
    float step = (float)g->fall_step;
    float step_hz = g->cfg.odr_hz / step;
    uint32_t m = (uint32_t)(FALL_PRE_S * step_hz + 0.5f);
    m = m < 2u ? 2u : (m > GAIT_FALL_HIST ? GAIT_FALL_HIST : m);
    gait_pos_t now = {g->nav.index, 0.0f};
    /* the last step's time from the top, samples (the samples since came after it) */
    float k0 = gait_pos_diff(now, top) - (float)g->an_cnt;
    float newer = 0.0f;
    for (uint32_t j = 0; j < m; j++) {
        float a = g->an_hist[(g->an_pos + GAIT_FALL_HIST - 1u - j) % GAIT_FALL_HIST];
        if (j > 0u && fabsf(a - newer) * step_hz > FALL_AIR_JERK) {
            break; /* the swing rotation still ending: not the foot's own course */
        }
        newer = a;
        fall_add(g, k0 - (float)j * step, a);
    }
}

/*
 * The fall after a top, on the sample the strapdown just integrated (step_done:
 * that sample is a step of the tracker, an_hist's newest): the
 * first departure of the vertical acceleration from its course in the air
 * (a line fitted from just before the top) is the ground's force; the
 * contact is where that departure started. A descent that sped up on the
 * way there (the foot pivoting about a heel already down), or a departure
 * no later than the heel's phase lead puts the contact, leaves the contact
 * just after the top.
 */
static void fall_track(gait_state_t *g, uint32_t index, int step_done) {
    if (!g->fall) {
        return;
    }
    gait_pos_t now = {index, 0.0f};
    float k = gait_pos_diff(now, g->top_at); /* samples since the top */
    if (k * g->dt_s > FALL_MAX_S) {
        fall_settle(g);
        return;
    }
    if (g->fall == 1u && g->heel_at.index <= index) {
        g->fall = 2; /* past the heel's phase lead: its pitch, should the contact be there */
        g->top_pitch = pitch_at(g, g->heel_at);
    }
    if (!step_done) {
        return;
    }
    float step = (float)g->fall_step;
    float a = g->an_hist[(g->an_pos + GAIT_FALL_HIST - 1u) % GAIT_FALL_HIST];
    float n = g->fall_n;
    float den = n * g->fall_tt - g->fall_t * g->fall_t;
    if (n >= 2.0f && den > 0.0f) {
        float slope = (n * g->fall_ta - g->fall_t * g->fall_a) / den;
        float icpt = (g->fall_a - slope * g->fall_t) / n;
        float dev = a - (icpt + slope * k);
        /* the course's own scatter about its line */
        float res = g->fall_aa - icpt * g->fall_a - slope * g->fall_ta;
        float force = FALL_SCATTER * sqrtf(res > 0.0f ? res / n : 0.0f);
        force = force > FALL_FORCE_MPS2 ? force : FALL_FORCE_MPS2;
        float rise = dev - g->fall_dev;
        float back = rise * dev > 0.0f ? dev / rise : 0.0f;
        back = (back > 2.0f ? 2.0f : back) * step; /* steps to samples */
        if (fabsf(dev) > force && g->fall_fresh && (k - back) * g->dt_s < FALL_STOP_S &&
            !(g->fall_a < -AIR_SLAP_MPS2 * n && !g->knee_run)) {
            /* begun at the top: a sensor away from the rotation's centre
             * also feels the swing rotation's own stop there; the course in
             * the air restarts after it, once */
            g->fall_fresh = 0;
            fall_clear(g);
            n = 0.0f;
        } else if (fabsf(dev) > force) {
            float since = k - back; /* the departure rose linearly from zero: back to where it began */
            float air_mean = g->fall_a / n; /* the vertical acceleration in the air since the top */
            float tol = FALL_ONSET_TOL_S * g->cfg.odr_hz;
            tol = tol < step ? step : tol;
            g->fall = 0;
            if (!(since > 0.0f) || (air_mean < -AIR_SLAP_MPS2 && !g->knee_run) ||
                since - gait_pos_diff(g->heel_at, g->top_at) <= tol + back) {
                /* on the ground at the top, or the force began no later than
                 * the heel's phase lead puts the contact, within what its
                 * onset tells: the finer estimate (a top with a late impact
                 * was in the air: its rule) */
                fall_fallback(g);
                return;
            }
            gait_pos_t at = gait_pos_add(g->top_at, since);
            on_ic(g, at, sole_pitch(g) + back * sole_rate(g) * g->dt_s);
            return;
        }
        if (n > 0.0f) {
            g->fall_dev = dev;
        }
    }
    fall_add(g, k, a);
}

/* The heel-strike contact, once the strapdown has reached it. */
static void heel_settle(gait_state_t *g, uint32_t index) {
    if (g->heel_pending && g->heel_at.index <= index) {
        g->heel_pending = 0;
        on_ic(g, g->heel_at, pitch_at(g, g->heel_at));
    }
}

static void process_delayed(gait_state_t *g, uint16_t pos, uint32_t index) {
    const gait_raw_t *r = &g->ring[pos];
    gait_nav_step(g, r, index, g->ring_gap[pos]);
    sole_track(g);
    flat_track(g);
    land_track(g);
    if (g->ring_gap[pos] > 1u) {
        g->nav.dropped = 1;
    }
    /* the fall tracker's step: every fall_step-th sample */
    int step_done = ++g->an_cnt >= g->fall_step;
    if (step_done) {
        g->an_hist[g->an_pos] = g->nav.an_prev[2];
        g->an_pos = (uint8_t)((g->an_pos + 1u) % GAIT_FALL_HIST);
        g->an_cnt = 0u;
    }
    heel_settle(g, index);
    fall_track(g, index, step_done);
    while (g->ev_count > 0u && g->ev[0].at.index <= index) {
        gait_event_t e = g->ev[0];
        gait_event_pop(g);
        if (g->heel_pending) {
            g->heel_pending = 0; /* an event overtook the lead: contact now */
            on_ic(g, g->heel_at, pitch_at(g, g->heel_at));
        }
        if (e.type != GAIT_EV_IC_LAND && e.type != GAIT_EV_IC_LATE && e.type != GAIT_EV_IC_KNEE) {
            top_settle(g);
            fall_settle(g);
        }
        switch (e.type) {
        case GAIT_EV_IC_TOP: {
            float pitch = pitch_at(g, e.at);
            /* how far toes up the swing ended: the sole's angle to the foot
             * lying flat, not the sensor's own axis (a sensor pitched on the
             * shoe by up to 10-15 deg would move a heel strike's top under
             * HEEL_TOP_DEG, or a ball-first landing's over it) */
            float top_up = pitch;
            g->late_pending = 0;
            g->knee_pending = 0;
            if ((e.flags & GAIT_EVF_CONTACT) != 0u) {
                on_ic(g, e.at, pitch); /* landed still rotating toes up: contact here */
            } else if ((e.flags & GAIT_EVF_KNEE) != 0u && (gait_nav_vz(g) < -KNEE_DESCENT_MPS || gait_running_now(g, e.value))) {
                /* still falling at the top, or running: contact at the slap's
                 * knee, unless the descent sped up on the way there (the foot
                 * pivoting about a heel already down, rolling on it before the
                 * forefoot slaps): then just after the top, or, with a late
                 * impact, before it. A runner's heel down at the top slaps the
                 * foot down at once (the heel that rolls into a late knee is a
                 * walk's), and at a runner's swing rates the strapdown reads the
                 * top's descent too roughly to tell (the model's laces runs at
                 * 104-416 Hz with 40-70 ms still to fall read -0.6 to +2.6 m/s,
                 * RISE_LOST_MPS catching only part of them) */
                g->knee_pending = (e.flags & GAIT_EVF_LATE) != 0u ? 2u : 1u;
                g->knee_vz = descent_lost(g, e.value) ? -2.0f * KNEE_FALL_MPS : gait_nav_vz(g); /* lost: no slap test */
                g->knee_run = (uint8_t)gait_running_now(g, e.value);
                g->top_at = e.at;
                g->top_pitch = pitch;
                g->heel_at = gait_pos_add(e.at, heel_lead_s(g, e.value) * g->cfg.odr_hz);
            } else if ((e.flags & GAIT_EVF_LATE) != 0u && top_up > HEEL_TOP_DEG * GM_RAD &&
                       gait_nav_vz(g) < -AIR_DESCENT_MPS) {
                /* in the air at the top, still falling: contact when the ground stops it */
                fall_start(g, e.at, pitch, heel_lead_s(g, e.value) * g->cfg.odr_hz, 1u, e.value);
            } else if ((e.flags & GAIT_EVF_LATE) != 0u) {
                g->late_pending = 1; /* in the air at the top: contact before the late impact */
            } else if ((e.flags & GAIT_EVF_LANDS) == 0u &&
                       ((e.flags & (GAIT_EVF_IMPACT | GAIT_EVF_AIR)) != 0u || top_up > HEEL_TOP_DEG * GM_RAD)) {
                /* heel strike: contact just after the top, or, where the
                 * foot still falls fast there, when the ground stops it */
                float lead = heel_lead_s(g, e.value) * g->cfg.odr_hz;
                float spread = TOP_VZ_SPREAD_HZ / g->cfg.odr_hz;
                spread *= TOP_VZ_SPREAD_MPS * spread;
                /* a runner's impact inside the landing bump, the foot barely
                 * descending at a top only a little toes up (under
                 * HEEL_TOP_DEG: a shallow heel strike, as down a steep grade):
                 * the heel met the ground at the top, the bump being the
                 * forefoot slapping down after it; its end would be the
                 * contact 45-55 ms late, the strike read mid-foot */
                int shallow_heel = (e.flags & (GAIT_EVF_BUMP | GAIT_EVF_KNEE)) == GAIT_EVF_BUMP &&
                                   gait_nav_vz(g) >= -KNEE_DESCENT_MPS && gait_running_now(g, e.value);
                if (top_up > HEEL_TOP_DEG * GM_RAD && gait_nav_vz(g) < spread - AIR_DESCENT_MPS) {
                    fall_start(g, e.at, pitch, lead, 0u, e.value);
                } else if ((e.flags & GAIT_EVF_AIR) == 0u || top_up > HEEL_TOP_DEG * GM_RAD || shallow_heel) {
                    g->heel_pending = 1;
                    g->heel_at = gait_pos_add(e.at, lead);
                } else if ((e.flags & GAIT_EVF_BUMP) != 0u && gait_nav_vz(g) < -KNEE_DESCENT_MPS) {
                    /* still falling faster than a heel already down moves at
                     * the top, and the ground's impact came inside the landing
                     * bump: the foot landed before the bump's end (a heel in
                     * the air at the top, turning toes down), so the contact
                     * is where the ground's force shows, or before that impact */
                    fall_start(g, e.at, pitch, lead, 1u, e.value);
                } else {
                    g->top_pending = 1;
                    g->top_at = e.at;
                    g->top_pitch = pitch;
                }
            } else {
                g->top_pending = 1;
                g->top_at = e.at;
                g->top_pitch = pitch;
            }
            break;
        }
        case GAIT_EV_IC_LATE:
            if (g->knee_pending == 2u) {
                /* a top with a late impact: should the knee not be the contact,
                 * the late rule's is (the foot was in the air at the top) */
                g->heel_at = e.at;
                g->top_pitch = pitch_at(g, e.at);
            }
            if (g->fall && g->fall_late == 1u) {
                /* the late rule's contact, should the force not show */
                g->fall_late = 2;
                g->fall = 2;
                g->heel_at = e.at;
                g->top_pitch = pitch_at(g, e.at);
            }
            if (g->late_pending) {
                g->late_pending = 0;
                on_ic(g, e.at, pitch_at(g, e.at));
            }
            break;
        case GAIT_EV_IC_KNEE:
            if (g->knee_pending) {
                float air_s = gait_pos_diff(e.at, g->top_at) * g->dt_s;
                float air_mean = air_s > 0.0f ? (gait_nav_vz(g) - g->knee_vz) / air_s : 0.0f;
                g->knee_pending = 0;
                /* a walk whose top descended slowly and sped up into the
                 * knee: a heel already down, rolling (AIR_SLAP_MPS2) */
                if (g->knee_vz >= -KNEE_FALL_MPS && air_mean < -AIR_SLAP_MPS2 && !g->knee_run) {
                    on_ic(g, g->heel_at, g->top_pitch);
                } else {
                    on_ic(g, e.at, pitch_at(g, e.at));
                }
            }
            break;
        case GAIT_EV_IC_LAND:
            if (g->top_pending) {
                g->top_pending = 0;
                on_ic(g, e.at, pitch_at(g, e.at));
            }
            break;
        case GAIT_EV_TC:
            on_tc(g, e.at);
            break;
        case GAIT_EV_ZV_BEGIN:
            on_zv_begin(g, (e.flags & GAIT_EVF_STILLEST) != 0u);
            break;
        case GAIT_EV_ZV_END:
            if (g->nav.in_zv) {
                float acc[3];
                ring_mean_acc(g, pos, acc);
                on_zv_end(g, acc);
            }
            break;
        default:
            break;
        }
    }
}

static void ring_store(gait_state_t *g, const gait_sample_t *s, uint32_t gap) {
    g->head = (uint16_t)((g->head + 1u) % GAIT_RING_SAMPLES);
    gait_raw_t *r = &g->ring[g->head];
    const float a[3] = {s->ax_g, s->ay_g, s->az_g};
    const float w[3] = {s->gx_dps, s->gy_dps, s->gz_dps};
    for (int k = 0; k < 3; k++) {
        r->a[k] = gm_round_i16(a[k] * g->acc_inv);
        r->w[k] = gm_round_i16(w[k] * g->gyro_inv);
    }
    g->ring_gap[g->head] = (uint8_t)(gap > 255u ? 255u : gap);
}

/* Run the strapdown on the oldest sample still owed to it. */
static void advance_nav(gait_state_t *g) {
    uint16_t pos = (uint16_t)((g->head + GAIT_RING_SAMPLES - (g->owed - 1u)) % GAIT_RING_SAMPLES);
    uint32_t index = g->nav.started ? g->nav.index + g->ring_gap[pos] : g->first_index;
    gait_satfix_check(g, pos);
    g->owed--;
    process_delayed(g, pos, index);
}

/*
 * The end of the samples before a break (end of stream, or a gap): the
 * strapdown catches up with the detector, pending contacts settle, and the
 * strides in progress are reported, the last one with no next IC; flags are
 * added to it (GAIT_FLAG_SAMPLES_DROPPED when a gap ended it).
 */
static void drain(gait_state_t *g, uint8_t flags) {
    while (g->owed > 0u) {
        advance_nav(g);
    }
    top_settle(g);
    fall_settle(g);
    if (g->heel_pending) {
        g->heel_pending = 0;
        on_ic(g, g->heel_at, g->top_pitch);
    }
    if (g->done.valid) {
        emit(g, &g->done, &g->done.end);
    }
    if (g->cur.valid && !g->cur.zv_seen && flags == 0u) {
        g->cur.valid = 0; /* the stream ends with no still foot after this contact: not a stride */
    }
    if (g->cur.valid) {
        if (!g->cur.have_fsa && g->nav.in_zv) {
            on_zv_end(g, NULL); /* the foot stands at the end: level now */
        }
        flat_settle(g);
        stance_close(g);
        g->cur.flags |= flags;
        emit(g, &g->cur, NULL); /* the last contact: no next IC closes it */
    }
}

/*
 * A gap longer than GAP_RESET_S: nothing measured before it may shape what
 * follows. The strides in progress end there (flagged), the detector, the
 * gyro repair and the events start over, and the strapdown starts a new
 * segment at the next still foot (gait_nav_step breaks its integration).
 */
static void gap_break(gait_state_t *g) {
    drain(g, GAIT_FLAG_SAMPLES_DROPPED);
    gait_nav_t *n = &g->nav;
    if (n->seg_open) {
        /* the foot's travel from its last still instant up to the gap: no
         * still instant ends it, so it is not drift-corrected, but over a
         * fraction of a stride the drift is small; no stride owns it */
        float horiz = sqrtf(n->p[0] * n->p[0] + n->p[1] * n->p[1]);
        if (gait_valid(horiz)) {
            g->distance_m += horiz;
        }
    }
    g->ev_count = 0;
    g->swing_fz = 2.0f; /* the turn across a gap is unknown */
    g->flat_n = 0;
    g->top_pending = 0;
    g->late_pending = 0;
    g->knee_pending = 0;
    g->fall = 0;
    gait_detect_reset(&g->det);
    memset(&g->sat, 0, sizeof(g->sat));
    n->seg_open = 0;
    n->seg_ics = 0;
    n->in_stance = 0;
    n->dropped = 0;
}

/* A stride's sample positions, analysed ones, in the caller's samples. */
static void to_caller(const gait_state_t *g, gait_stride_t *out) {
    float step = (float)g->in_step;
    float x = out->ic_frac * step, w = floorf(x);
    out->ic_index = out->ic_index * g->in_step + (uint32_t)w;
    out->ic_frac = x - w;
    if (gait_valid(out->tc_frac)) {
        x = out->tc_frac * step;
        w = floorf(x);
        out->tc_index = out->tc_index * g->in_step + (uint32_t)w;
        out->tc_frac = x - w;
    } else {
        out->tc_index *= g->in_step;
    }
}

static int pop_out(gait_state_t *g, gait_stride_t *out) {
    if (g->out_n == 0u) {
        return 0;
    }
    *out = g->outq[0];
    if (g->in_step > 1u) {
        to_caller(g, out);
    }
    for (uint8_t i = 1; i < g->out_n; i++) {
        g->outq[i - 1u] = g->outq[i];
    }
    g->out_n--;
    return 1;
}

/* ---- public API ---- */

int gait_init(gait_t *state, const gait_config_t *cfg) {
    if (state == NULL || cfg == NULL || !(cfg->odr_hz > 0.0f) || !(cfg->accel_fs_g > 0.0f) ||
        !(cfg->gyro_fs_dps > 0.0f)) {
        return -EINVAL;
    }
    memset(state, 0, sizeof(*state));
    gait_state_t *g = gait_state_of(state);
    g->cfg = *cfg;
    float in_step = ceilf(cfg->odr_hz / INPUT_RATE_MAX_HZ); /* at least 1 */
    g->in_step = (uint8_t)(in_step > 255.0f ? 255.0f : in_step);
    g->cfg.odr_hz = cfg->odr_hz / (float)g->in_step; /* the rate analysed */
    g->dt_s = 1.0f / g->cfg.odr_hz;
    g->acc_lsb = ACC_STORE_FS * cfg->accel_fs_g / 32767.0f;
    float gyro_store_dps = GYRO_STORE_FS * cfg->gyro_fs_dps;
    gyro_store_dps = gyro_store_dps < GYRO_STORE_MIN_DPS ? GYRO_STORE_MIN_DPS : gyro_store_dps;
    g->gyro_lsb = gyro_store_dps / 32767.0f;
    g->acc_inv = 1.0f / g->acc_lsb;
    g->gyro_inv = 1.0f / g->gyro_lsb;
    float fall_step = ceilf(g->cfg.odr_hz / FALL_RATE_MAX_HZ); /* at least 1 */
    g->fall_step = (uint8_t)(fall_step > 255.0f ? 255.0f : fall_step);
    uint32_t delay = GAIT_RING_SAMPLES - 8u;
    g->delay = (uint16_t)delay;
    gait_detect_reset(&g->det);
    gait_nav_reset(&g->nav);
    g->sole_y[1] = 1.0f; /* until learnt: the sensor's own axes */
    g->sole_x[0] = 1.0f;
    g->swing_fz = 2.0f;
    return 0;
}

int gait_push(gait_t *state, uint32_t index, const gait_sample_t *s, gait_stride_t *out) {
    if (state == NULL || s == NULL || out == NULL) {
        return -EINVAL;
    }
    gait_state_t *g = gait_state_of(state);
    if (g->in_step > 1u) {
        /* every in_step-th sample: its index, divided, is the analysed one's */
        if (g->started && (int32_t)(index / g->in_step - g->last_index) < 0) {
            return -EINVAL;
        }
        if (index % g->in_step != 0u) {
            return pop_out(g, out);
        }
        index /= g->in_step;
    }
    uint32_t gap = 1u;
    if (!g->started) {
        g->started = 1;
        g->first_index = index;
    } else {
        if ((int32_t)(index - g->last_index) <= 0) {
            return -EINVAL;
        }
        gap = index - g->last_index;
        g->dropped += gap - 1u;
    }
    g->last_index = index;
    int broke = gap > 1u && (float)gap * g->dt_s > GAP_RESET_S;
    if (broke) {
        gap_break(g);
    }
    ring_store(g, s, gap);
    if (broke) {
        /* the strapdown resumes at this sample, with no motion carried over */
        g->nav.index = index - g->ring_gap[g->head];
    }
    g->head_index = index;
    gait_detect_step(g, index, gap, s);
    gait_satfix_step(g, s);
    g->owed++;
    if (g->owed > g->delay) {
        advance_nav(g);
    }
    return pop_out(g, out);
}

int gait_flush(gait_t *state, gait_stride_t *out) {
    if (state == NULL || out == NULL) {
        return -EINVAL;
    }
    gait_state_t *g = gait_state_of(state);
    if (pop_out(g, out)) {
        return 1;
    }
    drain(g, 0u);
    return pop_out(g, out);
}

int gait_get_summary(const gait_t *state, gait_summary_t *out) {
    if (state == NULL || out == NULL) {
        return -EINVAL;
    }
    const gait_state_t *g = gait_state_of_const(state);
    memset(out, 0, sizeof(*out));
    out->strides = g->strides;
    out->distance_m = g->distance_m;
    out->duration_s = g->started ? (float)(g->last_index - g->first_index + 1u) * g->dt_s : 0.0f;
    out->avg_pace_s_per_km = g->distance_m > 0.0f ? g->moving_s / (g->distance_m * 0.001f) : NAN;
    out->avg_cadence_spm = g->cadence_n > 0u ? g->cadence_sum / (float)g->cadence_n : NAN;
    float moving = 0.0f;
    for (int k = 0; k < GAIT_ACTIVITY_COUNT; k++) {
        out->activity_s[k] = g->activity_s[k];
        moving += g->activity_s[k];
    }
    float still = out->duration_s - moving;
    out->activity_s[GAIT_ACTIVITY_STILL] += still > 0.0f ? still : 0.0f;
    out->dropped_samples = g->dropped * g->in_step; /* of the analysed ones, in the caller's */
    return 0;
}
