/* test_gait_math.c - the analyzer's deterministic maths against libm and geometry. */
#include <math.h>
#include <stdio.h>

#include "gait_state.h"

#include "check.h"

static void test_atan2(void) {
    double worst = 0.0;
    for (int i = -200; i <= 200; i++) {
        for (int j = -200; j <= 200; j++) {
            float y = (float)i * 0.37f, x = (float)j * 0.53f;
            double ref = atan2((double)y, (double)x);
            if (i == 0 && j == 0) {
                ref = 0.0;
            }
            double err = fabs((double)gm_atan2f(y, x) - ref);
            worst = err > worst ? err : worst;
        }
    }
    CHECK(worst < 2.5e-6, "gm_atan2f worst error %g rad", worst);
    CHECK(gm_atan2f(0.0f, -1.0f) > 3.14159f, "atan2(0, -1) = %g", (double)gm_atan2f(0.0f, -1.0f));
    CHECK(gm_atan2f(-1.0f, 0.0f) < -1.5707f, "atan2(-1, 0) = %g", (double)gm_atan2f(-1.0f, 0.0f));
}

/* +gy (toes down) for one second at 30 dps lowers the toes by 30 deg. */
static void test_pitch_sign(void) {
    gm_quat_t q;
    gm_quat_identity(&q);
    for (int i = 0; i < 416; i++) {
        gm_quat_rotvec(&q, 0.0f, 30.0f * GM_RAD / 416.0f, 0.0f);
    }
    float pitch = gm_pitch_up_rad(&q) * GM_DEG;
    CHECK(fabsf(pitch + 30.0f) < 0.01f, "pitch after +30 dps x 1 s = %g deg, want -30", (double)pitch);
    /* +gx for the left edge: rotating about +x lifts the left side (+y) */
    gm_quat_identity(&q);
    gm_quat_rotvec(&q, 10.0f * GM_RAD, 0.0f, 0.0f);
    float roll = gm_roll_rad(&q) * GM_DEG;
    CHECK(fabsf(roll - 10.0f) < 0.01f, "roll after +10 deg about x = %g", (double)roll);
    float up[3]; /* the roll's sine is the elevation of +y: the up's y component in the body frame */
    gm_quat_up(&q, up);
    CHECK(fabsf(up[1] - sinf(10.0f * GM_RAD)) < 1e-5f, "roll sine %g", (double)up[1]);
}

/* A big rotation in many small steps stays a unit quaternion and lands right. */
static void test_rotvec_accumulates(void) {
    gm_quat_t q;
    gm_quat_identity(&q);
    for (int i = 0; i < 1000; i++) {
        gm_quat_rotvec(&q, 0.0f, 0.0f, (90.0f * GM_RAD) / 1000.0f);
    }
    float v[3] = {1.0f, 0.0f, 0.0f}, out[3];
    gm_quat_to_nav(&q, v, out);
    CHECK(fabsf(out[0]) < 1e-4f && fabsf(out[1] - 1.0f) < 1e-4f, "x after 90 deg yaw = (%g, %g, %g)",
          (double)out[0], (double)out[1], (double)out[2]);
    float n = q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z;
    CHECK(fabsf(n - 1.0f) < 1e-5f, "norm %g", (double)n);
}

/* Levelling puts the measured specific force on +z and keeps the heading. */
static void test_level(void) {
    gm_quat_t q;
    gm_quat_identity(&q);
    gm_quat_rotvec(&q, 0.0f, 0.0f, 40.0f * GM_RAD); /* heading 40 deg */
    /* a sole pitched 10 deg toes-up and rolled 5 deg sees gravity here: */
    gm_quat_t truth;
    gm_quat_identity(&truth);
    gm_quat_rotvec(&truth, 0.0f, 0.0f, 40.0f * GM_RAD);
    gm_quat_rotvec(&truth, 0.0f, -10.0f * GM_RAD, 0.0f);
    gm_quat_rotvec(&truth, 5.0f * GM_RAD, 0.0f, 0.0f);
    gm_quat_t inv = {truth.w, -truth.x, -truth.y, -truth.z};
    float up[3] = {0.0f, 0.0f, 1.0f}, acc[3];
    gm_quat_to_nav(&inv, up, acc); /* nav up in the body frame */
    gm_quat_level(&q, acc);
    float an[3];
    gm_quat_to_nav(&q, acc, an);
    CHECK(fabsf(an[0]) < 1e-5f && fabsf(an[1]) < 1e-5f && fabsf(an[2] - 1.0f) < 1e-5f,
          "levelled gravity (%g, %g, %g)", (double)an[0], (double)an[1], (double)an[2]);
    float pitch = gm_pitch_up_rad(&q) * GM_DEG;
    CHECK(fabsf(pitch - 10.0f) < 0.05f, "pitch after levelling %g, want 10", (double)pitch);
}

static void test_solve3(void) {
    float a[3][3] = {{4.0f, 1.0f, 0.5f}, {1.0f, 3.0f, 0.2f}, {0.5f, 0.2f, 2.0f}};
    float x_true[3] = {1.0f, -2.0f, 0.5f}, b[3], x[3];
    for (int i = 0; i < 3; i++) {
        b[i] = a[i][0] * x_true[0] + a[i][1] * x_true[1] + a[i][2] * x_true[2];
    }
    CHECK(gm_solve3(a, b, x) == 1, "solvable system rejected");
    for (int i = 0; i < 3; i++) {
        CHECK(fabsf(x[i] - x_true[i]) < 1e-5f, "x[%d] = %g, want %g", i, (double)x[i], (double)x_true[i]);
    }
    float z[3][3] = {{0}}, zb[3] = {1.0f, 1.0f, 1.0f};
    CHECK(gm_solve3(z, zb, x) == 0, "singular system accepted");
}

static void test_round(void) {
    CHECK(gm_round_i16(2.5f) == 3 && gm_round_i16(-2.5f) == -3 && gm_round_i16(2.49f) == 2, "rounding");
    CHECK(gm_round_i16(1e9f) == 32767 && gm_round_i16(-1e9f) == -32767, "clamping");
}

int main(void) {
    test_atan2();
    test_pitch_sign();
    test_rotvec_accumulates();
    test_level();
    test_solve3();
    test_round();
    printf("test_gait_math: %d failure(s)\n", failures);
    return failures != 0;
}
