/*
 * test_slotclock.c - sample indices from FIFO reads and a clock, against a sensor
 * whose every slot time is known: a reader woken by the watermark interrupt, empty
 * slots, an overrun after a stall, and a sensor clock a little off the configured rate.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "slotclock.h"

#include "check.h"

#define MAX_SLOTS 40000u
#define FIFO_SAMPLES 64u
#define WTM_SAMPLES 16u
#define STATUS_NS 112000u    /* one FIFO status read at 400 kHz */
#define SAMPLE_READ_NS 315000u /* two FIFO words at 400 kHz */

/* A sensor: slot s filled at t0 + s * true period; some slots left empty. */
typedef struct {
    uint64_t t0_ns;
    uint64_t true_period_ps;
    bool empty[MAX_SLOTS];
} sensor_t;

static uint64_t slot_time(const sensor_t *s, uint32_t k) {
    return s->t0_ns + ((uint64_t)k * s->true_period_ps) / 1000u;
}

/* The reader: FIFO of the samples not yet read (slot numbers), overrun by flush. */
typedef struct {
    uint32_t fifo[FIFO_SAMPLES];
    uint32_t count;
    uint32_t next_slot; /* next slot the sensor fills */
    bool overrun;
} fifo_t;

static void fill_until(const sensor_t *s, fifo_t *f, uint64_t t_ns) {
    while (f->next_slot < MAX_SLOTS && slot_time(s, f->next_slot) <= t_ns) {
        uint32_t k = f->next_slot++;
        if (s->empty[k]) continue;
        if (f->count == FIFO_SAMPLES) { /* continuous mode: the oldest is lost */
            memmove(f->fifo, f->fifo + 1, (FIFO_SAMPLES - 1u) * sizeof f->fifo[0]);
            f->count--;
            f->overrun = true;
        }
        f->fifo[f->count++] = k;
    }
}

typedef struct {
    uint32_t checked, wrong, before_gap; /* before_gap: placed late, ahead of a gap in the same read */
} tally_t;

static void tally(tally_t *t, const uint32_t *slots, uint32_t n, uint32_t first) {
    for (uint32_t i = 0; i < n; i++) {
        /* a gap inside one read cannot be located: only what follows it must be exact */
        bool after_any_gap = slots[i] + (n - 1u - i) == slots[n - 1u];
        t->checked++;
        if (first + i != slots[i]) {
            if (after_any_gap) {
                t->wrong++;
            } else {
                t->before_gap++;
            }
        }
    }
}

/* The port's longest sleep: 100 ms, or twice the watermark's worth of samples. */
static uint64_t poll_ns(const slotclock_t *c) {
    uint64_t wtm2 = 2u * slotclock_offset_ns(c, WTM_SAMPLES);
    return wtm2 > 100000000u ? wtm2 : 100000000u;
}

/*
 * Run the reader as the port does until t_end: sleep until INT1 rises (the
 * watermark-th sample arrives) or a poll period, busy between stall_from and
 * stall_to; then read the FIFO until a status read finds it empty. The first read
 * anchors the clock when INT1 woke the reader on time. Every index is compared
 * with the true slot.
 */
static void run(const sensor_t *s, slotclock_t *c, uint64_t t_end, uint64_t stall_from, uint64_t stall_to,
                tally_t *t) {
    fifo_t f;
    memset(&f, 0, sizeof f);
    uint64_t now = s->t0_ns;
    uint32_t slots[FIFO_SAMPLES];
    while (now < t_end) {
        uint64_t wake = now + poll_ns(c);
        bool int1 = false;
        uint32_t have = f.count;
        for (uint32_t k = f.next_slot; k < MAX_SLOTS && slot_time(s, k) <= wake; k++) {
            if (!s->empty[k] && ++have == WTM_SAMPLES) {
                wake = slot_time(s, k);
                int1 = true;
                break;
            }
        }
        now = wake > now ? wake : now;
        if (now >= stall_from && now < stall_to) now = stall_to;
        bool first_read = true;
        for (;;) {
            fill_until(s, &f, now + STATUS_NS / 2u); /* the status byte is latched mid-read */
            now += STATUS_NS;
            if (f.overrun) { /* the driver empties the FIFO and reports the overrun */
                f.count = 0;
                f.overrun = false;
                now += 2u * STATUS_NS;
                fill_until(s, &f, now);
                f.count = 0;
                first_read = false;
                continue;
            }
            uint32_t n = f.count;
            if (n == 0) break;
            memcpy(slots, f.fifo, n * sizeof slots[0]);
            f.count = 0;
            uint32_t first = first_read && int1 && (n == WTM_SAMPLES || n == WTM_SAMPLES + 1u)
                                 ? slotclock_anchor(c, n, WTM_SAMPLES - 1u, wake)
                                 : slotclock_follow(c, n);
            tally(t, slots, n, first);
            first_read = false;
            now += n * SAMPLE_READ_NS;
        }
    }
}

