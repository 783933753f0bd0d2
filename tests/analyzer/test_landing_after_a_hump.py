"""Landings whose toes-up swing rotation ends tens of ms before contact.

The foot then turns toes down in the air (the hump) before it lands. A sensor away from the
foot's rotation centre (heel, laces) feels that turn start as a jolt right at the end of the
swing rotation (the top), which looks like a heel's impact there; the contact is later.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


@pytest.mark.parametrize("gait", [
    (("speed_mps", 3.2), ("strike", "fore"), ("site", "heel"), ("precontact_lead_s", 0.02)),
    (("activity", "walk"), ("speed_mps", 1.6), ("strike", "fore"), ("odr_hz", 208.0),
     ("precontact_lead_s", 0.02), ("precontact_hump_deg", 1.5)),
    (("activity", "stairs_down"), ("strike", "fore"), ("site", "heel"), ("precontact_lead_s", 0.017)),
    (("activity", "stairs_up"), ("site", "laces"), ("precontact_lead_s", 0.026), ("landing_dps", 200.0)),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_ball_that_lands_after_a_hump_in_the_air_is_the_contact(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """The hump ends where the ball of the foot lands, and the heel then drops (a toes-up turn):
    contact at the hump's end, not at the top the jolt marked (before: IC 13-28 ms early)."""
    scores = run_case(Case(gait, seed)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 5.0
    assert scores.gct_mae_ms is not None and scores.gct_mae_ms < 6.0


@pytest.mark.parametrize("gait", [
    (("speed_mps", 3.0), ("site", "heel"), ("precontact_lead_s", 0.035), ("precontact_hump_deg", 10.0)),
    (("speed_mps", 7.0), ("site", "heel"), ("precontact_hump_deg", 7.0), ("contact_rate_dps", -125.0)),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_heel_that_lands_after_a_hump_in_the_air_lands_where_the_slap_steepens(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """A runner's foot still falling fast at the top turns toes down in the air for 25-35 ms,
    then the heel's contact steepens that turn into the slap, with an impact: contact at that
    knee of the pitch rate, not at the top, where a heel sensor felt the turn start as a jolt
    (before: IC 16-31 ms early)."""
    scores = run_case(Case(gait, seed)).scores
    assert_every_stride_on_time(scores)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_fast_runner_in_the_air_at_the_top_lands_at_the_knee_whatever_the_descent_after_it(seed: int) -> None:
    """A sprinter's foot descends at about 2 m/s at the top, 70 ms before the heel lands after a
    7.5 deg hump: no heel on the ground moves so, so the slap's knee is the contact even where the
    descent speeds up a little on the way (before: IC 11-20 ms early, some strides at the top
    and some at the slap's end)."""
    gait = (("speed_mps", 7.2), ("precontact_lead_s", 0.07), ("precontact_hump_deg", 7.5))
    scores = run_case(Case(gait, seed)).scores
    assert_every_stride_on_time(scores)


@pytest.mark.parametrize("gait", [
    (("activity", "stairs_down"), ("strike", "mid"), ("precontact_hump_deg", 0.5)),
    (("activity", "stairs_down"), ("site", "laces"), ("precontact_hump_deg", 0.4)),
    (("activity", "stairs_down"), ("strike", "fore"), ("site", "heel"), ("precontact_hump_deg", 0.13)),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_ball_that_lands_after_the_foot_hung_still_in_the_air_is_the_contact(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """Down a stair the toes-up swing rotation ends 50-60 ms before contact and the foot barely
    turns after it (a hump under half a degree): the ball lands where the pitch rate crosses into
    the heel's drop, not at the top (before: IC 52-56 ms early)."""
    scores = run_case(Case(gait, seed)).scores
    assert_every_stride_on_time(scores)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_start_of_a_steep_hump_is_not_the_heels_knee(seed: int) -> None:
    """A 9 deg hump starts abruptly at the top, steeper than the heel's slap later steepens it:
    the knee is looked for past a heel's phase lead after the top, so the contact is the slap's
    knee (before: IC 7-10 ms early on a heel sensor)."""
    gait = (("speed_mps", 2.8), ("site", "heel"), ("precontact_hump_deg", 9.0))
    scores = run_case(Case(gait, seed)).scores
    assert_every_stride_on_time(scores)


@pytest.mark.parametrize("gait", [
    (("speed_mps", 2.1), ("site", "lateral"), ("precontact_hump_deg", 7.0), ("contact_rate_dps", -175.0)),
    (("speed_mps", 2.8), ("site", "lateral"), ("precontact_hump_deg", 7.0), ("contact_rate_dps", -110.0)),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_hump_that_slows_into_a_dip_before_the_slap_lands_at_the_dip(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """The toes-down turn in the air peaks and slows to 110-175 dps before the heel lands; the
    heel's slap then speeds it up again, gently at a jog: the dip before that rise is the knee,
    however slowly the slap builds (before: IC 10-21 ms early, at the top)."""
    scores = run_case(Case(gait, seed)).scores
    assert_every_stride_on_time(scores)
