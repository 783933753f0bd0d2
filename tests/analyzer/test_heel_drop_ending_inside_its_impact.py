"""A heel drop so fast that it ends inside the ball's own impact transient.

Up a stair the ball lands still turning toes up and the heel slams down about it at over 1000 dps:
the foot is flat within ~7 ms, while the ball's impact (clipping a 16 g accelerometer) still rings.
The pitch rate crosses zero inside that transient, and the clipped |a| jumps again there: that is
the same landing, not a second one after a speed-up in the air. A running heel strike whose swing
sped up in the air and lands with a far stronger impact at its top is still handed to the top.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, parse_case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


@pytest.mark.parametrize("impact_g", [15.0, 20.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_heel_drop_that_ends_inside_the_balls_impact_keeps_the_balls_contact(impact_g: float, seed: int) -> None:
    """Contact where the ball landed (before: a third to a half of the strides 9-16 ms late, at
    the drop's end, and called mid strikes)."""
    gait = (("activity", "stairs_up"), ("contact_rate_dps", 300.0), ("landing_dps", 1130.0), ("impact_g", impact_g))
    scores = run_case(Case(gait, seed)).scores
    assert_every_stride_on_time(scores)
    assert scores.strike_accuracy is not None and scores.strike_accuracy >= 0.95


def test_a_swing_that_sped_up_in_the_air_before_a_strong_heel_impact_lands_at_the_top() -> None:
    """A sprint read on the laces: the swing speeds up again 20 ms before its top, |a| rising a
    few g, and the heel lands at the top with a 23 g impact (a rule keeping every drop that ends
    within its impact window took 15 of 23 strides 21 ms early)."""
    case = parse_case("speed_mps=7.93 cadence_scale=1.02 turn_deg=-194.839 turn_pitch_scale=0.768 grade_pct=3.194 "
                      "noise_scale=1.417 mount_yaw_deg=-0.891 site=laces precontact_lead_s=0.021 "
                      "precontact_hump_deg=0.177 pushoff_frac=0.529 tc_deg=-43.112 tc_rate_frac=0.8 "
                      "swing_rate_scale=0.885 swing_peak_frac=0.526 heel_kick_deg=10.218 impact_g=22.977 "
                      "impact_delay_s=0.018", 814892)
    scores = run_case(case).scores
    assert scores.recall is not None and scores.recall >= 0.95
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 5.0, scores.ic_mae_ms