static void test_init(void) {
    slotclock_t c;
    CHECK(slotclock_init(NULL, 416000u) == -EINVAL, "NULL clock accepted");
    CHECK(slotclock_init(&c, 999u) == -EINVAL, "0.999 Hz accepted");
    CHECK(slotclock_init(&c, 416000u) == 0, "416 Hz refused");
    CHECK(c.period_ps == 2403846153ull, "416 Hz period %llu ps", (unsigned long long)c.period_ps);
    CHECK(slotclock_offset_ns(&c, 416u) == 999999999ull, "416 slots = %llu ns",
          (unsigned long long)slotclock_offset_ns(&c, 416u));
    CHECK(slotclock_offset_ns(&c, 0xFFFFFFFFu) > 10000000000000000ull, "offset of the last index overflowed");
    CHECK(slotclock_follow(&c, 5u) == 0 && slotclock_follow(&c, 3u) == 5 && c.next == 8, "follow counts on");
}

static sensor_t g_sensor;

/* 60 s, every slot filled: indices are the slots, no gap is invented. */
static void test_steady(uint32_t odr_mhz, uint64_t t0_ns) {
    sensor_t *s = &g_sensor;
    memset(s, 0, sizeof *s);
    s->t0_ns = t0_ns;
    s->true_period_ps = 1000000000000000ull / odr_mhz;
    slotclock_t c;
    slotclock_init(&c, odr_mhz);
    tally_t t = {0};
    run(s, &c, t0_ns + 60000000000ull, 0, 0, &t);
    CHECK(t.checked > 60u * odr_mhz / 1000u - 100u, "%u Hz: only %u samples", odr_mhz / 1000u, t.checked);
    CHECK(c.anchors > t.checked / WTM_SAMPLES / 2u, "%u anchors for %u samples", c.anchors, t.checked);
    CHECK(t.wrong == 0 && c.gaps == 0 && c.resyncs == 0, "%u mHz from %llu ns: %u wrong, %u gaps, %u resyncs",
          odr_mhz, (unsigned long long)t0_ns, t.wrong, c.gaps, c.resyncs);
}

/* Bursts of 2-12 empty slots: each is found, every index after it is right. */
static void test_empty_slots(void) {
    sensor_t *s = &g_sensor;
    memset(s, 0, sizeof *s);
    s->t0_ns = 3000000u;
    s->true_period_ps = 1000000000000000ull / 416000u;
    uint32_t expect_missing = 0, bursts = 0;
    for (uint32_t k = 500, len = 2; k + 20 < MAX_SLOTS && k < 16000u; k += 317u + 13u * len, len = len % 12u + 2u) {
        for (uint32_t i = 0; i < len; i++) s->empty[k + i] = true;
        expect_missing += len;
        bursts++;
    }
    slotclock_t c;
    slotclock_init(&c, 416000u);
    tally_t t = {0};
    run(s, &c, s->t0_ns + 40000000000ull, 0, 0, &t);
    CHECK(c.gaps == bursts, "found %u of %u gaps", c.gaps, bursts);
    CHECK(c.missing == expect_missing, "%u slots skipped, %u were empty", c.missing, expect_missing);
    CHECK(t.wrong == 0, "%u of %u samples misplaced (not counting those ahead of a gap in their read)",
          t.wrong, t.checked);
    CHECK(t.before_gap < WTM_SAMPLES * bursts, "%u samples ahead of a gap in their read placed late", t.before_gap);
}

/* A 400 ms stall overruns the FIFO: the samples after it land on their slots. */
static void test_overrun(void) {
    sensor_t *s = &g_sensor;
    memset(s, 0, sizeof *s);
    s->t0_ns = 1000000u;
    s->true_period_ps = 1000000000000000ull / 416000u;
    slotclock_t c;
    slotclock_init(&c, 416000u);
    tally_t t = {0};
    run(s, &c, s->t0_ns + 10000000000ull, 4000000000ull, 4400000000ull, &t);
    CHECK(c.gaps == 1, "%u gaps for one overrun", c.gaps);
    CHECK(c.missing > 150u && c.missing < 180u, "an overrun of 400 ms skipped %u slots", c.missing);
    CHECK(t.wrong == 0, "%u of %u samples misplaced", t.wrong, t.checked);
}

/* The sensor runs 0.2 % off the configured rate: the clock restarts, no gap is invented. */
static void test_rate_off(int32_t ppm) {
    sensor_t *s = &g_sensor;
    memset(s, 0, sizeof *s);
    s->t0_ns = 2000000u;
    uint64_t p = 1000000000000000ull / 416000u;
    s->true_period_ps = (uint64_t)((int64_t)p - (int64_t)p / 1000000 * ppm);
    slotclock_t c;
    slotclock_init(&c, 416000u);
    tally_t t = {0};
    run(s, &c, s->t0_ns + 30000000000ull, 0, 0, &t);
    CHECK(c.gaps == 0 && t.wrong == 0, "%+d ppm: %u gaps, %u misplaced", (int)ppm, c.gaps, t.wrong);
}

int main(void) {
    test_init();
    test_steady(416000u, 1000u);
    test_steady(416000u, 1234567u);
    test_steady(422240u, 7777777u);
    test_steady(104000u, 500000u);
    test_empty_slots();
    test_overrun();
    test_rate_off(2000);
    test_rate_off(-2000);
    if (failures) {
        printf("test_slotclock: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_slotclock: ok\n");
    return 0;
}
