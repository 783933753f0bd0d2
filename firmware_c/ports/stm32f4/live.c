/*
 * live.c - live mode on the board's own sensor. See stm32f4_port.h.
 *
 * The FIFO is read by polling, never on an interrupt: the main loop wakes at
 * least every SysTick (10 ms, 4 samples at 416 Hz, against a FIFO of 256), so
 * the same code serves a board whose INT1 is not wired and an emulated sensor
 * without a watermark interrupt. Samples are numbered from 0 as they come out
 * of the FIFO; after an overrun the driver empties the FIFO and the numbering
 * jumps by the samples the elapsed time says were lost.
 */
#include <errno.h>

#include "stm32f4_port.h"
#include "synth_sensor.h"

/* Most synthetic samples made in one poll: the link is served between bursts. */
#define SYNTH_BURST 64u
/* Samples taken out of the FIFO per read: 32 x 12 bytes on the stack. */
#define DRAIN_SAMPLES 32u
/* An emptied FIFO cannot overrun again before the next read: more in a row is a fault. */
#define MAX_OVERRUNS_IN_A_ROW 3

/* The supported output rate nearest (by ratio) to a rate in mHz. */
static uint16_t nominal_odr_hz(uint32_t odr_mhz) {
    static const uint16_t rates[] = {12, 26, 52, 104, 208, 416, 833, 1666, 3333, 6666};
    uint16_t best = rates[0];
    uint64_t best_err = UINT64_MAX;
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        uint64_t r = (uint64_t)rates[i] * 1000u, q = odr_mhz ? odr_mhz : 1u;
        uint64_t err = r > q ? (r * 1000u) / q : (q * 1000u) / r;
        if (err < best_err) {
            best_err = err;
            best = rates[i];
        }
    }
    return best;
}

void stm32_live_init(stm32_live_t *l, stm32_sensor_bus_t where, const lsm6dso_bus_t *bus, bool host_starts) {
    *l = (stm32_live_t){0};
    l->where = where;
    if (bus) l->bus = *bus;
    l->host_starts = host_starts;
}

/* Stop live mode for good (until the next CONFIG) and say why; only a link error is returned. */
static int fail(stm32_live_t *l, app_t *app, int rc, const char *text) {
    (void)rc; /* the text names the failure; the rig sees it in the LOG frame */
    l->state = STM32_LIVE_FAILED;
    return app_log(app, 0, text);
}

static int start(stm32_live_t *l, app_t *app) {
    if (l->where == STM32_SENSOR_NONE) {
        return fail(l, app, -ENODEV, "live: no LSM6DSO answered (I2C1 at 0x6B, SPI1)");
    }
    if (l->where == STM32_SENSOR_SYNTH) {
        l->next_index = 0;
        l->stream_samples = 0;
        l->t0_ms = stm32_millis();
        l->state = STM32_LIVE_RUNNING;
        return 0;
    }
    lsm6dso_config_t cfg;
    lsm6dso_config_default(&cfg);
    cfg.odr_hz = nominal_odr_hz(app->config.odr_mhz);
    cfg.accel_fs_g = app->config.accel_fs_g;
    cfg.gyro_fs_dps = app->config.gyro_fs_dps;
    int rc = lsm6dso_init(&l->dev, &l->bus, &cfg);
    if (rc < 0) return fail(l, app, rc, "live: starting the LSM6DSO failed (lsm6dso_init)");
    l->next_index = 0;
    l->stream_samples = 0;
    l->t0_ms = stm32_millis();
    l->state = STM32_LIVE_RUNNING;
    if (l->host_starts) { /* the emulator starts the FIFO with its stream: batch nothing before */
        rc = lsm6dso_fifo_hold(&l->dev);
        if (rc < 0) return fail(l, app, rc, "live: holding the LSM6DSO FIFO failed");
        l->state = STM32_LIVE_AWAIT_HOST;
        stm32_emu_sensor_waiting(true);
    }
    return 0;
}

