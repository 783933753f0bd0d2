/*
 * gait_state.h - private layout of the analyzer state and the analyzer's
 * internal modules (the analyzer's sources and tests include it; callers
 * see only gait.h, where gait_t is opaque bytes of the same size).
 *
 * Data flow per sample:
 *   gait_push -> ring buffer of raw samples (int16, GAIT_RING_SAMPLES deep)
 *             -> detector on the newest sample (gait_detect.c): initial
 *                contact, toe-off and zero-velocity events into a queue
 *             -> saturated-gyro repair inside the ring (gait_satfix.c)
 *             -> strapdown on the sample leaving the delay line
 *                (gait_nav.c): attitude, velocity, position, stance metrics
 *             -> stride assembly and run summary (gait.c), consuming the
 *                events as the strapdown reaches them.
 * The strapdown runs a fixed delay behind the detector, so every event it
 * needs has been decided by the time it gets there.
 */
#ifndef GAIT_STATE_H
#define GAIT_STATE_H

#include <math.h>
#include <stdint.h>

#include "gait.h"

/* The analyzer state behind the caller's opaque gait_t. */
typedef struct gait_state gait_state_t;

/* The private state behind a caller's gait_t. */
static inline gait_state_t *gait_state_of(gait_t *g) { return (gait_state_t *)(void *)g; }
static inline const gait_state_t *gait_state_of_const(const gait_t *g) {
    return (const gait_state_t *)(const void *)g;
}

/* Longest centred window for the stillest instant of a stance, samples. */
#define GAIT_CENTER_MAX 9u

/* Vertical accelerations kept before a heel-strike top, steps of the fall
 * tracker: the course in the air the contact departs from starts there. */
#define GAIT_FALL_HIST 8u

/* Finished strides held for gait_push / gait_flush to return one at a time. */
#define GAIT_OUT_QUEUE 4u

/* ---- maths (gait_math.c): deterministic on every libm ---- */

#define GM_PI 3.14159265f
#define GM_PI_2 1.57079633f
#define GM_DEG 57.2957795f    /* degrees per radian */
#define GM_RAD 0.0174532925f  /* radians per degree */
#define GM_G_MPS2 9.80665f    /* standard gravity, m/s^2 per g */

/** Unit quaternion, body (shoe) frame to navigation frame (z up). */
typedef struct {
    float w, x, y, z;
} gm_quat_t;

/** atan2(y, x) in radians, |error| < 2e-6 rad; 0 for (0, 0). */
float gm_atan2f(float y, float x);
/** q = identity. */
void gm_quat_identity(gm_quat_t *q);
/** out = a * b (out may alias a or b). */
void gm_quat_mul(gm_quat_t *out, const gm_quat_t *a, const gm_quat_t *b);
/** Scale q to unit norm (identity if q is zero or not finite). */
void gm_quat_normalize(gm_quat_t *q);
/** q = q * exp(r / 2): rotate by the body-frame rotation vector r, rad. */
void gm_quat_rotvec(gm_quat_t *q, float rx, float ry, float rz);
/** out = R(q) v: a body-frame vector in the navigation frame. */
void gm_quat_to_nav(const gm_quat_t *q, const float v[3], float out[3]);
/** The navigation frame's up in the body frame (the third row of R(q)): (R(q) v).z = up . v. */
void gm_quat_up(const gm_quat_t *q, float up[3]);
/** Tilt q about a horizontal axis so that acc_body (any units) points up; heading kept. */
void gm_quat_level(gm_quat_t *q, const float acc_body[3]);
/** Elevation of the toes (body +x) above the horizontal, rad, + = toes up. */
float gm_pitch_up_rad(const gm_quat_t *q);
/** Elevation of the wearer's-left side (body +y) above the horizontal, rad. */
float gm_roll_rad(const gm_quat_t *q);
/** x rounded to the nearest integer (halves away from zero), clamped to int16. */
static inline int16_t gm_round_i16(float x) {
    x = x > 32767.0f ? 32767.0f : (x < -32767.0f ? -32767.0f : x);
    return (int16_t)(x >= 0.0f ? x + 0.5f : x - 0.5f);
}
/** Solve a x = b for 3x3 a by Gaussian elimination (a and b are overwritten); 0 if singular, else 1. */
int gm_solve3(float a[3][3], float b[3], float x[3]);

/* ---- sample positions: index + fraction (gait_events.c) ---- */

/** A time on the sample grid: index + frac samples, 0 <= frac < 1. */
typedef struct {
    uint32_t index;
    float frac;
} gait_pos_t;

/** b - a in samples (exact in the integer part). */
float gait_pos_diff(gait_pos_t b, gait_pos_t a);
/** a moved later by samples (>= 0). */
gait_pos_t gait_pos_add(gait_pos_t a, float samples);
/** The position f (0..1) of the way from index a to index b. */
gait_pos_t gait_pos_lerp(uint32_t a, uint32_t b, float f);

