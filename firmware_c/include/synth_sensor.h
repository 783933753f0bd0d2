/*
 * synth_sensor.h - a synthetic 6-axis sensor for boards and emulators without one.
 *
 * The host build (--sensor synth) and the STM32F4 image under an emulator that has no
 * LSM6DSO model (mailbox flag STM32_EMU_SYNTH_SENSOR) read samples from here in live and
 * raw mode, so `rig record` can be tested end to end without hardware. Each axis is an
 * integer triangle wave of the sample index: exact on every build, and easy for a test to
 * compute again.
 */
#ifndef SYNTH_SENSOR_H
#define SYNTH_SENSOR_H

#include <stdint.h>

#include "frame_msgs.h"

/**
 * The raw LSM6DSO counts (shoe frame, +-16 g / +-2000 dps scales) of sample `index`:
 * ax = tri(index, 400, 3000), ay = tri(index + 100, 700, 1000), az = 2049 + tri(index, 400, 2000),
 * gx = tri(index, 550, 4000), gy = tri(index + 50, 400, 8000), gz = tri(index, 900, 1500), where
 * tri(i, period, amp) = u - amp if u <= 2 amp else 3 amp - u, with u = (4 amp (i mod period)) / period
 * in unsigned integer arithmetic (a triangle of period `period` samples between -amp and +amp).
 * Never fails.
 */
void synth_sensor_sample(uint32_t index, frame_sample_t *out);

#endif /* SYNTH_SENSOR_H */
