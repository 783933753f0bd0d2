/*
 * test_gait_walk.c - the analyzer on a small kinematic walk generated here:
 * a 2D foot (pitch and forward/up travel) whose gyro and accelerometer come
 * from the same motion, so integrating them gives the stride back.
 *
 * One stride, T = 1.1 s, starts at initial contact: heel slap 20 -> 0 deg in
 * 0.1 s, flat until 0.35 s, push-off to -60 deg by 0.65 s (toe-off, where
 * the toes-down rate peaks: 600 dps), swing:
 * the foot travels STRIDE_M forward, holds -60 deg until 0.95 s, then turns
 * toes-up to +20 deg by 1.1 s (peak 838 dps, the fastest rate of the stride).
 * The walk starts and ends standing flat, at the start of a push-off.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gait.h"

#include "check.h"

#define ODR 416.0f
#define STRIDE_S 1.1f
#define STRIDE_M 1.4f
#define STAND_S 2.0f
#define PI_F 3.14159265f
#define MAX_STRIDES 64
#define PUSH_START_S 0.35f
#define TC_S 0.65f
#define ROT_S 0.95f
/* Initial contact k (k >= 1) of a walk, s. */
#define IC_AT(k) (STAND_S - PUSH_START_S + (float)(k) * STRIDE_S)

/* Motion time of t (the walk starts at the push-off of a flat foot). */
static float motion_t(float t, int n_strides) {
    float tau = t - STAND_S + PUSH_START_S;
    if (t < STAND_S || tau > PUSH_START_S + (float)n_strides * STRIDE_S) {
        return 0.2f; /* standing flat */
    }
    return tau;
}

/* Pitch (deg, + toes up), its rate (deg/s) and the nav acceleration (m/s^2) at motion time tau. */
static void foot(float tau, float *pitch, float *rate, float *ax, float *az) {
    *pitch = 0.0f;
    *rate = 0.0f;
    *ax = 0.0f;
    *az = 0.0f;
    float u = fmodf(tau, STRIDE_S);
    if (u < 0.1f) {
        float s = u / 0.1f;
        *pitch = 20.0f * 0.5f * (1.0f + cosf(PI_F * s));
        *rate = -20.0f * 0.5f * PI_F / 0.1f * sinf(PI_F * s);
    } else if (u < PUSH_START_S) {
        /* flat */
    } else if (u < TC_S) {
        float d = TC_S - PUSH_START_S;
        float s = (u - PUSH_START_S) / d;
        *pitch = -60.0f * s * s * s; /* the toes-down rate peaks at toe-off */
        *rate = -180.0f * s * s / d;
    } else {
        float d = STRIDE_S - TC_S;
        float s = (u - TC_S) / d;
        *ax = STRIDE_M * (60.0f * s - 180.0f * s * s + 120.0f * s * s * s) / (d * d);
        *az = 0.1f * 2.0f * PI_F * PI_F * cosf(2.0f * PI_F * s) / (d * d);
        *pitch = -60.0f;
        if (u > ROT_S) {
            float r = (u - ROT_S) / (STRIDE_S - ROT_S);
            *pitch = -60.0f + 80.0f * 0.5f * (1.0f - cosf(PI_F * r));
            *rate = 80.0f * 0.5f * PI_F / (STRIDE_S - ROT_S) * sinf(PI_F * r);
        }
    }
}

static gait_sample_t sample_at(float tau, float gyro_fs) {
    float pitch, rate, ax, az;
    foot(tau, &pitch, &rate, &ax, &az);
    float th = pitch * (PI_F / 180.0f);
    float fx = ax / 9.80665f, fz = az / 9.80665f + 1.0f; /* specific force in nav, g */
    gait_sample_t s;
    s.ax_g = fx * cosf(th) + fz * sinf(th);
    s.ay_g = 0.0f;
    s.az_g = -fx * sinf(th) + fz * cosf(th);
    s.gx_dps = 0.0f;
    s.gy_dps = -rate;
    s.gz_dps = 0.0f;
    if (s.gy_dps > gyro_fs) {
        s.gy_dps = gyro_fs;
    } else if (s.gy_dps < -gyro_fs) {
        s.gy_dps = -gyro_fs;
    }
    return s;
}

typedef struct {
    gait_stride_t s[MAX_STRIDES];
    int n;
    gait_summary_t sum;
} run_t;

