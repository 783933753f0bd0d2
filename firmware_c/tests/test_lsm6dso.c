/*
 * test_lsm6dso.c - the LSM6DSO driver against a register-file fake of the part.
 *
 * The fake keeps 128 registers, auto-increments with CTRL3_C.IF_INC, rolls the
 * FIFO window back from 7Eh to 78h, pops a word when 7Eh is read, clears
 * FIFO_OVR_LATCHED when FIFO_STATUS2 is read, and can fail a chosen bus call.
 * Run: the binary exits non-zero when any check fails.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lsm6dso.h"

static int failures;
#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                          \
        }                                                                        \
    } while (0)
#define CHECK_EQ(a, b)                                                                     \
    do {                                                                                   \
        long long a_ = (long long)(a), b_ = (long long)(b);                                \
        if (a_ != b_) {                                                                    \
            fprintf(stderr, "%s:%d: %s is %lld, expected %s (%lld)\n", __FILE__, __LINE__, \
                    #a, a_, #b, b_);                                                       \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

/* ---- the fake part ------------------------------------------------------------------ */

#define FAKE_FIFO_WORDS 512
#define FAKE_LOG 64

typedef struct {
    uint8_t reg[128];
    uint8_t fifo[FAKE_FIFO_WORDS][7];
    size_t fifo_head, fifo_count;
    bool ovr_ia, ovr_latched;
    /* behaviour switches */
    uint8_t who_am_i;
    bool reset_stuck;       /* SW_RESET never clears */
    uint8_t ignore_mask[128]; /* bits a write does not store (an incomplete model) */
    int fail_call;          /* fail the n-th bus call (1-based) with fail_rc; 0 = never */
    int fail_rc;
    /* observations */
    int calls, reads, writes;
    size_t largest_read;
    struct { uint8_t reg, value; } log[FAKE_LOG];
    int logged;
} fake_t;

static void fake_reset_regs(fake_t *f) {
    memset(f->reg, 0, sizeof f->reg);
    f->reg[0x02] = 0x3F;
    f->reg[0x12] = 0x04;
    f->reg[0x18] = 0xE0;
    f->fifo_head = f->fifo_count = 0;
    f->ovr_ia = f->ovr_latched = false;
}

static void fake_init(fake_t *f) {
    memset(f, 0, sizeof *f);
    fake_reset_regs(f);
    f->who_am_i = LSM6DSO_WHO_AM_I_VALUE;
}

static void fake_push_word(fake_t *f, uint8_t tag, const int16_t xyz[3]) {
    if (f->fifo_count == FAKE_FIFO_WORDS) {
        f->fifo_head = (f->fifo_head + 1) % FAKE_FIFO_WORDS;
        f->fifo_count--;
        f->ovr_ia = f->ovr_latched = true;
    }
    uint8_t *w = f->fifo[(f->fifo_head + f->fifo_count) % FAKE_FIFO_WORDS];
    w[0] = (uint8_t)(tag << 3);
    for (int i = 0; i < 3; i++) {
        uint16_t u = (uint16_t)xyz[i];
        w[1 + 2 * i] = (uint8_t)(u & 0xFFu);
        w[2 + 2 * i] = (uint8_t)(u >> 8);
    }
    f->fifo_count++;
}

static void fake_push_sample(fake_t *f, const lsm6dso_raw_t *s) {
    fake_push_word(f, LSM6DSO_FIFO_TAG_GYRO, s->gyro);
    fake_push_word(f, LSM6DSO_FIFO_TAG_ACCEL, s->accel);
}

static uint8_t fake_read_byte(fake_t *f, uint8_t a) {
    if (a == LSM6DSO_REG_WHO_AM_I) return f->who_am_i;
    if (a == LSM6DSO_REG_FIFO_STATUS1) return (uint8_t)(f->fifo_count & 0xFFu);
    if (a == LSM6DSO_REG_FIFO_STATUS2) {
        uint16_t wtm = (uint16_t)(f->reg[0x07] | ((f->reg[0x08] & 1u) << 8));
        uint8_t v = (uint8_t)((f->fifo_count >> 8) & 0x3u);
        if (wtm && f->fifo_count >= wtm) v |= LSM6DSO_FIFO_STATUS2_WTM_IA;
        if (f->ovr_ia) v |= LSM6DSO_FIFO_STATUS2_OVR_IA;
        if (f->ovr_latched) v |= LSM6DSO_FIFO_STATUS2_OVR_LATCHED;
        f->ovr_latched = false;
        return v;
    }
    if (a >= 0x78 && a <= 0x7E) {
        if (f->fifo_count == 0) return 0;
        uint8_t v = f->fifo[f->fifo_head][a - 0x78];
        if (a == 0x7E) {
            f->fifo_head = (f->fifo_head + 1) % FAKE_FIFO_WORDS;
            f->fifo_count--;
            f->ovr_ia = false;
        }
        return v;
    }
    return f->reg[a & 0x7F];
}

