/*
 * fw_config.h - every build option of the firmware, in one place.
 * Each can be overridden with -DNAME=value on the compiler command line.
 */
#ifndef FW_CONFIG_H
#define FW_CONFIG_H

/* Firmware version reported in HELLO. */
#ifndef FW_VERSION_MAJOR
#define FW_VERSION_MAJOR 0
#endif
#ifndef FW_VERSION_MINOR
#define FW_VERSION_MINOR 1
#endif
#ifndef FW_VERSION_PATCH
#define FW_VERSION_PATCH 0
#endif

/* Bytes of the link receive ring buffer (power of two). */
#ifndef FW_RX_RING_BYTES
#define FW_RX_RING_BYTES 2048u
#endif

/* Largest decoded frame the firmware accepts, bytes (header + payload + CRC). */
#ifndef FW_MAX_FRAME_BYTES
#define FW_MAX_FRAME_BYTES 512u
#endif

/* Honour CMD FAULT_TEST (deliberate crash, for the rig's fault tests). 1 = yes. */
#ifndef FW_ENABLE_FAULT_TEST
#define FW_ENABLE_FAULT_TEST 1
#endif

/* Gait analyzer: raw samples kept for the delayed strapdown and the
 * saturated-gyro repair (int16 x 6 + 1 byte each). The strapdown runs
 * GAIT_RING_SAMPLES - 8 samples behind the newest one, which must cover the
 * ~0.25 s from a running stance's stillest instant to its push-off: 128 holds
 * 0.29 s at 416 Hz (any lower rate is fine); 833 Hz needs 256 (+1.6 KB). */
#ifndef GAIT_RING_SAMPLES
#define GAIT_RING_SAMPLES 128u
#endif

/* Gait analyzer: stride events (contacts, toe-offs, still spans) in flight
 * between the detector and the strapdown. */
#ifndef GAIT_EVENT_QUEUE
#define GAIT_EVENT_QUEUE 16u
#endif

/* Gait analyzer: 1 = call the gait_trace* hooks (queued events, detector
 * phases, segment closures, strike-angle corrections, gyro repairs) declared
 * in the gait sources; host debugging builds only, the caller defines them. */
#ifndef GAIT_TRACE
#define GAIT_TRACE 0
#endif

#endif /* FW_CONFIG_H */