/* ---- ring buffer of raw samples ---- */

/** One sample as stored: int16 steps of gait_state_t.acc_lsb / gyro_lsb. */
typedef struct {
    int16_t a[3];
    int16_t w[3];
} gait_raw_t;

/* ---- events from the detector to the stride assembly ---- */

typedef enum {
    GAIT_EV_IC_TOP = 1,   /* end of the toes-up swing rotation (IC of a heel strike) */
    GAIT_EV_IC_LAND = 2,  /* end of the landing rotation (IC of a mid/fore strike) */
    GAIT_EV_TC = 3,       /* toe-off */
    GAIT_EV_ZV_BEGIN = 4, /* first zero-velocity sample of a stance */
    GAIT_EV_ZV_END = 5,   /* last zero-velocity sample of a stance */
    GAIT_EV_IC_LATE = 6,  /* contact before an impact that came long after the top (GAIT_EVF_LATE) */
    GAIT_EV_IC_KNEE = 7,  /* where a hump in the air steepened into the heel's slap (GAIT_EVF_KNEE) */
} gait_ev_type_t;

/* GAIT_EV_IC_TOP flag: a sharp impact followed (a heel strike). */
#define GAIT_EVF_IMPACT 1u
/* GAIT_EV_IC_TOP flag: the impact follows the end of the landing bump, not
 * the top (the bump was a toes-down rotation in the air): contact is the
 * GAIT_EV_IC_LAND that comes next. */
#define GAIT_EVF_LANDS 2u
/* GAIT_EV_IC_TOP flag: the foot hit the ground while still rotating toes up
 * (no top came first): the event is the contact itself. */
#define GAIT_EVF_CONTACT 4u
/* GAIT_EV_IC_TOP flag: no impact followed the top, and the first one came
 * long after it, before the landing bump ended: the foot was still in the
 * air at the top; contact is the GAIT_EV_IC_LATE that comes next, unless
 * the strapdown finds the ground's force first (gait.c). */
#define GAIT_EVF_LATE 8u
/* GAIT_EV_IC_TOP flag: no impact followed the top, and the first one came
 * after the top's impact window, before the landing bump ended (a
 * GAIT_EV_IC_LATE follows, 10 ms before it). Like any heel strike's top, the
 * strapdown places the contact (gait.c): just after the top, or, if the foot
 * still fell there, where the ground's force shows. */
#define GAIT_EVF_AIR 16u
/* GAIT_EV_IC_TOP flag: gy's toes-down rise after the top steepened late into
 * the slap, with an impact (a GAIT_EV_IC_KNEE follows at that knee): if the
 * foot still fell at the top, it turned toes down in the air (a hump) and the
 * heel's contact made the slap: contact at the knee (gait.c). A heel down at
 * the top rolls on it the same way before the forefoot slaps. */
#define GAIT_EVF_KNEE 32u
/* GAIT_EV_IC_TOP flag, with GAIT_EVF_AIR: that first impact peaked before
 * the landing bump's contact (its end, or where the ground started braking
 * the foot): a ball that lands there takes its impact after it, so the foot
 * was on the ground inside the bump. A top still falling fast then has its
 * contact where the strapdown sees the ground's force (gait.c). */
#define GAIT_EVF_BUMP 64u
/* GAIT_EV_ZV_BEGIN flag: no still span in the stance (yet): the event is its
 * stillest instant, with a GAIT_EV_ZV_END at the same sample. */
#define GAIT_EVF_STILLEST 1u

typedef struct {
    gait_pos_t at;
    float value;     /* GAIT_EV_IC_TOP: peak toes-up rate of the swing, dps */
    uint8_t type;
    uint8_t flags;
} gait_event_t;

/* ---- detector (gait_detect.c), on the newest sample ---- */

/* A knee of gy late in a swing rotation: where its rise turns steep. */
typedef struct {
    gait_pos_t at;
    uint32_t after;          /* the sample after it */
    float gy;                /* gy at that sample, dps */
    float sl;                /* slope of gy before it, dps/s */
    float inc;               /* the slope's rise over the step, dps/s (a dip: the slope over the step after it) */
    float rise_sl;           /* steepest slope since, dps/s */
    float an;                /* |a| at the sample after it, g */
    float eased;             /* how far gy had fallen from its peak since the top to the sample before it, dps
                              * (a dip: the slope over the second step after it, dps/s) */
    uint8_t found;
} gait_knee_t;