static void fake_write_byte(fake_t *f, uint8_t a, uint8_t v) {
    if (f->logged < FAKE_LOG) {
        f->log[f->logged].reg = a;
        f->log[f->logged].value = v;
        f->logged++;
    }
    if (a == LSM6DSO_REG_CTRL3_C && (v & LSM6DSO_CTRL3_SW_RESET)) {
        fake_reset_regs(f);
        if (f->reset_stuck) f->reg[a] |= LSM6DSO_CTRL3_SW_RESET;
        return;
    }
    if (a == LSM6DSO_REG_FIFO_CTRL4 && (v & 0x7u) == LSM6DSO_FIFO_MODE_BYPASS) {
        f->fifo_head = f->fifo_count = 0; /* bypass empties the FIFO */
        f->ovr_ia = f->ovr_latched = false;
    }
    if (a == LSM6DSO_REG_WHO_AM_I || a == LSM6DSO_REG_FIFO_STATUS1 || a == LSM6DSO_REG_FIFO_STATUS2) return;
    f->reg[a & 0x7F] = (uint8_t)(v & ~f->ignore_mask[a & 0x7F]);
}

static uint8_t next_addr(const fake_t *f, uint8_t a) {
    if (a == 0x7E) return 0x78;
    return (f->reg[LSM6DSO_REG_CTRL3_C] & LSM6DSO_CTRL3_IF_INC) ? (uint8_t)(a + 1u) : a;
}

static int fake_call(fake_t *f) {
    f->calls++;
    return (f->fail_call && f->calls == f->fail_call) ? f->fail_rc : 0;
}

static int fake_read(void *ctx, uint8_t reg, uint8_t *buf, size_t len) {
    fake_t *f = ctx;
    int rc = fake_call(f);
    if (rc) return rc;
    f->reads++;
    if (len > f->largest_read) f->largest_read = len;
    for (size_t i = 0; i < len; i++) {
        buf[i] = fake_read_byte(f, reg);
        reg = next_addr(f, reg);
    }
    return 0;
}

static int fake_write(void *ctx, uint8_t reg, const uint8_t *buf, size_t len) {
    fake_t *f = ctx;
    int rc = fake_call(f);
    if (rc) return rc;
    f->writes++;
    for (size_t i = 0; i < len; i++) {
        fake_write_byte(f, reg, buf[i]);
        reg = next_addr(f, reg);
    }
    return 0;
}

static lsm6dso_bus_t bus_of(fake_t *f) {
    lsm6dso_bus_t b = {.ctx = f, .read = fake_read, .write = fake_write};
    return b;
}

static lsm6dso_raw_t sample(int k) {
    lsm6dso_raw_t s;
    for (int i = 0; i < 3; i++) {
        s.gyro[i] = (int16_t)(k * 100 + i - 32000 * (i == 2));
        s.accel[i] = (int16_t)(-k * 100 - i + 32000 * (i == 1));
    }
    return s;
}

static bool same(const lsm6dso_raw_t *a, const lsm6dso_raw_t *b) {
    return memcmp(a, b, sizeof *a) == 0;
}

/* A fake with an initialised driver on it. */
static void started(fake_t *f, lsm6dso_t *dev) {
    fake_init(f);
    lsm6dso_bus_t b = bus_of(f);
    CHECK_EQ(lsm6dso_init(dev, &b, NULL), 0);
    f->logged = 0;
    f->calls = f->reads = f->writes = 0;
}

/* ---- tests ----------------------------------------------------------------------------- */