/* A break in the sample stream at gap_at_s (s from the start): `missing`
 * samples never arrive (the motion goes on meanwhile), then the indices jump
 * by `jump` more (the time base jumps, the motion does not). */
typedef struct {
    float gap_at_s;
    uint32_t missing;
    uint32_t jump;
} gap_t;

static void run_gap(run_t *out, int n_strides, float gyro_fs, float cfg_gyro_fs, int drop, const gap_t *gap);

/* Run n_strides strides (plus standing before and after); drop `drop`
 * samples in the middle of every swing when drop > 0. */
static void run(run_t *out, int n_strides, float gyro_fs, float cfg_gyro_fs, int drop) {
    run_gap(out, n_strides, gyro_fs, cfg_gyro_fs, drop, NULL);
}

static void run_gap(run_t *out, int n_strides, float gyro_fs, float cfg_gyro_fs, int drop, const gap_t *gap) {
    gait_t g;
    gait_config_t cfg = {ODR, 16.0f, cfg_gyro_fs};
    memset(out, 0, sizeof(*out));
    CHECK(gait_init(&g, &cfg) == 0, "gait_init");
    uint32_t n = (uint32_t)((2.0f * STAND_S + (float)n_strides * STRIDE_S) * ODR);
    for (uint32_t i = 0; i < n; i++) {
        float tau = motion_t((float)i / ODR, n_strides);
        float u = fmodf(tau, STRIDE_S);
        if (drop > 0 && u >= 0.8f && u < 0.8f + (float)drop / ODR) {
            continue; /* a FIFO overrun in the swing */
        }
        uint32_t index = i;
        if (gap != NULL && (float)i / ODR >= gap->gap_at_s) {
            if ((float)i / ODR < gap->gap_at_s + (float)gap->missing / ODR) {
                continue; /* samples lost */
            }
            index += gap->jump;
        }
        gait_sample_t s = sample_at(tau, gyro_fs);
        gait_stride_t st;
        int rc = gait_push(&g, index, &s, &st);
        CHECK(rc >= 0, "gait_push returned %d", rc);
        if (rc == 1 && out->n < MAX_STRIDES) {
            out->s[out->n++] = st;
        }
    }
    gait_stride_t st;
    for (int k = 0; k < 8 && gait_flush(&g, &st) == 1; k++) {
        if (out->n < MAX_STRIDES) {
            out->s[out->n++] = st;
        }
    }
    CHECK(gait_get_summary(&g, &out->sum) == 0, "gait_get_summary");
}

static float ic_s(const gait_stride_t *s) { return ((float)s->ic_index + s->ic_frac) / ODR; }
static float tc_s(const gait_stride_t *s) { return ((float)s->tc_index + s->tc_frac) / ODR; }

static void test_clean_walk(void) {
    static run_t r;
    run(&r, 10, 2000.0f, 2000.0f, 0);
    /* ten contacts; the last one's stride has no end */
    CHECK(r.n == 10, "%d strides, want 10", r.n);
    for (int k = 0; k + 1 < r.n; k++) {
        const gait_stride_t *s = &r.s[k];
        float want_ic = IC_AT(k + 1);
        CHECK(fabsf(ic_s(s) - want_ic) < 0.005f, "stride %d IC %.4f s, want %.4f", k, (double)ic_s(s),
              (double)want_ic);
        CHECK(fabsf(tc_s(s) - want_ic - TC_S) < 0.005f, "stride %d TC %.4f s after IC, want %.3f", k,
              (double)(tc_s(s) - want_ic), (double)TC_S);
        CHECK(fabsf(s->stride_ms - 1100.0f) < 3.0f, "stride %d stride_ms %g", k, (double)s->stride_ms);
        CHECK(fabsf(s->cadence_spm - 120000.0f / s->stride_ms) < 0.01f, "cadence %g", (double)s->cadence_spm);
        CHECK(fabsf(s->gct_ms + s->swing_ms - s->stride_ms) < 0.01f, "gct + swing != stride");
        CHECK(s->strike == GAIT_STRIKE_HEEL, "stride %d strike %u", k, s->strike);
        CHECK(fabsf(s->fsa_deg - 20.0f) < 1.5f, "stride %d FSA %g deg, want 20", k, (double)s->fsa_deg);
        CHECK(s->activity == GAIT_ACTIVITY_WALK, "stride %d activity %u", k, s->activity);
        CHECK(s->flags == 0u, "stride %d flags 0x%x", k, s->flags);
        if (k + 2 < r.n) { /* the last one's length needs the final stance */
            CHECK(fabsf(s->stride_m - STRIDE_M) < 0.02f, "stride %d length %g m, want %g", k, (double)s->stride_m,
                  (double)STRIDE_M);
            CHECK(fabsf(s->speed_mps - STRIDE_M / STRIDE_S) < 0.03f, "stride %d speed %g", k, (double)s->speed_mps);
        }
    }
    const gait_stride_t *last = &r.s[r.n - 1];
    CHECK(!gait_valid(last->stride_ms) && !gait_valid(last->stride_m), "the last contact has no stride time/length");
    CHECK(r.sum.strides == (uint32_t)r.n, "summary strides %u", (unsigned)r.sum.strides);
    CHECK(fabsf(r.sum.distance_m - 10.0f * STRIDE_M) < 0.2f, "distance %g m", (double)r.sum.distance_m);
    CHECK(fabsf(r.sum.avg_cadence_spm - 109.09f) < 0.5f, "cadence %g", (double)r.sum.avg_cadence_spm);
    float total = 0.0f;
    for (int k = 0; k < GAIT_ACTIVITY_COUNT; k++) {
        total += r.sum.activity_s[k];
    }
    CHECK(fabsf(total - r.sum.duration_s) < 0.01f, "activity times %g s vs duration %g s", (double)total,
          (double)r.sum.duration_s);
    CHECK(r.sum.dropped_samples == 0u, "dropped %u", (unsigned)r.sum.dropped_samples);
}