typedef struct {
    uint32_t phase_start;    /* index at which the phase began */
    uint32_t idx1, idx2;     /* indices of the previous two samples */
    float gy1, gy2;          /* their gy, dps */
    float acc1[3];           /* previous specific force, g */
    float an1, an2;          /* |a| of the previous sample and of the one before, g */
    float energy;            /* low-passed |w|^2, dps^2 */
    float w2_hist[GAIT_CENTER_MAX];    /* recent |w|^2, dps^2 (centred window) */
    float a_hist[GAIT_CENTER_MAX][3];  /* recent specific force, g */
    float w2_sum;            /* stillness of the window: sum |w|^2 + ACC_WEIGHT * sum |a - mean a|^2 */
    float acc_dev;           /* low-passed | |a| - 1 g |, g */
    float swing_deg;         /* toes-up rotation of the current swing, deg */
    float neg_deg;           /* toes-up rotation since gy last turned negative, deg */
    float neg_s;             /* time since then, s */
    float neg_yaw_deg;       /* rotation about the foot's vertical (gz) since then, deg */
    float piv_deg;           /* turn about the foot's vertical (gz) since it last stood still or landed, deg */
    uint32_t piv_from;       /* first sample of that episode spinning faster than PIVOT_SPIN_DPS (lift) */
    uint32_t piv_last;       /* last such sample (the spin's end) */
    float piv_dev;           /* largest | |a| - 1 g | since that spin began, g */
    float piv_pitch;         /* the sole's tilt in pitch since the foot last stood still or landed, deg */
    float piv_lean;          /* gravity's share of the sole's pitch axis when it last stood still (sine) */
    float swing_s;           /* duration of the current swing rotation, s */
    float swing_peak;        /* largest toes-up rate of the current swing, dps */
    /* landing: between the end of the swing rotation and the stance */
    gait_pos_t top;          /* upward zero crossing of gy after the swing */
    gait_pos_t land;         /* end of the landing bump */
    gait_pos_t notch;        /* last local maximum of gy late in the swing (toes-up rate least) */
    gait_pos_t hit;          /* contact candidate: an impact late in a swing rotation */
    uint32_t hit_index;      /* sample of that impact */
    float hit_acc;           /* largest |a| just after it, g */
    uint32_t sw_on;          /* the last sample |a| rose into slower than half a load rise's pace */
    float sw_on_an;          /* |a| there, g */
    gait_pos_t drop;         /* last sample the swing's toes-up rotation was slowing or steady into and sped up from: a heel drop may start there */
    uint32_t drop_idx;       /* that sample */
    float drop_gy;           /* gy there, dps */
    float drop_an;           /* |a| there, g */
    float drop_acc;          /* largest |a| since, g */
    float drop_fast;         /* gy where the rate was first seen sped up, dps */
    float drop_deg;          /* toes-up rotation since a heel drop's contact, deg */
    float sl1, sl2;          /* slope of gy over the last step and the one before, dps/s */
    gait_knee_t knee[2];     /* late in the swing: a dip of that slope, and its largest rise */
    gait_pos_t contact;      /* the knee taken as the contact */
    float contact_an;        /* |a| there, g */
    gait_pos_t jolt;         /* the last impact (jerk) in the swing rotation */
    float gz1;               /* gz of the previous sample, dps */
    float spin_peak;         /* fastest turn about the foot's vertical since the swing began (or resumed), dps */
    uint32_t spin_peak_idx;  /* where that peak was */
    float spin_fall;         /* steepest fall of that rate since the peak, dps/s */
    gait_pos_t spin_at;      /* where the braking began: that fall's line back to the peak rate */
    float spin_gy;           /* gy there, dps */
    uint32_t spin_down_idx;  /* where it fell under SPIN_LAND_FRAC of its peak */
    float rest_low;          /* late in the swing rotation: least |a| so far, g */
    float rest_peak;         /* peak of the rise under way, g */
    uint32_t rest_low_at;    /* where that least value was */
    uint32_t rest_at;        /* where the least value before the last rise over REST_LOAD_G was */
    gait_pos_t late;         /* the sample before that impact's onset */
    uint32_t imp_idx;        /* the sample of its onset */
    float imp_acc;           /* largest |a| within the impact window from that onset, g */
    uint32_t imp_peak;       /* the sample of that largest |a| */
    float imp_jerk;          /* largest |da/dt| there, g/s */
    float slap_dip, slap_max; /* gy at that dip and the largest since, dps */
    uint32_t swing_from;     /* sample at which the current swing began */
    uint32_t hover_top;      /* the top of that landing */
    uint32_t hover_imp;      /* the impact's onset: the sample before |a| jumped */
    float hover_gy;          /* gy there, dps */
    float jerk_max;          /* largest |da/dt| just after top, g/s */
    float top_acc;           /* largest |a| just after top, g */
    float land_acc;          /* largest |a| just after the end of the landing bump, g */
    float land_jerk;         /* largest |da/dt| just after it, g/s */
    float bump_drop_deg;     /* toes-up turn just after it (the heel dropping), deg */
    gait_pos_t brake_low;    /* least |a| in the landing bump's descent since its peak or since |a| last fell under it */
    float brake_low_an;      /* |a| there, g */
    float brake_low_gy;      /* gy there, dps */
    gait_pos_t brake_at;     /* the least |a| the largest rise started from: where the ground may start braking the foot */
    float brake_an;          /* |a| there, g */
    float brake_gy;          /* gy there, dps */
    float brake_rise;        /* that rise, g */
    uint32_t brake_peak;     /* sample where it peaked */
    uint32_t load_on;        /* the last sample |a| rose into slower than a load rise's pace (LOAD_RISE_S) */
    float load_on_an;        /* |a| there, g */
    float load_on_gy;        /* gy there, dps */
    gait_knee_t hump_knee;   /* in the landing bump: where gy's rise steepened most (at: the knee, gy: gy there, rise_sl: steepest slope within the impact window after it) */
    float air_hi;            /* highest gy since the top, up to two samples back, dps */
    float slap_jerk;         /* largest |da/dt| within the impact window after that knee, g/s */
    float slap_an0;          /* |a| at the sample before that knee, g */
    float slap_an_hi;        /* largest |a| within the impact window after that knee, g */
    float bump_max;          /* largest gy of the landing bump, dps */
    uint32_t bump_from;      /* last sample before the landing bump rose over REARM_DPS (the top's, or later if the foot hung in the air) */
    float fit_n, fit_t, fit_s, fit_tt, fit_ts; /* line fit of sqrt(gy) on its descent (with one sample: tt, ts the one before it, fit_first) */
    uint32_t fit_ref;        /* index the fit's times count from */
    /* stance */
    uint32_t zv_last;        /* last still sample */
    uint32_t zv_first;       /* first still sample of the span (low-passed energy) */
    uint32_t zv_quiet;       /* last sample of the span whose own rate was quiet (no filter lag) */
    float min_energy;        /* least energy in this stance */
    uint32_t min_index;
    float rel_deg;           /* pitch change since the zero-velocity candidate, deg */
    float pk_val;            /* push-off peak of gy, dps */
    gait_pos_t tc;           /* toe-off candidate */
    uint16_t quiet_after;    /* quiet samples in a row since the push-off began */
    uint32_t clip_in_idx;    /* last sample before the push-off's clipped run */
    float clip_in_m;         /* gy's rise there, dps per sample */
    gait_pos_t clip_exit;    /* where gy came back under full scale */
    /* a ball landing at the swing's toes-up rate peak (see PEAK_LOADED_G) */
    gait_pos_t peak_at;      /* the last peak of the toes-up rate */
    float peak_hi;           /* least toes-up rate since, dps */
    float peak_deg;          /* toes-up turn since, deg */
    float peak_an;           /* |a| at the peak, then the least since its impact, g */
    uint8_t peak_state;      /* 0 none, 1 a peak (past its impact window: watching for a load rise),
                              * 2 an impact or a load rise followed it, 3 then the foot was flat and still */
    float load_low_an;       /* least |a| since the peak, within the last LOAD_RISE_S, g */
    uint32_t load_low_idx;   /* its sample: where a load rise from it began */
    float load_max;          /* largest |a| since that rise began, g */
    float top_down_deg;      /* toes-down turn since the top, until the top is sent, deg */
    /* flags and small counters, packed together */
    uint8_t phase;           /* detector phase (gait_detect.c) */
    uint8_t have_prev;
    uint8_t w2_pos, w2_len;  /* ring position, window length (odd) */
    uint8_t piv_fast;        /* the episode has spun that fast */
    uint8_t piv_rested;      /* the foot has stood still since it landed */
    uint8_t piv_tilt;        /* largest |piv_pitch| in that episode, whole deg (see PIVOT_TILT_DEG) */
    uint8_t notch_found, hit_found;
    uint8_t sw_load;         /* late in the swing rotation, a load rise came from sw_on (BUMP_ONSET_FRAC) */
    uint8_t drop_found;      /* drop holds a candidate not DROP_WINDOW_S old: 1, 2 once the rate sped up */
    uint8_t drop_hit;        /* the pending contact is a heel drop's (drop_deg bounds it) */
    uint8_t jolt_found;
    uint8_t spin_down;       /* the rate has fallen under SPIN_LAND_FRAC of its peak */
    uint8_t spin_hit;        /* the ground arrested that spin well before the top: the contact */
    uint8_t rest_found;      /* such a rise was seen */
    uint8_t rest_rising;     /* and has not peaked yet */
    uint8_t rest_hit;        /* the foot took its weight there and came to rest before the top: the contact */
    uint8_t knee_hit;        /* the ground arrested the toes-up rotation at the knee: the contact (2: a knee near the swing's peak rate, or a soft arrest from a steady rate) */
    uint8_t run_len;         /* samples since the last gap, up to 255 */
    uint8_t hit_pending;     /* in stance from that impact; is a stronger landing still to come? */
    uint8_t late_found;      /* an impact came after the top's window, before the bump's end (or, in stance from an impact in the swing, after the crossing's window: hit_settle) */
    uint8_t imp_found;       /* an impact (jerk) came after the top, before the bump's end */
    uint8_t hit_xing;        /* gy has crossed zero since (its top, impact and bump in top, jerk_max, top_acc, bump_max) */
    uint8_t top_sent, land_found;
    uint8_t land_sent;       /* the landing's events are queued; a heel slap may still run */
    uint8_t slap;            /* the landing ended at a dip of gy above zero: a heel slap may follow (in stance from an impact in the swing: the heel slapped after the crossing; 2: the foot lay flat at the crossing) */
    uint8_t weak;            /* the swing rotation was weak: an impact must confirm it */
    uint8_t slapped;         /* a weak swing confirmed by the foot slapping down after the top (2: by the distance it went) */
    uint8_t hover;           /* in stance from a landing with no impact: 1 = may still prove to be in the air, 2 = and an impact came */
    uint8_t load_found;      /* a load rise of BRAKE_G from load_on in the bump's descent: 1 seen, 2 held LOAD_HOLD_S */
    uint8_t land_xing;       /* the bump ended by crossing zero */
    uint8_t fit_crept;       /* a sample in the fit band fell too slowly to join the fit (FIT_KEEP_FRAC) */
    uint8_t zv_state;        /* 0 none yet, 1 inside a still span, 2 span closed */
    uint8_t zv_any;          /* a still span was found in this stance */
    uint8_t frozen;          /* push-off under way: no more zero-velocity candidates */
    uint8_t tc_found, tc_sent;
    uint8_t burst_done;      /* the push-off burst of tc has ended */
    uint8_t clip_state;      /* push-off beyond the gyro's full scale: 1 clipped, 2 just back under */
    uint8_t quiet_seen;      /* the still span had a quiet sample (zv_quiet) */
    uint8_t begin_sent;      /* its ZV_BEGIN is queued */
    uint8_t min_sent;        /* the stillest instant so far is queued as a zero-velocity point */
    uint8_t peak_jolt;       /* a jerk (IMPACT_JERK_GPS) or a load rise came after the peak */
    uint8_t load_cand;       /* |a| has risen LANDING_G over it: held for LOAD_HOLD_S, it was the ground's */
} gait_detect_t;

