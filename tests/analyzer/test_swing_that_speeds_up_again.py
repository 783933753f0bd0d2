"""Walking swings whose toes-up rotation slows and speeds up again before the heel strike.

A sensor on the foot can read the swing's toes-up rotation in two surges: the rate slows, then
speeds up again within a few samples while |a| swings by 1-3 g (the leg, not the ground). That
looks like a ball landing whose heel then drops, but the rotation goes on to a heel strike: gy
crosses zero with the foot toes up and the heel's slap turns it toes down at once, which a foot
already flat on its forefoot cannot do (it turns toes down again only at push-off). The contact
is that heel strike, and the stride is a heel strike, not a mid-foot landing at the surge.
"""

from __future__ import annotations

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


def test_a_swing_that_speeds_up_again_before_a_heel_strike_is_no_ball_landing() -> None:
    """A slow turning walk with a heel sensor whose swing surges before each heel strike: every
    stride on time and a heel strike (before: 3 of 15 strides classed mid)."""
    case = Case((("activity", "walk"), ("speed_mps", 1.23), ("turn_deg", -47.083), ("turn_pitch_scale", 0.329),
                 ("grade_pct", 1.115), ("foot", "left"), ("mount_pitch_deg", -1.693), ("drop_rate", 0.004),
                 ("site", "heel"), ("contact_rate_dps", 442.35), ("tc_deg", -51.347), ("swing_rate_scale", 0.664),
                 ("swing_peak_frac", 0.684), ("heel_kick_deg", 4.408), ("impact_g", 11.11)), 843155)
    scores = run_case(case).scores
    assert_every_stride_on_time(scores, within_ms=10.0)
    assert scores.strike_accuracy == 1.0, scores
