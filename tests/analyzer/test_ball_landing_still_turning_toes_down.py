"""Mid- and forefoot landings whose toes-down turn is still running when the ball touches.

A slow forefoot walk or a fore strike up a stair can touch with the foot still turning toes down
at 60-120 dps: the ground's force at the ball then arrests that turn over tens of ms, so the pitch
rate reaches zero (the landing bump's end) only 20-25 ms after contact. The foot's descent is
braked from contact on: |a|, falling while the leg eases the foot down in the air, turns there
into a rise of a g or more before the bump has ended.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


@pytest.mark.parametrize("gait", [
    (("activity", "walk"), ("speed_mps", 0.8), ("strike", "fore"), ("contact_rate_dps", -120.0)),
    (("activity", "stairs_up"), ("strike", "fore"), ("odr_hz", 208.0), ("contact_rate_dps", -60.0)),
    (("activity", "stairs_up"), ("strike", "mid"), ("contact_rate_dps", -120.0)),
    (("activity", "stairs_up"), ("precontact_lead_s", 0.06), ("contact_rate_dps", -160.0)),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_ball_that_lands_still_turning_toes_down_touches_where_the_braking_starts(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """Contact where |a| turns from its fall in the air into the ground's braking, not at the
    landing bump's end, even where |a| falls again under its value at contact once the braking
    has peaked (before: IC 21-31 ms late)."""
    scores = run_case(Case(gait, seed)).scores
    assert_every_stride_on_time(scores)


@pytest.mark.parametrize("gait", [
    (("activity", "stairs_down"), ("site", "laces"), ("strike", "fore"), ("precontact_lead_s", 0.054)),
    (("activity", "stairs_down"), ("site", "heel"), ("precontact_lead_s", 0.049), ("precontact_hump_deg", 12.0)),
    (("speed_mps", 3.2), ("strike", "fore"), ("site", "heel"), ("precontact_lead_s", 0.02)),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_fast_toes_down_turn_slowing_in_the_air_is_no_braking(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """A toes-down turn of a few hundred dps in the air, slowing from its peak, raises |a| by
    several g at a sensor on the laces or in the heel (alpha x r) before the ball lands at the
    bump's end: a rise that starts at the bump's peak is no contact (taken for one: IC 10-27 ms
    early)."""
    scores = run_case(Case(gait, seed)).scores
    assert_every_stride_on_time(scores)