/** Reset the detector (start of stream or after a long gap). */
void gait_detect_reset(gait_detect_t *d);
/** Run the detector on the newest sample (index, gap since the previous). */
void gait_detect_step(gait_state_t *g, uint32_t index, uint32_t gap, const gait_sample_t *s);

/* ---- saturated gyro repair (gait_satfix.c) ---- */

/* Repaired pitch-rate runs awaiting the gravity check, at most (a ring that
 * spans more than a stride at a low rate holds several). */
#define GAIT_SAT_PENDS 3u

/* A repaired pitch-rate run awaiting the gravity check at the next still foot. */
typedef struct {
    uint32_t index;        /* sensor index of its first sample */
    uint32_t nav_index;    /* strapdown index when it got there */
    float v[3];            /* strapdown velocity there, m/s */
    uint16_t pos;          /* ring position of its first sample */
    uint16_t len;
    int8_t sign;
    uint8_t reached;       /* the strapdown has reached its first sample */
} gait_satpend_t;

typedef struct {
    uint16_t run_start[3]; /* ring position of the first saturated sample per axis */
    uint16_t run_len[3];   /* saturated samples in the run (0 = none) */
    uint16_t after[3];     /* unsaturated samples since the run ended */
    int8_t sign[3];        /* side of full scale the run clipped at */
    uint8_t pend_n;        /* runs in pq, oldest first */
    gait_satpend_t pq[GAIT_SAT_PENDS];
    uint32_t pend_index_new; /* sensor index of the run being tracked on gy */
} gait_satfix_t;

