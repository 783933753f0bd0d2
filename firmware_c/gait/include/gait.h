/*
 * gait.h - the embedded gait analyzer (pure: no I/O, no malloc, float32 only).
 *
 * The caller owns a gait_t, initialises it with gait_init(), then pushes one
 * IMU sample at a time, in the shoe frame (x toes, y wearer's left, z up out of
 * the sole; +gy = toes moving down). Each pushed sample carries its sensor
 * sample index; a jump of the index by more than one means samples were
 * dropped (FIFO overrun) and the analyzer accounts for the gap. A gap longer
 * than 0.1 s (samples lost, or the sensor's time base jumping) is a break:
 * the stride in progress is reported there, flagged
 * GAIT_FLAG_SAMPLES_DROPPED, with no stride time or length (the summary's
 * distance keeps the travel measured on either side of the gap), and the
 * next stride starts afresh. Indices compare as a signed 32-bit
 * difference: a step of 2^31 samples or more reads as going backwards.
 *
 * Input that is not gait gives no strides: a stride needs a smooth toes-up
 * swing rotation of 50 ms or more and a foot that stands still between two
 * contacts. A weak swing rotation (12-30 deg: the pivot steps of a turn,
 * shuffling, steps down a staircase) is a step only if the foot lands: a
 * jerk after the rotation's end or after its landing bump, or |a| rising 1 g
 * over gravity there as the foot takes the body's weight; toe taps and heel
 * raises do neither.
 *
 * The events, as physical instants (and the landmark that finds each):
 * - IC, initial contact: the first instant the shoe touches the ground. A
 *   heel strike touches a few ms after the swing's toes-up rotation ends (gy
 *   rises through zero; motion capture puts the heel's contact 0-5 ms after
 *   it), confirmed by the impact's jerk or a toes-up sole. A heel that lands with
 *   the foot still rotating toes up stops that rotation at once: gy, slowing
 *   gently at the swing's end, turns abruptly into a steep rise through zero
 *   (the slap); contact is that knee, before the crossing, when the foot
 *   still turned toes up faster than 40 dps there and an impact follows
 *   it (a jerk, or |a| rising 1 g over its value at the knee by 25 ms after
 *   the crossing as the foot takes weight). A mid- or forefoot strike touches when its landing rotation (a toes-down bump of gy, or the
 *   end of the toes-up rotation where there is none) comes to rest. Which of
 *   the two is contact is told by the acceleration after each: when the
 *   impact after the bump's end is a real one (jerk) and peaks over twice as
 *   high (|a| - 1 g) as anything just after the top, or higher with over
 *   twice the jerk, the bump was a toes-down rotation in the air and the foot
 *   lands at its end, whatever jerk the top had (a sensor on the laces sees
 *   one as the rotation stops, and several g as a fast swing ends). A ball
 *   that touches while the bump still runs (a stair step, a slow forefoot
 *   walk: the ground arrests the toes-down turn over tens of ms) lands
 *   earlier, where |a|, falling as the foot is eased down in the air (under
 *   2 g), turns into the ground's braking and rises over 1 g before the
 *   bump's end, gy there still 25-90 % of the bump's peak. A foot can
 *   also hit the ground still rotating toes up (a forefoot strike with no
 *   toes-down rotation before it: the ball lands, the heel drops and gy
 *   crosses zero only at foot flat): contact is then the impact (|a| jumps
 *   up) late in the swing rotation, at the least toes-up rate just before
 *   it, provided the foot goes on rotating toes up for 12 ms after it and
 *   no landing at least half as strong (|a| - 1 g) follows gy's zero
 *   crossing. A ball that lands while the toes-up rotation is steady or
 *   slowing makes it speed up at once as the heel drops: contact is then the
 *   last sample before the speed-up where the rate was slowing or steady
 *   (gaining under an eighth of that pace), when the rate grows a fifth
 *   (25 dps at least) within 15 ms of it, or two samples (a swing's own
 *   rotation speeds up gradually), stays that far up at the next sample or
 *   has all but stopped there (a knock on the shoe shakes it for one sample,
 *   then the swing goes on), and |a| rises 1 g within 25 ms, and the foot
 *   turns no more than 30 deg toes up from there before gy reaches zero
 *   (foot flat); a foot turning further was still in the air.
 *   A heel's impact starts within tens of ms of the end of its
 *   toes-up rotation; when none follows the top and the first comes over 65 ms
 *   after it, before the landing bump has ended, the foot was still in the air
 *   at the top (the rotation stopped early): contact is then 10 ms before
 *   that impact's onset, unless the strapdown finds it as follows. A heel
 *   strike's foot that still descends faster than 0.3 m/s at the top
 *   (vertical velocity since the last still foot, less the last stride's
 *   drift) may still be in the air there: the strapdown follows its vertical
 *   acceleration, and the first departure from its smooth course in the air
 *   (a line fitted from just before the top; by over 5 m/s^2 and three times
 *   the course's own scatter) is the ground's force, contact where that
 *   departure started. A descent that sped up on the way (a sensor ahead of
 *   a grounded heel, as the foot slaps down about it), or a departure no
 *   later than the heel's few-ms phase lead, keeps the contact just after
 *   the top. A running foot whose gyro clipped in the swing, or that the
 *   strapdown reads rising faster than 1 m/s at the top (a foot ending its
 *   swing descends; a low sample rate spoils a fast swing's integration), has
 *   been lost by the strapdown: when the toes-down turn in the air after the
 *   top then steepens into the slap with an impact, contact is that knee.
 *   A landing found with no impact (a wobble of a foot hanging in the air
 *   read as a ball landing, or a swing that eased and surged again) is taken
 *   back when, 40-150 ms after the rotation's end, an impact comes and gy
 *   rises within 50 ms into a toes-down slap over 100 dps, which a foot
 *   already landed cannot make: contact is that impact's onset, the heel's.
 *   Labels that sit at the peak of the impact acceleration come 20-50 ms
 *   later by convention, not by error.
 * - TC, toe-off: the instant the toes leave the ground, on the fall of the
 *   last (strongest) toes-down push-off burst of gy before the swing, where
 *   gy is back to 88 % of that burst's peak. A first, weaker toes-down burst
 *   in the stance (the foot rolling over, seen from the top of the foot) is
 *   not the push-off, nor is a heel slap: when the landing ended at a dip of
 *   gy above zero (a toes-down rotation in the air, then the heel's impact)
 *   and gy rises again, the stance starts once that slap is over. A foot
 *   quiet for 50 ms after a toes-down burst was still on the ground (past
 *   toe-off it is in the air until it lands): that burst was not the
 *   push-off, which is looked for again. A peak the
 *   gyro clipped (past 99 % of full scale) is rebuilt as a rounded top from
 *   the rate's rise into the clipped run and the run's length; when 88 % of
 *   it lies above full scale, toe-off is inside the run, taken back from the
 *   run's end at the fall's steepest slope there.
 * - zero velocity: a span of still samples in the stance (low-passed rate
 *   and | |a| - 1 g | small), trimmed to run from its first to its last
 *   sample whose own rate is under 10 dps: the foot moves as soon as it
 *   turns (a sensor above or behind the toes the heel rises about moves at
 *   once), before a low-passed figure notices; or else the stance's stillest
 *   instant. It anchors stride length and attitude.
 * - activity: stairs when the stride climbs or descends at least 0.12 m and
 *   a quarter of its length, and more than the attitude error the still foot
 *   shows at the stride's end could make on its own (its length times the
 *   sine of the angle between gravity and the integrated vertical); run when the duty factor is under one half at a
 *   cadence over 140 steps/min or a speed over 2.5 m/s; else walk.
 *
 * Stride k runs from initial contact IC[k] to IC[k+1]. It is reported once its
 * successor's stance has been seen, so a stride arrives about one stride
 * after its IC. Every float field that could not be measured is NAN, never
 * invented; gait_valid() tells.
 *
 * Error convention: functions return 0 (or a count) on success, a negative
 * errno value (-EINVAL) on bad arguments.
 */
