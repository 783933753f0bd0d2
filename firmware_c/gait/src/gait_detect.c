/*
 * gait_detect.c - stride events from the newest sample.
 *
 * The pitch rate gy (+ = toes down) drives a small state machine over one
 * cycle of the foot:
 *   SWING    the toes-up swing rotation (gy well below zero);
 *   TOP      gy rises through zero: the toes-up rotation has ended. A heel
 *            strike lands right there (Falbriard et al. 2018 use the same
 *            landmark): the impact that follows within a few tens of ms has
 *            a jerk no swing motion has. A mid- or forefoot strike first
 *            rotates toes down for a few tens of ms and lands when that
 *            bump of gy returns to zero (or crosses it as the heel drops).
 *            Both instants are sent; the stride assembly, which knows the
 *            foot's attitude, picks one (gait.c).
 *   STANCE   foot on the ground. Zero velocity: a span of still samples, or
 *            else the stillest instant before push-off. Push-off: the heel
 *            rises (pitch falls by PUSH_DEG from that instant) and gy peaks;
 *            toe-off is where gy has fallen back to TC_FRAC of its peak
 *            (a peak the gyro clipped is rebuilt from the run's entry and
 *            length, its toe-off taken back from the run's end).
 *            The next swing confirms it.
 * Events carry exact sample positions; the strapdown runs behind and
 * consumes them (gait_state.h).
 */
#include <math.h>
#include <string.h>

#include "gait_state.h"

enum {
    PH_IDLE = 0,   /* standing, or nothing seen yet */
    PH_SWING = 1,  /* toes-up swing rotation */
    PH_TOP = 2,    /* swing rotation ended: landing */
    PH_STANCE = 3, /* on the ground */
};

/* gy below -SWING_DPS (toes-up rate) is a swing, dps. */
static const float SWING_DPS = 100.0f;
/* A pivot step (the foot turning about the vertical as it steps round a
 * corner, up or down a turning stair, or turning round on the spot) lifts
 * the foot with a fraction of the toes-up rotation, its rate peaking under
 * SWING_DPS: gy below -PIVOT_DPS is a swing too once the foot has turned
 * PIVOT_YAW_DEG about the sole's normal (gz) since gy turned negative. A
 * straight stride's swing turns it a few degrees, a toe tap or heel raise in
 * place barely at all; a pivot swing is weak and counts only if it lands
 * (LANDING_G), dps and deg. */
static const float PIVOT_DPS = 50.0f;
static const float PIVOT_YAW_DEG = 8.0f;
/* A pivot step with little or no toes-up rotation at all (turning round on
 * the spot: the foot lifted or rocked onto its heel or ball and swivelled
 * 30-150 deg about its vertical in 0.2-0.6 s, then set down softly): a sole
 * bearing the body's weight cannot spin about its vertical faster than
 * PIVOT_SPIN_DPS (the friction over the whole sole), so a foot spinning
 * faster is unloaded: it has left the ground (toe-off at the first such
 * sample) and touches again where that spin ends for the last time before
 * the foot stands still (contact). It is a step when the foot turned
 * PIVOT_TURN_DEG or more between two still stances with no swing landing in
 * between: a straight stride's stance turns the foot a few degrees, and toe
 * taps, heel raises and weight shifts in place barely turn it at all, dps
 * and deg. And only if |a| left 1 g by more than MOVE_G from the spin's
 * start until the foot stood still: a foot lifted and set down again is
 * accelerated up and braked as it takes the body's weight back, while a
 * foot whose weight the other one bears can be slid round flat on the floor
 * (a swivel on the spot, 100-450 dps), its sensor feeling only gravity and a
 * few hundredths of a g of the spin's own centripetal pull. */
static const float PIVOT_SPIN_DPS = 100.0f;
static const float PIVOT_TURN_DEG = 30.0f;
/* ... or if the sole tilted PIVOT_TILT_DEG or more in pitch off the pose
 * it stood in (since it last stood still) in the episode and came back to
 * within half that tilt of it: a foot slid round flat on the floor keeps
 * its pose (the integral only drifts, one way, by the gyro's residual offset
 * and the spin's leak: a few degrees over a swivel), while a pivot step
 * lifts the heel or the ball (heel-off: 2 cm over a 17 cm lever is 7 deg)
 * and sets the sole down flat again. Such a step, set down slowly as the
 * walker turns round (the body's weight shifting over it in a few tenths
 * of a second), moves |a| by less than MOVE_G. The tilt is the sole's pitch
 * rate less the part of the spin about the vertical that a foot standing
 * rolled (or a sensor turned on the shoe) reads on its pitch axis: the spin
 * (gz) times gravity's share of that axis where the foot last stood still
 * (a foot rolled 10 deg and swivelled 90 deg would read 15 deg), deg. */
static const float PIVOT_TILT_DEG = 6.0f;
/* A foot that lands while it turns fast about its vertical (a turning step,
 * the leg rotating the foot in the air): only the ground can stop that spin
 * within tens of ms. An unloaded foot keeps its spin about its own vertical
 * until the hip's rotators slow it, over a tenth of a second or more; at
 * contact the friction under a sole taking the body's weight brakes it at
 * once. A ball that lands while the foot turns then lowers its heel slowly:
 * the toes-up rotation dwindles at a few tens of dps for 0.1-0.4 s (or stops
 * and resumes as the heel drops), so the rotation's end (the top) comes long
 * after the contact. When, in a swing whose foot spun faster than
 * SPIN_LAND_DPS, that spin fell under SPIN_LAND_FRAC of its peak (and did
 * not pick up again past half of it), its steepest fall faster than
 * SPIN_ARREST_DPS_S, the foot touched where the braking began (that steepest
 * fall's line back to the peak rate, see SPIN_BUILD_S), if the spin was down
 * SPIN_BEFORE_S or more before the top (the foot stood there, not spinning,
 * while its heel came down; a spin stopped just at the top is the ordinary
 * landing, which the top marks) and the foot no longer rotated toes up at a
 * swing's rate where the spin fell steepest (gy above -SWING_DPS: a foot
 * still swinging through, or shaken by its landing, has not been set down
 * by its ball), dps, dps/s, s. */
static const float SPIN_LAND_DPS = 200.0f;
static const float SPIN_LAND_FRAC = 0.3f;
static const float SPIN_ARREST_DPS_S = 4000.0f;
static const float SPIN_BEFORE_S = 0.08f;
/* The sole's friction builds up to its full braking within this time of contact (the load
 * coming onto it), so the braking's onset lies at most this far before its steepest fall, s. */
static const float SPIN_BUILD_S = 0.02f;
/* A foot that comes to rest before its toes-up rotation ends: a ball that
 * lands as the walker stops (or turns) lowers its heel so slowly that the
 * rotation creeps to zero with the foot already standing still (STILL_DPS,
 * STILL_G at the top). A rotation ending in the air ends moving. The foot
 * touched where it began to take its weight: the least |a| late in the
 * rotation (toes-up rate under SWING_LATE_FRAC of its peak) before the last
 * rise of |a| over it by more than REST_LOAD_G, if that began SPIN_BEFORE_S
 * or more before the top. A heel lowered from a heel raise in place moves
 * no weight onto the foot that it did not already bear, and fidgeting keeps
 * |a| within about 0.4 g of 1 g (see LANDING_G), g. */
static const float REST_LOAD_G = 0.5f;
/* A landing takes the body's weight: |a| peaks at least this far over 1 g
 * (a 0.3-1 m/s downward foot stopped in tens of ms), g; fidgeting (toe taps,
 * heel raises, weight shifts) stays within about 0.4 g of it. */
static const float LANDING_G = 1.0f;
/* A swing must rotate the foot toes-up by at least this much, deg
 * (fidgeting toe taps and heel raises rotate it less). */
static const float SWING_MIN_DEG = 30.0f;
/* A weaker one, down to this, must end in a landing (LANDING_G), deg. */
static const float SWING_WEAK_DEG = 12.0f;
/* A shuffle step from a still foot (a first step from standing, a last one
 * into a stop) may turn the foot toes up by no more than a heel raise does
 * and at a rate under the swing's and the pivot's (30-90 dps), so that no
 * swing begins: a toes-up rotation of SHUFFLE_DEG or more at a mean rate
 * of SHUFFLE_DPS or more (a gyro's offset and noise turn a foot standing
 * still by far less) that ends with the foot a step's way (GLIDE_M) from
 * where it last stood still in this stance is a step: toe-off where the
 * rotation began (or the stance's own, if its push-off was seen), contact
 * where it ended (the foot barely lifted is down there). A heel lowered
 * from a heel raise, or dropped after a ball landing, puts the foot back
 * where it stood (or has no still instant before it in its stance), deg
 * and dps. */
static const float SHUFFLE_DEG = 5.0f;
static const float SHUFFLE_DPS = 15.0f;
/* A swing rotation lasts at least this long, s: a foot's toes-up swing is a
 * smooth rotation of a tenth of a second or more even at a sprint, while
 * vibration or noise flips the sign of gy every few samples. */
static const float SWING_MIN_S = 0.05f;
/* gy back below -REARM_DPS soon after a crossing: the rotation had not ended. */
static const float REARM_DPS = 15.0f;
/* Impact test window after the top, s, and the jerk that marks an impact, g/s. */
static const float IMPACT_WINDOW_S = 0.025f;
static const float IMPACT_JERK_GPS = 700.0f;
/* An impact transient's |a| rises from its onset to its peak within this
 * long (heel pads and soles: 5-10 ms of rise, the model's transient 6 ms):
 * at a sample period of half this or longer the sampling phase may split
 * the jump over two steps, each then under IMPACT_JERK_GPS, s. */
static const float IMPACT_RISE_S = 0.006f;
/* The ground's impact makes |a| jump within a few ms; IMPACT_JERK_GPS is such
 * a jump of 1.7 g read over this one step (the 416 Hz the analyzer was set up
 * at), s. A sample period longer than the jump's rise reads the same jump
 * spread over the whole period, its jerk shrunk by the period's ratio to this
 * (1.7 g between two samples at 104 Hz reads 175 g/s). Used only where an
 * impact confirms a landmark that gy has already placed after the top: the
 * knee of a heel's slap after a hump (HUMP_AIR_S). Elsewhere a jolt of the
 * foot in the air, or a noisy sensor, at a low rate reads as large a jump:
 * sized so for the top's own impact or the late impact, walks resynthesized
 * from real ones at 104-208 Hz lose their contacts; for an impact in the
 * swing rotation (swing_contact), one such walk at 104 Hz took a contact
 * 86 ms early, mid-swing. */
static const float IMPACT_STEP_S = 0.0024f;
/* The contact is where the ground's impact follows: the end of the landing
 * bump instead of the top when |a| - 1 g peaks this many times higher in the
 * impact window after the bump than in the one after the top, or peaks
 * higher with a jerk this many times larger (a jerk at the top is then the
 * swing's end or a toes-down flick in the air). An impact that starts after
 * the top and peaks before the bump's end counts as the top's, sized over
 * its own window: a heel that lands 20-30 ms after the top (in the air
 * there, turning toes down) has its impact peak past the top's window, and
 * the foot then slaps down about the heel until the bump ends, where the
 * forefoot's smaller knock follows; a ball that lands at the bump's end has
 * its impact peak after it. */
static const float LAND_IMPACT_RATIO = 2.0f;
/* An impact that peaks this long after the top and before the landing
 * bump's end is apart from both, s: a swing's end in the air jolts the
 * sensor at the top (peaks 2-10 ms after it), a ball landing at the bump's
 * end has its impact rise from there. */
static const float IMPACT_APART_S = 0.012f;
/* ... and, running, only if the foot did not lie flat at that crossing:
 * within this of its pitch where it last stood, deg, toes up, or twice that
 * toes down (a heel strike's top is 12-25 deg toes up). A runner's ball that
 * landed with the first impact lies flat once its heel has dropped, and the
 * heel rises into the push-off at once: that toes-down turn, whose |a|
 * matches a slap's, is then tracked as the stance's own push-off. A reading
 * far toes down is no foot lying flat (the strapdown's pitch carried ahead
 * of it, before its attitude has settled): the rule as before. A walker's
 * foot stays flat well past the crossing's window, and a walker's forefoot
 * in the air at the crossing reads within this band too (walks landing on
 * the ball uphill: 3-5 deg), so a walk keeps the rule as before. */
static const float SLAP_TOP_DEG = 5.0f;
/* A heel's impact starts within tens of ms of the end of its toes-up
 * rotation (contact 0-5 ms after it, the impact 10-30 ms after contact;
 * gaitmap's motion-capture walks: 58 of 59 strides under 44 ms, those
 * walks slowed down to 0.9 m/s up to ~63 ms). When the first impact after
 * a top with none comes later than this, before the landing bump has ended,
 * the foot was still in the air at the top, s. */
static const float LATE_IMPACT_S = 0.065f;
/* ... and it touched this long before that impact's onset, s. */
static const float LATE_CONTACT_S = 0.010f;
/* Samples of margin before the strapdown reaches the top: the top's event
 * must be queued by then, decided or not. */
static const uint32_t TOP_MARGIN = 4u;
/* Late in the swing: the toes-up rate has fallen under this fraction of its
 * peak. An impact there, before gy crosses zero, is a foot that hit the
 * ground still rotating toes up (the heel then drops). */
static const float SWING_LATE_FRAC = 0.7f;
/* ... for an impact that may be the contact, running: a runner's forefoot
 * meets the ground still turning toes up at 300-500 dps, and in a turn,
 * whose strides swing the foot more slowly, that is up to 90 % of the
 * swing's peak rate (a walker's foot has slowed well before it lands, and
 * the swings of walks read from real strides jolt at 70-85 % of it). */
static const float HIT_LATE_RUN_FRAC = 0.9f;
/* The contact is the last least toes-up rate (the rotation slowing into the
 * ground, then the heel drop speeding it up again) if it came this shortly
 * before the impact, else the sample before the impact, s. */
static const float NOTCH_BEFORE_S = 0.015f;
/* After such an impact the foot goes on rotating toes up this long (the heel
 * drops) if it was the contact, s. */
static const float HIT_HOLD_S = 0.012f;
/* A heel that lands while the foot still rotates toes up: the ground's
 * force behind the ankle arrests the rotation at once, and gy, which was
 * slowing gently at the end of the swing, rises abruptly through zero into
 * the slap. The contact is the knee where that rise starts, not the zero
 * crossing that follows (knee_track finds it). The knee must come with the
 * foot still turning toes up faster than KNEE_DPS (a rotation fading to zero
 * at the top is the ordinary heel strike), the rise from it to the crossing
 * (while the foot still turns toes up: a toes-down turn in the air after the
 * top is no contact) must be KNEE_STEEP times steeper than before it and
 * steeper than KNEE_RISE_DPS_S (the ground's arrest, not a swing's end), the
 * crossing must follow within KNEE_MAX_S, and an impact must follow the knee
 * (before the top or in its impact window, or |a| rising LANDING_G over its
 * value at the knee by the end of that window; without one the swing ended
 * in the air). A later dip of the slope under KNEE_FRAC of the steepest rise
 * since the knee is a later knee. The heel may land while the swing's
 * toes-up rate is still at its peak (a walker's heel planted at full swing,
 * a runner's heel striking with the foot still turning): gy then turns from
 * its peak straight into the ground's steep rise, the knee is at the peak
 * itself, and the contact is that peak, not the top 10-40 ms later. A peak
 * the gyro clipped hides its own shape (the fall after a rounded top beyond
 * full scale is steep in itself), so there the knee is looked for only late
 * in the rotation (SWING_LATE_FRAC). A heel that lands in a slap after a
 * toes-down turn in the air (slap_is_contact) shows the knee was the swing's
 * own end: a fast swing (a run's) can stop that abruptly in the air.
 * A walker's heel may also land while the foot turns toes up at a steady or
 * gently slowing rate, the ground then arresting it more softly than
 * KNEE_RISE_DPS_S (a heel planted at 80-250 dps, the rate falling 7,000-
 * 12,000 dps/s into the slap). Such a knee counts when the rate before it
 * held steady (the rise from it is KNEE_FLAT_STEEP times its slope, and the
 * rate was not speeding up by more than half that) and the top follows
 * within KNEE_PEAK_MAX_S: a swing ending by itself in the air takes 30-40 ms
 * from a steady rate to zero. Like a knee at the peak rate it gives way to
 * an impact that comes only long after the top (the swing stopped in the
 * air and the heel landed later). */
static const float KNEE_DPS = 40.0f;
static const float KNEE_STEEP = 2.0f;
static const float KNEE_RISE_DPS_S = 15000.0f;
static const float KNEE_FLAT_STEEP = 6.0f;
static const float KNEE_MAX_S = 0.04f;
static const float KNEE_FRAC = 0.5f;
/* Near the swing's peak rate the slope of gy is small and turns smoothly, so
 * samples out of place make a step in it as large as the ground's arrest: a
 * host that finds lost samples by timing its sensor's FIFO places a loss
 * anywhere within one read of it (tens of ms), shifting the samples between
 * by the loss's length. A knee there counts only with no sample lost from
 * this long before it until the top is sent, s. */