/** Track saturation on the newest ring sample; repair a finished run in place. */
void gait_satfix_step(gait_state_t *g, const gait_sample_t *s);
/**
 * Before the strapdown integrates ring position pos: if a repaired pitch-rate
 * run starts there and the next zero-velocity instant is known, integrate the
 * gyro ahead to that instant and put the pitch that gravity says is missing
 * into the run.
 */
void gait_satfix_check(gait_state_t *g, uint16_t pos);

/* ---- strapdown (gait_nav.c), on delayed samples ---- */

typedef struct {
    gm_quat_t q;            /* attitude, body to navigation */
    float v[3];             /* velocity, m/s, navigation frame */
    float p[3];             /* position since the segment start, m */
    float an_prev[3];       /* previous gravity-free acceleration, m/s^2 */
    float w_prev[3];        /* previous angular rate, rad/s */
    float acc_lp[3];        /* low-passed specific force, g */
    float acc_sum[3];       /* specific force summed over the still span, g */
    float gyr_sum[3];       /* angular rate summed over the still span, dps */
    float gyr_peak;         /* largest |w| in the still span, dps */
    float gyr_sq;           /* |w|^2 summed over the still span, dps^2 */
    float bias[3];          /* gyro bias estimate, dps */
    float g_local;          /* |specific force| at rest, g (scale errors) */
    uint16_t span_n;        /* samples in the still span */
    uint8_t started;
    uint8_t in_zv;          /* inside a zero-velocity span */
    uint8_t seg_open;       /* integrating from a zero-velocity end */
    uint8_t seg_gap;        /* ... or from the end of a gap (unknown start velocity) */
    uint32_t index;         /* index of the last processed sample */
    uint32_t seg_start;     /* index where the segment began */
    float clip_n[3];        /* estimated lost impulse per body axis (weights) */
    float clip_sum[3];      /* weight x episode offset from seg_start, samples */
    float clip_dir[3][3];   /* weighted outward direction of each axis, nav frame */
    float ep_len[3];        /* samples in the clipped episode under way, per axis */
    float ep_t[3];          /* their summed offsets from seg_start */
    float ep_dir[3][3];     /* their summed outward directions, nav frame */
    float ep_in[3];         /* entry slope of the episode, g per sample */
    float a_prev[3];        /* previous specific force, g */
    float sat_n;            /* gyro-saturated samples in the segment */
    float sat_sum;          /* their offsets from seg_start, samples */
    /* stance metrics of the stride in progress */
    uint8_t in_stance;
    float roll_min, roll_max;   /* the roll in stance, min and max (gait_sole_roll_dot: unscaled sine) */
    float up_still[3];          /* the navigation frame's up in the sensor frame when last standing still (0 until) */
    float roll_rate_peak;       /* dps */
    float impact_peak;          /* g */
    uint8_t impact_clipped;
    uint32_t impact_until;      /* index */
    uint8_t gyro_sat;           /* a gyro axis saturated since the last IC */
    uint8_t dropped;            /* a sample gap since the last IC */
    uint8_t seg_ics;            /* initial contacts inside the segment */
    float drift_z;              /* vertical velocity drift of the last segment, m/s per sample */
    /* where the sensor sits on the foot: from the ball of the foot it turns
     * about as the heel rises, body frame (learnt over the stances) */
    float lever_b[3];           /* m */
    float lev_a[6], lev_b[3];   /* decayed normal equations of that fit (a: symmetric 3x3) */
    float win_a[6], win_b[3];   /* the same over this segment's heel rise */
    float win_m[3][3];          /* [w]x R where the segment opened, 1/s */
    float win_v[3];             /* velocity the segment opened with, m/s */
    float win_ang;              /* rotation since the segment opened, rad */
    uint8_t win_on;             /* learning from the segment's heel rise */
} gait_nav_t;

