/*
 * lsm6dso.h - driver for the ST LSM6DSO 6-axis IMU (datasheet DS12140), FIFO based.
 *
 * The same code runs against the real part, Renode's LSM6DSO_IMU model and the
 * project's Verilog model: it uses only registers and fields all three implement
 * (WHO_AM_I, CTRL1_XL, CTRL2_G, CTRL3_C, FIFO_CTRL1..4, INT1_CTRL, FIFO_STATUS1/2,
 * FIFO_DATA_OUT_TAG..Z_H) and never STATUS_REG, which Renode lacks.
 *
 * Bus access goes through lsm6dso_bus_t, so one driver serves I2C and SPI ports:
 * read/write move len bytes starting at register reg, the part advancing the
 * address itself (CTRL3_C.IF_INC, set by lsm6dso_init()).
 *
 * Units: raw samples are int16 counts in the sensor's axes; lsm6dso_accel_g_per_lsb()
 * and lsm6dso_gyro_mdps_per_lsb() convert them. Rates are in Hz, full scales in g and
 * dps. Error convention: every function returning int returns 0 (or a count) on
 * success and a negative errno value on failure; bus errors are passed on unchanged.
 * Memory is the caller's: nothing is allocated.
 */
#ifndef LSM6DSO_H
#define LSM6DSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 7-bit I2C addresses: SA0 high (X-NUCLEO-IKS01A3) and low. */
#define LSM6DSO_I2C_ADDR_SA0_HIGH 0x6Bu
#define LSM6DSO_I2C_ADDR_SA0_LOW 0x6Au
#define LSM6DSO_WHO_AM_I_VALUE 0x6Cu

/* Register addresses used by the driver. */
#define LSM6DSO_REG_FIFO_CTRL1 0x07u
#define LSM6DSO_REG_FIFO_CTRL2 0x08u
#define LSM6DSO_REG_FIFO_CTRL3 0x09u
#define LSM6DSO_REG_FIFO_CTRL4 0x0Au
#define LSM6DSO_REG_INT1_CTRL 0x0Du
#define LSM6DSO_REG_WHO_AM_I 0x0Fu
#define LSM6DSO_REG_CTRL1_XL 0x10u
#define LSM6DSO_REG_CTRL2_G 0x11u
#define LSM6DSO_REG_CTRL3_C 0x12u
#define LSM6DSO_REG_FIFO_STATUS1 0x3Au
#define LSM6DSO_REG_FIFO_STATUS2 0x3Bu
#define LSM6DSO_REG_FIFO_DATA_OUT_TAG 0x78u

/* Field values. */
#define LSM6DSO_CTRL3_BDU 0x40u
#define LSM6DSO_CTRL3_IF_INC 0x04u
#define LSM6DSO_CTRL3_SW_RESET 0x01u
#define LSM6DSO_INT1_FIFO_TH 0x08u
#define LSM6DSO_INT1_FIFO_OVR 0x10u
#define LSM6DSO_FIFO_MODE_BYPASS 0x00u
#define LSM6DSO_FIFO_MODE_CONTINUOUS 0x06u
#define LSM6DSO_FIFO_STATUS2_WTM_IA 0x80u
#define LSM6DSO_FIFO_STATUS2_OVR_IA 0x40u
#define LSM6DSO_FIFO_STATUS2_FULL_IA 0x20u
#define LSM6DSO_FIFO_STATUS2_OVR_LATCHED 0x08u
#define LSM6DSO_FIFO_TAG_GYRO 0x01u  /* TAG_SENSOR, bits 7:3 of FIFO_DATA_OUT_TAG */
#define LSM6DSO_FIFO_TAG_ACCEL 0x02u
#define LSM6DSO_FIFO_WORD_BYTES 7u   /* tag + X, Y, Z as int16 little-endian */

/* FIFO words read per bus transfer by lsm6dso_fifo_read() (stack: 7 bytes each). */
#define LSM6DSO_FIFO_BURST_WORDS 16u
/* Largest watermark, in 6-axis samples (two FIFO words each; WTM is 9 bits). */
#define LSM6DSO_FIFO_WTM_MAX_SAMPLES 255u

/** Bus operations. Each returns 0 or a negative errno value; ctx is passed back unchanged. */
typedef struct {
    void *ctx;
    /** Read len bytes from consecutive registers starting at reg. */
    int (*read)(void *ctx, uint8_t reg, uint8_t *buf, size_t len);
    /** Write len bytes to consecutive registers starting at reg. */
    int (*write)(void *ctx, uint8_t reg, const uint8_t *buf, size_t len);
} lsm6dso_bus_t;

/** Sensor settings. lsm6dso_config_default() fills in the project's defaults. */
typedef struct {
    uint16_t odr_hz;           /**< 12 (12.5 Hz), 26, 52, 104, 208, 416, 833, 1666, 3333 or 6666;
                                    accelerometer, gyroscope and FIFO batching alike */
    uint8_t accel_fs_g;        /**< 2, 4, 8 or 16 */
    uint16_t gyro_fs_dps;      /**< 125, 250, 500, 1000 or 2000 */
    uint16_t fifo_wtm_samples; /**< 1..LSM6DSO_FIFO_WTM_MAX_SAMPLES: INT1 rises when this many
                                    6-axis samples wait in the FIFO */
} lsm6dso_config_t;