#ifndef GAIT_H
#define GAIT_H

#include <stdbool.h>
#include <stdint.h>

#include "gait_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Foot strike class at initial contact. */
typedef enum {
    GAIT_STRIKE_UNKNOWN = 0,
    GAIT_STRIKE_HEEL = 1,
    GAIT_STRIKE_MID = 2,
    GAIT_STRIKE_FORE = 3,
} gait_strike_t;

/** Activity class of a stride or of a stretch of time. */
typedef enum {
    GAIT_ACTIVITY_STILL = 0,
    GAIT_ACTIVITY_WALK = 1,
    GAIT_ACTIVITY_RUN = 2,
    GAIT_ACTIVITY_STAIRS = 3,
    GAIT_ACTIVITY_COUNT = 4,
} gait_activity_t;

/** Bits of gait_stride_t.flags. */
enum {
    GAIT_FLAG_IMPACT_CLIPPED = 1u << 0, /**< accelerometer hit full scale at impact */
    GAIT_FLAG_GYRO_SATURATED = 1u << 1, /**< gyroscope hit full scale in the stride */
    GAIT_FLAG_SAMPLES_DROPPED = 1u << 2, /**< sample indices jumped inside the stride */
};

/** Sensor settings the analyzer needs. */
typedef struct {
    float odr_hz;      /**< output data rate, Hz (e.g. 416; above 850 Hz the analyzer reads every
                        *   n-th sample, n as small as brings it under, and reports positions in
                        *   the samples pushed) */
    float accel_fs_g;  /**< accelerometer full scale, g (e.g. 16): clipping threshold */
    float gyro_fs_dps; /**< gyroscope full scale, dps (e.g. 2000): saturation threshold */
} gait_config_t;

/** One IMU sample in the shoe frame. */
typedef struct {
    float ax_g, ay_g, az_g;       /**< specific force, g (+1 g on z when flat and still) */
    float gx_dps, gy_dps, gz_dps; /**< angular rate, degrees per second */
} gait_sample_t;