/** Reset the strapdown. */
void gait_nav_reset(gait_nav_t *n);
/** Integrate one delayed sample (gap = index step from the previous one). */
void gait_nav_step(gait_state_t *g, const gait_raw_t *r, uint32_t index, uint32_t gap);
/**
 * End the segment at a zero-velocity begin: drift-corrected displacement, m
 * (horizontal length, rise), and the rise the attitude error found at this
 * still instant could make on its own over that length, m (NAN with no
 * segment).
 */
void gait_nav_close(gait_state_t *g, float *horiz_m, float *rise_m, float *tilt_rise_m);
/**
 * Start a segment at a zero-velocity end: re-level from the specific force
 * averaged over the still span, or from acc_level (g) when the span is a
 * single instant (NULL: the low-passed specific force). Returns the pitch
 * error removed, rad.
 */
float gait_nav_open(gait_state_t *g, const float acc_level[3]);
/** Take from acc (g, body frame) the force the foot's turn about a sole point
 * gives the sensor at its height above the sole; wy_lo, wy_mid, wy_hi the
 * body pitch rates (rad/s) at a window's start, middle and end, span_s apart. */
void gait_nav_unlever(const gait_state_t *g, float wy_lo, float wy_mid, float wy_hi, float span_s, float acc[3]);
/**
 * Vertical velocity of the sensor now, m/s (+ up), integrated since the last
 * zero-velocity span, less the drift the last segment's residual predicts
 * (sensor bias and attitude errors change slowly from stride to stride;
 * below about 330 Hz that prediction is capped at 0.3 m/s, see gait_nav.c).
 */