static void test_sensitivity(void) {
    CHECK(lsm6dso_accel_g_per_lsb(2) == 0.061e-3f);
    CHECK(lsm6dso_accel_g_per_lsb(4) == 0.122e-3f);
    CHECK(lsm6dso_accel_g_per_lsb(8) == 0.244e-3f);
    CHECK(lsm6dso_accel_g_per_lsb(16) == 0.488e-3f);
    CHECK(lsm6dso_accel_g_per_lsb(3) == 0.0f);
    CHECK(lsm6dso_gyro_mdps_per_lsb(125) == 4.375f);
    CHECK(lsm6dso_gyro_mdps_per_lsb(250) == 8.75f);
    CHECK(lsm6dso_gyro_mdps_per_lsb(500) == 17.5f);
    CHECK(lsm6dso_gyro_mdps_per_lsb(1000) == 35.0f);
    CHECK(lsm6dso_gyro_mdps_per_lsb(2000) == 70.0f);
    CHECK(lsm6dso_gyro_mdps_per_lsb(245) == 0.0f);
    /* full scale = 32768 counts within 2 %: +-16 g and +-2000 dps */
    CHECK(fabsf(32768.0f * lsm6dso_accel_g_per_lsb(16) - 16.0f) < 0.32f);
    CHECK(fabsf(32768.0f * lsm6dso_gyro_mdps_per_lsb(2000) / 1000.0f - 2000.0f) < 300.0f);
}

static void test_init_defaults(void) {
    fake_t f;
    fake_init(&f);
    lsm6dso_bus_t b = bus_of(&f);
    lsm6dso_t dev;
    CHECK_EQ(lsm6dso_init(&dev, &b, NULL), 0);
    CHECK_EQ(f.reg[LSM6DSO_REG_CTRL1_XL], 0x64); /* 416 Hz, +-16 g */
    CHECK_EQ(f.reg[LSM6DSO_REG_CTRL2_G], 0x6C);  /* 416 Hz, +-2000 dps */
    CHECK_EQ(f.reg[LSM6DSO_REG_CTRL3_C], 0x44);  /* BDU, IF_INC */
    CHECK_EQ(f.reg[LSM6DSO_REG_FIFO_CTRL1], 32); /* 16 samples = 32 words */
    CHECK_EQ(f.reg[LSM6DSO_REG_FIFO_CTRL2], 0);
    CHECK_EQ(f.reg[LSM6DSO_REG_FIFO_CTRL3], 0x66);
    CHECK_EQ(f.reg[LSM6DSO_REG_FIFO_CTRL4], LSM6DSO_FIFO_MODE_CONTINUOUS);
    CHECK_EQ(f.reg[LSM6DSO_REG_INT1_CTRL], LSM6DSO_INT1_FIFO_TH | LSM6DSO_INT1_FIFO_OVR);
    /* the software reset comes first of all writes */
    CHECK(f.logged > 0 && f.log[0].reg == LSM6DSO_REG_CTRL3_C && f.log[0].value == LSM6DSO_CTRL3_SW_RESET);
    CHECK_EQ(dev.cfg.odr_hz, 416);
}

static void test_init_config(void) {
    fake_t f;
    fake_init(&f);
    lsm6dso_bus_t b = bus_of(&f);
    lsm6dso_t dev;
    lsm6dso_config_t c = {.odr_hz = 104, .accel_fs_g = 4, .gyro_fs_dps = 125, .fifo_wtm_samples = 200};
    CHECK_EQ(lsm6dso_init(&dev, &b, &c), 0);
    CHECK_EQ(f.reg[LSM6DSO_REG_CTRL1_XL], 0x48);
    CHECK_EQ(f.reg[LSM6DSO_REG_CTRL2_G], 0x42);
    CHECK_EQ(f.reg[LSM6DSO_REG_FIFO_CTRL1], 400 & 0xFF);
    CHECK_EQ(f.reg[LSM6DSO_REG_FIFO_CTRL2], 1);
    CHECK_EQ(f.reg[LSM6DSO_REG_FIFO_CTRL3], 0x44);
    c = (lsm6dso_config_t){.odr_hz = 12, .accel_fs_g = 8, .gyro_fs_dps = 1000, .fifo_wtm_samples = 1};
    CHECK_EQ(lsm6dso_init(&dev, &b, &c), 0);
    CHECK_EQ(f.reg[LSM6DSO_REG_CTRL1_XL], 0x1C);
    CHECK_EQ(f.reg[LSM6DSO_REG_CTRL2_G], 0x18);
}

