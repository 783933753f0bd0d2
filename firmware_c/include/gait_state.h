/*
 * gait_state.h - private layout of gait_t (included by gait.h only).
 * Callers allocate a gait_t and never touch its fields.
 */
#ifndef GAIT_STATE_H
#define GAIT_STATE_H

#include <stdint.h>

typedef struct {
    gait_config_t cfg;
    uint32_t last_index;
    uint32_t samples;
    uint32_t dropped;
    uint8_t started;
} gait_t;

/* sizeof(gait_t), bytes, for hosts that allocate the state dynamically. */
extern const uint32_t gait_state_bytes;

#endif /* GAIT_STATE_H */