float gait_nav_vz(const gait_state_t *g);

/**
 * The sole's toes-up pitch at `at`, a position ahead of the strapdown within
 * the ring (its pitch now, carried on by the stored rates), over the sole's
 * pitch when the foot last stood still (the ground's own slope), rad (gait.c).
 */
float gait_sole_lift_at(const gait_state_t *g, gait_pos_t at);

/* ---- strides ---- */

/** The foot is running: the last measured stride ran, else (none yet) the
 * swing's peak toes-up rate, dps, is a runner's (gait.c). */
int gait_running_now(const gait_state_t *g, float swing_peak_dps);

/* A stride being assembled, IC[k] to IC[k+1]. */
typedef struct {
    uint8_t valid;
    gait_pos_t ic;
    gait_pos_t tc;
    gait_pos_t end;         /* the next IC */
    uint8_t have_tc;
    uint8_t have_fsa;
    float pitch_ic;         /* strapdown pitch of the sole's long axis at IC, rad, before correction */
    uint32_t ic_in_seg;     /* samples from its segment start to IC */
    uint8_t sat_before_ic;  /* the gyro saturated in the segment before IC */
    uint8_t fsa_slap;       /* fsa_deg is the turn from IC to a still instant taken in the heel's slap (SLAP_UP_DEG) */
    float fsa_deg;
    float pronation_deg;
    float peak_roll_rate_dps;
    float peak_impact_g;
    float stride_m;
    float rise_m;
    uint8_t flags;
    uint8_t zv_seen;        /* the foot stood still (zero velocity) after IC */
    uint8_t rise_clear;     /* the rise beyond the attitude error is a stair's (rise_beyond) */
} gait_pending_t;

struct gait_state {
    gait_config_t cfg;
    float dt_s;               /* 1 / odr, s */
    float acc_lsb, gyro_lsb;  /* storage steps of the ring, g and dps */
    float acc_inv, gyro_inv;  /* their inverses */
    uint16_t delay;           /* samples between the detector and the strapdown */
    /* ring buffer */
    gait_raw_t ring[GAIT_RING_SAMPLES];
    uint8_t ring_gap[GAIT_RING_SAMPLES]; /* index step to this sample */
    uint16_t head;                       /* position of the newest sample */
    uint32_t head_index;                 /* its sensor index */
    uint16_t owed;                       /* stored samples the strapdown has not run */
    /* events */
    gait_event_t ev[GAIT_EVENT_QUEUE];
    uint8_t ev_count;
    uint8_t in_step;          /* the caller's samples per analysed one (INPUT_RATE_MAX_HZ in gait.c) */
    gait_detect_t det;
    gait_satfix_t sat;
    gait_nav_t nav;
    /* the sole's axes in the sensor frame (a sensor may sit turned on the
     * shoe): the pitch axis the swing turns about, learnt, and the long
     * axis; both level when the foot last lay flat */
    float sole_acc[3];        /* swing's pitch axis averaged over strides (unit vectors) */
    float sole_y[3];          /* pitch axis (toward the wearer's left), unit */
    float sole_x[3];          /* long axis (toward the toes), unit */
    gm_quat_t swing_q;        /* attitude where the swing was most toes down */
    float swing_fz;           /* its toes' elevation, sine (above 1: none yet) */
    float flat_turn;          /* sole's toes-up turn since the still span began, rad */
    float flat_up;            /* its highest value within FLAT_SETTLE_S */
    uint16_t flat_n;          /* samples of the still span followed (0: not following) */
    float land_fz;            /* lowest elevation sine of the sole's long axis from the
                               * contact to the first still instant (above 1: none) */
    gait_pending_t cur;       /* opened by the last IC */
    gait_pending_t done;      /* closed by the next IC, awaiting its length */
    gait_stride_t outq[GAIT_OUT_QUEUE]; /* finished strides not yet returned */
    gait_pos_t top_at;        /* a swing top waiting for its landing */
    float top_pitch;          /* strapdown pitch there (a falling top: at heel_at once passed), rad */
    uint8_t top_pending;
    uint8_t heel_pending;     /* a heel strike waits for heel_at */
    uint8_t late_pending;     /* a top flagged GAIT_EVF_LATE waits for its GAIT_EV_IC_LATE */
    uint8_t knee_pending;     /* a top flagged GAIT_EVF_KNEE, still falling, waits for its GAIT_EV_IC_KNEE (2: GAIT_EVF_LATE too) */
    uint8_t knee_run;         /* that top (a knee's, or a falling one's) ended a running swing */
    uint8_t fall;             /* a heel-strike top whose foot still fell: contact awaits the ground's force (2: past heel_at) */
    uint8_t an_pos;           /* an_hist's next slot */
    uint8_t fall_fresh;       /* the line fit has not restarted after the top */
    uint8_t fall_late;        /* that top had a late impact (1; 2: its GAIT_EV_IC_LATE came, now heel_at) */
    uint8_t fall_step;        /* samples averaged into each of the fall tracker's steps (FALL_RATE_MAX_HZ) */
    uint8_t an_cnt;           /* samples since the last step */
    float knee_vz;            /* the strapdown's vertical velocity at that top, m/s */
    float fall_n, fall_t, fall_a, fall_tt, fall_ta, fall_aa; /* line fit of the vertical acceleration around the top (samples, m/s^2) */
    float fall_dev;           /* the last step's departure from that line, m/s^2 */
    float an_hist[GAIT_FALL_HIST]; /* the strapdown's last vertical accelerations, m/s^2, a step each (ring) */
    gait_pos_t heel_at;       /* a heel strike's contact: the top plus the phase lead */
    float last_speed;         /* speed of the last stride with a length, m/s (0: none) */
    uint8_t last_activity;    /* activity of the last stride with a duration */
    uint8_t last_ran;         /* the last stride with a duty factor ran (stride_ran), stairs or not */
    uint8_t out_n;
    /* run summary */
    uint8_t started;
    uint32_t first_index, last_index;
    uint32_t dropped;
    uint32_t strides;
    float distance_m;
    float moving_s;
    float cadence_sum;
    uint32_t cadence_n;
    float activity_s[GAIT_ACTIVITY_COUNT];
};

