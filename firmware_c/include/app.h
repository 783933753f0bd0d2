/*
 * app.h - the firmware application: link protocol, replay of sample batches,
 * analyzer, and the frames it reports. Identical on every board port.
 *
 * A port calls app_init() once, then app_poll() forever (or until it returns
 * a negative value). Samples from the board's own sensor (live mode) enter
 * through app_push_raw().
 */
#ifndef APP_H
#define APP_H

#include <stdbool.h>
#include <stdint.h>

#include "frame.h"
#include "gait.h"
#include "hal.h"
#include "rscs.h"

/** Counters reported in STATUS. */
typedef struct {
    uint32_t samples, strides, rx_frames;
    uint16_t rx_bad_frames, rx_seq_gaps, rx_overflows;
} app_counters_t;

/** Application state. Caller-owned; no field is for the port to touch. */
typedef struct {
    const hal_t *hal;
    gait_t gait;
    frame_rx_t rx;
    frame_config_t config; /* in force; config.session is 0 until a host's CONFIG is accepted */
    app_counters_t count;
    float accel_g_per_lsb, gyro_dps_per_lsb;
    uint32_t next_index;   /* expected next sample index */
    bool have_index;
    uint16_t tx_seq;
    uint16_t rx_next_seq;
    bool rx_seq_known;
    /* the last host frame handled: a byte-identical repeat of it is acknowledged again, not applied */
    uint32_t last_print, last_session;
    int last_status;
    uint8_t tx_buf[FRAME_WIRE_BYTES(FW_MAX_FRAME_BYTES)];
    uint8_t pay_buf[FW_MAX_FRAME_BYTES];
    frame_sample_batch_t batch; /* last SAMPLE_BATCH, unpacked */
    frame_gatt_write_t gatt_write; /* last GATT_WRITE, unpacked */
    rscs_t rscs;                /* the Running Speed and Cadence service's state */
    uint32_t rsc_period_samples, rsc_idle_samples; /* FW_RSCS_PERIOD_MS, FW_RSCS_IDLE_MS at the ODR */
    uint32_t rsc_next_index;    /* sample index of the next periodic RSC Measurement */
    bool rsc_clock_started;
    frame_raw_batch_t raw;      /* RAW mode: samples gathered for the next RAW_BATCH */
} app_t;

/**
 * Initialise with the default CONFIG (416 Hz, +-16 g, +-2000 dps, replay)
 * and send HELLO.
 * @return 0, -EINVAL on NULL arguments, or the link's negative errno.
 */
int app_init(app_t *app, const hal_t *hal);

/**
 * Process every link byte available now. Every valid host frame is answered by an
 * ACK carrying its seq, its status and its session (the CONFIG's own nonce for a CONFIG,
 * else the session of the CONFIG in force), so the host can ignore earlier sessions' ACKs.
 * A SAMPLE_BATCH identical to the frame just handled, with the same seq (a link that repeats
 * frames), is acknowledged again with the same status but not applied twice.
 * @return frames handled (0 if none), or a negative errno value when the link
 *         is gone (-EPIPE) and the port should stop.
 */
int app_poll(app_t *app);

/*
 * The Running Speed and Cadence service (rscs.h) rides on the same link: every stride and every
 * FW_RSCS_PERIOD_MS of sensor time the firmware sends RSC_MEASUREMENT (the RSC Measurement value
 * it would notify, with its sensor time); GATT_READ of RSC Feature or Sensor Location is answered
 * by GATT_VALUE, and GATT_WRITE of the SC Control Point by GATT_VALUE carrying the response it
 * would indicate, both before the frame's ACK.
 */

/**
 * Analyze one sample of the board's own sensor (live mode), raw LSM6DSO
 * counts already rotated into the shoe frame. In raw mode the sample is not
 * analyzed but sent to the host: gathered into RAW_BATCH frames of up to
 * FRAME_MAX_BATCH_SAMPLES consecutive indices (an index jump starts a new one).
 * @return 0, -EINVAL for an index before the last one, or a negative errno value from the link.
 */
int app_push_raw(app_t *app, uint32_t index, const frame_sample_t *raw);

/**
 * Whether the port should run its own sensor and push its samples (CONFIG mode LIVE or RAW).
 * @return true in live and raw mode.
 */
bool app_sensor_wanted(const app_t *app);

/**
 * End of the sensor stream (live mode: the port saw its sensor stop): report
 * the last stride if it can be closed, then SUMMARY. CMD END does the same.
 * In raw mode: send the samples gathered so far (a last, short RAW_BATCH) and
 * return to replay mode, so the port stops its sensor; no SUMMARY.
 * @return 0, or a negative errno value from the link.
 */
int app_finish(app_t *app);

/**
 * Send a LOG frame. @param level 0 error .. 3 debug
 * @return 0 or the link's negative errno.
 */
int app_log(app_t *app, uint8_t level, const char *text);

/**
 * Send a FAULT frame (called from fault handlers: no state is assumed valid
 * except the HAL).
 * @return 0 or the link's negative errno.
 */
int app_send_fault(const hal_t *hal, uint8_t reason, uint32_t pc, uint32_t lr, uint32_t cfsr,
                   uint32_t hfsr, uint32_t bfar);

#endif /* APP_H */
