"""Ball landings on a stair while the foot still turns toes down, however slowly.

A foot that comes down onto a stair tread after a toes-down turn in the air touches with its ball
while that turn is still running, often slowly (a quarter of the turn's peak rate or less). The
step arrests the foot's descent: |a| starts to climb at contact and rises a g within ~15 ms,
to over 2 g, and holds up while the turn runs out to foot flat. The contact is where |a| began to
climb, not the turn's end 15-25 ms later. A sensor behind the heel, whose |a| a fast toes-down
turn in the air swings by a g or two without any weight on the foot, must not be taken for it.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, parse_case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


@pytest.mark.parametrize("gait", [
    (("activity", "stairs_up"), ("precontact_lead_s", 0.067), ("contact_rate_dps", -36.0)),
    (("activity", "stairs_up"), ("precontact_lead_s", 0.068), ("precontact_hump_deg", 12.0), ("contact_rate_dps", -63.0)),
    (("activity", "stairs_down"), ("precontact_lead_s", 0.052), ("precontact_hump_deg", 11.0),
     ("contact_rate_dps", -169.0)),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_ball_that_touches_a_stair_still_turning_toes_down_lands_where_the_load_rise_begins(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """Contact at the load rise's onset (before: IC and contact time 9-25 ms late, at the
    toes-down turn's end)."""
    scores = run_case(Case(gait, seed)).scores
    assert_every_stride_on_time(scores)


def test_a_heel_sensor_swung_by_a_toes_down_turn_in_the_air_is_no_load_rise() -> None:
    """Up a stair with the sensor in the heel: a fast toes-down turn before contact swings |a| by
    over a g in 10 ms, never to 2 g; every stride stays on time (a looser load rise took up to five of
    eleven 20 ms early)."""
    case = parse_case("activity=stairs_up surface=treadmill noise_scale=4.129 mount_pitch_deg=10.28 site=heel "
                      "landing_dps=961.664 swing_peak_frac=0.654 impact_g=14.752", 583564)
    assert_every_stride_on_time(run_case(case).scores)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_ball_that_lands_late_in_the_swing_lands_at_the_load_rise_before_its_impact(seed: int) -> None:
    """Up a stair the ball lands as the swing's toes-up rotation fades (22 dps), the step bears
    the foot at once (|a| 1 g up within 10 ms) and the forefoot's impact transient follows 23 ms
    later: contact at the load rise's onset, not the sample before the impact (before: 26 ms late).
    One stride of the eleven is still found 200 ms late, at foot flat (no impact follows it)."""
    gait = (("activity", "stairs_up"), ("contact_rate_dps", 22.0), ("impact_g", 3.0), ("impact_delay_s", 0.023))
    scores = run_case(Case(gait, seed)).scores
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 5.0, scores.ic_mae_ms
    assert scores.gct_mae_ms is not None and scores.gct_mae_ms < 5.0, scores.gct_mae_ms
