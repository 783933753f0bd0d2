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

/* RSC Measurement (Running Speed and Cadence service): published every FW_RSCS_PERIOD_MS of
 * sensor time and after every stride; speed and cadence drop to 0 once no stride has come for
 * FW_RSCS_IDLE_MS (a slow walk's stride arrives every ~1.3 s, so 3 s is a stop, not a slow step). */
#ifndef FW_RSCS_PERIOD_MS
#define FW_RSCS_PERIOD_MS 1000u
#endif
#ifndef FW_RSCS_IDLE_MS
#define FW_RSCS_IDLE_MS 3000u
#endif

/* The gait analyzer's own options (ring depth, event queue, tracing) are in
 * gait/include/gait_config.h: the analyzer is a library of its own. */

#endif /* FW_CONFIG_H */
