"""Heels that land tens of ms after the top: their impact falls inside the landing bump.

A heel strike whose toes-up swing rotation ends 20-25 ms before contact turns toes down in the
air (the hump), then the heel lands with its impact, and the foot slaps down until the landing
bump ends, where the forefoot's own, smaller knock follows. The heel's impact peaks after the
top's impact window, so it must count against that knock when the detector asks whether the
foot landed at the bump's end (a ball landing) instead of at the top.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


@pytest.mark.parametrize("gait", [
    (("speed_mps", 3.0), ("precontact_hump_deg", 5.7), ("landing_dps", 975.0), ("impact_delay_s", 0.025)),
    (("speed_mps", 4.0), ("site", "lateral"), ("precontact_lead_s", 0.022), ("landing_dps", 300.0),
     ("swing_rate_scale", 0.75), ("impact_g", 8.2), ("impact_delay_s", 0.023)),
    (("speed_mps", 4.0), ("precontact_lead_s", 0.025), ("precontact_hump_deg", 7.0), ("contact_rate_dps", -195.0),
     ("landing_dps", 1140.0), ("impact_delay_s", 0.025)),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_heel_impact_inside_the_landing_bump_is_no_ball_landing(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """The heel's impact (8-10 g) comes 20-25 ms after the top, past the top's 25 ms window, and
    the knock after the bump's end (3-5 g) was taken as a ball landing far stronger than the top's:
    contact at the bump's end (before: IC 11-36 ms late, strike read mid or fore)."""
    scores = run_case(Case(gait, seed)).scores
    assert_every_stride_on_time(scores)
    assert scores.strike_accuracy == 1.0
