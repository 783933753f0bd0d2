"""A runner's foot turning toes down in the air before the heel lands (the hump), seen on the laces.

A sensor on the laces sits ahead of that turn's centre: as the foot turns toes down in the air it
descends faster (the turn's rate times its lever), which the slap test read as a foot pivoting
about a heel already on the ground, and the contact went to the top, 14-23 ms early. The leg
brakes a turn in the air before the heel lands (the pitch rate passes a peak and eases into a
dip before the slap steepens it), while a heel on the ground lets the foot turn faster and faster:
in a run, such a turn keeps the contact at the slap's knee.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_laces_runner_whose_hump_eased_in_the_air_lands_at_the_slaps_knee(seed: int) -> None:
    """4.5 m/s, a 5 deg hump over 35 ms on the laces (before: IC 14-21 ms early)."""
    gait = (("speed_mps", 4.5), ("site", "laces"), ("precontact_lead_s", 0.035), ("precontact_hump_deg", 5.0))
    assert_every_stride_on_time(run_case(Case(gait, seed)).scores)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_fast_laces_runner_whose_hump_eased_in_the_air_lands_near_the_slaps_knee(seed: int) -> None:
    """5.8 m/s, a 4.7 deg hump over 33 ms on the laces (before: IC 23 ms early on every seed)."""
    gait = (("speed_mps", 5.8), ("site", "laces"), ("precontact_lead_s", 0.033), ("precontact_hump_deg", 4.7))
    assert_every_stride_on_time(run_case(Case(gait, seed)).scores, within_ms=10.0)
