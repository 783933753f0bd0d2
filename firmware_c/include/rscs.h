/*
 * rscs.h - the shoe's Bluetooth Running Speed and Cadence service (RSCS 1.0, 0x1814): the
 * characteristic values a phone app or a watch reads from a footpod, built from the analyzer's
 * strides. Pure: no I/O, no malloc, float32 only. The application carries the bytes over the link
 * (RSC_MEASUREMENT, GATT_VALUE) until the chip has a radio.
 *
 * Units on the air (frame_spec/rscs.py has the one definition of the layouts):
 * - Instantaneous Speed: 1/256 m/s;
 * - Instantaneous Cadence: 1/min, "the number of times per minute the foot with the sensor hits
 *   the ground" (the specification's reading): the sensor foot's strides per minute, half the
 *   step rate a watch shows (170 steps/min is sent as 85);
 * - Instantaneous Stride Length: 1/100 m, two successive contacts of the same foot;
 * - Total Distance: 1/10 m since start or the last Set Cumulative Value.
 *
 * What the shoe supports (RSC Feature 0x0017): stride length, total distance, walking or
 * running status, and two sensor locations (in shoe, the default, and top of shoe); no
 * calibration procedure.
 *
 * Error convention: a byte count or 0 on success, a negative errno value on failure.
 */
#ifndef RSCS_H
#define RSCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame_msgs.h"

/** RSC Feature value of this shoe. */
#define RSCS_FEATURES                                                                              \
    (FRAME_RSCS_FEATURE_STRIDE_LENGTH | FRAME_RSCS_FEATURE_TOTAL_DISTANCE |                        \
     FRAME_RSCS_FEATURE_WALKING_OR_RUNNING_STATUS | FRAME_RSCS_FEATURE_MULTIPLE_SENSOR_LOCATIONS)

/** Longest RSC Measurement value, bytes (every optional field present). */
#define RSCS_MEASUREMENT_MAX_BYTES 10u

/** One RSC Measurement in the units on the air. */
typedef struct {
    uint8_t flags;              /**< FRAME_RSCS_MEAS_* bits */
    uint16_t speed_256ths_mps;  /**< Instantaneous Speed, 1/256 m/s */
    uint8_t cadence_per_min;    /**< contacts of the sensor's foot per minute */
    uint16_t stride_length_cm;  /**< when FRAME_RSCS_MEAS_STRIDE_LENGTH_PRESENT */
    uint32_t total_distance_dm; /**< when FRAME_RSCS_MEAS_TOTAL_DISTANCE_PRESENT */
} rscs_measurement_t;

/** Service state. Caller-owned; only the rscs_* functions touch it. */
typedef struct {
    uint8_t location;          /**< FRAME_RSCS_LOCATION_* in force */
    bool have_stride;          /**< a stride has been seen */
    uint32_t last_index;       /**< sample index at which the last stride was reported */
    float speed_mps;           /**< last measured speed, m/s (0 before any) */
    float strides_per_min;     /**< last measured stride rate of the sensor's foot, 1/min */
    float stride_m;            /**< last stride's length, m; NAN when it was not measured */
    bool running;              /**< last stride was running */
    uint32_t base_dm;          /**< total distance given by Set Cumulative Value, 1/10 m */
    float base_distance_m;     /**< the analyzer's distance at that moment, m */
} rscs_t;

/** Start afresh: location in shoe, no stride, total distance 0. NULL is ignored. */
void rscs_init(rscs_t *r);

/**
 * Restart the measurement (a new run: the analyzer's distance restarts at 0), keeping the
 * sensor location the client chose. NULL is ignored.
 */
void rscs_restart(rscs_t *r);

/**
 * Take a stride the analyzer reported at sample index `index`. A NAN speed or stride time keeps
 * the previous value; a NAN length makes the next measurements leave the stride length out.
 * @param stride_ms stride time of the sensor's foot, ms
 * @return 0, or -EINVAL if r is NULL.
 */
int rscs_on_stride(rscs_t *r, uint32_t index, float speed_mps, float stride_m, float stride_ms, bool running);

/**
 * The measurement at sample index `index`: the last stride's values, or speed and cadence 0 and
 * no stride length when no stride has come for idle_samples samples (the wearer stopped).
 * @param distance_m the analyzer's distance so far, m (gait_summary_t.distance_m)
 * @return 0, or -EINVAL on a NULL argument.
 */
int rscs_measure(const rscs_t *r, uint32_t index, uint32_t idle_samples, float distance_m, rscs_measurement_t *out);

/**
 * The RSC Measurement characteristic value of m.
 * @return bytes written (4 to 10), -EINVAL on NULL, -ENOSPC if cap is too small.
 */
int rscs_pack_measurement(const rscs_measurement_t *m, uint8_t *buf, size_t cap);

/**
 * Value of a readable characteristic: RSC Feature (2 bytes) or Sensor Location (1 byte).
 * @return bytes written, -ENOENT for a UUID the service does not have, -EACCES for RSC
 *         Measurement (notify only) and SC Control Point (write and indicate only), -ENOSPC if
 *         cap is too small, -EINVAL on NULL.
 */
int rscs_read(const rscs_t *r, uint16_t uuid, uint8_t *buf, size_t cap);

/**
 * Run one SC Control Point request (the bytes a client wrote) and build the response to
 * indicate: 0x10, the request's op code, the response value, and for Request Supported Sensor
 * Locations the list. Set Cumulative Value (uint32, 1/10 m) sets the total distance; Update
 * Sensor Location accepts in shoe and top of shoe; a wrong parameter length or an unsupported
 * location is Invalid Parameter; calibration, reserved op codes and 0x10 are Op Code not supported.
 * @param distance_m the analyzer's distance now, m
 * @return response bytes written, -EINVAL on NULL or an empty request (no op code to answer),
 *         -ENOSPC if cap is too small.
 */
int rscs_control_point(rscs_t *r, float distance_m, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap);

#endif /* RSCS_H */
