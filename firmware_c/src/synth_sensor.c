/* synth_sensor.c - the synthetic sensor's waveform. See synth_sensor.h. */
#include "synth_sensor.h"

static int16_t tri(uint32_t i, uint32_t period, uint32_t amp) {
    uint32_t u = (4u * amp * (i % period)) / period;
    return (int16_t)(u <= 2u * amp ? (int32_t)u - (int32_t)amp : 3 * (int32_t)amp - (int32_t)u);
}

void synth_sensor_sample(uint32_t index, frame_sample_t *out) {
    out->ax = tri(index, 400u, 3000u);
    out->ay = tri(index + 100u, 700u, 1000u);
    out->az = (int16_t)(2049 + tri(index, 400u, 2000u));
    out->gx = tri(index, 550u, 4000u);
    out->gy = tri(index + 50u, 400u, 8000u);
    out->gz = tri(index, 900u, 1500u);
}