static void test_init_errors(void) {
    fake_t f;
    lsm6dso_t dev;
    lsm6dso_config_t c;
    fake_init(&f);
    lsm6dso_bus_t b = bus_of(&f);
    CHECK_EQ(lsm6dso_init(NULL, &b, NULL), -EINVAL);
    CHECK_EQ(lsm6dso_init(&dev, NULL, NULL), -EINVAL);
    lsm6dso_bus_t half = {.ctx = &f, .read = fake_read, .write = NULL};
    CHECK_EQ(lsm6dso_init(&dev, &half, NULL), -EINVAL);
    const lsm6dso_config_t bad[] = {
        {.odr_hz = 400, .accel_fs_g = 16, .gyro_fs_dps = 2000, .fifo_wtm_samples = 16},
        {.odr_hz = 416, .accel_fs_g = 6, .gyro_fs_dps = 2000, .fifo_wtm_samples = 16},
        {.odr_hz = 416, .accel_fs_g = 16, .gyro_fs_dps = 4000, .fifo_wtm_samples = 16},
        {.odr_hz = 416, .accel_fs_g = 16, .gyro_fs_dps = 2000, .fifo_wtm_samples = 0},
        {.odr_hz = 416, .accel_fs_g = 16, .gyro_fs_dps = 2000, .fifo_wtm_samples = 256},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = bad[i];
        CHECK_EQ(lsm6dso_init(&dev, &b, &c), -EINVAL);
    }
    CHECK_EQ(f.calls, 0); /* a bad setting is refused before any bus access */

    fake_init(&f);
    f.who_am_i = 0x6A; /* an LSM6DSL */
    CHECK_EQ(lsm6dso_init(&dev, &b, NULL), -ENODEV);
    CHECK_EQ(f.writes, 0);

    fake_init(&f);
    f.reset_stuck = true;
    CHECK_EQ(lsm6dso_init(&dev, &b, NULL), -ETIMEDOUT);

    fake_init(&f);
    f.ignore_mask[LSM6DSO_REG_CTRL1_XL] = 0xF0; /* ODR never sticks */
    CHECK_EQ(lsm6dso_init(&dev, &b, NULL), -EIO);

    /* every bus call failing in turn: the bus's own error comes back */
    for (int n = 1; n < 16; n++) {
        fake_init(&f);
        f.fail_call = n;
        f.fail_rc = -EBUSY;
        int rc = lsm6dso_init(&dev, &b, NULL);
        if (f.calls >= n) CHECK_EQ(rc, -EBUSY);
    }
}

static void test_init_on_partial_model(void) {
    /* Renode's model keeps neither BDU nor INT1_FIFO_TH: init must still pass. */
    fake_t f;
    fake_init(&f);
    f.ignore_mask[LSM6DSO_REG_CTRL3_C] = LSM6DSO_CTRL3_BDU;
    f.ignore_mask[LSM6DSO_REG_INT1_CTRL] = LSM6DSO_INT1_FIFO_TH;
    lsm6dso_bus_t b = bus_of(&f);
    lsm6dso_t dev;
    CHECK_EQ(lsm6dso_init(&dev, &b, NULL), 0);
}

static void test_fifo_pairs_samples(void) {
    fake_t f;
    lsm6dso_t dev;
    started(&f, &dev);
    lsm6dso_raw_t in[40], out[64];
    for (int k = 0; k < 40; k++) {
        in[k] = sample(k);
        fake_push_sample(&f, &in[k]);
    }
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 64), 40);
    for (int k = 0; k < 40; k++) CHECK(same(&out[k], &in[k]));
    CHECK_EQ(f.fifo_count, 0);
    CHECK_EQ(f.largest_read, LSM6DSO_FIFO_BURST_WORDS * LSM6DSO_FIFO_WORD_BYTES);
    CHECK_EQ(f.reads, 1 + (80 + LSM6DSO_FIFO_BURST_WORDS - 1) / LSM6DSO_FIFO_BURST_WORDS);
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 64), 0);
}