static const float KNEE_PEAK_CLEAN_S = 0.05f;
/* ... and the ground stops a rotation at the swing's peak rate at once: the
 * top follows such a knee within this long (a heel planted at 500 dps: 12 ms),
 * where a swing that stops by itself in the air takes 30-40 ms from its peak
 * rate to zero, s. */
static const float KNEE_PEAK_MAX_S = 0.025f;
/* A forefoot that lands still rotating toes up: the ball touches and the
 * ground's force ahead of the ankle drops the heel, so the toes-up rotation,
 * steady or slowing until then, speeds up at once, while |a| rises LANDING_G
 * as the foot takes the body's weight. A swing's own toes-up rotation
 * speeds up again only gradually (the leg's muscles, not an impact). Contact
 * is the last sample where the rate was slowing or steady before that
 * speed-up (heel_drop), when the rate grows by DROP_FRAC of itself (DROP_DPS
 * at least) within DROP_FAST_S (or two samples), is still that far up at the
 * next sample (a knock on the shoe in the air shakes it for one), and |a|
 * rises LANDING_G over its value there within DROP_WINDOW_S, dps and s. */
static const float DROP_DPS = 25.0f;
static const float DROP_FRAC = 0.2f;
static const float DROP_FAST_S = 0.015f;
static const float DROP_WINDOW_S = 0.025f;
/* ... unless the rotation has all but stopped there (under this fraction of
 * the sped-up rate): the heel came down within a sample, as at a low rate. */
static const float DROP_DONE_FRAC = 0.25f;
/* The heel drop ends with the foot flat: from the contact the foot turns
 * toes up by its strike angle, never more than this, deg (forefoot strikes
 * land 5-20 deg toes down); a foot still turning past it was in the air. */
static const float DROP_MAX_DEG = 30.0f;
/* A foot whose ball has landed and whose heel has dropped to flat cannot
 * turn toes down at once: its forefoot is on the ground, and it turns toes
 * down again only at push-off, after a foot-flat. A toes-down rate over this
 * within IMPACT_WINDOW_S of the rotation's end is the heel's slap after a
 * heel strike: the "heel drop" was the swing's own rotation speeding up
 * again in the air (a swing read on top of the foot often slows and speeds
 * up again mid-way, with |a| swinging by 1-3 g), and the impact that ends
 * the slap (the forefoot's) tells the landing, dps. */
static const float SETTLE_SLAP_DPS = 100.0f;
/* A ball that lands at the swing's toes-up rate peak (a fore- or midfoot
 * strike that drops the heel at once, often down a stair): the ground's
 * impact follows the peak within IMPACT_WINDOW_S (|a| rising LANDING_G over
 * its value at the peak), and from there the rotation only decays to foot
 * flat (never speeding up again by DROP_DPS, turning the foot toes up by its
 * strike angle, DROP_MAX_DEG at most) while the foot bears the body's weight (|a| over PEAK_LOADED_G from the impact on; a foot
 * in the air falls freely, under ~0.6 g) and comes to rest flat and still
 * (STILL_G, STILL_DPS). A swing's peak is followed by its top, the toes-down
 * hump and a landing with its own impact: the peak is the contact only when,
 * in hindsight, the top had no impact, no late impact, no rise of |a| by
 * LANDING_G over its least since the peak's impact (a foot taking its weight
 * at the top) and no landing bump over LAND_FRAC of the peak rate, g.
 * When the impact after the peak is a sharp one (a jerk over
 * IMPACT_JERK_GPS: the ground's, which no swing motion has), the foot need
 * not be seen loaded and still: a heel drop that rocks the foot past flat
 * about its heel lifts the sensor and unloads it for a few tens of ms, and
 * rocks it back down as a toes-down bump. That bump is no landing as long as
 * no impact (jerk) follows its end; a smooth rise of |a| near a swing's peak
 * (the leg braking the foot in the air) has no such jerk. */
static const float PEAK_LOADED_G = 0.8f;
/* A ball that lands while the toes-up rotation is past its peak, slowing or
 * steady (a stair step: the foot comes down onto the tread still turning
 * toes up, and the heel then drops about the ball to flat), often with no
 * heel's impact transient at all: the step arrests the foot's descent
 * (0.3-0.6 m/s stopped within a few tens of ms) and |a| climbs LANDING_G or
 * more over its least value within LOAD_RISE_S (about 100 g/s sustained,
 * rising from the first ms of contact). The leg braking the foot in the air
 * near the end of a swing changes |a| over tens of ms instead. Such a load
 * rise counts as the ground's, as a sharp impact does, and past the peak's
 * impact window the contact is the sample where the rise began (the foot
 * touching), s. */
static const float LOAD_RISE_S = 0.010f;
/* ... and |a| stays over its value at the rise's onset this long from it:
 * the step bears the foot from contact on (the arrest lasts tens of ms),
 * while a knock on the shoe in the air, or a scuff of the toes in a swing,
 * shakes it for a few ms and lets |a| fall back under where it rose from, s. */
static const float LOAD_HOLD_S = 0.012f;
/* A ball that landed, and whose heel then dropped about it, is flat when the
 * toes-up rotation ends: from that top the foot turns toes down by a few
 * degrees at most (a heel drop that rocked it past flat about the heel rocks
 * back). A heel that lands at the top has the foot toes up by its strike
 * angle (over 7.4 deg for a heel strike), and the foot then slaps down
 * through it: a load rise before such a top was no contact (a scuff or a
 * jolt of the shoe in the swing), deg. */
static const float LOAD_FLAT_DEG = 8.0f;
/* The step stops the foot's descent within tens of ms (the load rise peaks
 * 10-20 ms after contact): |a| has fallen LOAD_FALL_FRAC of LANDING_G from
 * its peak within LOAD_PEAK_S of the onset; the leg braking a swing in the
 * air builds |a| up over most of the late swing, s and fraction. */
static const float LOAD_PEAK_S = 0.030f;
static const float LOAD_FALL_FRAC = 0.5f;
/* peak_jolt: the ground's load rise (not a sharp jerk) followed the peak. */
enum { PEAK_LOAD = 2 };
/* The landing bump ends where gy falls under this fraction of its peak. */
static const float LAND_FRAC = 0.15f;
/* Band of the landing bump's descent fitted as a parabola, fractions of its peak. */
static const float LAND_FIT_LO = 0.02f;
static const float LAND_FIT_HI = 0.2f;
/* The parabola ends at the contact, where the ground's force stops the turn;
 * a foot that touches still turning with the body (a stair step in a turn)
 * goes on creeping at a few % of the bump's peak, inside the band, and those
 * samples, fitted too, drew the line's zero 10-20 ms past the contact. A
 * sample joins the fit only while sqrt(gy) still falls by at least this
 * fraction of the fitted line's fall per sample. */
static const float FIT_KEEP_FRAC = 0.25f;
/* A foot lying flat turns no faster than its sensor's noise and offset: gy
 * under the band's floor (LAND_FIT_LO of the bump's peak) this long before it
 * crosses zero (or dips) has stopped turning, and the crossing that follows is
 * that creep, not the landing's rotation (fit_flat_end), s. */
static const float FLAT_LINGER_S = 0.015f;
/* A mid- or forefoot that touches while it still turns toes down (a stair
 * step, a slow forefoot walk): the ground's force at the ball arrests that
 * turn over tens of ms, so gy reaches zero (the landing bump's end) only
 * well after contact, while the foot's descent is braked from contact on.
 * |a|, falling as the leg eases the foot down in the air, turns at contact
 * into that braking and rises BRAKE_G or more over its least value before
 * the bump has ended. Contact is then that least |a| after the bump's peak,
 * provided the foot still turned toes down there at BRAKE_RATE_FRAC of the
 * bump's peak rate or more (a foot that touches at the bump's end takes its
 * load only after it, and a rise of |a| late in the bump, with the rotation
 * nearly over, is the rotation's own end at a sensor off its axis), g. */
static const float BRAKE_G = 1.0f;
static const float BRAKE_RATE_FRAC = 0.25f;
/* ... and past the bump's peak: gy fallen under BRAKE_TURN_FRAC of it. A
 * rise of |a| from the peak on is the turn's own slowing, felt by a sensor
 * off its axis (laces, heel: alpha x r, several g at a few hundred dps
 * stopped in tens of ms). A bump peaking under BRAKE_SLOW_DPS cannot move
 * |a| by BRAKE_G so at a sensor within reach of the ball (15 cm): there the
 * foot may touch at the peak itself, dps. */
static const float BRAKE_TURN_FRAC = 0.9f;
static const float BRAKE_SLOW_DPS = 100.0f;
/* ... and from the air: |a| under BRAKE_AIR_G at that least value (a foot
 * the leg eases down moves within about a g of free motion; a dip between
 * two jolts of a foot already hitting the ground, as at a walker's heel
 * with a sensor on the side of the shoe, stays well above), g. */
static const float BRAKE_AIR_G = 2.0f;
/* A ball that touches a stair while the foot still turns toes down, however
 * slowly (the braking above asks for BRAKE_RATE_FRAC of the bump's peak rate
 * and a peak before the bump's end): the step arrests the foot's descent and
 * |a| climbs BRAKE_G within BUMP_RISE_MAX_S of the sample where it began to
 * climb (its step in under BUMP_ONSET_FRAC of a load rise's pace, see
 * LOAD_RISE_S), reaching LANDING_G over 1 g (the foot takes the body's
 * weight), and stays over where it began for LOAD_HOLD_S (a knock shakes the
 * shoe for one or two samples). The foot pivoting about the ball builds the
 * load more gently than a ball landing in the swing: 0.35 m/s stopped over
 * ~35 ms up a stair climbs about a g in 12-15 ms. The end of a toes-down turn
 * seen off its axis changes |a| over tens of ms, and a sensor behind the heel
 * in a fast hump swings it by a g or two without taking weight. The contact
 * is that onset, when it comes before the bump's end (gy still over
 * LAND_FRAC of the bump's peak there: the bump's own end estimate serves for
 * a touch at its end), fraction and s. */
static const float BUMP_ONSET_FRAC = 0.5f;
static const float BUMP_RISE_MAX_S = 0.015f;
/* The impact transient of a landing peaks 10-30 ms after contact (domain
 * notes): an impact late in the swing rotation that comes within this long
 * of the onset of a load rise (BUMP_ONSET_FRAC) before it had its contact
 * at that onset, the step already bearing the foot, s. */
static const float LOAD_IMPACT_S = 0.035f;
/* A heel slap after a landing that ended at a dip of gy above zero (a
 * toes-down rotation in the air, then the heel lands with an impact that the
 * top did not have, and the foot slaps down): gy rises this far over the
 * dip, dps. The stance starts when the
 * slap is over (gy under LAND_FRAC of its peak), at most LAND_TIMEOUT_S after
 * the dip: a slap is not a push-off. */
static const float SLAP_MIN_DPS = 50.0f;
/* ... and where gy rises this far over that dip before the landing is
 * decided (the impact window after the dip, or the slap's end), the heel
 * landed at the dip, whatever came before it: a heel down at the top slaps
 * the foot down to flat and stays there, and a ball that touched in the
 * bump lowers the heel toes up; neither turns toes down again at once. A
 * sensor behind the ankle feels the hump's own start and end (alpha x r:
 * several g within a few ms, 500 dps turned on and off in 20 ms), which
 * read as an impact at the top and as a load rise in the bump's descent;
 * the model's heel-strike walks with a 12 deg hump put their contact 20-40
 * ms early so, at the heel and the laces, dps. */
static const float SLAP_AGAIN_DPS = 100.0f;
/* A landing bump that ends by crossing zero into a toes-up turn of at least
 * this much within the impact window was in the air: the ball of the foot
 * landed at its end and the heel then dropped about it (a heel on the ground
 * since the top slaps the foot down to flat and stays there). A fore strike's
 * heel drop turns the foot 1-5 deg in that window (a slow one on a stair
 * less), gyro noise and bias a few hundredths of a degree, deg. */
static const float HEEL_DROP_DEG = 1.0f;
/* A heel strike whose swing rotation ends tens of ms before contact turns
 * toes down in the air after the top (the hump: the leg lowers the toes at a
 * few thousand dps/s), and the heel's contact then steepens that turn into
 * the slap (the ground's force behind the ankle: tens of thousands of dps/s)
 * with an impact. The contact is that knee of gy, not the top, when it comes
 * HUMP_AIR_S or more after the top (past a heel's phase lead of 2-8 ms), the
 * steepest slope within the impact window after it is HUMP_STEEP times the
 * mean slope of the turn from the top to it and over HUMP_RISE_DPS_S, and an
 * impact follows within that window (a jump of |a| between two samples,
 * whatever the rate: IMPACT_STEP_S). A heel that lands at the top slaps the
 * foot down from there: its rise steepens gradually, 1.5-2.5 times. */
static const float HUMP_AIR_S = 0.012f;
static const float HUMP_STEEP = 3.0f;
static const float HUMP_RISE_DPS_S = 5000.0f;
/* No landing bump end within this time: none, s. Counted from the top, or,
 * when the foot hung nearly still in the air after it (gy under REARM_DPS:
 * down a steep grade the toes-up rotation ends 100-140 ms before contact),
 * from the start of the toes-down bump that then carries it into the ground:
 * a bump still descending is not given up. */
static const float LAND_TIMEOUT_S = 0.15f;
/* A foot whose toes-up rotation ends in the air (a slow walker's foot
 * hovering before it is set down) may show no impact at the top and a
 * landing bump that is only a wobble; the heel then strikes tens of ms
 * later, with an impact that throws the foot toes down about the heel at
 * once (the slap). A foot already landed cannot do that: its heel is down,
 * or its ball is and the heel then drops toes up. An impact at least
 * HOVER_MIN_S after such a top, within LAND_TIMEOUT_S of it, followed
 * within HOVER_SLAP_S by gy rising SLAP_MIN_DPS over its value at the
 * impact's onset to over SETTLE_SLAP_DPS, is the heel's contact. The model's
 * heel impacts come at most 30 ms after contact: HOVER_MIN_S lies past them.
 * A landing bump whose dip the slap already followed (SLAP_AGAIN_DPS) had
 * its contact at that dip, tens of ms after the top: its impact may come
 * past HOVER_MIN_S from the top, and is that contact's. */
static const float HOVER_MIN_S = 0.04f;
static const float HOVER_SLAP_S = 0.05f;
/* A shuffle step (a short step into a stop, a first step from standing, a
 * step round a turn with the foot barely lifted): the toes-up rotation is
 * weak and the landing soft, so neither tells it from fidgeting (a toe tap,
 * a heel raise, a weight shift). What tells them apart is where the foot
 * went: a step carries the foot a footprint further between two still
 * stances, a toe tap or heel raise puts it back where it stood. A weak
 * swing with no landing of its own is a step when the foot, integrated from
 * its last still sample before the swing to the end of its landing bump
 * (a strapdown of its own over the samples the delay line still holds, its
 * attitude levelled from gravity at that still sample), went GLIDE_M or
 * more horizontally. Fidgeting moves it by the lever of a rotation of a few
 * degrees (a sensor 15 cm from the ball turned 15 deg: 4 cm), m. The delay
 * line holds GAIT_RING_SAMPLES: a swing from a still stance to its landing
 * fits in it at output rates up to about 200 Hz; at higher rates the test
 * is not made and such a swing stays fidgeting. */
static const float GLIDE_M = 0.12f;
/* ... a foot standing still is quiet (QUIET_DPS, STILL_G) this long at least, s. */
static const float GLIDE_STILL_S = 0.04f;
/* Stillness: low-passed |w| under STILL_DPS and | |a| - 1 g | under STILL_G. */
static const float STILL_DPS = 25.0f;
static const float MOVE_DPS = 40.0f;
static const float STILL_G = 0.12f;
static const float MOVE_G = 0.25f;
static const float ENERGY_TAU_S = 0.015f;
/* A foot standing still turns slower than this, sample by sample, dps: the
 * low-passed energy lags the start of the heel rise (the foot rotating about
 * its toes, a sensor above or behind them already moving), so a still span
 * ends at its last sample this quiet. */
static const float QUIET_DPS = 10.0f;
/* Half width of the centred window for the stillest instant, s. */
static const float CENTER_HALF_S = 0.006f;
/* Weight of the specific force's spread in that window: 1 dps ~ 5 mg, dps^2/g^2. */
static const float ACC_WEIGHT = 40000.0f;
/* The stillest instant of a stance has a window energy per sample under this
 * squared, dps: a sprint's stance at 104 Hz reaches ~500, a sensor shaken at
 * random (or random values) never gets under ~1,800. */