static int finish(stm32_live_t *l, app_t *app) {
    l->state = STM32_LIVE_DONE;
    if (l->where != STM32_SENSOR_SYNTH) (void)lsm6dso_stop(&l->dev);
    return app_finish(app);
}

/* The synthetic sensor: every sample the time since the start says is due, at most SYNTH_BURST a poll. */
static int drain_synth(stm32_live_t *l, app_t *app) {
    uint64_t due = (uint64_t)(stm32_millis() - l->t0_ms) * app->config.odr_mhz / 1000000u;
    for (uint32_t n = 0; n < SYNTH_BURST && l->next_index < due; n++) {
        frame_sample_t s;
        synth_sensor_sample(l->next_index, &s);
        int rc = app_push_raw(app, l->next_index++, &s);
        if (rc < 0) return rc;
        if (!app_sensor_wanted(app)) return 0;
    }
    return 0;
}

/* Read the FIFO until it is empty; number and analyze what came out. */
static int drain(stm32_live_t *l, app_t *app) {
    if (l->where == STM32_SENSOR_SYNTH) return drain_synth(l, app);
    lsm6dso_raw_t got[DRAIN_SAMPLES];
    int overruns = 0;
    for (;;) {
        int n = lsm6dso_fifo_read(&l->dev, got, DRAIN_SAMPLES);
        if (n == -EOVERFLOW) {
            l->overruns++;
            if (++overruns > MAX_OVERRUNS_IN_A_ROW) return fail(l, app, n, "live: the LSM6DSO FIFO keeps overrunning");
            /* the lost samples: as many as the time since the start says should have come */
            uint64_t due = (uint64_t)(stm32_millis() - l->t0_ms) * app->config.odr_mhz / 1000000u;
            if (due > l->next_index) l->next_index = (uint32_t)due;
            continue;
        }
        if (n < 0) return fail(l, app, n, "live: reading the LSM6DSO FIFO failed");
        for (int i = 0; i < n; i++) {
            /* sensor axes are the shoe's: the part sits flat, x toward the toes */
            frame_sample_t s = {.ax = got[i].accel[0], .ay = got[i].accel[1], .az = got[i].accel[2],
                                .gx = got[i].gyro[0], .gy = got[i].gyro[1], .gz = got[i].gyro[2]};
            int rc = app_push_raw(app, l->next_index++, &s);
            if (rc < 0) return rc;
            if (l->stream_samples && l->next_index >= l->stream_samples) return finish(l, app);
        }
        if ((unsigned)n < DRAIN_SAMPLES) return 0;
    }
}

int stm32_live_poll(stm32_live_t *l, app_t *app) {
    bool live = app_sensor_wanted(app);
    if (!live) {
        if ((l->state == STM32_LIVE_RUNNING || l->state == STM32_LIVE_AWAIT_HOST) && l->where != STM32_SENSOR_SYNTH) {
            (void)lsm6dso_stop(&l->dev);
        }
        l->state = STM32_LIVE_OFF;
        return 0;
    }
    /* a new CONFIG restarted the analyzer (it has no sample index yet): restart the sensor too */
    if (l->state != STM32_LIVE_OFF && !app->have_index && l->next_index > 0) l->state = STM32_LIVE_OFF;
    switch (l->state) {
    case STM32_LIVE_OFF:
        return start(l, app);
    case STM32_LIVE_AWAIT_HOST: {
        uint32_t n = stm32_emu_stream_samples();
        if (n == 0) return 0;
        stm32_emu_sensor_waiting(false);
        l->stream_samples = n;
        l->t0_ms = stm32_millis();
        l->state = STM32_LIVE_RUNNING;
        return drain(l, app);
    }
    case STM32_LIVE_RUNNING:
        return drain(l, app);
    default: /* DONE, FAILED: until the next CONFIG */
        return 0;
    }
}
