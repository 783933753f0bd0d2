/*
 * slotclock.h - sensor sample indices from the FIFO and the time of INT1.
 *
 * The LSM6DSO fills one output slot per ODR period; the firmware reads its FIFO in
 * bursts and numbers the samples. Counting them gives the index as long as none
 * is lost; a FIFO overrun (or a slot the sensor never filled) loses samples the
 * count cannot see. The watermark interrupt tells the time: INT1 rises the instant
 * the watermark-th sample enters an empty-drained FIFO, so a read that starts right
 * after the rising edge knows when one of its samples was made. From that the clock
 * keeps the time of slot 0; a later anchor whose sample is due in a later slot than
 * its count says is placed after a gap of the missing slots.
 *
 * Pure integer arithmetic (no floats, no allocation); times are nanoseconds on
 * the MCU's clock, the period comes from the output rate in millihertz.
 */
#ifndef SLOTCLOCK_H
#define SLOTCLOCK_H

#include <stdbool.h>
#include <stdint.h>

/** Index state. Caller-owned; read the counters, write nothing. */
typedef struct {
    uint64_t period_ps;  /* sample period, picoseconds */
    uint32_t next;       /* index of the next sample read */
    bool anchored;       /* t0_ns holds */
    int64_t t0_ns;       /* time slot 0 was filled, from the last anchor */
    uint32_t anchors;    /* anchors taken */
    uint32_t gaps;       /* gaps found */
    uint32_t missing;    /* slots skipped over by those gaps */
    uint32_t resyncs;    /* anchors earlier than the count: the rate is off, the count was kept */
} slotclock_t;

/**
 * Start counting at index 0.
 * @param odr_mhz the sensor's output rate, millihertz (1000 .. 10000000)
 * @return 0, or -EINVAL for a NULL clock or a rate out of range.
 */
int slotclock_init(slotclock_t *c, uint32_t odr_mhz);

/**
 * Number n samples that follow on from the last ones (no timing known: a poll, a
 * late wake-up, the rest of a drain).
 * @return the index of the first of them.
 */
uint32_t slotclock_follow(slotclock_t *c, uint32_t n);

/**
 * Number n samples read together, of which the one at position pos (0-based,
 * pos < n) entered the FIFO at t_ns (the rising edge of the watermark interrupt).
 * @return the index of the first of them: the next index, or later after a gap,
 *         which is placed before the first of them.
 */
uint32_t slotclock_anchor(slotclock_t *c, uint32_t n, uint32_t pos, uint64_t t_ns);

/** Time from slot 0 to slot k, nanoseconds (rounded down). */
uint64_t slotclock_offset_ns(const slotclock_t *c, uint32_t k);

#endif /* SLOTCLOCK_H */