static void test_fifo_accel_first(void) {
    fake_t f;
    lsm6dso_t dev;
    started(&f, &dev);
    lsm6dso_raw_t in = sample(7), out[2];
    fake_push_word(&f, LSM6DSO_FIFO_TAG_ACCEL, in.accel);
    fake_push_word(&f, LSM6DSO_FIFO_TAG_GYRO, in.gyro);
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 2), 1);
    CHECK(same(&out[0], &in));
}

static void test_fifo_respects_max(void) {
    fake_t f;
    lsm6dso_t dev;
    started(&f, &dev);
    lsm6dso_raw_t in[10], out[10];
    for (int k = 0; k < 10; k++) {
        in[k] = sample(k);
        fake_push_sample(&f, &in[k]);
    }
    memset(out, 0x5A, sizeof out);
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 3), 3);
    CHECK_EQ(f.fifo_count, 14); /* nothing read beyond what 3 samples need */
    CHECK(out[3].gyro[0] == 0x5A5A); /* nothing written past max */
    CHECK_EQ(lsm6dso_fifo_read(&dev, out + 3, 7), 7);
    for (int k = 0; k < 10; k++) CHECK(same(&out[k], &in[k]));
}

static void test_fifo_half_sample_waits(void) {
    fake_t f;
    lsm6dso_t dev;
    started(&f, &dev);
    lsm6dso_raw_t a = sample(1), b = sample(2), out[4];
    fake_push_sample(&f, &a);
    fake_push_word(&f, LSM6DSO_FIFO_TAG_GYRO, b.gyro);
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 4), 1);
    CHECK(same(&out[0], &a));
    CHECK_EQ(f.fifo_count, 0); /* the lone gyro word was read and is held */
    fake_push_word(&f, LSM6DSO_FIFO_TAG_ACCEL, b.accel);
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 1), 1); /* one word completes it within max = 1 */
    CHECK(same(&out[0], &b));
}

static void test_fifo_odd_words(void) {
    fake_t f;
    lsm6dso_t dev;
    started(&f, &dev);
    lsm6dso_raw_t a = sample(3), b = sample(4), out[4];
    const int16_t ts[3] = {1, 2, 3};
    fake_push_word(&f, LSM6DSO_FIFO_TAG_GYRO, a.gyro);       /* superseded: partner lost */
    fake_push_word(&f, LSM6DSO_FIFO_TAG_GYRO, b.gyro);
    fake_push_word(&f, 0x04, ts);                            /* timestamp word */
    fake_push_word(&f, LSM6DSO_FIFO_TAG_ACCEL, b.accel);
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 4), 1);
    CHECK(same(&out[0], &b));
    CHECK_EQ(dev.unpaired_words, 1);
    CHECK_EQ(dev.other_words, 1);
}

static void test_fifo_overrun(void) {
    fake_t f;
    lsm6dso_t dev;
    started(&f, &dev);
    lsm6dso_raw_t s = sample(5), out[300];
    for (int k = 0; k < 260; k++) fake_push_sample(&f, &s); /* 520 words into 512 */
    CHECK(f.ovr_ia);
    f.logged = 0;
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 300), -EOVERFLOW);
    CHECK_EQ(dev.overruns, 1);
    CHECK_EQ(f.fifo_count, 0);
    CHECK(f.logged == 2 && f.log[0].reg == LSM6DSO_REG_FIFO_CTRL4 && f.log[0].value == LSM6DSO_FIFO_MODE_BYPASS &&
          f.log[1].value == LSM6DSO_FIFO_MODE_CONTINUOUS);
    lsm6dso_raw_t fresh = sample(9);
    fake_push_sample(&f, &fresh);
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 300), 1);
    CHECK(same(&out[0], &fresh));
}

static void test_status(void) {
    fake_t f;
    lsm6dso_t dev;
    started(&f, &dev);
    lsm6dso_status_t st;
    CHECK_EQ(lsm6dso_read_status(&dev, &st), 0);
    CHECK(st.fifo_words == 0 && !st.watermark && !st.overrun && !st.full);
    lsm6dso_raw_t s = sample(1), out[200];
    for (int k = 0; k < 150; k++) fake_push_sample(&f, &s);
    CHECK_EQ(lsm6dso_read_status(&dev, &st), 0);
    CHECK_EQ(st.fifo_words, 300);
    CHECK(st.watermark && !st.overrun);
    /* an overrun that only the latched bit reports, consumed by read_status */
    f.ovr_latched = true;
    CHECK_EQ(lsm6dso_read_status(&dev, &st), 0);
    CHECK(st.overrun);
    CHECK(!f.ovr_latched);
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 200), -EOVERFLOW);
    CHECK_EQ(lsm6dso_read_status(&dev, NULL), -EINVAL);
}

