/*
 * gait_events.c - sample positions (index + fraction) and the event queue
 * between the detector (gait_detect.c, which pushes) and the stride assembly
 * (gait.c, which pops as the strapdown reaches each event). Neither of those
 * calls the other: both call this unit.
 */
#include "gait_state.h"

/* ---- sample positions ---- */

float gait_pos_diff(gait_pos_t b, gait_pos_t a) {
    return (float)(int32_t)(b.index - a.index) + (b.frac - a.frac);
}

gait_pos_t gait_pos_add(gait_pos_t a, float samples) {
    uint32_t whole = (uint32_t)samples;
    a.index += whole;
    a.frac += samples - (float)whole;
    if (a.frac >= 1.0f) {
        a.index++;
        a.frac -= 1.0f;
    }
    return a;
}

gait_pos_t gait_pos_lerp(uint32_t a, uint32_t b, float f) {
    gait_pos_t p;
    if (!(f > 0.0f)) {
        f = 0.0f;
    }
    if (f > 1.0f) {
        f = 1.0f;
    }
    float x = f * (float)(b - a);
    uint32_t whole = (uint32_t)x;
    p.index = a + whole;
    p.frac = x - (float)whole;
    if (p.frac >= 1.0f) {
        p.index++;
        p.frac = 0.0f;
    }
    return p;
}

/* ---- events ---- */

#if GAIT_TRACE
void gait_trace(int type, uint32_t index, float frac, unsigned flags);
#endif

void gait_event_push(gait_state_t *g, uint8_t type, gait_pos_t at, uint8_t flags, float value) {
#if GAIT_TRACE
    gait_trace(type, at.index, at.frac, flags);
#endif
    if (g->ev_count >= GAIT_EVENT_QUEUE) {
        return; /* cannot happen at sane rates; the event is lost */
    }
    uint8_t i = g->ev_count;
    /* keep time order: later pushes with earlier positions move forward */
    while (i > 0u && gait_pos_diff(g->ev[i - 1u].at, at) > 0.0f) {
        g->ev[i] = g->ev[i - 1u];
        i--;
    }
    g->ev[i].at = at;
    g->ev[i].type = type;
    g->ev[i].flags = flags;
    g->ev[i].value = value;
    g->ev_count++;
}

void gait_event_cancel_from(gait_state_t *g, uint32_t from) {
    uint8_t kept = 0;
    for (uint8_t i = 0; i < g->ev_count; i++) {
        if (g->ev[i].at.index < from) {
            g->ev[kept++] = g->ev[i];
        }
    }
    g->ev_count = kept;
}

void gait_event_pop(gait_state_t *g) {
    for (uint8_t i = 1; i < g->ev_count; i++) {
        g->ev[i - 1u] = g->ev[i];
    }
    g->ev_count--;
}
