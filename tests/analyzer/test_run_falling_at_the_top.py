"""Runs whose foot is still in the air, falling, when the swing's toes-up rotation ends.

With the swing ending 40-50 ms before contact the foot falls through the top and turns toes down
in the air; a sensor away from that turn's centre (the laces) descends faster as it turns, though
the foot is in the air. In a run that speed-up is no heel already on the ground rolling before the
forefoot slaps (a walk's): the contact is the slap's knee, where the ground's force shows, not the
top.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


@pytest.mark.parametrize("gait", [
    (("speed_mps", 4.5), ("site", "laces"), ("precontact_lead_s", 0.04)),
    (("speed_mps", 4.6), ("site", "laces"), ("precontact_lead_s", 0.05), ("precontact_hump_deg", 5.0)),
])
def test_a_laces_run_falling_at_the_top_lands_at_the_knee(gait: tuple[tuple[str, object], ...]) -> None:
    """Every stride on time (before: IC 25-37 ms early, at the top)."""
    assert_every_stride_on_time(run_case(Case(gait, 1)).scores)


def test_a_sprint_at_208_hz_falling_at_the_top_lands_where_the_ground_stops_it() -> None:
    """A 7.85 m/s sprint at 208 Hz, 44 ms airborne lead (before: IC 11.8 ms off; now 7.0)."""
    case = Case((("speed_mps", 7.85), ("odr_hz", 208.0), ("precontact_lead_s", 0.044), ("landing_dps", 270.0),
                 ("tc_deg", -67.0), ("heel_kick_deg", 20.0)), 1)
    scores = run_case(case).scores
    assert scores.recall == 1.0 and scores.precision == 1.0, scores
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 8.0, scores.ic_mae_ms
