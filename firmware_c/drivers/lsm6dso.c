/* lsm6dso.c - LSM6DSO driver. See lsm6dso.h. */
#include "lsm6dso.h"

#include <errno.h>
#include <string.h>

#define HALF_GYRO 0x01u
#define HALF_ACCEL 0x02u
#define SW_RESET_POLLS 10

void lsm6dso_config_default(lsm6dso_config_t *cfg) {
    if (!cfg) return;
    cfg->odr_hz = 416;
    cfg->accel_fs_g = 16;
    cfg->gyro_fs_dps = 2000;
    cfg->fifo_wtm_samples = 16;
}

/* ODR_XL / ODR_G / BDR codes (datasheet tables 52, 55, 17). 0 = not a rate. */
static uint8_t odr_code(uint16_t odr_hz) {
    switch (odr_hz) {
    case 12: return 0x1;
    case 26: return 0x2;
    case 52: return 0x3;
    case 104: return 0x4;
    case 208: return 0x5;
    case 416: return 0x6;
    case 833: return 0x7;
    case 1666: return 0x8;
    case 3333: return 0x9;
    case 6666: return 0xA;
    default: return 0;
    }
}

/* CTRL1_XL.FS_XL with XL_FS_MODE = 0; -1 = not a full scale. */
static int accel_fs_code(uint8_t fs_g) {
    switch (fs_g) {
    case 2: return 0x0;
    case 16: return 0x1;
    case 4: return 0x2;
    case 8: return 0x3;
    default: return -1;
    }
}

/* CTRL2_G bits 3:1, {FS_G, FS_125}; -1 = not a full scale. */
static int gyro_fs_code(uint16_t fs_dps) {
    switch (fs_dps) {
    case 125: return 0x1;
    case 250: return 0x0;
    case 500: return 0x2;
    case 1000: return 0x4;
    case 2000: return 0x6;
    default: return -1;
    }
}

float lsm6dso_accel_g_per_lsb(uint8_t fs_g) {
    switch (fs_g) {
    case 2: return 0.061e-3f;
    case 4: return 0.122e-3f;
    case 8: return 0.244e-3f;
    case 16: return 0.488e-3f;
    default: return 0.0f;
    }
}

float lsm6dso_gyro_mdps_per_lsb(uint16_t fs_dps) {
    switch (fs_dps) {
    case 125: return 4.375f;
    case 250: return 8.75f;
    case 500: return 17.5f;
    case 1000: return 35.0f;
    case 2000: return 70.0f;
    default: return 0.0f;
    }
}

static int rd(lsm6dso_t *dev, uint8_t reg, uint8_t *buf, size_t len) {
    return dev->bus.read(dev->bus.ctx, reg, buf, len);
}

static int wr(lsm6dso_t *dev, uint8_t reg, const uint8_t *buf, size_t len) {
    return dev->bus.write(dev->bus.ctx, reg, buf, len);
}

static int wr1(lsm6dso_t *dev, uint8_t reg, uint8_t value) {
    return wr(dev, reg, &value, 1);
}

