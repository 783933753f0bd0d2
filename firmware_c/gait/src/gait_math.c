/*
 * gait_math.c - small deterministic maths for the analyzer.
 *
 * Only +, -, *, / and sqrtf (all correctly rounded IEEE operations) are used,
 * so the host (glibc) and the ARM build (newlib) compute bit-identical results
 * under -ffp-contract=off: no libm transcendental may change a decision.
 */
#include <math.h>

#include "gait_state.h"

/* Odd minimax polynomial of atan on [0, 1], |error| < 1.8e-6 rad. */
static float atan_unit(float z) {
    float z2 = z * z;
    float p = -0.011719097f;
    p = p * z2 + 0.052647263f;
    p = p * z2 - 0.116426408f;
    p = p * z2 + 0.193540350f;
    p = p * z2 - 0.332622826f;
    p = p * z2 + 0.999977231f;
    return p * z;
}

float gm_atan2f(float y, float x) {
    float ax = fabsf(x);
    float ay = fabsf(y);
    if (ax == 0.0f && ay == 0.0f) {
        return 0.0f;
    }
    float r = (ay <= ax) ? atan_unit(ay / ax) : GM_PI_2 - atan_unit(ax / ay);
    if (x < 0.0f) {
        r = GM_PI - r;
    }
    return (y < 0.0f) ? -r : r;
}

void gm_quat_identity(gm_quat_t *q) {
    q->w = 1.0f;
    q->x = 0.0f;
    q->y = 0.0f;
    q->z = 0.0f;
}

void gm_quat_mul(gm_quat_t *out, const gm_quat_t *a, const gm_quat_t *b) {
    gm_quat_t r;
    r.w = a->w * b->w - a->x * b->x - a->y * b->y - a->z * b->z;
    r.x = a->w * b->x + a->x * b->w + a->y * b->z - a->z * b->y;
    r.y = a->w * b->y - a->x * b->z + a->y * b->w + a->z * b->x;
    r.z = a->w * b->z + a->x * b->y - a->y * b->x + a->z * b->w;
    *out = r;
}

void gm_quat_normalize(gm_quat_t *q) {
    float n2 = q->w * q->w + q->x * q->x + q->y * q->y + q->z * q->z;
    if (!(n2 > 0.0f)) {
        gm_quat_identity(q);
        return;
    }
    float inv = 1.0f / sqrtf(n2);
    q->w *= inv;
    q->x *= inv;
    q->y *= inv;
    q->z *= inv;
}

void gm_quat_rotvec(gm_quat_t *q, float rx, float ry, float rz) {
    /* exp(r/2) by its Taylor series: |r| stays below 0.1 rad per sample at
     * 2000 dps and >= 416 Hz; the series is exact to float precision there
     * and still a proper rotation (after normalisation) for larger steps. */
    float hx = 0.5f * rx, hy = 0.5f * ry, hz = 0.5f * rz;
    float h2 = hx * hx + hy * hy + hz * hz;
    float c = 1.0f - h2 * (0.5f - h2 * (1.0f / 24.0f));
    float s = 1.0f - h2 * ((1.0f / 6.0f) - h2 * (1.0f / 120.0f));
    gm_quat_t d = {c, s * hx, s * hy, s * hz};
    gm_quat_mul(q, q, &d);
    gm_quat_normalize(q);
}

void gm_quat_to_nav(const gm_quat_t *q, const float v[3], float out[3]) {
    float w = q->w, x = q->x, y = q->y, z = q->z;
    float xx = x * x, yy = y * y, zz = z * z;
    float xy = x * y, xz = x * z, yz = y * z, wx = w * x, wy = w * y, wz = w * z;
    float r0 = v[0], r1 = v[1], r2 = v[2];
    out[0] = (1.0f - 2.0f * (yy + zz)) * r0 + 2.0f * (xy - wz) * r1 + 2.0f * (xz + wy) * r2;
    out[1] = 2.0f * (xy + wz) * r0 + (1.0f - 2.0f * (xx + zz)) * r1 + 2.0f * (yz - wx) * r2;
    out[2] = 2.0f * (xz - wy) * r0 + 2.0f * (yz + wx) * r1 + (1.0f - 2.0f * (xx + yy)) * r2;
}

void gm_quat_up(const gm_quat_t *q, float up[3]) {
    up[0] = 2.0f * (q->x * q->z - q->w * q->y);
    up[1] = 2.0f * (q->y * q->z + q->w * q->x);
    up[2] = 1.0f - 2.0f * (q->x * q->x + q->y * q->y);
}

void gm_quat_level(gm_quat_t *q, const float acc_body[3]) {
    float an[3];
    gm_quat_to_nav(q, acc_body, an);
    float n = sqrtf(an[0] * an[0] + an[1] * an[1] + an[2] * an[2]);
    if (!(n > 0.0f)) {
        return;
    }
    an[0] /= n;
    an[1] /= n;
    an[2] /= n;
    /* shortest rotation taking the measured up direction onto +z, about a
     * horizontal axis: q_c = normalise(1 + a.z, a x z); heading untouched */
    float w = 1.0f + an[2];
    if (!(w > 1e-6f)) {
        return; /* upside down: leave the attitude to the gyro */
    }
    gm_quat_t c = {w, an[1], -an[0], 0.0f};
    gm_quat_normalize(&c);
    gm_quat_mul(q, &c, q);
    gm_quat_normalize(q);
}

float gm_pitch_up_rad(const gm_quat_t *q) {
    /* toes direction (body +x) in the navigation frame: its elevation */
    float x = q->x, y = q->y, z = q->z, w = q->w;
    float fx = 1.0f - 2.0f * (y * y + z * z);
    float fy = 2.0f * (x * y + w * z);
    float fz = 2.0f * (x * z - w * y);
    return gm_atan2f(fz, sqrtf(fx * fx + fy * fy));
}

float gm_roll_rad(const gm_quat_t *q) {
    /* body +y (wearer's left) elevation: + = left edge up */
    float x = q->x, y = q->y, z = q->z, w = q->w;
    float lx = 2.0f * (x * y - w * z);
    float ly = 1.0f - 2.0f * (x * x + z * z);
    float lz = 2.0f * (y * z + w * x);
    return gm_atan2f(lz, sqrtf(lx * lx + ly * ly));
}

int gm_solve3(float a[3][3], float b[3], float x[3]) {
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
