"""A heel that lands still rotating toes up touches where the ground's ramp of gy's slope begins,
not at the vertex of a parabola through the slopes around the dip before it.

In the air the slope of gy (the toes-up rotation slowing) is steady or easing; from the contact on the
ground's force builds up over a few ms and the slope rises at a steady jerk: a ramp that starts at the
contact. A parabola through the three sampled slopes around their dip puts its vertex on the low side
of that bend, most of a sample early; the line through the slopes of the two steps after the dip meets
the dip's slope at the contact.
"""

from __future__ import annotations

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


def test_a_runners_heel_still_turning_toes_up_touches_at_the_ramp() -> None:
    """IC and GCT within 1 ms (at the parabola's vertex: IC 3.0 ms, GCT 3.0 ms, the contacts early).
    A 416 Hz run whose heel lands turning toes up at 460 dps, drawn by `rig explore`."""
    case = Case((("speed_mps", 4.03), ("drop_rate", 0.002), ("contact_rate_dps", 459.579), ("landing_dps", 577.232),
                 ("pushoff_frac", 0.478), ("tc_deg", -40.383), ("swing_rate_scale", 0.658),
                 ("swing_peak_frac", 0.535), ("heel_kick_deg", 26.539), ("impact_g", 12.289),
                 ("impact_delay_s", 0.01)), 690111)
    assert_every_stride_on_time(run_case(case).scores, within_ms=1.0)


def test_a_walkers_heel_still_turning_toes_up_touches_at_the_ramp() -> None:
    """IC within 1 ms (at the parabola's vertex: 2.4 ms). A heel-sensor walk down a slope, turning
    round, its heel landing turning toes up at 210 dps."""
    case = Case((("activity", "walk"), ("speed_mps", 1.63), ("cadence_scale", 1.097), ("turn_deg", -177.422),
                 ("grade_pct", -11.529), ("mount_pitch_deg", 0.045), ("mount_yaw_deg", -2.083), ("drop_rate", 0.001),
                 ("clock_error_pct", 1.783), ("site", "heel"), ("contact_rate_dps", 208.063),
                 ("landing_dps", 1188.406), ("pushoff_frac", 0.658), ("tc_rate_frac", 0.926),
                 ("swing_peak_frac", 0.718), ("impact_g", 22.586), ("impact_delay_s", 0.006)), 280547)
    scores = run_case(case).scores
    assert scores.recall == 1.0 and scores.precision == 1.0, scores
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 1.0, scores.ic_mae_ms
