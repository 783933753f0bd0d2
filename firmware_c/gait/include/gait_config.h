/*
 * gait_config.h - every build option of the gait analyzer, in one place.
 * Each can be overridden with -DNAME=value on the compiler command line; the
 * size of the analyzer state (GAIT_STATE_BYTES in gait.h) follows from them.
 */
#ifndef GAIT_CONFIG_H
#define GAIT_CONFIG_H

/* Raw samples kept for the delayed strapdown and the saturated-gyro repair
 * (int16 x 6 + 1 byte each). The strapdown runs GAIT_RING_SAMPLES - 8
 * samples behind the newest one, which must cover the ~0.25 s from a running
 * stance's stillest instant to its push-off: 128 holds 0.29 s at 416 Hz (any
 * lower rate is fine); 833 Hz needs 256 (+1.6 KB). */
#ifndef GAIT_RING_SAMPLES
#define GAIT_RING_SAMPLES 128u
#endif

/* Stride events (contacts, toe-offs, still spans) in flight between the
 * detector and the strapdown: up to 8 a stride (top, landing, late impact,
 * slap knee, toe-off, still span's two ends), and at 104 Hz the delay line
 * holds 1.15 s, 2.3 strides of a fast run. */
#ifndef GAIT_EVENT_QUEUE
#define GAIT_EVENT_QUEUE 20u
#endif

/* 1 = call the gait_trace* hooks (queued events, detector phases, segment
 * closures, strike-angle corrections, gyro repairs) declared in the gait
 * sources; host debugging builds only, the caller defines them. */
#ifndef GAIT_TRACE
#define GAIT_TRACE 0
#endif

#endif /* GAIT_CONFIG_H */
