/*
 * gait_batch.c - push a block of samples in one call, for hosts that drive
 * the analyzer through a foreign-function interface (one call per block
 * instead of one per sample). Not used by the firmware itself.
 */
#include <errno.h>
#include <stddef.h>

#include "gait.h"

/* sizeof(gait_t), bytes: lets a host allocate the private state. */
const uint32_t gait_state_bytes = (uint32_t)sizeof(gait_t);

int gait_push_block(gait_t *g, const uint32_t *index, const float *samples, uint32_t n,
                    gait_stride_t *out, uint32_t out_cap, uint32_t *at) {
    if (g == NULL || index == NULL || samples == NULL || out == NULL) {
        return -EINVAL;
    }
    uint32_t count = 0;
    int overflow = 0;
    for (uint32_t i = 0; i < n; i++) {
        const float *v = &samples[6u * i];
        gait_sample_t s = {v[0], v[1], v[2], v[3], v[4], v[5]};
        gait_stride_t st;
        if (gait_push(g, index[i], &s, &st) == 1) {
            if (count < out_cap) {
                out[count] = st;
                if (at != NULL) {
                    at[count] = i;
                }
                count++;
            } else {
                overflow = 1;
            }
        }
    }
    return overflow ? -ENOSPC : (int)count;
}