static void test_fifo_read_errors(void) {
    fake_t f;
    lsm6dso_t dev;
    started(&f, &dev);
    lsm6dso_raw_t out[4], s = sample(2);
    CHECK_EQ(lsm6dso_fifo_read(NULL, out, 4), -EINVAL);
    CHECK_EQ(lsm6dso_fifo_read(&dev, NULL, 4), -EINVAL);
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 0), 0);
    CHECK_EQ(f.calls, 0);
    fake_push_sample(&f, &s);
    f.fail_call = 2; /* the FIFO data burst */
    f.fail_rc = -EIO;
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 4), -EIO);
    f.fail_call = 0;
    f.calls = 0;
    f.fail_call = 1; /* the status read */
    f.fail_rc = -ETIMEDOUT;
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 4), -ETIMEDOUT);
    CHECK_EQ(lsm6dso_fifo_reset(NULL), -EINVAL);
}

static void test_fifo_hold_and_stop(void) {
    fake_t f;
    lsm6dso_t dev;
    started(&f, &dev);
    lsm6dso_raw_t s0 = sample(0), out[4];
    fake_push_sample(&f, &s0);
    bool running = false;
    CHECK_EQ(lsm6dso_fifo_running(&dev, &running), 0);
    CHECK(running);
    CHECK_EQ(lsm6dso_fifo_hold(&dev), 0);
    CHECK_EQ(f.reg[LSM6DSO_REG_FIFO_CTRL4], LSM6DSO_FIFO_MODE_BYPASS);
    CHECK_EQ(f.fifo_count, 0); /* held empty */
    CHECK_EQ(lsm6dso_fifo_running(&dev, &running), 0);
    CHECK(!running);
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 4), 0);
    /* someone else starts it: batching resumes */
    f.reg[LSM6DSO_REG_FIFO_CTRL4] = LSM6DSO_FIFO_MODE_CONTINUOUS;
    CHECK_EQ(lsm6dso_fifo_running(&dev, &running), 0);
    CHECK(running);
    lsm6dso_raw_t s1 = sample(1);
    fake_push_sample(&f, &s1);
    CHECK_EQ(lsm6dso_fifo_read(&dev, out, 4), 1);
    CHECK(same(&out[0], &s1));
    CHECK_EQ(lsm6dso_stop(&dev), 0);
    CHECK_EQ(f.reg[LSM6DSO_REG_CTRL1_XL], 0);
    CHECK_EQ(f.reg[LSM6DSO_REG_CTRL2_G], 0);
    CHECK_EQ(f.reg[LSM6DSO_REG_FIFO_CTRL3], 0);
    CHECK_EQ(f.reg[LSM6DSO_REG_FIFO_CTRL4], LSM6DSO_FIFO_MODE_BYPASS);
    CHECK_EQ(lsm6dso_fifo_hold(NULL), -EINVAL);
    CHECK_EQ(lsm6dso_fifo_running(&dev, NULL), -EINVAL);
    CHECK_EQ(lsm6dso_stop(NULL), -EINVAL);
    f.fail_call = f.calls + 1;
    f.fail_rc = -EIO;
    CHECK_EQ(lsm6dso_fifo_running(&dev, &running), -EIO);
}

int main(void) {
    test_sensitivity();
    test_init_defaults();
    test_init_config();
    test_init_errors();
    test_init_on_partial_model();
    test_fifo_pairs_samples();
    test_fifo_accel_first();
    test_fifo_respects_max();
    test_fifo_half_sample_waits();
    test_fifo_odd_words();
    test_fifo_overrun();
    test_status();
    test_fifo_read_errors();
    test_fifo_hold_and_stop();
    if (failures) {
        fprintf(stderr, "test_lsm6dso: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_lsm6dso: all checks passed\n");
    return 0;
}