static const float STILLEST_MAX_DPS = 1000.0f;
/* Push-off: the toes go down this far past the zero-velocity instant, deg. */
static const float PUSH_DEG = 20.0f;
/* Toe-off: gy back down to this fraction of the push-off peak. */
static const float TC_FRAC = 0.88f;
static const float TC_DIP_FRAC = 0.92f;
/* Quiet this long after a toes-down burst: the foot is still on the ground, s. */
static const float REST_AFTER_S = 0.05f;
/* A sample at or beyond this fraction of the gyro's full scale is clipped. */
static const float CLIP_FRAC = 0.99f;
/* The push-off burst is over once gy is under this fraction of its peak (a
 * later burst before the swing replaces it). */
static const float TC_SEND_FRAC = 0.5f;
/* Push-off peaks below this are not push-offs, dps. */
static const float PUSH_MIN_DPS = 60.0f;
/* A stance is past its landing after this long even without a push-off seen, s. */
static const float LANDED_S = 0.2f;
/* A stance longer than this is standing, s. */
static const float STANCE_MAX_S = 2.0f;

void gait_detect_reset(gait_detect_t *d) {
    /* every field: nothing from before a gap may shape what follows it */
    memset(d, 0, sizeof(*d));
    d->phase = PH_IDLE;
    d->min_energy = 1e30f;
}

#if GAIT_TRACE
void gait_trace_phase(int phase, uint32_t index, float swing_deg, float jerk_max);
#endif

static void set_phase(gait_detect_t *d, uint8_t phase, uint32_t index) {
#if GAIT_TRACE
    gait_trace_phase(phase, index, d->swing_deg, d->jerk_max);
#endif
    d->phase = phase;
    d->phase_start = index;
    if (phase == PH_STANCE) {
        /* landed: a new stance, whose turn about the vertical starts here */
        d->piv_deg = 0.0f;
        d->piv_pitch = 0.0f;
        d->piv_fast = 0;
        d->piv_rested = 0;
        d->piv_tilt = 0;
    }
}

/* The foot's turn about its vertical since it last stood still or landed
 * (see PIVOT_TURN_DEG) and its tilt in pitch (PIVOT_TILT_DEG); wy = the
 * sole's pitch rate, gz = the rate about the sole's normal, dps. */
static void pivot_track(gait_detect_t *d, uint32_t index, float wy, float gz, float dt, float an) {
    float dev = fabsf(an - 1.0f);
    d->piv_dev = dev > d->piv_dev ? dev : d->piv_dev;
    d->piv_deg += gz * dt;
    d->piv_pitch += (wy - d->piv_lean * gz) * dt;
    float tilt = fabsf(d->piv_pitch);
    if (tilt > (float)d->piv_tilt) {
        d->piv_tilt = (uint8_t)(tilt < 255.0f ? tilt : 255.0f); /* whole degrees */
    }
    if (fabsf(gz) > PIVOT_SPIN_DPS) {
        if (!d->piv_fast) {
            d->piv_from = index;
            d->piv_dev = 0.0f;
        }
        d->piv_fast = 1;
        d->piv_last = index;
    }
}

static void stance_begin(gait_detect_t *d) {
    d->zv_state = 0;
    d->zv_any = 0;
    d->frozen = 0;
    d->quiet_after = 0;
    d->tc_found = 0;
    d->tc_sent = 0;
    d->burst_done = 0;
    d->min_energy = 1e30f;
    d->min_sent = 0;
    d->rel_deg = 0.0f;
    d->pk_val = 0.0f;
    d->clip_state = 0;
}

/* |a| of the previous sample, g. */
static float an_prev(const gait_detect_t *d) {
    return d->an1;
}

static gait_pos_t at_index(uint32_t index) {
    gait_pos_t p = {index, 0.0f};
    return p;
}

/* Where gy crossed the level between the previous sample and this one. */
static gait_pos_t crossing(const gait_detect_t *d, uint32_t index, float gy, float level) {
    return gait_pos_lerp(d->idx1, index, (d->gy1 - level) / (d->gy1 - gy));
}

/* Vertex of the parabola through the last three samples' values v2, v1, v
 * (an extremum at i1). */
static gait_pos_t vertex_of(const gait_detect_t *d, uint32_t index, float v2, float v1, float v) {
    float den = v2 - 2.0f * v1 + v;
    float off = den != 0.0f ? 0.5f * (v2 - v) / den : 0.0f;
    off = off > 0.5f ? 0.5f : (off < -0.5f ? -0.5f : off);
    if (off >= 0.0f) {
        return gait_pos_lerp(d->idx1, index, off);
    }
    return gait_pos_lerp(d->idx2, d->idx1, 1.0f + off);
}

/* Vertex of the parabola through the last three samples (an extremum at i1). */
static gait_pos_t vertex(const gait_detect_t *d, uint32_t index, float gy) {
    return vertex_of(d, index, d->gy2, d->gy1, gy);
}

/* A new zero-velocity candidate: the push-off is measured from here. */
static void candidate(gait_detect_t *d) {
    d->rel_deg = 0.0f;
    d->pk_val = 0.0f;
    d->tc_found = 0;
    d->burst_done = 0;
}

/* Stillness of the centred window: sum |w|^2 + ACC_WEIGHT * spread of a. */
static float window_energy(const gait_detect_t *d) {
    float sw = 0.0f, sa[3] = {0.0f, 0.0f, 0.0f}, sa2 = 0.0f;
    for (uint8_t k = 0; k < d->w2_len; k++) {
        sw += d->w2_hist[k];
        for (int c = 0; c < 3; c++) {
            sa[c] += d->a_hist[k][c];
            sa2 += d->a_hist[k][c] * d->a_hist[k][c];
        }
    }
    float var = sa2 - (sa[0] * sa[0] + sa[1] * sa[1] + sa[2] * sa[2]) / (float)d->w2_len;
    return sw + ACC_WEIGHT * (var > 0.0f ? var : 0.0f);
}

/* The stillest instant found so far could be a foot on the ground: a stance
 * that never gets this still is not one (noise, vibration, a shaken sensor). */
static int still_enough(const gait_detect_t *d) {
    return d->min_energy < STILLEST_MAX_DPS * STILLEST_MAX_DPS * (float)d->w2_len;
}

/*
 * A still span by the low-passed energy starts a little after the foot stops
 * and ends a little after it starts to move again (the heel rising about the
 * toes: a sensor above or behind them is already moving). The strapdown must
 * integrate up to the first and from the last sample whose own rate is quiet:
 * velocity it misses at either end stays in the segment's residual as an
 * offset, of which the drift correction (v T / 2) takes only half away,
 * shortening every stride. A span with no quiet sample keeps its low-passed
 * ends.
 */
static void zv_begin_send(gait_state_t *g, gait_detect_t *d, uint32_t at) {
    gait_event_push(g, GAIT_EV_ZV_BEGIN, at_index(at), 0u, 0.0f);
    d->begin_sent = 1;
}

static void zv_end_send(gait_state_t *g, gait_detect_t *d) {
    uint32_t end = d->quiet_seen ? d->zv_quiet : d->zv_last;
    if (!d->begin_sent) {
        zv_begin_send(g, d, d->zv_first); /* never quiet */
    }
    gait_event_push(g, GAIT_EV_ZV_END, at_index(end), 0u, 0.0f);
    d->zv_state = 2;
}

/* Stillness spans and the stillest instant of a stance (until push-off);
 * w2 = |w|^2 of this sample, dps^2. */
static void track_still(gait_state_t *g, gait_detect_t *d, uint32_t index, float w2) {
    int still = d->energy < STILL_DPS * STILL_DPS && d->acc_dev < STILL_G;
    int moving = d->energy > MOVE_DPS * MOVE_DPS || d->acc_dev > MOVE_G;
    int quiet = still && w2 < QUIET_DPS * QUIET_DPS;
    if (d->frozen && quiet) {
        /* a foot past its toe-off is in the air and never quiet again before
         * it lands: quiet this long after a toes-down burst, it was still on
         * the ground, and that burst was the landing's slap, not the push-off */
        if (++d->quiet_after >= (uint16_t)(REST_AFTER_S * g->cfg.odr_hz + 1.0f)) {
            d->frozen = 0;
            d->quiet_after = 0;
            d->clip_state = 0;
            candidate(d);
        }
    } else {
        d->quiet_after = 0;
    }
    if (d->zv_state == 1) {
        if (moving || d->frozen) {
            zv_end_send(g, d);
        } else if (still) {
            d->zv_last = index;
            candidate(d);
        }
    } else if (still && !d->frozen) {
        d->zv_state = 1;
        d->zv_any = 1;
        d->zv_first = index;
        d->zv_last = index;
        d->quiet_seen = 0;
        d->begin_sent = 0;
        candidate(d);
    }
    if (d->zv_state == 1 && !d->frozen) {
        if (quiet) {
            if (!d->begin_sent) {
                zv_begin_send(g, d, index);
            }
            d->zv_quiet = index;
            d->quiet_seen = 1;
        } else if (!d->begin_sent && index - d->zv_first + 4u >= g->delay) {
            zv_begin_send(g, d, d->zv_first); /* before the strapdown passes it */
        }
    }
    /* the stillest instant: centred window sum of |w|^2 (no filter lag),
     * attributed to the middle of the window */
    uint32_t half = d->w2_len / 2u;
    if (!d->frozen && !d->zv_any) {
        d->w2_sum = window_energy(d);
    }
    if (!d->frozen && !d->zv_any && d->w2_sum < d->min_energy && index - d->phase_start > half) {
        d->min_energy = d->w2_sum;
        d->min_index = index - half;
        d->min_sent = 0;
        candidate(d);
    }
    if (!d->frozen && !d->zv_any && !d->min_sent && d->min_energy < 1e29f && index - d->min_index + 4u >= g->delay) {
        /* a long restless stance: use its stillest instant before the
         * strapdown passes it, then look for a stiller one. Only a stiller
         * one: the push-off is measured from the stillest instant, and an
         * instant merely stiller than the samples after the one queued is
         * the foot already rotating (the push-off's own burst easing),
         * which would restart the push-off's search inside it */
        if (still_enough(d)) {
            gait_event_push(g, GAIT_EV_ZV_BEGIN, at_index(d->min_index), GAIT_EVF_STILLEST, 0.0f);
            gait_event_push(g, GAIT_EV_ZV_END, at_index(d->min_index), 0u, 0.0f);
        }
        d->min_sent = 1;
    }
}

/* The rate about the unit axis y `back` (1 or 2) samples before this one, from the delay line, dps. */
static float ring_rate_about(const gait_state_t *g, uint16_t back, const float y[3]) {
    return gait_raw_rate_about(g, &g->ring[(g->head + GAIT_RING_SAMPLES - back) % GAIT_RING_SAMPLES], y) * GM_DEG;
}

/* Push-off peak and toe-off after the zero-velocity candidate: gy = the
 * sensor's pitch rate (its full scale tells a clipped peak), wy = the rate
 * about the sole's pitch axis as mounted (axis, unit: gait_sole_mount_axis),
 * dps. The push-off and toe-off are timed on wy: a sensor turned on the shoe
 * by 10-15 deg reads the foot's roll at push-off in its own gy (a real foot
 * rolls out as its heel rises), which moved toe-off by 10-40 ms on walks
 * resynthesized from real strides with the sensor turned one way, and not the
 * other. The axis is the mounting's, not levelled: the levelled one leans
 * with the stance's pitch on a stair, and a spin about the vertical in a
 * turning step then read as a later, stronger push-off (350 ms late). */
static void track_pushoff(gait_state_t *g, gait_detect_t *d, uint32_t index, float gy, float wy, const float axis[3],
                          float dt) {
    d->rel_deg -= gy * dt;
    if (!d->frozen && d->rel_deg < -PUSH_DEG) {
        d->frozen = 1;
        if (!d->zv_any && still_enough(d) && index - d->min_index + 2u < g->delay) {
            /* no still span in this stance: its stillest instant is the zero-velocity point */
            gait_event_push(g, GAIT_EV_ZV_BEGIN, at_index(d->min_index), GAIT_EVF_STILLEST, 0.0f);
            gait_event_push(g, GAIT_EV_ZV_END, at_index(d->min_index), 0u, 0.0f);
        }
    }
    if (d->tc_sent) {
        return;
    }
    float lim = CLIP_FRAC * g->cfg.gyro_fs_dps - g->nav.bias[1];
    if (gy >= lim) {
        if (d->clip_state != 1u) {
            d->clip_in_idx = d->idx1;
            uint32_t step = d->idx1 - d->idx2;
            d->clip_in_m = (d->gy1 - d->gy2) / (float)(step > 0u ? step : 1u);
        }
        d->clip_state = 1u;
    } else if (d->clip_state == 1u) {
        /* the run is over; its fall's slope needs the next sample */
        d->clip_state = 2u;
        d->clip_exit = crossing(d, index, gy, lim);
        return;
    } else if (d->clip_state == 2u) {
        /* the push-off's peak was beyond full scale: a rounded top entered
         * at slope m and clipped for L samples rises m L / 4 above it */
        d->clip_state = 0u;
        float len = gait_pos_diff(d->clip_exit, at_index(d->clip_in_idx));
        float top = lim + 0.25f * d->clip_in_m * len;
        if (top > d->pk_val) {
            d->pk_val = top;
        }
        if (!d->tc_found && d->pk_val > PUSH_MIN_DPS && TC_FRAC * top > lim && len > 0.0f) {
            /* its fall to TC_FRAC of the top is inside the run: back from
             * the run's end at the fall's steepest slope seen there (the
             * rate may collapse through full scale within a sample) */
            float fall = d->gy1 - gy;
            float drop = lim - d->gy1;
            fall = drop > fall ? drop : fall;
            float back = fall > 0.0f ? (TC_FRAC * top - lim) / fall : 0.0f;
            back = back > 0.5f * len ? 0.5f * len : back;
            d->tc = gait_pos_lerp(d->clip_in_idx, d->clip_in_idx + (uint32_t)ceilf(len), (len - back) / ceilf(len));
            d->tc_found = 1;
        }
    }
    if (d->burst_done && wy > d->pk_val) {
        /* a stronger toes-down burst after the first one ended, before the
         * swing: that one is the push-off (a top-of-foot sensor sees the
         * stance's slow roll-over as a first, smaller burst; a toes-down
         * drift of the foot after toe-off is weaker than its push-off) */
        d->burst_done = 0;
        d->pk_val = wy;
        d->tc_found = 0;
    } else if (wy > d->pk_val) {
        /* a higher peak: the push-off is still building */
        d->pk_val = wy;
        d->tc_found = 0;
    } else if (!d->tc_found && d->pk_val > PUSH_MIN_DPS) {
        /* the rate a sample and two samples back, from the delay line */
        float w1 = ring_rate_about(g, 1u, axis);
        if (wy < TC_FRAC * d->pk_val) {
            d->tc = gait_pos_lerp(d->idx1, index, (w1 - TC_FRAC * d->pk_val) / (w1 - wy));
            d->tc_found = 1;
        } else if (w1 <= wy && w1 < TC_DIP_FRAC * d->pk_val) {
            float w2 = ring_rate_about(g, 2u, axis);
            if (w1 < w2) {
                /* the fall after the peak pauses just short of TC_FRAC: toe-off at the dip */
                d->tc = vertex_of(d, index, w2, w1, wy);
                d->tc_found = 1;
            }
        }
    } else if (d->tc_found && d->frozen && wy < TC_SEND_FRAC * d->pk_val) {
        d->burst_done = 1; /* the burst is over; the swing sends its toe-off */
    }
}

/* The strapdown has not yet passed sample i: an event there can still be queued. */
static int index_before_nav(const gait_state_t *g, const gait_detect_t *d, uint32_t i) {
    return d->idx1 - i + 2u < g->delay;
}

/* A swing starts: close the stance's zero-velocity span and toe-off. */
static void stance_end(gait_state_t *g, gait_detect_t *d) {
    if (d->hit_pending) {
        d->hit_pending = 0; /* a new swing before a landing: the impact was the contact */
        gait_event_push(g, GAIT_EV_IC_TOP, d->hit, GAIT_EVF_CONTACT, d->swing_peak);
    }
    if (d->zv_state == 1) {
        zv_end_send(g, d);
    }
    int weak_push = d->phase == PH_STANCE && !d->frozen && !d->zv_any;
    if (weak_push && !d->min_sent && still_enough(d) && index_before_nav(g, d, d->min_index)) {
        /* a stance with no still span whose push-off turned the heel up by
         * less than PUSH_DEG (a pivot step turns the foot a fraction as far
         * in pitch): the swing now starting shows the foot was on the
         * ground before it, and its stillest instant is its zero-velocity
         * point, as at a push-off (track_pushoff) */
        gait_event_push(g, GAIT_EV_ZV_BEGIN, at_index(d->min_index), GAIT_EVF_STILLEST, 0.0f);
        gait_event_push(g, GAIT_EV_ZV_END, at_index(d->min_index), 0u, 0.0f);
    }
    /* the toe-off: where the push-off's toes-down burst fell back to TC_FRAC
     * of its peak. A swing starting confirms it was the push-off, even one
     * that turned the heel up by less than PUSH_DEG (a pivot step's) */
    if (d->phase == PH_STANCE && (d->frozen || weak_push) && d->tc_found && !d->tc_sent) {
        gait_event_push(g, GAIT_EV_TC, d->tc, 0u, 0.0f);
        d->tc_sent = 1;
    }
}