/** One stride, IC[k] to IC[k+1]. Floats are NAN where not measured. */
typedef struct {
    uint32_t ic_index;        /**< sample index at or before initial contact */
    float ic_frac;            /**< IC = ic_index + ic_frac samples, 0 <= frac < 1 */
    uint32_t tc_index;        /**< sample index at or before toe-off */
    float tc_frac;            /**< TC = tc_index + tc_frac samples */
    float gct_ms;             /**< ground contact time TC - IC, ms */
    float flight_ms;          /**< flight time, stride/2 - GCT (symmetric gait), ms */
    float swing_ms;           /**< swing time IC[k+1] - TC, ms */
    float stride_ms;          /**< stride time IC[k+1] - IC, ms */
    float cadence_spm;        /**< steps per minute, 2 * 60000 / stride_ms */
    float duty_factor;        /**< GCT / stride time, 0..1 */
    float fsa_deg;            /**< foot strike angle at IC, deg, + = toes up (heel strike) */
    float pronation_deg;      /**< roll excursion during stance, deg */
    float peak_roll_rate_dps; /**< peak |gx| during stance, dps */
    float peak_impact_g;      /**< peak |a| within the impact window after IC, g */
    float stride_m;           /**< horizontal foot displacement over the stride, m */
    float speed_mps;          /**< stride_m / stride time, m/s */
    uint8_t strike;           /**< gait_strike_t */
    uint8_t activity;         /**< gait_activity_t */
    uint8_t flags;            /**< GAIT_FLAG_* */
} gait_stride_t;

/** Whole-run figures. */
typedef struct {
    uint32_t strides;          /**< strides reported */
    float distance_m;          /**< sum of valid stride lengths, m */
    float duration_s;          /**< time covered by pushed samples, s */
    float avg_pace_s_per_km;   /**< moving time / distance, s/km; NAN if no distance */
    float avg_cadence_spm;     /**< mean cadence over strides, steps/min; NAN if none */
    float activity_s[GAIT_ACTIVITY_COUNT]; /**< seconds per gait_activity_t */
    uint32_t dropped_samples;  /**< samples missing from the index sequence */
} gait_summary_t;

/**
 * Bytes of analyzer state for the build options in gait_config.h: a fixed
 * part, the raw-sample ring (13 bytes a sample) and the event queue (16 bytes
 * an event). The analyzer's sources check at compile time that its private
 * layout fits in it with little slack.
 */
#define GAIT_STATE_BYTES (2112u + 13u * (GAIT_RING_SAMPLES) + 16u * (GAIT_EVENT_QUEUE))

/**
 * Analyzer state, owned by the caller (static, on the stack, or inside the
 * caller's own struct; never malloc'd by the analyzer). Its layout is private:
 * only the gait_* functions read or write it.
 */
typedef struct gait {
    union {
        uint32_t align_u32;
        float align_f32;
        uint8_t bytes[GAIT_STATE_BYTES];
    } opaque;
} gait_t;

/** sizeof(gait_t), bytes, for hosts that allocate the state dynamically. */
extern const uint32_t gait_state_bytes;

/**
 * Initialise the analyzer.
 * @return 0, or -EINVAL if g or cfg is NULL or a rate/scale is not positive.
 */
int gait_init(gait_t *g, const gait_config_t *cfg);

/**
 * Push one sample.
 * @param index sensor sample index; must increase (gaps = dropped samples)
 * @param out   filled when a stride completes
 * @return 1 if *out holds a new stride, 0 if not, -EINVAL on NULL arguments or
 *         a non-increasing index (the sample is ignored).
 */
int gait_push(gait_t *g, uint32_t index, const gait_sample_t *s, gait_stride_t *out);

/**
 * End of stream: report a stride still held back, if it can be closed.
 * Call until it returns 0: several strides may be waiting.
 * @return 1 if *out holds a stride, 0 if none is left, -EINVAL on NULL arguments.
 */
int gait_flush(gait_t *g, gait_stride_t *out);

/**
 * Whole-run summary so far (callable at any time).
 * @return 0, or -EINVAL on NULL arguments.
 */
int gait_get_summary(const gait_t *g, gait_summary_t *out);

/**
 * Push n samples in one call (for hosts that drive the analyzer through a
 * foreign-function interface): index[i] with samples[6*i .. 6*i+5] = ax, ay,
 * az (g), gx, gy, gz (dps). Completed strides go to out[0 .. out_cap-1];
 * at[k] (if at is not NULL) receives the position i of the sample that
 * completed stride k. Samples gait_push refuses are skipped.
 * @return the number of strides written, -EINVAL on NULL arguments, or
 *         -ENOSPC if more than out_cap strides completed (the rest are lost).
 */
int gait_push_block(gait_t *g, const uint32_t *index, const float *samples, uint32_t n,
                    gait_stride_t *out, uint32_t out_cap, uint32_t *at);

/** True if a float field of a stride or summary was measured (not NAN). */
static inline bool gait_valid(float v) { return v == v; }

#ifdef __cplusplus
}
#endif

#endif /* GAIT_H */