/** Body rates of stored sample r with the gyro bias removed, rad/s. */
static inline void gait_raw_rate(const gait_state_t *g, const gait_raw_t *r, float w_rad[3]) {
    for (int k = 0; k < 3; k++) {
        w_rad[k] = ((float)r->w[k] * g->gyro_lsb - g->nav.bias[k]) * GM_RAD;
    }
}

/** Rate of stored sample r about axis y (sensor frame; unit for a rate, else scaled by its
 * length), gyro bias removed, rad/s. */
static inline float gait_raw_rate_about(const gait_state_t *g, const gait_raw_t *r, const float y[3]) {
    float w[3];
    gait_raw_rate(g, r, w);
    return w[0] * y[0] + w[1] * y[1] + w[2] * y[2];
}

/* A mounting turned less than 5 deg about the vertical (this is its tangent)
 * is taken as straight: the swing's own inversion and turn tilt its axis by
 * a few degrees. */
#define GAIT_SOLE_YAW_MIN_TAN 0.0875f

/** The sole's pitch axis in the sensor frame as the mounting sets it (not
 * levelled: the foot's own roll stays out of it), toward the wearer's left,
 * not unit (length 0.25-1): the swings' learnt axis, or the sensor's y axis
 * until learnt or while the mounting's yaw is within what a swing tilts it. */
static inline void gait_sole_mount_axis(const gait_state_t *g, float y[3]) {
    y[0] = g->sole_acc[0];
    y[1] = g->sole_acc[1];
    y[2] = g->sole_acc[2];
    if (!(y[1] > 0.0f) || fabsf(y[0]) < y[1] * GAIT_SOLE_YAW_MIN_TAN) {
        y[0] = 0.0f; /* not learnt, or within what the swing itself tilts: straight */
        y[1] = 1.0f;
        y[2] = 0.0f;
    }
}

/** The sole's roll, unscaled, with the sensor frame's up at up (the navigation
 * frame's up in the sensor frame, unit; zero for none yet): the elevation of
 * the sole's pitch axis as mounted times that axis's length, + = the wearer's
 * left side up. On a mount turned about the vertical the sensor's own y axis
 * would take part of the sole's pitch, which a stance turns by tens of
 * degrees, for roll. */
static inline float gait_sole_roll_dot(const gait_state_t *g, const float up[3]) {
    float y[3];
    gait_sole_mount_axis(g, y);
    return y[0] * up[0] + y[1] * up[1] + y[2] * up[2];
}

/* ---- event queue (gait_events.c) ---- */

/** Queue an event for the strapdown (kept in time order); dropped when the queue is full. */
void gait_event_push(gait_state_t *g, uint8_t type, gait_pos_t at, uint8_t flags, float value);
/** Remove the oldest event (the queue must not be empty). */
void gait_event_pop(gait_state_t *g);
/* Drops every queued event at sample `from` or later (the detector took
 * back a landing the strapdown has not reached yet). */
void gait_event_cancel_from(gait_state_t *g, uint32_t from);

#endif /* GAIT_STATE_H */
