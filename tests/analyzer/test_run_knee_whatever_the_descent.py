"""A runner's heel that lands tens of ms after the swing's end lands at the slap's knee, whatever
descent the strapdown reads at the top.

A run at 7.9 m/s with the sensor on the side of the shoe and a 73 ms airborne lead: the toes-up
rotation ends in the air, the foot turns toes down, and the heel's contact steepens that turn into
the slap with its impact. A walker's heel already down at the top can roll into such a knee, so a
walk's knee needs the strapdown to see the foot still falling at the top; a runner's heel down at
the top slaps the foot down at once, and at a runner's swing rates the strapdown's descent there is
too rough to tell.
"""

from __future__ import annotations

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


def test_a_runners_heel_after_an_airborne_lead_lands_at_the_knee() -> None:
    """Every stride on time (before: most strides 10-12 ms early: IC 9.6 ms mean).
    Drawn by `rig explore`."""
    case = Case((("speed_mps", 7.88), ("grade_pct", 1.565), ("clock_error_pct", 0.426), ("site", "lateral"),
                 ("precontact_lead_s", 0.073)), 508054)
    assert_every_stride_on_time(run_case(case).scores)