static void test_dropped_samples(void) {
    static run_t r;
    run(&r, 10, 2000.0f, 2000.0f, 8);
    CHECK(r.n == 10, "%d strides with drops, want 10", r.n);
    CHECK(r.sum.dropped_samples == 80u, "dropped %u, want 80", (unsigned)r.sum.dropped_samples);
    int flagged = 0;
    for (int k = 0; k + 2 < r.n; k++) {
        flagged += (r.s[k].flags & GAIT_FLAG_SAMPLES_DROPPED) != 0u;
        CHECK(fabsf(r.s[k].stride_m - STRIDE_M) < 0.05f, "stride %d length %g m with drops", k,
              (double)r.s[k].stride_m);
    }
    CHECK(flagged >= 7, "only %d strides flagged for dropped samples", flagged);
}

/* A gyro full scale below the swing rate: the strides stay, flagged, their length rebuilt. */
/*
 * A gap in the stream (a second of samples lost, or the time base jumping by
 * 2 s or a minute) is a gap: the stride in progress ends there, flagged; the
 * strides after it are whole; the distance lost is the travel during the
 * missing samples, nothing more.
 */
static void test_gaps(void) {
    static run_t r;
    const float phases[] = {0.2f, 0.5f, 0.85f}; /* stance, push-off, swing */
    const gap_t kinds[] = {{0.0f, 416u, 0u}, {0.0f, 0u, 832u}, {0.0f, 0u, 24960u}};
    for (int p = 0; p < 3; p++) {
        for (int k = 0; k < 3; k++) {
            gap_t gap = kinds[k];
            gap.gap_at_s = IC_AT(5) + phases[p];
            run_gap(&r, 10, 2000.0f, 2000.0f, 0, &gap);
            int flagged = 0, whole = 0;
            for (int j = 0; j < r.n; j++) {
                const gait_stride_t *s = &r.s[j];
                flagged += (s->flags & GAIT_FLAG_SAMPLES_DROPPED) != 0u;
                if (gait_valid(s->stride_m)) {
                    whole++;
                    CHECK(fabsf(s->stride_m - STRIDE_M) < 0.05f, "gap %d at phase %.2f: stride %d length %g m", k,
                          (double)phases[p], j, (double)s->stride_m);
                }
            }
            CHECK(flagged >= 1, "gap %d at phase %.2f: no stride flagged", k, (double)phases[p]);
            CHECK(r.n >= 9 && whole >= 6, "gap %d at phase %.2f: %d strides, %d with a length", k,
                  (double)phases[p], r.n, whole);
            float lost_m = (float)gap.missing / ODR / STRIDE_S * STRIDE_M; /* at most */
            CHECK(r.sum.distance_m > 10.0f * STRIDE_M - lost_m - 0.2f && r.sum.distance_m < 10.0f * STRIDE_M + 0.2f,
                  "gap %d at phase %.2f: distance %g m, want %g less up to %g", k, (double)phases[p],
                  (double)r.sum.distance_m, (double)(10.0f * STRIDE_M), (double)lost_m);
            CHECK(r.sum.dropped_samples == gap.missing + gap.jump, "gap %d: dropped %u", k,
                  (unsigned)r.sum.dropped_samples);
        }
    }
}

