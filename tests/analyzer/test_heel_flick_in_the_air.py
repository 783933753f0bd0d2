"""A toes-down turn in the air (the hump) read by a sensor at the heel.

The heel sits behind the ankle, the turn's centre: a hump of 12-14 deg at 400-550 dps gives it
alpha x r of several g, its |a| rising as the turn starts and again as it stops, though the foot
is still in the air. The ground pushes the sole up; the turn stopping in the air pulls the heel
sensor the other way, into the sole, sample after sample.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


@pytest.mark.parametrize("seed", [1, 2])
def test_a_stair_step_whose_hump_stops_in_the_air_lands_at_the_bumps_end(seed: int) -> None:
    """Up a stair, a 13.5 deg hump at the heel: the ball lands where the turn ends and the heel
    drops. The turn slowing from its peak raised |a| by 1.5 g pointing into the sole, which read
    as the step braking the foot (before: IC 14-18 ms early)."""
    gait = (("activity", "stairs_up"), ("site", "heel"), ("precontact_hump_deg", 13.5))
    assert_every_stride_on_time(run_case(Case(gait, seed)).scores)


@pytest.mark.parametrize("gait", [
    (("activity", "walk"), ("speed_mps", 2.0), ("site", "heel"), ("precontact_hump_deg", 12.0)),
    (("activity", "walk"), ("speed_mps", 2.0), ("odr_hz", 833.0), ("site", "heel"), ("precontact_hump_deg", 12.0),
     ("impact_delay_s", 0.027)),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_walking_heel_whose_hump_stops_in_the_air_lands_at_the_dip_before_its_slap(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """A walk at 2 m/s, a 12 deg hump at 500-550 dps at the heel: the flick's start reads as an
    impact and a steepening knee, and the turn falls back to a dip of ~40 dps, where the heel
    touches, before the slap rises again to 450 dps (before: IC 20-37 ms early, at the flick)."""
    assert_every_stride_on_time(run_case(Case(gait, seed)).scores)
