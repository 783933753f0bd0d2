/*
 * test_gait_noise.c - input that is not gait gives no strides: uniform random
 * values over the whole range of the sensor (+-16 g, +-2000 dps), at the
 * lowest and the usual output rate.
 */
#include <stdint.h>
#include <stdio.h>

#include "gait.h"

#include "check.h"

/* xorshift32: a fixed, portable sequence. */
static uint32_t rng_state = 2463534242u;
static float uniform(float lo, float hi) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return lo + (hi - lo) * (float)(rng_state >> 8) * (1.0f / 16777216.0f);
}

static void test_random_values(float odr_hz) {
    gait_t g;
    gait_config_t cfg = {odr_hz, 16.0f, 2000.0f};
    CHECK(gait_init(&g, &cfg) == 0, "gait_init");
    int strides = 0;
    uint32_t n = (uint32_t)(60.0f * odr_hz);
    for (uint32_t i = 0; i < n; i++) {
        gait_sample_t s = {uniform(-16.0f, 16.0f),     uniform(-16.0f, 16.0f),     uniform(-16.0f, 16.0f),
                           uniform(-2000.0f, 2000.0f), uniform(-2000.0f, 2000.0f), uniform(-2000.0f, 2000.0f)};
        gait_stride_t st;
        int rc = gait_push(&g, i, &s, &st);
        CHECK(rc >= 0, "gait_push returned %d", rc);
        strides += rc == 1;
    }
    gait_stride_t st;
    for (int k = 0; k < 8 && gait_flush(&g, &st) == 1; k++) {
        strides++;
    }
    gait_summary_t sum;
    CHECK(gait_get_summary(&g, &sum) == 0, "gait_get_summary");
    CHECK(strides == 0 && sum.strides == 0u, "%d strides from a minute of random values at %g Hz", strides,
          (double)odr_hz);
    CHECK(sum.distance_m == 0.0f, "distance %g m from random values at %g Hz", (double)sum.distance_m,
          (double)odr_hz);
}

int main(void) {
    test_random_values(104.0f);
    test_random_values(208.0f);
    test_random_values(416.0f);
    test_random_values(833.0f);
    printf("test_gait_noise: %d failure(s)\n", failures);
    return failures != 0;
}