static void test_saturated_gyro(void) {
    static run_t r;
    run(&r, 10, 700.0f, 700.0f, 0);
    CHECK(r.n == 10, "%d strides with a saturated gyro, want 10", r.n);
    for (int k = 1; k + 2 < r.n; k++) {
        CHECK((r.s[k].flags & GAIT_FLAG_GYRO_SATURATED) != 0u, "stride %d not flagged saturated", k);
        CHECK(fabsf(r.s[k].stride_m - STRIDE_M) < 0.05f, "stride %d length %g m, gyro saturated", k,
              (double)r.s[k].stride_m);
        CHECK(fabsf(r.s[k].fsa_deg - 20.0f) < 2.0f, "stride %d FSA %g, gyro saturated", k, (double)r.s[k].fsa_deg);
    }
}

static void test_standing(void) {
    static run_t r;
    run(&r, 0, 2000.0f, 2000.0f, 0);
    CHECK(r.n == 0, "%d strides while standing", r.n);
    CHECK(fabsf(r.sum.activity_s[GAIT_ACTIVITY_STILL] - r.sum.duration_s) < 0.01f, "still %g of %g s",
          (double)r.sum.activity_s[GAIT_ACTIVITY_STILL], (double)r.sum.duration_s);
    CHECK(!gait_valid(r.sum.avg_cadence_spm) && !gait_valid(r.sum.avg_pace_s_per_km), "no cadence or pace");
}

static void test_deterministic(void) {
    static run_t a, b;
    run(&a, 4, 2000.0f, 2000.0f, 0);
    run(&b, 4, 2000.0f, 2000.0f, 0);
    CHECK(a.n == b.n && memcmp(a.s, b.s, sizeof(a.s)) == 0, "two runs of the same input differ");
}

static void test_bad_arguments(void) {
    gait_t g;
    gait_config_t cfg = {ODR, 16.0f, 2000.0f};
    gait_config_t bad = {0.0f, 16.0f, 2000.0f};
    gait_sample_t s = {0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f};
    gait_stride_t st;
    gait_summary_t sum;
    CHECK(gait_init(NULL, &cfg) == -EINVAL, "init NULL state");
    CHECK(gait_init(&g, NULL) == -EINVAL, "init NULL config");
    CHECK(gait_init(&g, &bad) == -EINVAL, "init zero rate");
    CHECK(gait_init(&g, &cfg) == 0, "init");
    CHECK(gait_push(NULL, 0, &s, &st) == -EINVAL, "push NULL state");
    CHECK(gait_push(&g, 0, NULL, &st) == -EINVAL, "push NULL sample");
    CHECK(gait_push(&g, 0, &s, NULL) == -EINVAL, "push NULL out");
    CHECK(gait_push(&g, 5, &s, &st) == 0, "push");
    CHECK(gait_push(&g, 5, &s, &st) == -EINVAL, "repeated index accepted");
    CHECK(gait_push(&g, 4, &s, &st) == -EINVAL, "earlier index accepted");
    CHECK(gait_push(&g, 6, &s, &st) == 0, "push after a rejected sample");
    CHECK(gait_flush(NULL, &st) == -EINVAL && gait_flush(&g, NULL) == -EINVAL, "flush NULL");
    CHECK(gait_get_summary(NULL, &sum) == -EINVAL && gait_get_summary(&g, NULL) == -EINVAL, "summary NULL");
    CHECK(gait_flush(&g, &st) == 0, "flush with nothing to report");
    CHECK(gait_get_summary(&g, &sum) == 0 && sum.strides == 0u, "summary of two samples");
    CHECK(sizeof(gait_t) <= 4096u, "gait_t is %u bytes, over 4 KB", (unsigned)sizeof(gait_t));
}

int main(void) {
    test_bad_arguments();
    test_standing();
    test_clean_walk();
    test_dropped_samples();
    test_gaps();
    test_saturated_gyro();
    test_deterministic();
    printf("test_gait_walk: %d failure(s)\n", failures);
    return failures != 0;
}