int lsm6dso_init(lsm6dso_t *dev, const lsm6dso_bus_t *bus, const lsm6dso_config_t *cfg) {
    if (!dev || !bus || !bus->read || !bus->write) return -EINVAL;
    lsm6dso_config_t c;
    if (cfg) {
        c = *cfg;
    } else {
        lsm6dso_config_default(&c);
    }
    uint8_t odr = odr_code(c.odr_hz);
    int fs_xl = accel_fs_code(c.accel_fs_g);
    int fs_g = gyro_fs_code(c.gyro_fs_dps);
    if (!odr || fs_xl < 0 || fs_g < 0 || c.fifo_wtm_samples == 0 ||
        c.fifo_wtm_samples > LSM6DSO_FIFO_WTM_MAX_SAMPLES) {
        return -EINVAL;
    }
    memset(dev, 0, sizeof *dev);
    dev->bus = *bus;
    dev->cfg = c;

    uint8_t v;
    int rc = rd(dev, LSM6DSO_REG_WHO_AM_I, &v, 1);
    if (rc) return rc;
    if (v != LSM6DSO_WHO_AM_I_VALUE) return -ENODEV;

    /* Start from the reset state whatever ran before (the reset takes ~50 us). */
    rc = wr1(dev, LSM6DSO_REG_CTRL3_C, LSM6DSO_CTRL3_SW_RESET);
    if (rc) return rc;
    int polls = 0;
    do {
        if (++polls > SW_RESET_POLLS) return -ETIMEDOUT;
        rc = rd(dev, LSM6DSO_REG_CTRL3_C, &v, 1);
        if (rc) return rc;
    } while (v & LSM6DSO_CTRL3_SW_RESET);

    /* IF_INC first: every write below is a burst. */
    rc = wr1(dev, LSM6DSO_REG_CTRL3_C, LSM6DSO_CTRL3_BDU | LSM6DSO_CTRL3_IF_INC);
    if (rc) return rc;
    uint16_t wtm_words = (uint16_t)(2u * c.fifo_wtm_samples);
    const uint8_t fifo[4] = {
        (uint8_t)(wtm_words & 0xFFu),        /* FIFO_CTRL1: WTM[7:0] */
        (uint8_t)((wtm_words >> 8) & 0x1u),  /* FIFO_CTRL2: WTM8 */
        (uint8_t)((odr << 4) | odr),         /* FIFO_CTRL3: BDR_GY, BDR_XL */
        LSM6DSO_FIFO_MODE_BYPASS,            /* FIFO_CTRL4: empty until the sensors run */
    };
    rc = wr(dev, LSM6DSO_REG_FIFO_CTRL1, fifo, sizeof fifo);
    if (rc) return rc;
    rc = wr1(dev, LSM6DSO_REG_INT1_CTRL, LSM6DSO_INT1_FIFO_TH | LSM6DSO_INT1_FIFO_OVR);
    if (rc) return rc;
    const uint8_t ctrl[2] = {
        (uint8_t)((odr << 4) | ((unsigned)fs_xl << 2)),  /* CTRL1_XL */
        (uint8_t)((odr << 4) | ((unsigned)fs_g << 1)),   /* CTRL2_G */
    };
    rc = wr(dev, LSM6DSO_REG_CTRL1_XL, ctrl, sizeof ctrl);
    if (rc) return rc;
    rc = wr1(dev, LSM6DSO_REG_FIFO_CTRL4, LSM6DSO_FIFO_MODE_CONTINUOUS);
    if (rc) return rc;

    /* Read back what every implementation stores (Renode keeps neither BDU nor INT1_FIFO_TH). */
    uint8_t back[4];
    rc = rd(dev, LSM6DSO_REG_FIFO_CTRL1, back, 4);
    if (rc) return rc;
    if (back[0] != fifo[0] || (back[1] & 0x1u) != fifo[1] || back[2] != fifo[2] ||
        (back[3] & 0x7u) != LSM6DSO_FIFO_MODE_CONTINUOUS) {
        return -EIO;
    }
    rc = rd(dev, LSM6DSO_REG_CTRL1_XL, back, 3);
    if (rc) return rc;
    if ((back[0] & 0xFCu) != ctrl[0] || (back[1] & 0xFEu) != ctrl[1] ||
        !(back[2] & LSM6DSO_CTRL3_IF_INC)) {
        return -EIO;
    }
    return 0;
}

static void decode_status(const uint8_t st[2], lsm6dso_status_t *status) {
    status->fifo_words = (uint16_t)(st[0] | ((st[1] & 0x3u) << 8));
    status->watermark = (st[1] & LSM6DSO_FIFO_STATUS2_WTM_IA) != 0;
    status->overrun = (st[1] & (LSM6DSO_FIFO_STATUS2_OVR_IA | LSM6DSO_FIFO_STATUS2_OVR_LATCHED)) != 0;
    status->full = (st[1] & LSM6DSO_FIFO_STATUS2_FULL_IA) != 0;
}

int lsm6dso_read_status(lsm6dso_t *dev, lsm6dso_status_t *status) {
    if (!dev || !status) return -EINVAL;
    uint8_t st[2];
    int rc = rd(dev, LSM6DSO_REG_FIFO_STATUS1, st, sizeof st);
    if (rc) return rc;
    decode_status(st, status);
    if (status->overrun) dev->overrun_seen = true;
    return 0;
}

int lsm6dso_fifo_reset(lsm6dso_t *dev) {
    if (!dev) return -EINVAL;
    int rc = wr1(dev, LSM6DSO_REG_FIFO_CTRL4, LSM6DSO_FIFO_MODE_BYPASS);
    if (rc) return rc;
    rc = wr1(dev, LSM6DSO_REG_FIFO_CTRL4, LSM6DSO_FIFO_MODE_CONTINUOUS);
    if (rc) return rc;
    dev->halves = 0;
    dev->overrun_seen = false;
    return 0;
}