/* In a stance or standing: the foot stands still again. If it spun unloaded
 * about its vertical and turned PIVOT_TURN_DEG since it last stood still or
 * landed, with no swing landing in between, that was a pivot step: toe-off
 * where the spin began (or the push-off's, if one was seen), contact where
 * it ended. Either way the next episode starts here. */
static void pivot_settle(gait_state_t *g, gait_detect_t *d, uint32_t index) {
    if (!(d->energy < STILL_DPS * STILL_DPS && d->acc_dev < STILL_G)) {
        return;
    }
    if (d->piv_rested && d->piv_fast && fabsf(d->piv_deg) >= PIVOT_TURN_DEG &&
        (d->piv_dev > MOVE_G ||
         ((float)d->piv_tilt >= PIVOT_TILT_DEG && fabsf(d->piv_pitch) <= 0.5f * (float)d->piv_tilt)) &&
        index - d->piv_from + TOP_MARGIN < g->delay) {
        gait_pos_t tc = d->phase == PH_STANCE && d->frozen && d->tc_found ? d->tc : at_index(d->piv_from);
        int tc_sent = d->tc_sent;
        d->hit_pending = 0;
        if (d->zv_state == 1) {
            zv_end_send(g, d);
        }
        if (!tc_sent) {
            gait_event_push(g, GAIT_EV_TC, tc, 0u, 0.0f);
        }
        gait_event_push(g, GAIT_EV_IC_TOP, at_index(d->piv_last), GAIT_EVF_CONTACT, 0.0f);
        stance_begin(d);
        set_phase(d, PH_STANCE, index);
    }
    d->piv_deg = 0.0f;
    d->piv_pitch = 0.0f;
    d->piv_fast = 0;
    d->piv_rested = 1;
    d->piv_tilt = 0;
    if (d->an1 > 0.5f) {
        d->piv_lean = (d->acc1[0] * g->sole_y[0] + d->acc1[1] * g->sole_y[1] + d->acc1[2] * g->sole_y[2]) / d->an1;
    }
}

/* In a swing (its rotation and landing): the foot's spin about its vertical,
 * its steepest fall since its peak and whether it has fallen under
 * SPIN_LAND_FRAC of it (see SPIN_LAND_DPS); az = |gz| of this sample, dps,
 * dt its step, s. A spin that picks up again past half its peak was not
 * arrested by the ground. */
static void spin_track(const gait_state_t *g, gait_detect_t *d, uint32_t index, float az, float dt) {
    float az1 = fabsf(d->gz1);
    if (az > d->spin_peak || (d->spin_down && az > 0.5f * d->spin_peak)) {
        /* a faster spin, or the spin resumed: any fall so far was in the air */
        d->spin_peak = az;
        d->spin_peak_idx = index;
        d->spin_fall = 0.0f;
        d->spin_down = 0;
        return;
    }
    float fall = dt > 0.0f ? (az1 - az) / dt : 0.0f;
    if (!d->spin_down && fall > d->spin_fall) {
        /* the braking began where this steepest fall's line meets the spin's peak rate (the
         * friction builds up as the sole takes the weight), SPIN_BUILD_S at most before this
         * fall and never before the peak itself: samples back from the previous sample */
        float back = (d->spin_peak - az1) / (az1 - az) * (float)(index - d->idx1);
        float most = (float)(d->idx1 - d->spin_peak_idx);
        float build = SPIN_BUILD_S * g->cfg.odr_hz;
        most = most < build ? most : build;
        back = back < most ? back : most;
        back = back > 0.0f ? back : 0.0f; /* (a rate over the kept peak, or no number at all: from here) */
        uint32_t whole = (uint32_t)ceilf(back);
        d->spin_fall = fall;
        d->spin_at = gait_pos_add(at_index(d->idx1 - whole), (float)whole - back);
        d->spin_gy = d->gy1;
    }
    if (!d->spin_down && az < SPIN_LAND_FRAC * d->spin_peak) {
        d->spin_down = 1;
        d->spin_down_idx = index;
    }
}

/* At the top: did the ground arrest the foot's spin well before it (see
 * SPIN_LAND_DPS), with the strapdown not yet there? */
static int spin_is_contact(const gait_state_t *g, const gait_detect_t *d, uint32_t index) {
    return d->spin_down && d->spin_peak > SPIN_LAND_DPS && d->spin_fall > SPIN_ARREST_DPS_S &&
           index - d->spin_at.index + TOP_MARGIN < g->delay &&
           gait_pos_diff(d->top, at_index(d->spin_down_idx)) * g->dt_s > SPIN_BEFORE_S &&
           gait_pos_diff(d->spin_at, d->peak_at) > 0.0f && d->spin_gy > -SWING_DPS;
}

/* Late in a swing rotation (see REST_LOAD_G): the last rise of |a| by more
 * than REST_LOAD_G over the least value before it, and where that least
 * value was (after a rise has peaked, the least value is sought afresh: the
 * leg braking the foot in the air swells |a| too, before the ground's own
 * rise); an = |a| of this sample, g. */
static void rest_track(gait_detect_t *d, uint32_t index, float gy, float an) {
    if (!(gy < 0.0f && -gy < SWING_LATE_FRAC * d->swing_peak)) {
        return;
    }
    if (d->rest_rising) {
        if (an >= d->rest_peak) {
            d->rest_peak = an;
            return;
        }
        d->rest_rising = 0; /* past that rise's peak */
        d->rest_low = an;
        d->rest_low_at = index;
    }
    if (an < d->rest_low) {
        d->rest_low = an;
        d->rest_low_at = index;
    } else if (an - d->rest_low > REST_LOAD_G) {
        d->rest_at = d->rest_low_at;
        d->rest_found = 1;
        d->rest_rising = 1;
        d->rest_peak = an;
    }
}

/* At the top: did the foot come to rest on the ground before it (see REST_LOAD_G)? */
static int rest_is_contact(const gait_state_t *g, const gait_detect_t *d, uint32_t index) {
    return d->energy < STILL_DPS * STILL_DPS && d->acc_dev < STILL_G && d->rest_found &&
           gait_pos_diff(d->top, at_index(d->rest_at)) * g->dt_s > SPIN_BEFORE_S &&
           index - d->rest_at + TOP_MARGIN < g->delay;
}

/* Horizontal distance the foot went from its last still sample at or before
 * swing_from to the newest sample, to, m (see GLIDE_M); -1 when the samples
 * are no longer all in the delay line, a gap lies between, or no still
 * sample lies at or after since. The foot's velocity is zero at from;
 * the foot has landed by the newest sample, so the velocity left there is
 * integration error grown over the span, which takes v T / 2 off the
 * distance (as in the strapdown's own segments). */
