/* slotclock.c - sensor sample indices from the FIFO and the time of INT1. See slotclock.h. */
#include "slotclock.h"

#include <errno.h>
#include <stddef.h>

#define PS_PER_S_MHZ 1000000000000000ull /* 1e12 ps/s times 1000 mHz/Hz */

int slotclock_init(slotclock_t *c, uint32_t odr_mhz) {
    if (!c || odr_mhz < 1000u || odr_mhz > 10000000u) return -EINVAL;
    *c = (slotclock_t){.period_ps = PS_PER_S_MHZ / odr_mhz};
    return 0;
}

uint64_t slotclock_offset_ns(const slotclock_t *c, uint32_t k) {
    /* k * period_ps / 1000 without overflowing 64 bits for any uint32 k */
    return (uint64_t)(k / 1000u) * c->period_ps + ((uint64_t)(k % 1000u) * c->period_ps) / 1000u;
}

uint32_t slotclock_follow(slotclock_t *c, uint32_t n) {
    uint32_t first = c->next;
    c->next += n;
    return first;
}

uint32_t slotclock_anchor(slotclock_t *c, uint32_t n, uint32_t pos, uint64_t t_ns) {
    uint32_t first = c->next;
    if (n == 0 || pos >= n) return slotclock_follow(c, n);
    if (c->anchored && (int64_t)t_ns > c->t0_ns) {
        /* the slot the clock says the anchored sample filled, to the nearest period */
        uint64_t d_ps = (uint64_t)((int64_t)t_ns - c->t0_ns) * 1000u;
        uint32_t by_clock = (uint32_t)((d_ps + c->period_ps / 2u) / c->period_ps);
        uint32_t by_count = first + pos;
        if (by_clock > by_count) {
            c->gaps++;
            c->missing += by_clock - by_count;
            first += by_clock - by_count;
        } else if (by_clock < by_count) {
            c->resyncs++; /* more samples than the clock allows: the rate is off; keep the count */
        }
    }
    /* re-anchor every time: the clock follows a sensor rate slightly off the configured one */
    c->t0_ns = (int64_t)t_ns - (int64_t)slotclock_offset_ns(c, first + pos);
    c->anchored = true;
    c->anchors++;
    c->next = first + n;
    return first;
}