int lsm6dso_fifo_hold(lsm6dso_t *dev) {
    if (!dev) return -EINVAL;
    int rc = wr1(dev, LSM6DSO_REG_FIFO_CTRL4, LSM6DSO_FIFO_MODE_BYPASS);
    if (rc) return rc;
    dev->halves = 0;
    dev->overrun_seen = false;
    return 0;
}

int lsm6dso_fifo_running(lsm6dso_t *dev, bool *running) {
    if (!dev || !running) return -EINVAL;
    uint8_t v;
    int rc = rd(dev, LSM6DSO_REG_FIFO_CTRL4, &v, 1);
    if (rc) return rc;
    *running = (v & 0x7u) == LSM6DSO_FIFO_MODE_CONTINUOUS;
    return 0;
}

int lsm6dso_stop(lsm6dso_t *dev) {
    if (!dev) return -EINVAL;
    const uint8_t off[2] = {0, 0}; /* CTRL1_XL, CTRL2_G: power-down */
    int rc = wr(dev, LSM6DSO_REG_CTRL1_XL, off, sizeof off);
    if (rc) return rc;
    rc = wr1(dev, LSM6DSO_REG_FIFO_CTRL3, 0); /* no batching */
    if (rc) return rc;
    return lsm6dso_fifo_hold(dev);
}

static int16_t le16(const uint8_t *p) {
    return (int16_t)(uint16_t)((unsigned)p[0] | ((unsigned)p[1] << 8));
}

/* Take one FIFO word; return 1 when it completed a sample in *out. */
static int take_word(lsm6dso_t *dev, const uint8_t *w, lsm6dso_raw_t *out) {
    uint8_t tag = (uint8_t)(w[0] >> 3);
    int16_t *dst;
    uint8_t bit;
    if (tag == LSM6DSO_FIFO_TAG_GYRO) {
        dst = dev->half_gyro;
        bit = HALF_GYRO;
    } else if (tag == LSM6DSO_FIFO_TAG_ACCEL) {
        dst = dev->half_accel;
        bit = HALF_ACCEL;
    } else {
        dev->other_words++;
        return 0;
    }
    if (dev->halves & bit) dev->unpaired_words++; /* its partner never came: keep the newer */
    for (int i = 0; i < 3; i++) dst[i] = le16(&w[1 + 2 * i]);
    dev->halves |= bit;
    if (dev->halves != (HALF_GYRO | HALF_ACCEL)) return 0;
    for (int i = 0; i < 3; i++) {
        out->gyro[i] = dev->half_gyro[i];
        out->accel[i] = dev->half_accel[i];
    }
    dev->halves = 0;
    return 1;
}

int lsm6dso_fifo_read(lsm6dso_t *dev, lsm6dso_raw_t *out, size_t max) {
    if (!dev || (!out && max)) return -EINVAL;
    if (max == 0) return 0;
    if (max > 0x7FFFu) max = 0x7FFFu; /* keeps the count an int */
    uint8_t st[2];
    int rc = rd(dev, LSM6DSO_REG_FIFO_STATUS1, st, sizeof st);
    if (rc) return rc;
    lsm6dso_status_t status;
    decode_status(st, &status);
    if (status.overrun || dev->overrun_seen) {
        rc = lsm6dso_fifo_reset(dev);
        if (rc) return rc;
        dev->overruns++;
        return -EOVERFLOW;
    }
    /* Never read more words than can complete max samples. */
    size_t budget = 2u * max - (dev->halves ? 1u : 0u);
    size_t words = status.fifo_words < budget ? status.fifo_words : budget;
    size_t n = 0;
    uint8_t buf[LSM6DSO_FIFO_BURST_WORDS * LSM6DSO_FIFO_WORD_BYTES];
    while (words > 0) {
        size_t chunk = words < LSM6DSO_FIFO_BURST_WORDS ? words : LSM6DSO_FIFO_BURST_WORDS;
        /* one burst: the address rolls back from FIFO_DATA_OUT_Z_H to the tag */
        rc = rd(dev, LSM6DSO_REG_FIFO_DATA_OUT_TAG, buf, chunk * LSM6DSO_FIFO_WORD_BYTES);
        if (rc) return rc;
        for (size_t i = 0; i < chunk; i++) {
            n += (size_t)take_word(dev, &buf[i * LSM6DSO_FIFO_WORD_BYTES], &out[n]);
        }
        words -= chunk;
    }
    return (int)n;
}