/** One 6-axis sample in raw counts, sensor axes x, y, z. */
typedef struct {
    int16_t accel[3];
    int16_t gyro[3];
} lsm6dso_raw_t;

/** FIFO state as FIFO_STATUS1/2 report it. */
typedef struct {
    uint16_t fifo_words;  /**< unread FIFO words (DIFF_FIFO); a 6-axis sample is two */
    bool watermark;       /**< FIFO_WTM_IA: at or above the watermark */
    bool overrun;         /**< FIFO_OVR_IA or FIFO_OVR_LATCHED: samples were lost */
    bool full;            /**< FIFO_FULL_IA: the next sample fills the FIFO */
} lsm6dso_status_t;

/** Driver state. Caller-owned; no field is for the caller to write. */
typedef struct {
    lsm6dso_bus_t bus;
    lsm6dso_config_t cfg;
    int16_t half_gyro[3];   /* a gyroscope word waiting for its accelerometer word */
    int16_t half_accel[3];  /* and the other way round */
    uint8_t halves;         /* bit 0: half_gyro valid, bit 1: half_accel valid */
    bool overrun_seen;      /* lsm6dso_read_status() saw an overrun not yet handled */
    uint32_t overruns;      /* overruns handled by lsm6dso_fifo_read() */
    uint32_t unpaired_words;  /* words dropped because their partner never came */
    uint32_t other_words;     /* words with a tag other than gyroscope or accelerometer */
} lsm6dso_t;

/** Defaults: 416 Hz, +-16 g, +-2000 dps, watermark 16 samples (38 ms at 416 Hz). */
void lsm6dso_config_default(lsm6dso_config_t *cfg);

/**
 * Check the part, reset it and start it: BDU, IF_INC, ODR and full scales from cfg
 * (NULL: defaults), FIFO in continuous mode batching both sensors at the ODR, INT1
 * on FIFO watermark and overrun. Reads back the fields every implementation stores.
 * @return 0; -EINVAL for a NULL dev/bus/callback or a setting the part lacks;
 *         -ENODEV if WHO_AM_I is not 0x6C; -ETIMEDOUT if SW_RESET never clears;
 *         -EIO if a register does not read back as written; or the bus's error.
 */
int lsm6dso_init(lsm6dso_t *dev, const lsm6dso_bus_t *bus, const lsm6dso_config_t *cfg);

/**
 * Read FIFO_STATUS1/2. Reading clears the part's FIFO_OVR_LATCHED; an overrun seen
 * here is remembered and handled by the next lsm6dso_fifo_read().
 * @return 0, -EINVAL on NULL arguments, or the bus's error.
 */
int lsm6dso_read_status(lsm6dso_t *dev, lsm6dso_status_t *status);

/**
 * Drain the FIFO into out, pairing gyroscope and accelerometer words by tag into
 * 6-axis samples, oldest first. Reads at most the words that can complete max
 * samples; a word whose partner is still in the FIFO is kept for the next call.
 * After an overrun the FIFO is emptied (bypass, then continuous again) so pairing
 * restarts cleanly, and -EOVERFLOW reports the gap in the stream.
 * @param max capacity of out in samples
 * @return samples written to out (0..max), -EOVERFLOW after an overrun (nothing
 *         written, call again), -EINVAL on NULL arguments, or the bus's error.
 */
int lsm6dso_fifo_read(lsm6dso_t *dev, lsm6dso_raw_t *out, size_t max);

/**
 * Empty the FIFO and forget a half-read sample: FIFO_MODE bypass, then continuous.
 * @return 0, -EINVAL on NULL dev, or the bus's error.
 */
int lsm6dso_fifo_reset(lsm6dso_t *dev);

/**
 * Hold the FIFO empty (FIFO_MODE bypass) while the sensors keep running: nothing
 * is batched until the FIFO is put back in continuous mode (lsm6dso_fifo_reset(),
 * or whoever else starts it; see lsm6dso_fifo_running()).
 * @return 0, -EINVAL on NULL dev, or the bus's error.
 */
int lsm6dso_fifo_hold(lsm6dso_t *dev);

/**
 * Whether the FIFO batches samples (FIFO_MODE continuous) into *running.
 * @return 0, -EINVAL on NULL arguments, or the bus's error.
 */
int lsm6dso_fifo_running(lsm6dso_t *dev, bool *running);

/**
 * Stop the sensors: accelerometer and gyroscope powered down, no batching, FIFO
 * in bypass (empty). lsm6dso_init() starts them again.
 * @return 0, -EINVAL on NULL dev, or the bus's error.
 */
int lsm6dso_stop(lsm6dso_t *dev);

/**
 * Accelerometer sensitivity (datasheet table 2).
 * @param fs_g full scale: 2, 4, 8 or 16
 * @return g per LSB (0.061e-3 .. 0.488e-3), or 0 for another full scale.
 */
float lsm6dso_accel_g_per_lsb(uint8_t fs_g);

/**
 * Gyroscope sensitivity (datasheet table 2).
 * @param fs_dps full scale: 125, 250, 500, 1000 or 2000
 * @return millidegrees per second per LSB (4.375 .. 70), or 0 for another full scale.
 */
float lsm6dso_gyro_mdps_per_lsb(uint16_t fs_dps);

#endif /* LSM6DSO_H */
