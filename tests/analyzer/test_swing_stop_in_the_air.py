"""A swing rotation that stops abruptly in the air, the heel landing tens of ms later.

Walking with the swing's toes-up rotation ending 70 ms before contact, a kicked-up heel and a late
swing peak: the rotation stops within ~10 ms in the air, and a sensor on the laces, off the
rotation's axis, feels that stop as a jump of |a| like an impact while the foot still turns toes
up. A heel on the ground there would slap the foot down about it at once; instead the foot hangs
with no impact and no slap, and the ground's impact comes only at the real contact. The contact
is just before that late impact, not the stop.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


@pytest.mark.parametrize("seed", [1, 2])
def test_a_swing_that_stops_in_the_air_lands_at_the_late_impact(seed: int) -> None:
    """Every stride on time (before: IC 46-58 ms early at the stop, most strikes read as mid or
    fore)."""
    case = Case((("activity", "walk"), ("speed_mps", 1.1), ("site", "laces"), ("precontact_lead_s", 0.07),
                 ("heel_kick_deg", 36.0), ("swing_peak_frac", 0.76)), seed)
    scores = run_case(case).scores
    assert_every_stride_on_time(scores)
    assert scores.strike_accuracy is not None and scores.strike_accuracy >= 0.95, scores.strike_accuracy