static float ring_glide_m(const gait_state_t *g, uint32_t swing_from, uint32_t to, uint32_t since) {
    /* the foot's last still sample before the swing: the end of the last
     * run of GLIDE_STILL_S of quiet samples (a single quiet sample may be
     * the heel rise's toes-down turn reversing into the swing's toes-up one) */
    uint32_t need = (uint32_t)(GLIDE_STILL_S * g->cfg.odr_hz + 1.0f), run = 0u, n = to - swing_from;
    uint16_t pos = (uint16_t)((g->head + GAIT_RING_SAMPLES - n) % GAIT_RING_SAMPLES);
    const gait_raw_t *r;
    for (;;) {
        if (n + 16u >= g->delay || to - n < since) {
            return -1.0f;
        }
        r = &g->ring[pos];
        float w2 = 0.0f, a2 = 0.0f;
        for (int k = 0; k < 3; k++) {
            float wk = (float)r->w[k] * g->gyro_lsb - g->nav.bias[k];
            float ak = (float)r->a[k] * g->acc_lsb;
            w2 += wk * wk;
            a2 += ak * ak;
        }
        float dev = sqrtf(a2) - 1.0f;
        run = w2 < QUIET_DPS * QUIET_DPS && fabsf(dev) < STILL_G ? run + 1u : 0u;
        if (run >= need) {
            break;
        }
        if (g->ring_gap[pos] != 1u) {
            return -1.0f;
        }
        pos = (uint16_t)((pos + GAIT_RING_SAMPLES - 1u) % GAIT_RING_SAMPLES);
        n++;
    }
    /* the run's latest sample */
    n -= need - 1u;
    pos = (uint16_t)((pos + need - 1u) % GAIT_RING_SAMPLES);
    r = &g->ring[pos];
    float a[3], w_prev[3], an_prev[3] = {0.0f, 0.0f, 0.0f}, v[3] = {0.0f, 0.0f, 0.0f}, p[3] = {0.0f, 0.0f, 0.0f};
    for (int k = 0; k < 3; k++) {
        a[k] = (float)r->a[k] * g->acc_lsb;
    }
    gait_raw_rate(g, r, w_prev);
    gm_quat_t q;
    gm_quat_identity(&q);
    gm_quat_level(&q, a);
    float g0 = sqrtf(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
    float dt = g->dt_s;
    for (uint32_t i = 1u; i <= n; i++) {
        pos = (uint16_t)((pos + 1u) % GAIT_RING_SAMPLES);
        if (g->ring_gap[pos] != 1u) {
            return -1.0f;
        }
        r = &g->ring[pos];
        float w[3], an[3];
        for (int k = 0; k < 3; k++) {
            a[k] = (float)r->a[k] * g->acc_lsb;
        }
        gait_raw_rate(g, r, w);
        gm_quat_rotvec(&q, 0.5f * (w_prev[0] + w[0]) * dt, 0.5f * (w_prev[1] + w[1]) * dt,
                       0.5f * (w_prev[2] + w[2]) * dt);
        gm_quat_to_nav(&q, a, an);
        an[2] -= g0;
        for (int k = 0; k < 3; k++) {
            an[k] *= GM_G_MPS2;
            float v1 = v[k] + 0.5f * (an_prev[k] + an[k]) * dt;
            p[k] += 0.5f * (v[k] + v1) * dt;
            v[k] = v1;
            an_prev[k] = an[k];
            w_prev[k] = w[k];
        }
    }
    float half = 0.5f * (float)n * dt;
    float x = p[0] - v[0] * half, y = p[1] - v[1] * half;
    return sqrtf(x * x + y * y);
}

/* In a stance or standing, gy rising through zero at this sample: did a
 * toes-up rotation too weak for a swing end a shuffle step here (see
 * SHUFFLE_DEG)? If so its events are sent and a stance begins here. */
static int shuffle_settle(gait_state_t *g, gait_detect_t *d, uint32_t index, float gy) {
    if (!(gy >= 0.0f && d->gy1 < 0.0f && d->neg_deg >= SHUFFLE_DEG && d->neg_s >= SWING_MIN_S &&
          d->neg_deg >= SHUFFLE_DPS * d->neg_s && !(d->piv_fast && fabsf(d->piv_deg) >= PIVOT_TURN_DEG))) {
        return 0;
    }
    uint32_t from = index - (uint32_t)(d->neg_s * g->cfg.odr_hz + 0.5f); /* where gy turned negative */
    if (index - from + TOP_MARGIN >= g->delay || ring_glide_m(g, from, index, d->phase_start) < GLIDE_M) {
        return 0;
    }
    if (d->zv_state == 1) {
        zv_end_send(g, d);
    }
    if (!d->tc_sent) {
        gait_event_push(g, GAIT_EV_TC, d->phase == PH_STANCE && d->tc_found ? d->tc : at_index(from), 0u, 0.0f);
    }
    gait_event_push(g, GAIT_EV_IC_TOP, crossing(d, index, gy, 0.0f), GAIT_EVF_CONTACT, 0.0f);
    stance_begin(d);
    set_phase(d, PH_STANCE, index);
    return 1;
}

static void swing_begin(gait_state_t *g, gait_detect_t *d, uint32_t index) {
    stance_end(g, d);
    set_phase(d, PH_SWING, index);
    d->swing_from = index;
    d->hover = 0;
    d->spin_peak = 0.0f;
    d->spin_fall = 0.0f;
    d->spin_down = 0;
    d->spin_hit = 0;
    d->rest_low = 1e6f;
    d->rest_found = 0;
    d->rest_rising = 0;
    d->rest_hit = 0;
    d->swing_deg = d->neg_deg; /* the toes-up rotation began when gy turned negative */
    d->swing_s = d->neg_s;
    d->swing_peak = 0.0f;
    d->notch_found = 0;
    d->hit_found = 0;
    d->knee[0].found = 0;
    d->knee[1].found = 0;
    d->jolt_found = 0;
    d->knee_hit = 0;
    d->drop_found = 0;
    d->peak_state = 0;
    d->load_cand = 0;
    d->sw_load = 0;
    d->sw_on = index;
    d->sw_on_an = 1e6f;
}

/* The landing bump ended at a dip above zero and the slap followed (SLAP_AGAIN_DPS). */
static int slap_after_dip(const gait_detect_t *d) {
    return d->land_found && d->slap && d->slap_dip > STILL_DPS && d->slap_max > d->slap_dip + SLAP_AGAIN_DPS;
}

/* The top's flags: the landing bump's end if the heel dropped after it, or
 * if the heel's slap followed its dip (SLAP_AGAIN_DPS) (the bump was a
 * toes-down turn in the air, and the jolt a sensor away from the foot's
 * rotation centre feels at the top is that turn's start); else from
 * the acceleration after each landmark: an impact after the top (a heel
 * strike), unless a far stronger one follows the end of the landing bump
 * (the foot landed there; the top's jerk was in the air). */
static uint8_t top_flags(const gait_state_t *g, const gait_detect_t *d) {
    if (d->land_xing && d->bump_drop_deg >= HEEL_DROP_DEG && !d->late_found) {
        return GAIT_EVF_LANDS; /* the ball landed at the bump's end, then the heel dropped */
    }
    if (slap_after_dip(d)) {
        return GAIT_EVF_LANDS; /* the heel landed at the dip, then slapped down */
    }
    /* the impact the foot took before the bump's end: at the top, or the
     * first one after it, sized over its own window, if it peaked before the
     * bump ended (a heel that lands tens of ms after the top peaks after the
     * top's window; a ball landing at the bump's end peaks after it) */
    int imp = d->imp_found && d->imp_peak < d->land.index;
    /* that impact peaked well apart from the top (where a swing's end jolts
     * a sensor off the rotation's axis) and from the bump's end (where a
     * ball's landing impact rises): the ground's under the heel, which
     * landed inside the bump; a sharper knock at the bump's end is then the
     * forefoot's slap, no ball landing (a sprinter's heel whose impact
     * peaks 24 ms after the top was read landing 36 ms late, mid-foot) */
    int heel_in_bump = imp && gait_running_now(g, d->swing_peak) &&
                       gait_pos_diff(at_index(d->imp_peak), d->top) * g->dt_s > IMPACT_APART_S &&
                       (float)(d->land.index - d->imp_peak) * g->dt_s > IMPACT_APART_S;
    float pre_acc = imp && d->imp_acc > d->top_acc ? d->imp_acc : d->top_acc;
    float pre_jerk = imp && d->imp_jerk > d->jerk_max ? d->imp_jerk : d->jerk_max;
    if (d->land_found && d->land_jerk > IMPACT_JERK_GPS &&
        (d->land_acc - 1.0f > LAND_IMPACT_RATIO * (pre_acc - 1.0f) ||
         (d->land_acc > pre_acc && d->land_jerk > LAND_IMPACT_RATIO * pre_jerk && !heel_in_bump))) {
        /* far higher, or higher and far sharper: a fast swing's end seen off
         * the rotation's axis decelerates the sensor by several g, smoothly */
        return GAIT_EVF_LANDS;
    }
    return d->jerk_max > IMPACT_JERK_GPS ? GAIT_EVF_IMPACT : 0u;
}

/* The foot landed at the knee taken as contact: an impact (jerk) came in the
 * swing rotation at or after it, or |a| rose LANDING_G over its value there
 * by the end of the top's impact window as the foot took the body's weight
 * (a mid- or forefoot landing has no heel's impact transient). */
static int knee_landed(const gait_detect_t *d) {
    return (d->jolt_found && d->jolt.index >= d->contact.index) || d->top_acc - d->contact_an > LANDING_G;
}

/* The earliest sample the top's events may sit at: the strapdown must not
 * pass it first. A ball landing at the toes-up rate's peak (peak_landed)
 * puts the contact at that peak, before any other candidate. */
static uint32_t top_first(const gait_detect_t *d) {
    uint32_t first;
    if (d->spin_hit || d->rest_hit) {
        first = d->spin_hit ? d->spin_at.index : d->rest_at;
    } else {
        first = d->knee_hit ? d->contact.index : d->top.index;
    }
    return d->peak_state >= 2u && d->peak_at.index < first ? d->peak_at.index : first;
}

/*
 * In the landing bump, sl = slope of gy from the previous sample to this one,
 * dps/s, jerk = |da/dt| there, g/s: the step over which the slope rose most
 * into a rise of gy while the foot turned toes down, from HUMP_AIR_S after
 * the top (placed where the lines before and after that step meet; the
 * hump's own abrupt start at the top, and the slap's end, where a fall of gy
 * eases, are no knees), the steepest slope and the largest jerk within the
 * impact window after it.
 */
static void slap_track(const gait_state_t *g, gait_detect_t *d, uint32_t index, float sl, float jerk, float an) {
    gait_knee_t *k = &d->hump_knee;
    if (k->found && gait_pos_diff(at_index(index), k->at) * g->dt_s <= IMPACT_WINDOW_S) {
        k->rise_sl = sl > k->rise_sl ? sl : k->rise_sl;
        d->slap_jerk = jerk > d->slap_jerk ? jerk : d->slap_jerk;
        d->slap_an_hi = an > d->slap_an_hi ? an : d->slap_an_hi;
    }
    if (gait_pos_diff(at_index(d->idx2), d->top) >= 0.0f) {
        d->air_hi = d->gy2 > d->air_hi ? d->gy2 : d->air_hi;
    }
    /* a fall that eases into a rise is the knee only in the bump (a dip,
     * the toes-down turn in the air checked by the heel's contact), not
     * past its end (gy under LAND_FRAC of its peak: the slap's own end,
     * the foot flat, which a gyro bias or noise can turn into a rise) */
    float dip_min = d->sl2 < 0.0f ? LAND_FRAC * d->bump_max : 0.0f;
    float inc = sl - d->sl2;
    if (d->gy1 > dip_min && inc > 0.0f && sl > 0.0f && gait_pos_diff(at_index(d->idx2), d->top) * g->dt_s >= HUMP_AIR_S &&
        (!k->found || inc > k->inc)) {
        float f = (d->sl1 - sl) / (d->sl2 - sl);
        f = f > 1.0f ? 1.0f : (f < 0.0f ? 0.0f : f);
        k->at = gait_pos_lerp(d->idx2, d->idx1, f);
        k->gy = d->gy2 + f * (d->gy1 - d->gy2);
        k->after = d->idx1;
        k->sl = d->sl2;
        k->inc = inc;
        k->rise_sl = sl;
        k->eased = d->air_hi - d->gy2;
        k->found = 1;
        d->slap_jerk = jerk;
        d->slap_an0 = an_prev(d);
        d->slap_an_hi = an;
    }
}

/* Was the bump's knee the heel's contact after a turn in the air (see HUMP_AIR_S)? */
static int slap_is_contact(const gait_state_t *g, const gait_detect_t *d) {
    const gait_knee_t *k = &d->hump_knee;
    float air_s = gait_pos_diff(k->at, d->top) * g->dt_s;
    if (!k->found || air_s < HUMP_AIR_S) {
        return 0;
    }
    /* the turn in the air before it: its mean slope from the top, or, where
     * it had passed its peak and fell into a dip before the slap, the
     * falling slope there */
    float before = k->gy / air_s;
    before = k->sl < 0.0f ? k->sl : before;
    /* the impact after the knee: a jump of |a| by IMPACT_JERK_GPS x
     * IMPACT_STEP_S between two samples, however far apart (at 104 Hz a
     * heel's impact of a few g reads 300-450 g/s: a knee it follows is the
     * heel's contact, the foot's first touch of the ground after its turn
     * in the air, 30-40 ms after the top), or |a| rising LANDING_G over its
     * value before the knee within the impact window (one sample smears the
     * jump over two) */
    float step_s = g->dt_s > IMPACT_STEP_S ? g->dt_s : IMPACT_STEP_S;
    return k->rise_sl > HUMP_STEEP * before && k->rise_sl > HUMP_RISE_DPS_S &&
           (d->slap_jerk * step_s > IMPACT_JERK_GPS * IMPACT_STEP_S || d->slap_an_hi - d->slap_an0 > LANDING_G);
}

/*
 * In a swing rotation (s the sample, gy its pitch rate, dt its step, s,
 * an = |a|, g): the last peak of the toes-up rate, then the impact within
 * IMPACT_WINDOW_S of it (and whether it was sharp) and the rotation's decay
 * after it (see PEAK_LOADED_G).
 */
static float jerk_of(const gait_detect_t *d, const gait_sample_t *s, float dt);

static void peak_track(const gait_state_t *g, gait_detect_t *d, uint32_t index, const gait_sample_t *s, float gy,
                       float dt, float an) {
    /* a new peak of the toes-up rate, unless the ground's load rise came
     * before it (or one is being confirmed): then it is the heel drop's,
     * about the landed ball */
    int landed = (d->peak_state == 2u && d->peak_jolt == PEAK_LOAD) || d->load_cand;
    if (d->gy1 < 0.0f && d->gy1 < d->gy2 && d->gy1 <= gy && -d->gy1 >= d->swing_peak && !landed) {
        d->peak_at = vertex(d, index, gy);
        d->peak_hi = d->gy1;
        d->peak_deg = 0.0f;
        d->peak_an = an_prev(d);
        d->peak_state = 1;
        d->peak_jolt = 0;
        d->load_low_an = d->peak_an;
        d->load_low_idx = d->idx1;
        d->load_cand = 0;
    }
    if (d->peak_state == 0u) {
        return;
    }
    d->peak_deg -= gy * dt;
    /* after a load rise (or while one is being confirmed) the rotation may
     * speed up again: the heel drops about the landed ball (see DROP_DPS),
     * turning the foot toes up by its strike angle at most */
    int sped = gy < d->peak_hi - DROP_DPS && d->peak_jolt != PEAK_LOAD && !d->load_cand;
    if (sped || d->peak_deg > DROP_MAX_DEG || index - d->peak_at.index + TOP_MARGIN >= g->delay) {
        /* sped up again, or turned too far: the swing goes on (or the
         * strapdown is about to pass the peak undecided) */
        d->peak_state = 0;
        d->load_cand = 0;
        return;
    }
    d->peak_hi = gy > d->peak_hi ? gy : d->peak_hi;
    int in_window = gait_pos_diff(at_index(index), d->peak_at) * g->dt_s <= IMPACT_WINDOW_S;
    if (in_window && !d->peak_jolt && jerk_of(d, s, dt) > IMPACT_JERK_GPS) {
        d->peak_jolt = 1;
    }
    /* the load rise (LOAD_RISE_S): |a| up LANDING_G from the last sample
     * it rose into slower than that pace (where the ground's arrest began),
     * the foot still turning toes up */
    int load = 0;
    if (d->peak_state <= 2u && d->peak_jolt != PEAK_LOAD) {
        float an1 = an_prev(d);
        float cand_s = (float)(index - d->load_low_idx) * g->dt_s;
        int knock = an < d->load_low_an && cand_s < LOAD_HOLD_S;
        if (d->load_cand && (knock || gy >= 0.0f || cand_s > LOAD_PEAK_S)) {
            /* back under the onset at once (a knock on the shoe in the air),
             * or still rising (the leg braking the swing) */
            d->load_cand = 0;
            d->load_low_an = an;
            d->load_low_idx = index;
        } else if (d->load_cand) {
            d->load_max = an > d->load_max ? an : d->load_max;
            /* held, peaked and falling, and the foot took the body's weight
             * (|a| LANDING_G over 1 g) */
            load = cand_s >= LOAD_HOLD_S && an < d->load_max - LOAD_FALL_FRAC * LANDING_G && d->load_max - 1.0f > LANDING_G;
        } else if (an - d->load_low_an > LANDING_G && gy < 0.0f && !d->peak_jolt) {
            /* (a rise that starts after a sharp impact is no later contact) */
            d->load_cand = 1;
            d->load_max = an;
        } else if (an - an1 <= LANDING_G / LOAD_RISE_S * dt) {
            d->load_low_an = an;
            d->load_low_idx = index;
        }
    }
    if (load) {
        d->load_cand = 0;
        /* the ground's arrest: the contact is where it began, unless that
         * was before the peak (the ball landed at the peak) */
        if (gait_pos_diff(at_index(d->load_low_idx), d->peak_at) > 0.0f) {
            d->peak_at = at_index(d->load_low_idx);
            d->peak_deg = 0.0f;
        }
        if (d->peak_state < 2u) {
            d->peak_an = an;
        }
        d->peak_state = 2;
        d->peak_jolt = PEAK_LOAD;
    }
    if (d->peak_state >= 2u) {
        d->peak_an = an < d->peak_an ? an : d->peak_an;
        if (gy > -STILL_DPS && d->acc_dev < STILL_G) {
            d->peak_state = 3; /* flat and still, bearing the body's weight */
        }
        return;
    }
    if (in_window && an - d->peak_an > LANDING_G) {
        d->peak_state = 2;
        d->peak_an = an;
    }
}

/* Was the toes-up rate peak the contact (see PEAK_LOADED_G)? */
static int peak_landed(const gait_state_t *g, const gait_detect_t *d) {
    if (d->late_found || slap_is_contact(g, d)) {
        return 0;
    }
    if (d->peak_jolt == PEAK_LOAD && d->top_down_deg > LOAD_FLAT_DEG) {
        return 0; /* the foot slapped down after the top: a heel landed there */
    }
    if (d->peak_state == 3u && d->peak_an > PEAK_LOADED_G && d->bump_max < LAND_FRAC * d->swing_peak) {
        return 1; /* loaded, then flat and still */
    }
    /* a sharp impact, and the bump after the top (if any) ends with none */
    return d->peak_state >= 2u && d->peak_jolt && !(d->land_found && d->land_jerk > IMPACT_JERK_GPS);
}

static gait_pos_t land_contact(const gait_detect_t *d);

static void top_send(gait_state_t *g, gait_detect_t *d) {
    if (d->spin_hit || d->rest_hit) {
        /* the ground arrested the foot's spin, or the foot took its weight
         * and came to rest before the rotation ended: it touched there */
        gait_event_push(g, GAIT_EV_IC_TOP, d->spin_hit ? d->spin_at : at_index(d->rest_at), GAIT_EVF_CONTACT,
                        d->swing_peak);
        d->top_sent = 1;
        return;
    }
    if (d->slapped == 2u) {
        /* a shuffle step found by the distance the foot went (GLIDE_M) */
        gait_event_push(g, GAIT_EV_IC_TOP, d->top, GAIT_EVF_CONTACT, d->swing_peak);
        d->top_sent = 1;
        return;
    }
    uint8_t flags = top_flags(g, d);
    if (flags == 0u && !d->knee_hit && peak_landed(g, d)) {
        /* the ball landed at the peak; the heel dropped to foot flat */
        gait_event_push(g, GAIT_EV_IC_TOP, d->peak_at, GAIT_EVF_CONTACT, d->swing_peak);
        d->top_sent = 1;
        return;
    }
    if (d->knee_hit && slap_is_contact(g, d)) {
        d->knee_hit = 0; /* the heel landed in the slap after a turn in the air: the knee was the swing's end */
    }
    if (d->knee_hit == 2u && d->late_found) {
        /* a knee at the swing's peak rate or a soft one from a steady rate,
         * and the ground's impact only long after the top: the swing stopped
         * abruptly in the air (its stop jolts a sensor off the rotation's
         * axis), and the heel landed later */
        d->knee_hit = 0;
    }
    if (d->knee_hit && (flags == GAIT_EVF_IMPACT || (flags == 0u && knee_landed(d)))) {
        /* the heel landed still rotating toes up: contact at the knee, with
         * the impact after it, before the top or just after it */
        gait_event_push(g, GAIT_EV_IC_TOP, d->contact, GAIT_EVF_CONTACT, d->swing_peak);
        d->top_sent = 1;
        return;
    }
    float late = d->late_found ? gait_pos_diff(d->late, d->top) : 0.0f; /* samples */
    if (flags == 0u && d->late_found && !d->slapped) {
        /* the foot touched just before that late impact, not at the top, if
         * it came very late; if it came sooner, the strapdown decides from
         * the foot's descent (gait.c) */
        gait_event_push(g, GAIT_EV_IC_LATE, gait_pos_add(d->top, late - LATE_CONTACT_S * g->cfg.odr_hz), 0u, 0.0f);
        flags = late * g->dt_s > LATE_IMPACT_S ? GAIT_EVF_LATE : GAIT_EVF_AIR;
        if (flags == GAIT_EVF_AIR && d->land_found && d->imp_found && d->imp_peak < land_contact(d).index) {
            flags |= GAIT_EVF_BUMP; /* the impact came inside the bump */
        }
    }
    if (flags != GAIT_EVF_LANDS && slap_is_contact(g, d)) {
        /* the slap steepened late: the contact if the foot was in the air at the top (gait.c) */
        /* value: how far the toes-down turn in the air had eased from its
         * peak before the slap steepened it, dps */
        gait_event_push(g, GAIT_EV_IC_KNEE, d->hump_knee.at, 0u, d->hump_knee.eased);
        flags |= GAIT_EVF_KNEE;
    }
    gait_event_push(g, GAIT_EV_IC_TOP, d->top, flags, d->swing_peak);
    d->top_sent = 1;
}

/* |da/dt| between the previous sample and this one, g/s. */
static float jerk_of(const gait_detect_t *d, const gait_sample_t *s, float dt) {
    const float a[3] = {s->ax_g, s->ay_g, s->az_g};
    float j = 0.0f;
    for (int k = 0; k < 3; k++) {
        float da = a[k] - d->acc1[k];
        j += da * da;
    }
    return sqrtf(j) / dt;
}

/*
 * In a swing rotation, sl = slope of gy from the previous sample to this
 * one, dps/s. Two marks of the knee, kept while gy rises after the swing's
 * peak: a dip of the slope (the rotation slowing into the ground just before
 * it takes over; a later dip replaces it if lower, or under KNEE_FRAC of the
 * steepest rise since it), and, from the rate's peak on (late in the
 * rotation only when the gyro clipped the peak), the step over which the
 * slope rose most (at a low rate a dip of a few ms falls between two
 * samples; at the peak the slope turns from the swing's own speed-up
 * straight into the ground's arrest), placed where the lines before and
 * after that step meet. gy = this sample's pitch rate, dps.
 */
static void knee_track(const gait_state_t *g, gait_detect_t *d, float gy, float sl) {
    gait_knee_t *k = d->knee;
    if (k[0].found && d->idx1 == k[0].after + 1u) {
        k[0].eased = sl; /* the second step after the dip */
    }
    for (int m = 0; m < 2; m++) {
        if (k[m].found && sl > k[m].rise_sl) {
            k[m].rise_sl = sl;
        }
    }
    if (-gy > d->swing_peak) {
        k[1].found = 0; /* the rotation still speeds up: a step before its peak is none */
    }
    if (!(d->gy1 < 0.0f)) {
        return;
    }
    if (d->sl2 > 0.0f && d->sl1 < d->sl2 && d->sl1 <= sl &&
        (!k[0].found || d->sl1 < k[0].sl || d->sl1 < KNEE_FRAC * k[0].rise_sl)) {
        /* vertex of the parabola through the three slopes, each at its step's middle */
        float den = d->sl2 - 2.0f * d->sl1 + sl;
        float off = den != 0.0f ? 0.5f * (d->sl2 - sl) / den : 0.0f;
        off = off > 0.5f ? 0.5f : (off < -0.5f ? -0.5f : off);
        k[0].at = gait_pos_lerp(d->idx2, d->idx1, 0.5f + off);
        k[0].gy = d->gy1;
        k[0].after = d->idx1;
        k[0].sl = d->sl1;
        k[0].rise_sl = sl;
        k[0].inc = sl; /* the step after the dip */
        k[0].eased = sl;
        k[0].an = an_prev(d);
        k[0].found = 1;
    }
    float inc = sl - d->sl2;
    /* gy at or beyond the gyro's negative full scale: clipped, its slope unknown */
    float clip = -CLIP_FRAC * g->cfg.gyro_fs_dps - g->nav.bias[1];
    int early = -d->gy2 >= SWING_LATE_FRAC * d->swing_peak;
    /* near the peak only with no sample lost lately (KNEE_PEAK_CLEAN_S): such
     * a step must not displace a knee later in the rotation */
    int clean = (float)d->run_len >= KNEE_PEAK_CLEAN_S * g->cfg.odr_hz;
    if (inc > 0.0f && -gy < d->swing_peak && d->gy2 > clip && d->gy1 > clip &&
        !(early && (-d->swing_peak <= clip || !clean)) && (!k[1].found || inc > k[1].inc)) {
        float f = (d->sl1 - sl) / (d->sl2 - sl);
        f = f > 1.0f ? 1.0f : (f < 0.0f ? 0.0f : f);
        k[1].at = gait_pos_lerp(d->idx2, d->idx1, f);
        k[1].gy = d->gy1;
        k[1].after = d->idx1;
        k[1].sl = d->sl2;
        k[1].inc = inc;
        k[1].rise_sl = sl;
        k[1].an = an_prev(d);
        k[1].found = 1;
    }
}

/*
 * The contact at a dip of the slope. The ground's arrest bends the slope of
 * gy: steady or easing in the air, then rising at a steady jerk from the
 * contact on (the force builds up over the first ms), so the slope after the
 * contact is a ramp that starts at the contact. The slopes over the two steps
 * after the dip (each at its step's middle) lie on that ramp: the line
 * through them meets the dip's slope at the contact. The vertex of the
 * parabola through the three slopes around the dip falls on the low side of
 * that bend, most of a sample early (the model's heel landings at 416 Hz:
 * 0.8 sample early on the median; by the ramp 0.1). Without a steeper second
 * step (the top came first, or the ramp is no ramp) the vertex stands.
 */
static gait_pos_t dip_contact(const gait_knee_t *k) {
    float ramp = k->eased - k->inc; /* the ramp's rise over a step, dps/s */
    if (!(ramp > 0.0f) || k->after == 0u) {
        return k->at;
    }
    /* samples from the middle of the step after the dip back to the contact */
    float back = (k->inc - k->sl) / ramp;
    float from = 1.5f - back; /* samples from the sample before the dip's end */
    from = from < 0.0f ? 0.0f : (from > 2.0f ? 2.0f : from);
    return gait_pos_add(at_index(k->after - 1u), from);
}

/* At the top: was a knee the contact (see KNEE_DPS)? The dip first, then the step.
 * 1: yes; 2: yes, if no impact comes only long after the top (a knee near
 * the swing's peak rate, or a soft arrest); 0: no. */
static int knee_is_contact(const gait_state_t *g, gait_detect_t *d, uint32_t index) {
    for (int m = 0; m < 2; m++) {
        const gait_knee_t *k = &d->knee[m];
        /* the rise from the sample after the knee to the top, the foot still turning toes up there */
        float to_top_s = gait_pos_diff(d->top, at_index(k->after)) * g->dt_s;
        float rise = to_top_s > 0.0f ? -k->gy / to_top_s : 0.0f;
        /* the step near the swing's peak rate: no sample lost around it (see
         * KNEE_PEAK_CLEAN_S); a dip of the slope is a dip whatever the rate */
        int early = m == 1 && -k->gy >= SWING_LATE_FRAC * d->swing_peak;
        int on_time = (float)d->run_len >= (float)(index - k->after) + KNEE_PEAK_CLEAN_S * g->cfg.odr_hz;
        /* the ground's sharp arrest, or its softer one from a steady rate (see KNEE_FLAT_STEEP) */
        int steep = rise > KNEE_STEEP * k->sl && rise > KNEE_RISE_DPS_S;
        int flat = rise > KNEE_FLAT_STEEP * k->sl && rise > -2.0f * KNEE_FLAT_STEEP * k->sl && to_top_s < KNEE_PEAK_MAX_S;
        if (k->found && k->gy < -KNEE_DPS && (steep || flat) &&
            gait_pos_diff(d->top, k->at) * g->dt_s < (early ? KNEE_PEAK_MAX_S : KNEE_MAX_S) && (!early || on_time)) {
            d->contact = m == 0 ? dip_contact(k) : k->at;
            d->contact_an = k->an;
            return early || !steep ? 2 : 1;
        }
    }
    return 0;
}

/* The detector goes to stance from a contact in the swing rotation (at d->hit). */
static void hit_stance(gait_detect_t *d, uint32_t index) {
    d->late_found = 0;
    d->notch_found = 0;
    d->hit_found = 0;
    d->drop_found = 0;
    d->hit_pending = 1;
    d->hit_xing = 0;
    d->drop_hit = 0;
    stance_begin(d);
    set_phase(d, PH_STANCE, index);
}

/*
 * In a swing rotation that has turned the foot SWING_WEAK_DEG toes up: did a
 * forefoot land, the heel then dropping (see DROP_DPS)? Tracks the last
 * sample the rate was slowing or steady into and sped up from (at a local
 * maximum of gy, the parabola's vertex) and, within DROP_WINDOW_S of it, the
 * rate's growth and the rise of |a|. The detector then goes to stance with
 * that sample as the contact; hit_settle hands it back to the swing if the
 * foot turns over DROP_MAX_DEG toes up before foot flat, or to a stronger
 * landing after gy's zero crossing (the speed-up was in the air).
 * Returns 1 when the detector went to stance.
 */
/* The growth of the toes-up rate that marks a heel drop from rate gy, dps. */
static float drop_grow(float gy) {
    float grow = DROP_FRAC * -gy;
    return grow > DROP_DPS ? grow : DROP_DPS;
}

static int heel_drop(gait_state_t *g, gait_detect_t *d, uint32_t index, float gy, float an) {
    /* the rate steady (speeding up at under an eighth of a heel drop's
     * pace) or slowing into the previous sample, and speeding up from it */
    float steady = -drop_grow(d->gy1) / (8.0f * DROP_FAST_S);
    if (d->drop_found != 2u && d->gy1 < 0.0f && gy <= d->gy1 && d->sl1 >= steady) {
        d->drop = d->gy1 > d->gy2 ? vertex(d, index, gy) : at_index(d->idx1);
        d->drop_idx = d->idx1;
        d->drop_gy = d->gy1;
        d->drop_an = an_prev(d);
        d->drop_acc = an;
        d->drop_found = 1;
    }
    if (!d->drop_found) {
        return 0;
    }
    float since_s = gait_pos_diff(at_index(index), d->drop) * g->dt_s;
    /* a ball that touches a step with the toes-up rotation all but stopped
     * (under REARM_DPS: the foot set onto the tread, its rate creeping) lowers
     * its heel more slowly, the more so on a turning stair: from that near
     * stop the rate grows by REARM_DPS (the rotation resumed, as after a top)
     * over DROP_WINDOW_S rather than by DROP_DPS within DROP_FAST_S, with |a|
     * rising LANDING_G all the same (an explored turning climb: 15-25 dps
     * within 25 ms, every contact taken 115 ms late at the foot flat instead);
     * a swing rotation does not pick up from a near stop in the air with the
     * foot taking weight */
    int stopped = -d->drop_gy < REARM_DPS;
    /* at a low rate the speed-up may show only two samples on */
    int fast_over = since_s > (stopped ? DROP_WINDOW_S : DROP_FAST_S) && index - d->drop_idx > 2u;
    /* a speed-up seen on the last sample is checked on this one even past
     * the window (at a low rate its next sample may come later) */
    int checking = d->drop_found == 2u && index - d->drop_idx <= 2u;
    if ((since_s > DROP_WINDOW_S && !checking) || (fast_over && d->drop_found == 1u)) {
        d->drop_found = 0; /* no landing, or a rotation speeding up gradually */
        return 0;
    }
    if (since_s <= DROP_WINDOW_S && an > d->drop_acc) {
        d->drop_acc = an;
    }
    int grown = d->drop_gy - gy > (stopped ? REARM_DPS : drop_grow(d->drop_gy));
    if (d->drop_found == 1u) {
        if (grown) {
            d->drop_found = 2; /* sped up at once; the next sample tells if it lasts */
            d->drop_idx = index;
            d->drop_fast = gy;
        }
        return 0;
    }
    if (!grown && gy < DROP_DONE_FRAC * d->drop_fast) {
        d->drop_found = 0; /* the rate fell back (a knock shaking the foot in the air), or no landing */
        return 0;
    }
    if (d->drop_acc - d->drop_an > LANDING_G) {
        d->hit = d->drop;
        d->hit_index = d->drop.index;
        d->hit_acc = d->drop_acc;
        hit_stance(d, index);
        d->drop_hit = 1;
        d->drop_deg = 0.0f;
        return 1;
    }
    return 0;
}

/*
 * Late in a swing rotation that has not ended: did the foot hit the ground
 * still rotating toes up? A mid- or forefoot strike with no toes-down
 * rotation before contact does: the ball lands, the heel drops, and gy only
 * crosses zero at foot flat, tens of ms later. The ground's impact makes |a|
 * jump up; the contact is where the slowing rotation was least toes-up just
 * before it, or the sample before it. It can be the contact only if the foot
 * goes on rotating toes up for HIT_HOLD_S after it (the heel dropping): the
 * abrupt end of a swing rotation also jerks a sensor off the rotation's axis
 * (heel, laces), but gy crosses zero right there. The detector then goes to
 * stance; hit_settle decides whether a stronger landing follows.
 * Returns 1 when the detector went to stance.
 */
static int swing_contact(gait_state_t *g, gait_detect_t *d, uint32_t index, float gy, float dt, float an) {
    if (d->swing_deg < SWING_WEAK_DEG || d->swing_s < SWING_MIN_S) {
        d->drop_found = 0;
    } else if (heel_drop(g, d, index, gy, an)) {
        return 1;
    }
    /* late in the swing rotation (see HIT_LATE_RUN_FRAC; whether the foot
     * runs is asked only where the two fractions differ) */
    int early = -gy > HIT_LATE_RUN_FRAC * d->swing_peak ||
                (-gy > SWING_LATE_FRAC * d->swing_peak && !gait_running_now(g, d->swing_peak));
    if (d->swing_deg < SWING_WEAK_DEG || d->swing_s < SWING_MIN_S || early) {
        d->notch_found = 0;
        d->hit_found = 0;
        d->sw_load = 0;
        d->sw_on = index;
        d->sw_on_an = an;
        return 0;
    }
    if (d->hit_found) {
        float hit_s = (float)(index - d->hit_index) * g->dt_s;
        if (hit_s <= IMPACT_WINDOW_S && an > d->hit_acc) {
            d->hit_acc = an;
        }
        if (hit_s < HIT_HOLD_S) {
            return 0;
        }
        hit_stance(d, index);
        return 1;
    }
    if (d->gy1 > d->gy2 && d->gy1 >= gy && d->gy1 < 0.0f) {
        d->notch = vertex(d, index, gy);
        d->notch_found = 1;
    }
    /* the ground stops the foot: |a| jumps up (the end of a swing rotation
     * seen off the rotation's axis can make it fall, or rise) */
    float an1 = an_prev(d);
    /* a load rise late in the swing (as in the landing bump, see
     * BUMP_ONSET_FRAC): where it began */
    if (!d->sw_load && an - an1 <= BUMP_ONSET_FRAC * LANDING_G / LOAD_RISE_S * dt) {
        d->sw_on = index;
        d->sw_on_an = an;
    } else if (!d->sw_load && an - d->sw_on_an > LANDING_G && an - 1.0f > LANDING_G &&
               (float)(index - d->sw_on) * dt <= BUMP_RISE_MAX_S) {
        d->sw_load = 1;
    }
    /* the impact's jump of |a| in the last step, or, where two steps span
     * its rise (IMPACT_RISE_S), in the last two, per sample period */
    int split = 2.0f * dt >= IMPACT_RISE_S && (an - d->an2) / dt > IMPACT_JERK_GPS && (an - an1) / dt <= IMPACT_JERK_GPS;
    if ((an - an1) / dt > IMPACT_JERK_GPS || split) {
        d->hit = at_index(split ? d->idx2 : d->idx1); /* the last sample before the jump */
        if (d->notch_found && gait_pos_diff(d->hit, d->notch) * g->dt_s <= NOTCH_BEFORE_S) {
            d->hit = d->notch;
        }
        if (d->sw_load && gait_pos_diff(d->hit, at_index(d->sw_on)) * g->dt_s <= LOAD_IMPACT_S) {
            d->hit = at_index(d->sw_on); /* the step took the foot's weight before its impact */
        }
        if (d->peak_state >= 2u && d->peak_jolt && gait_pos_diff(d->hit, d->peak_at) > 0.0f) {
            /* the ground's impact (or load rise) already followed the rate's
             * peak within its window, while the rate was still too high for
             * an impact to count here: the ball landed at the peak (or where
             * that load rise began), and this jump is that landing's impact
             * still ringing, or the heel's after it; the contact came first */
            d->hit = d->peak_at;
        }
        d->hit_index = index;
        d->hit_acc = an;
        d->hit_found = 1;
    }
    return 0;
}

/* The detector goes to the landing (PH_TOP) after a top: nothing of a
 * landing bump, its heel drop or slap, or a late impact seen yet. */
static void landing_begin(gait_detect_t *d, uint32_t index) {
    d->land_found = 0;
    d->top_down_deg = 0.0f;
    d->bump_from = index;
    d->fit_n = 0.0f;
    d->fit_crept = 0;
    d->land_acc = 0.0f;
    d->land_jerk = 0.0f;
    d->bump_drop_deg = 0.0f;
    d->brake_rise = 0.0f;
    d->brake_low_an = 1e6f;
    d->load_found = 0;
    d->land_xing = 0;
    d->hump_knee.found = 0;
    d->air_hi = 0.0f;
    d->slap_jerk = 0.0f;
    d->late_found = 0;
    d->imp_found = 0;
    d->imp_acc = 0.0f;
    d->imp_jerk = 0.0f;
    d->slapped = 0;
    set_phase(d, PH_TOP, index);
}

/*
 * In stance from an impact late in the swing (swing_contact): if gy then
 * crosses zero and a landing impact follows that is not far weaker than the
 * first (LAND_IMPACT_RATIO), the first was a jolt in the air and the foot
 * lands at the crossing: the detector goes back to the landing (PH_TOP) with
 * that top sent as a heel strike's. If instead the foot hangs after the
 * crossing (no impact in its window, no slap: a heel on the ground since the
 * first impact would slap the foot down about it at once) and a late impact
 * not far weaker than the first follows within LAND_TIMEOUT_S of it, the
 * first was the swing rotation's own abrupt stop in the air, felt off the
 * rotation's axis, and the foot touched just before the late impact: the top
 * is sent with GAIT_EVF_LATE and that contact (gait.c), and the stance
 * starts afresh there (its stillest instant is not the hang's). Otherwise the impact was the contact. Decided after the crossing's
 * impact window (or the late impact's), after LAND_TIMEOUT_S with no
 * crossing, or before the strapdown reaches the impact.
 * Returns 1 when the detector went back to the landing.
 */
static int hit_settle(gait_state_t *g, gait_detect_t *d, uint32_t index, float gy, float dt, float jerk, float an) {
    float hit_s = (float)(index - d->hit_index) * g->dt_s;
    if (d->drop_hit && !d->hit_xing && gy < 0.0f) {
        d->drop_deg -= gy * dt;
        if (d->drop_deg > DROP_MAX_DEG) {
            /* turned too far toes up for a heel drop: the swing rotation
             * sped up in the air; it goes on */
            d->hit_pending = 0;
            d->drop_hit = 0;
            d->swing_deg += d->drop_deg;
            d->swing_s += hit_s;
            set_phase(d, PH_SWING, index);
            return 1;
        }
    }
    if (hit_s <= IMPACT_WINDOW_S && an > d->hit_acc) {
        d->hit_acc = an;
    }
    float top_s = 0.0f;
    if (!d->hit_xing) {
        if (d->gy1 < 0.0f && gy >= 0.0f) {
            d->top = crossing(d, index, gy, 0.0f);
            d->hit_xing = 1;
            d->jerk_max = jerk;
            d->top_acc = an;
            d->bump_max = gy;
            /* 2: a running foot lay flat there (see SLAP_TOP_DEG): no slap follows
             * (its pitch carried ahead over the ring only for a run, the one it decides) */
            d->slap = 0u;
            if (gait_running_now(g, d->swing_peak)) {
                float lift = gait_sole_lift_at(g, d->top);
                d->slap = lift < SLAP_TOP_DEG * GM_RAD && lift > -2.0f * SLAP_TOP_DEG * GM_RAD ? 2u : 0u;
            }
            d->slap_jerk = 0.0f;
        }
    } else {
        top_s = gait_pos_diff(at_index(index), d->top) * g->dt_s;
        if (top_s <= IMPACT_WINDOW_S) {
            d->jerk_max = jerk > d->jerk_max ? jerk : d->jerk_max;
            d->top_acc = an > d->top_acc ? an : d->top_acc;
            if (gy > SETTLE_SLAP_DPS && d->slap == 0u) {
                d->slap = 1; /* toes down at once: the heel's slap */
            }
        }
        d->bump_max = gy > d->bump_max ? gy : d->bump_max;
    }
    /* the slap runs until gy falls back under LAND_FRAC of its peak */
    int slap_on = d->hit_xing && d->slap == 1u && top_s <= LAND_TIMEOUT_S && gy > LAND_FRAC * d->bump_max;
    if (slap_on) {
        d->slap_jerk = jerk > d->slap_jerk ? jerk : d->slap_jerk;
        d->top_acc = an > d->top_acc ? an : d->top_acc;
    }
    int late = index - d->hit.index + TOP_MARGIN >= g->delay;
    /* the foot hung after the crossing (no impact in its window, no slap,
     * never still, no push-off: a walking foot on the ground since the first
     * impact takes the body's weight and stands still, or pushes off; a
     * running foot is never still on the ground either, and its stance is
     * over within 100-200 ms, so a run cannot tell the two): the first
     * impact after that window, and its size over its own */
    int hung = d->hit_xing && top_s > IMPACT_WINDOW_S && !d->slap && d->jerk_max <= IMPACT_JERK_GPS && !d->zv_any &&
               !d->frozen && !gait_running_now(g, d->swing_peak);
    if (hung && !d->late_found && jerk > IMPACT_JERK_GPS) {
        d->late = at_index(d->idx1);
        d->late_found = 1;
        d->imp_acc = an;
    }
    int late_on = d->late_found && gait_pos_diff(at_index(index), d->late) * g->dt_s <= IMPACT_WINDOW_S;
    if (late_on && an > d->imp_acc) {
        d->imp_acc = an;
    }
    /* a heel drop waits for the foot flat (or its bound) however slow */
    int waits = hit_s <= LAND_TIMEOUT_S || (d->drop_hit && !d->hit_xing);
    int hangs = hung && top_s <= LAND_TIMEOUT_S && (!d->late_found || late_on);
    if (!late && !(d->hit_xing && top_s > IMPACT_WINDOW_S && !slap_on && !hangs) && (waits || slap_on || hangs)) {
        return 0;
    }
    /* a heel drop that ends at the crossing within the impact window of its
     * own landing, with no stronger impact there: the jerk there is that
     * landing's transient still going (a ball's impact rings for ~10 ms and
     * the heel comes down within it when it drops at 1000 dps), not a second
     * landing after a speed-up in the air (whose impact outdoes the jolt) */
    int ringing = d->drop_hit && d->hit_xing && d->top_acc <= d->hit_acc &&
                  gait_pos_diff(d->top, at_index(d->hit_index)) * g->dt_s < IMPACT_WINDOW_S;
    d->drop_hit = 0;
    d->hit_pending = 0;
    if (!late && hung && d->late_found && LAND_IMPACT_RATIO * (d->imp_acc - 1.0f) > d->hit_acc - 1.0f) {
        /* the foot hung in the air after the crossing, and the ground's
         * impact came only then, not far weaker than the first: that first
         * was the swing rotation's own abrupt stop in the air (a sensor off
         * the rotation's axis feels it as a jump of |a|), and the foot
         * touched just before the late impact, as after any top with none
         * (GAIT_EVF_LATE whatever its delay: the foot was in the air at the
         * top, so the top is no contact) */
        float after = gait_pos_diff(d->late, d->top);
        gait_event_push(g, GAIT_EV_IC_LATE, gait_pos_add(d->top, after - LATE_CONTACT_S * g->cfg.odr_hz), 0u, 0.0f);
        gait_event_push(g, GAIT_EV_IC_TOP, d->top, GAIT_EVF_LATE, d->swing_peak);
        d->top_sent = 1;
        /* the stance starts at the late impact: nothing of the hang is still */
        stance_begin(d);
        set_phase(d, PH_STANCE, index);
        return 0;
    }
    /* the slap's own impact, or at a low rate (where a sample smears the
     * jerk) |a| LANDING_G over 1 g in it */
    int slap_hit = d->slap == 1u && (d->slap_jerk > IMPACT_JERK_GPS || d->top_acc - 1.0f > LANDING_G);
    /* when the delay line forces the decision (late) the earlier impact is
     * taken, unless a sharp impact already followed the crossing: the top,
     * which the strapdown has not reached, still wins then */
    if (!ringing && d->hit_xing && (d->jerk_max > IMPACT_JERK_GPS || (!late && slap_hit)) &&
        LAND_IMPACT_RATIO * (d->top_acc - 1.0f) > d->hit_acc - 1.0f && d->slap != 2u) {
        gait_event_push(g, GAIT_EV_IC_TOP, d->top, GAIT_EVF_IMPACT, d->swing_peak);
        d->top_sent = 1;
        d->knee_hit = 0;
        d->spin_hit = 0;
        d->rest_hit = 0;
        d->slap = 0;
        d->fit_t = d->fit_s = d->fit_tt = d->fit_ts = 0.0f;
        d->fit_ref = index;
        landing_begin(d, index);
        return 1;
    }
    gait_event_push(g, GAIT_EV_IC_TOP, d->hit, GAIT_EVF_CONTACT, d->swing_peak);
    /* a contact read from the rotation and |a| alone, with no impact after
     * the rotation's end: the foot may still be in the air (HOVER_MIN_S) */
    d->hover = (uint8_t)(!late && d->hit_xing && d->jerk_max <= IMPACT_JERK_GPS && !slap_hit &&
                         index_before_nav(g, d, d->swing_from));
    d->hover_top = d->top.index;
    return 0;
}

/* In the landing bump's descent, before its end is known: the least |a|
 * since the bump's peak (where it restarts) or since a new fall of |a|
 * under it, and the largest rise of |a| over such a least value, with where
 * that least value was, gy there and where the rise peaked. */
static void brake_track(gait_detect_t *d, uint32_t index, float an, float gy, int restart, float dt) {
    float an1 = an_prev(d);
    if (restart) {
        d->brake_rise = 0.0f;
        d->load_found = 0;
    }
    /* the load rise (see BUMP_ONSET_FRAC): BRAKE_G up within
     * BUMP_RISE_MAX_S from the last sample |a| rose into slower than
     * BUMP_ONSET_FRAC of a load rise's pace, to LANDING_G over 1 g, the foot
     * still turning toes down at that onset; the first one after the bump's
     * peak */
    if (restart || (!d->load_found && an - an1 <= BUMP_ONSET_FRAC * LANDING_G / LOAD_RISE_S * dt)) {
        d->load_on = index;
        d->load_on_an = an;
        d->load_on_gy = gy;
    } else if (!d->load_found && an - d->load_on_an > BRAKE_G && an - 1.0f > LANDING_G && d->load_on_gy > 0.0f &&
               (float)(index - d->load_on) * dt <= BUMP_RISE_MAX_S) {
        d->load_found = 1;
    }
    if (restart || an < d->brake_low_an) {
        d->brake_low = at_index(index);
        d->brake_low_an = an;
        d->brake_low_gy = gy;
    } else if (an - d->brake_low_an > d->brake_rise) {
        d->brake_rise = an - d->brake_low_an;
        d->brake_at = d->brake_low;
        d->brake_an = d->brake_low_an;
        d->brake_gy = d->brake_low_gy;
        d->brake_peak = index;
    }
}

/* The landing bump's contact: the least |a| before the ground's braking
 * when that braking peaked before the bump's end (BRAKE_G) with the foot
 * in the air until then (BRAKE_AIR_G) and still turning toes down, past
 * the bump's peak (BRAKE_RATE_FRAC, BRAKE_TURN_FRAC); else the onset of a
 * load rise in the bump's descent (BUMP_ONSET_FRAC), held, that began
 * before the bump's end, however little the foot still turned toes down
 * there and wherever the rise peaks; else the bump's end. */
static gait_pos_t land_contact(const gait_detect_t *d) {
    if (slap_after_dip(d)) {
        return d->land; /* in the air until the dip: no braking or load before it */
    }
    if (d->brake_rise > BRAKE_G && d->brake_an < BRAKE_AIR_G && d->brake_gy > BRAKE_RATE_FRAC * d->bump_max &&
        (d->brake_gy < BRAKE_TURN_FRAC * d->bump_max || d->bump_max < BRAKE_SLOW_DPS) &&
        gait_pos_diff(d->land, at_index(d->brake_peak)) > 0.0f &&
        gait_pos_diff(d->brake_at, d->top) > 0.0f) {
        return d->brake_at;
    }
    if (d->load_found == 2u && d->load_on_an < BRAKE_AIR_G && gait_pos_diff(at_index(d->load_on), d->top) > 0.0f &&
        d->load_on_gy > LAND_FRAC * d->bump_max &&
        (d->load_on_gy < BRAKE_TURN_FRAC * d->bump_max || d->bump_max < BRAKE_SLOW_DPS)) {
        return at_index(d->load_on);
    }
    return d->land;
}

static void land_send(gait_state_t *g, gait_detect_t *d) {
    if (!d->top_sent) {
        top_send(g, d);
    }
    if (d->land_found && !d->land_sent) {
        gait_event_push(g, GAIT_EV_IC_LAND, land_contact(d), 0u, 0.0f);
    }
    d->land_sent = 1;
}

static void landing_done(gait_state_t *g, gait_detect_t *d, uint32_t index) {
    /* no impact anywhere since the top: the foot may not have landed yet */
    int quiet = d->jerk_max <= IMPACT_JERK_GPS && !d->imp_found && !d->late_found && !d->slapped && !slap_after_dip(d) &&
                !(d->land_found && d->land_jerk > IMPACT_JERK_GPS) && !(d->knee_hit && top_flags(g, d) != GAIT_EVF_LANDS);
    land_send(g, d);
    stance_begin(d);
    set_phase(d, PH_STANCE, index);
    d->hover = (uint8_t)(quiet && index_before_nav(g, d, d->swing_from));
    d->hover_top = d->top.index;
}

/* In stance from a landing with no impact (see HOVER_MIN_S): 1 if the heel
 * struck only now, the landing taken back and the contact queued at the
 * impact's onset; 0 otherwise (settled once LAND_TIMEOUT_S has passed). */
static int hover_settle(gait_state_t *g, gait_detect_t *d, uint32_t index, float gy, float jerk) {
    float top_s = (float)(index - d->hover_top) * g->dt_s;
    if (top_s > LAND_TIMEOUT_S || !index_before_nav(g, d, d->swing_from)) {
        d->hover = 0; /* the landing stands */
        return 0;
    }
    if (d->hover == 2u && (float)(index - d->hover_imp) * g->dt_s > HOVER_SLAP_S) {
        d->hover = 1; /* no slap after that impact: look on */
    }
    if (d->hover == 1u && top_s >= HOVER_MIN_S && jerk > IMPACT_JERK_GPS) {
        d->hover = 2;
        d->hover_imp = d->idx1;
        d->hover_gy = d->gy1;
    }
    if (d->hover == 2u && gy > SETTLE_SLAP_DPS && gy > d->hover_gy + SLAP_MIN_DPS) {
        /* the slap: the heel struck at the impact's onset */
        gait_event_cancel_from(g, d->swing_from);
        gait_event_push(g, GAIT_EV_IC_TOP, at_index(d->hover_imp), GAIT_EVF_CONTACT, d->swing_peak);
        d->hover = 0;
        stance_begin(d);
        set_phase(d, PH_STANCE, index);
        return 1;
    }
    return 0;
}

/* The first two samples of the bump's descent in the fit band (LAND_FIT_LO..HI):
 * while the band holds one sample, fit_tt and fit_ts hold the position and
 * sqrt(gy) of the sample before it (-1: none over the band), for
 * fit_flat_end; the second sample turns them into the fit's sums. */
static void fit_first(gait_detect_t *d, float u, float r) {
    if (d->fit_n == 0.0f) {
        d->fit_tt = (float)(d->idx1 - d->fit_ref);
        d->fit_ts = d->gy1 >= LAND_FIT_HI * d->bump_max ? sqrtf(d->gy1) : -1.0f;
        return;
    }
    d->fit_tt = d->fit_t * d->fit_t + u * u;
    d->fit_ts = d->fit_t * d->fit_s + u * r;
}

/* Slope of the line fitted to sqrt(gy) on the bump's descent, sqrt(dps) per
 * sample: over the fitted samples (two or more), or with one, through it and
 * the sample before the band (fit_first); 0 when they cannot define it. */
static float fit_slope(const gait_detect_t *d) {
    if (d->fit_n < 2.0f) {
        /* (not from the bump's peak: a one-sample spike at a low rate is no parabola) */
        return d->fit_n == 1.0f && d->fit_ts >= 0.0f && d->fit_ts * d->fit_ts < d->bump_max && d->fit_tt < d->fit_t
                   ? (d->fit_s - d->fit_ts) / (d->fit_t - d->fit_tt)
                   : 0.0f;
    }
    float den = d->fit_n * d->fit_tt - d->fit_t * d->fit_t;
    return den > 0.0f ? (d->fit_n * d->fit_ts - d->fit_t * d->fit_s) / den : 0.0f;
}

/* The bump ended with a single sample in the fit band (a fast descent at a
 * low rate) and gy lingered under the band's floor for FLAT_LINGER_S or more
 * before the landmark (the crossing or the dip) came: the foot was flat, and
 * the creep from there to zero is the gyro's noise and offset. The descent's
 * end is where the line in sqrt(gy) through the sample before the band and
 * the one in it reaches zero. */
static void fit_flat_end(const gait_state_t *g, gait_detect_t *d, uint32_t index) {
    float lingered_s = ((float)(index - d->fit_ref) - d->fit_t - 1.0f) * g->dt_s;
    if (!(d->fit_ts > d->fit_s && d->fit_tt < d->fit_t && (lingered_s >= FLAT_LINGER_S || d->fit_crept))) {
        return;
    }
    float slope = (d->fit_s - d->fit_ts) / (d->fit_t - d->fit_tt); /* sqrt(dps) per sample, < 0 */
    gait_pos_t z = gait_pos_add(at_index(d->fit_ref), d->fit_t - d->fit_s / slope);
    if (gait_pos_diff(z, d->land) < 0.0f && gait_pos_diff(z, d->top) > 0.0f) {
        d->land = z;
    }
}

void gait_detect_step(gait_state_t *g, uint32_t index, uint32_t gap, const gait_sample_t *s) {
    gait_detect_t *d = &g->det;
    /* rates less the gyro bias the strapdown learnt while the foot stood still */
    float gx = s->gx_dps - g->nav.bias[0];
    float gy = s->gy_dps - g->nav.bias[1];
    float gz = s->gz_dps - g->nav.bias[2];
    /* the sole's pitch rate about its learnt pitch axis (+ = toes down), dps:
     * a sensor turned on the shoe reads part of the foot's roll in its own gy */
    float wy = gx * g->sole_y[0] + gy * g->sole_y[1] + gz * g->sole_y[2];
    float dt = (float)gap * g->dt_s;
    d->run_len = gap != 1u ? 0u : (uint8_t)(d->run_len < 255u ? d->run_len + 1u : 255u);
    float w2 = gx * gx + gy * gy + gz * gz;
    float an = sqrtf(s->ax_g * s->ax_g + s->ay_g * s->ay_g + s->az_g * s->az_g);
    float sl = d->have_prev && dt > 0.0f ? (gy - d->gy1) / dt : 0.0f;
    float alpha = dt / ENERGY_TAU_S;
    alpha = alpha > 1.0f ? 1.0f : alpha;
    if (d->w2_len == 0u) {
        uint32_t h = (uint32_t)(CENTER_HALF_S * g->cfg.odr_hz + 0.5f);
        h = h > (GAIT_CENTER_MAX - 1u) / 2u ? (GAIT_CENTER_MAX - 1u) / 2u : h;
        d->w2_len = (uint8_t)(2u * h + 1u);
        d->w2_pos = 0;
        d->w2_sum = 0.0f;
        for (uint8_t k = 0; k < GAIT_CENTER_MAX; k++) {
            d->w2_hist[k] = 1e6f; /* not still until the window has filled */
            d->a_hist[k][0] = d->a_hist[k][1] = d->a_hist[k][2] = 0.0f;
        }
    }
    /* window sums recomputed each sample: a running sum would keep the
     * rounding residue of the swing's huge rates in the quiet stance */
    d->w2_hist[d->w2_pos] = w2;
    d->a_hist[d->w2_pos][0] = s->ax_g;
    d->a_hist[d->w2_pos][1] = s->ay_g;
    d->a_hist[d->w2_pos][2] = s->az_g;
    d->w2_pos = (uint8_t)((d->w2_pos + 1u) % d->w2_len);

    if (!d->have_prev) {
        d->energy = w2;
        d->acc_dev = fabsf(an - 1.0f);
    } else {
        d->energy += alpha * (w2 - d->energy);
        d->acc_dev += alpha * (fabsf(an - 1.0f) - d->acc_dev);
    }

    if (d->have_prev) {
        pivot_track(d, index, wy, gz, dt, an);
        float since_s = (float)(index - d->phase_start) * g->dt_s;
        switch (d->phase) {
        case PH_IDLE:
        case PH_STANCE:
            if (!d->hit_pending && !d->hover && shuffle_settle(g, d, index, gy)) {
                d->neg_deg = 0.0f;
                d->neg_s = 0.0f;
                d->neg_yaw_deg = 0.0f;
                break;
            }
            d->neg_deg = gy < 0.0f ? d->neg_deg - gy * dt : 0.0f;
            d->neg_s = gy < 0.0f ? d->neg_s + dt : 0.0f;
            d->neg_yaw_deg = gy < 0.0f ? d->neg_yaw_deg + gz * dt : 0.0f;
            if (d->phase == PH_IDLE) {
                d->frozen = 0; /* standing: no push-off to wait for */
            }
            if (d->phase == PH_STANCE && d->hover && hover_settle(g, d, index, gy, jerk_of(d, s, dt))) {
                break; /* the heel struck only now */
            }
            if (d->phase == PH_STANCE && d->hit_pending && hit_settle(g, d, index, gy, dt, jerk_of(d, s, dt), an)) {
                break; /* the landing came after: back to it */
            }
            if (d->phase == PH_STANCE && d->hit_pending && d->slap == 1u) {
                break; /* a slap after the rotation's end: no stance of its own yet */
            }
            pivot_settle(g, d, index);
            track_still(g, d, index, w2);
            if (d->phase == PH_STANCE) {
                float axis[3];
                gait_sole_mount_axis(g, axis);
                float inv = 1.0f / sqrtf(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
                for (int k = 0; k < 3; k++) {
                    axis[k] *= inv;
                }
                track_pushoff(g, d, index, gy, gx * axis[0] + gy * axis[1] + gz * axis[2], axis, dt);
            }
            /* a toes-up rotation is a swing once the stance is past its landing
             * (a forefoot landing's heel drop is toes-up too) */
            /* a pivot step: the foot turned about the sole's normal, or it
             * pushed off (a toes-down burst that fell back: the toe-off)
             * since the stance's stillest instant, however little the
             * heel rose (a pivot step on a straight or gently turning
             * stair lifts it by a fraction of a stride's pitch) */
            int pushed = d->phase == PH_STANCE && d->tc_found && d->pk_val > PUSH_MIN_DPS;
            int pivot = gy < -PIVOT_DPS && (fabsf(d->neg_yaw_deg) >= PIVOT_YAW_DEG || pushed);
            int dropping = d->hit_pending && d->drop_hit && !d->hit_xing; /* the heel still drops */
            if ((gy < -SWING_DPS || pivot) && !dropping &&
                (d->phase == PH_IDLE || d->frozen || d->zv_any || since_s > LANDED_S)) {
                swing_begin(g, d, index);
            } else if (d->phase == PH_STANCE && since_s > STANCE_MAX_S) {
                set_phase(d, PH_IDLE, index); /* standing */
            }
            break;
        case PH_SWING:
            spin_track(g, d, index, fabsf(gz), dt);
            rest_track(d, index, gy, an);
            knee_track(g, d, gy, sl);
            peak_track(g, d, index, s, gy, dt, an);
            if (d->peak_state == 3u && d->peak_an > PEAK_LOADED_G) {
                /* flat and still before the rotation even ended: the ball
                 * landed at the peak, and the heel has dropped */
                gait_event_push(g, GAIT_EV_IC_TOP, d->peak_at, GAIT_EVF_CONTACT, d->swing_peak);
                stance_begin(d);
                set_phase(d, PH_STANCE, index);
                break;
            }
            if (jerk_of(d, s, dt) > IMPACT_JERK_GPS) {
                d->jolt = at_index(d->idx1); /* an impact in the swing rotation */
                d->jolt_found = 1;
            }
            if (gy < 0.0f) {
                d->swing_deg -= gy * dt;
                d->swing_s += dt;
                d->swing_peak = -gy > d->swing_peak ? -gy : d->swing_peak;
                if (swing_contact(g, d, index, gy, dt, an)) {
                    break;
                }
            } else if (d->gy1 < 0.0f) {
                if (d->swing_deg >= SWING_WEAK_DEG && d->swing_s >= SWING_MIN_S) {
                    /* a weak rotation (turning, shuffling) counts only if a landing follows */
                    d->weak = d->swing_deg < SWING_MIN_DEG || d->swing_peak < SWING_DPS;
                    d->top = crossing(d, index, gy, 0.0f);
                    d->knee_hit = (uint8_t)knee_is_contact(g, d, index);
                    d->spin_hit = (uint8_t)spin_is_contact(g, d, index);
                    d->rest_hit = (uint8_t)(!d->spin_hit && rest_is_contact(g, d, index));
                    if (d->rest_hit) {
                        d->weak = 0; /* it landed before the top */
                    }
                    d->hit_found = 0; /* the rotation ended: that impact was its end */
                    d->top_sent = 0;
                    d->land_sent = 0;
                    d->slap = 0;
                    d->jerk_max = 0.0f;
                    d->top_acc = 0.0f;
                    d->bump_max = gy;
                    landing_begin(d, index);
                } else if (gy > 0.0f) {
                    /* a small rotation (fidgeting): back to standing */
                    stance_begin(d);
                    set_phase(d, PH_IDLE, index);
                }
            }
            if (d->phase == PH_SWING && since_s > 1.5f) {
                stance_begin(d);
                set_phase(d, PH_IDLE, index);
            }
            break;
        case PH_TOP: {
            if (d->knee_hit == 2u && gap != 1u && !d->top_sent) {
                d->knee_hit = 0; /* a sample lost before the top is sent: the knee near the peak may be out of place */
            }
            spin_track(g, d, index, fabsf(gz), dt);
            float top_s = gait_pos_diff(at_index(index), d->top) * g->dt_s;
            float window_s = IMPACT_WINDOW_S;
            if (top_s <= window_s && !d->top_sent && !d->land_found && gy < -REARM_DPS && d->bump_max < 4.0f * REARM_DPS) {
                set_phase(d, PH_SWING, index); /* the swing rotation resumed */
                break;
            }
            float jerk = jerk_of(d, s, dt);
            if (!d->top_sent && gy > 0.0f) {
                d->top_down_deg += gy * dt;
            }
            if (top_s <= window_s && jerk > d->jerk_max) {
                d->jerk_max = jerk;
            }
            if (top_s <= window_s && an > d->top_acc) {
                d->top_acc = an;
            }
            if (d->peak_state >= 2u && !d->top_sent) {
                /* after a load rise (PEAK_LOAD) the foot rocks past flat about
                 * its heel and back, unloading the sensor and loading it again
                 * over tens of ms: the foot takes its weight at the top only
                 * with a load rise of its own there */
                float rise = an - d->peak_an;
                if (d->peak_jolt == PEAK_LOAD) {
                    if (an - an_prev(d) <= LANDING_G / LOAD_RISE_S * dt) {
                        d->load_low_an = an;
                    }
                    rise = an - d->load_low_an;
                }
                /* past the top's window the top is sent before the strapdown
                 * reaches the peak (top_first): the peak stays a candidate */
                if (top_s <= window_s && (rise > LANDING_G || index - d->peak_at.index + TOP_MARGIN >= g->delay)) {
                    d->peak_state = 0; /* the foot took its weight at the top: it landed there */
                } else {
                    d->peak_an = an < d->peak_an ? an : d->peak_an; /* loaded up to the decision */
                    if (fabsf(gy) < STILL_DPS && d->acc_dev < STILL_G) {
                        d->peak_state = 3; /* flat and still */
                    }
                }
            }
            if (d->knee_hit && top_s > window_s && d->jerk_max <= IMPACT_JERK_GPS &&
                !knee_landed(d)) {
                d->knee_hit = 0; /* no impact after the knee: the swing ended in the air */
            }
            if (!d->imp_found && !d->land_found && jerk > IMPACT_JERK_GPS) {
                d->imp_found = 1; /* the first impact after the top, before the bump's end */
                d->imp_idx = index;
            }
            if (d->imp_found && (float)(index - d->imp_idx) * g->dt_s <= window_s) {
                if (an > d->imp_acc) {
                    d->imp_acc = an;
                    d->imp_peak = index;
                }
                d->imp_jerk = jerk > d->imp_jerk ? jerk : d->imp_jerk;
            }
            if (!d->late_found && !d->land_found && top_s > window_s && d->jerk_max <= IMPACT_JERK_GPS &&
                jerk > IMPACT_JERK_GPS) {
                d->late = at_index(d->idx1); /* the first impact, after the top's window */
                d->late_found = 1;
            }
            float land_s = d->land_found ? gait_pos_diff(at_index(index), d->land) * g->dt_s : 0.0f;
            if (d->land_found && land_s >= 0.0f && land_s <= window_s) {
                d->land_acc = an > d->land_acc ? an : d->land_acc;
                d->land_jerk = jerk > d->land_jerk ? jerk : d->land_jerk;
                if (d->land_xing && wy < 0.0f) {
                    d->bump_drop_deg -= wy * dt;
                }
            }
            if (!d->land_found && !d->top_sent) {
                slap_track(g, d, index, sl, jerk, an);
            }
            if (d->load_found == 1u && an < d->load_on_an) {
                d->load_found = 0; /* back under its onset at once: a knock, not the ground's load (LOAD_HOLD_S) */
                d->load_on = index;
                d->load_on_an = an;
                d->load_on_gy = gy;
            } else if (d->load_found == 1u && (float)(index - d->load_on) * g->dt_s >= LOAD_HOLD_S) {
                d->load_found = 2; /* held: the step bears the foot */
            }
            /* a weak rotation (a pivot step, a shuffle) lands: an impact
             * after the top (heel strike) or after the landing bump (mid- or
             * forefoot strike), or |a| rising LANDING_G over 1 g there as the
             * foot takes the body's weight, even softly, or while the foot
             * slaps down about its heel in between (a soft heel contact at
             * the top, the forefoot's impact tens of ms later: a first step
             * from standing); with none of these it was fidgeting: a toe tap
             * or heel raise. Decided once the bump's window has passed, or
             * when the strapdown is about to reach the top. */
            if (!d->top_sent && top_s > window_s && d->weak && d->jerk_max <= IMPACT_JERK_GPS) {
                int slap_hit = !d->land_found && an - 1.0f > LANDING_G;
                int land_hit = (d->land_found && (d->land_jerk > IMPACT_JERK_GPS || d->land_acc - 1.0f > LANDING_G)) ||
                               d->top_acc - 1.0f > LANDING_G || slap_hit;
                int land_over = (d->land_found && land_s > window_s) || top_s > LAND_TIMEOUT_S ||
                                index - top_first(d) + TOP_MARGIN >= g->delay;
                if (land_hit) {
                    d->weak = 0;
                    /* a weak swing barely lifts the foot: one that lands
                     * slapping down touched at the top, and the impact in
                     * the slap is the forefoot's, not a late contact */
                    d->slapped = (uint8_t)slap_hit;
                } else if (land_over && !(d->piv_fast && fabsf(d->piv_deg) >= PIVOT_TURN_DEG) &&
                           ring_glide_m(g, d->swing_from, index, 0u) >= GLIDE_M) {
                    /* no landing to speak of, but the foot went a step's way
                     * (GLIDE_M). A foot that spun round is a pivot step,
                     * which its next still stance settles (pivot_settle).
                     * A shuffle barely lifts the foot: it is down when its
                     * toes-up rotation ends, and a toes-down bump after that
                     * is the sole slapping flat, not a landing */
                    d->weak = 0;
                    d->slapped = 2;
                } else if (land_over) {
                    stance_begin(d);
                    set_phase(d, PH_IDLE, index);
                    break;
                } /* else wait: the landing bump decides */
            }
            /* the top waits for the end of the landing bump and the impact
             * after it, unless the strapdown is about to reach it */
            if (!d->top_sent && top_s > window_s && index - top_first(d) + TOP_MARGIN >= g->delay) {
                top_send(g, d);
            }
            if (!d->land_found) {
                /* the bump's peak up to the previous sample: a dip there ends
                 * the bump before it, never one this sample only starts (a
                 * foot that hangs still in the air after the top, then turns
                 * toes down into the ground, starts that turn from a dip) */
                float bump_before = d->bump_max;
                if (!d->land_xing) {
                    brake_track(d, index, an, gy, gy > d->bump_max, dt);
                }
                if (gy > d->bump_max) {
                    d->bump_max = gy;
                    d->fit_n = 0.0f; /* still rising: the descent starts later */
                    d->fit_crept = 0;
                    d->fit_t = d->fit_s = d->fit_tt = d->fit_ts = 0.0f;
                    d->fit_ref = index;
                } else if (gy > LAND_FIT_LO * d->bump_max && gy < LAND_FIT_HI * d->bump_max) {
                    /* the bump descends into the contact as a parabola: sqrt(gy) falls
                     * linearly there, and its zero is the contact, whatever the rate
                     * does after it (a slow heel drop or a bias would delay a crossing) */
                    float u = (float)(index - d->fit_ref);
                    float r = sqrtf(gy);
                    float line = fit_slope(d);
                    if (line < 0.0f && d->gy1 > 0.0f && sqrtf(d->gy1) - r < FIT_KEEP_FRAC * -line * (float)gap) {
                        d->fit_crept = 1;
                    } else {
                        if (d->fit_n < 2.0f) {
                            fit_first(d, u, r);
                        } else {
                            d->fit_tt += u * u;
                            d->fit_ts += u * r;
                        }
                        d->fit_n += 1.0f;
                        d->fit_t += u;
                        d->fit_s += r;
                    }
                }
                if (d->gy1 >= 0.0f && gy < 0.0f && d->bump_max > REARM_DPS) {
                    d->land = crossing(d, index, gy, 0.0f);
                    d->land_found = 1;
                    d->land_xing = 1;
                    d->bump_drop_deg = -0.5f * gy * gait_pos_diff(at_index(index), d->land) * g->dt_s;
                } else if (d->gy1 >= 0.0f && gy < 0.0f && top_s > window_s && !d->land_xing) {
                    /* a crossing after a bump too small to count: the ball's
                     * landing if the heel drops right after it */
                    d->land = crossing(d, index, gy, 0.0f);
                    d->land_xing = 1;
                    d->bump_drop_deg = -0.5f * gy * gait_pos_diff(at_index(index), d->land) * g->dt_s;
                } else if (d->land_xing && gy < 0.0f &&
                           gait_pos_diff(at_index(index), d->land) * g->dt_s <= window_s) {
                    d->bump_drop_deg -= wy < 0.0f ? wy * dt : 0.0f;
                    d->land_found = (uint8_t)(d->bump_drop_deg >= HEEL_DROP_DEG);
                } else if (d->land_xing) {
                    d->land_xing = 0; /* no heel drop: not a landing */
                } else if (d->gy1 < d->gy2 && d->gy1 <= gy && bump_before > REARM_DPS &&
                           d->gy1 < LAND_FRAC * bump_before) {
                    d->land = vertex(d, index, gy);
                    d->land_found = 1;
                    d->slap = d->gy1 > 0.0f;
                    d->slap_dip = d->gy1;
                    d->slap_max = gy;
                }
                if (d->land_found && d->fit_n >= 2.0f) {
                    float slope = fit_slope(d);
                    if (slope < 0.0f) {
                        float cut = (d->fit_s - slope * d->fit_t) / d->fit_n;
                        float zero = -cut / slope; /* samples after fit_ref */
                        gait_pos_t z = gait_pos_add(at_index(d->fit_ref), zero > 0.0f ? zero : 0.0f);
                        if (gait_pos_diff(z, d->land) < 0.0f && gait_pos_diff(z, d->top) > 0.0f) {
                            d->land = z;
                        }
                    }
                } else if (d->land_found && d->fit_n == 1.0f) {
                    fit_flat_end(g, d, index);
                }
            }
            if (d->land_found && d->slap && gy > d->slap_max) {
                d->slap_max = gy;
            }
            if (d->bump_max <= REARM_DPS) {
                d->bump_from = index; /* no landing bump yet: the foot hangs in the air */
            }
            /* a heel slap after the dip: part of the landing, not the stance */
            int slapping = d->land_found && d->slap && d->slap_max > d->slap_dip + SLAP_MIN_DPS &&
                           gy > LAND_FRAC * d->slap_max && land_s <= LAND_TIMEOUT_S &&
                           d->jerk_max <= IMPACT_JERK_GPS && d->land_jerk > IMPACT_JERK_GPS;
            if (d->land_found && top_s > window_s && land_s > window_s) {
                if (!slapping) {
                    landing_done(g, d, index);
                } else if (!d->land_sent) {
                    land_send(g, d); /* the contact is known: queue it before the strapdown gets there */
                }
            } else if (top_s > LAND_TIMEOUT_S && !slapping &&
                       (d->bump_max <= REARM_DPS || (float)(index - d->bump_from) * g->dt_s > LAND_TIMEOUT_S)) {
                landing_done(g, d, index);
            }
            break;
        }
        default:
            set_phase(d, PH_IDLE, index);
            break;
        }
    }
    d->gy2 = d->gy1;
    d->idx2 = d->idx1;
    d->sl2 = d->sl1;
    d->sl1 = sl;
    d->gy1 = gy;
    d->gz1 = gz;
    d->idx1 = index;
    d->an2 = d->an1;
    d->an1 = an;
    d->acc1[0] = s->ax_g;
    d->acc1[1] = s->ay_g;
    d->acc1[2] = s->az_g;
    d->have_prev = 1;
}
