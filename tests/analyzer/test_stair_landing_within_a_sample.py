"""Stair landings at 104 Hz whose heel drop or load rise lasts a sample or two.

A ball that lands on a stair after a short toes-down turn in the air drops its heel to flat at
500-1000 dps: 3-5 deg within 5-8 ms, inside one sample period at 104 Hz. The rate then shows at
a single sample after the landing bump's end, the next one reads the still foot's zero; the heel
drop that tells the ball landed there is the turn between those samples, not the single sample's
rate alone. A ball that lands still turning toes up (down a stair) speeds up into the heel drop at
once, and the foot's load rises over 20-30 ms with it: at 104 Hz the window after the last slow
sample holds two samples, and the load may peak only at the third, the one that confirms the
speed-up. A pivot step whose ball lands that way has its rate back at zero within a sample or two
of the impact: the impact is still its landing.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case


@pytest.mark.parametrize("seed", [1, 2])
def test_a_heel_drop_within_a_sample_marks_the_ball_landing_at_the_bump_end(seed: int) -> None:
    """Up a stair at 104 Hz, an 8 ms toes-down turn in the air and a 680 dps heel drop: contact at
    the landing bump's end (before: IC 9.8-10.3 ms and contact time 9.3-10.7 ms off, most strides
    taken at the top, 10-20 ms early)."""
    gait = (("activity", "stairs_up"), ("odr_hz", 104.0), ("precontact_lead_s", 0.008), ("landing_dps", 680.0))
    scores = run_case(Case(gait, seed)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0, scores
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 8.0, scores.ic_mae_ms
    assert scores.gct_mae_ms is not None and scores.gct_mae_ms < 8.0, scores.gct_mae_ms


@pytest.mark.parametrize("seed", [1, 2])
def test_a_ball_landing_turning_toes_up_takes_its_load_by_the_confirming_sample(seed: int) -> None:
    """Down a stair at 104 Hz the ball lands turning toes up at 150 dps and the heel drops at
    500 dps: contact where the rotation sped up (before: IC 17-22 ms late, at the heel drop's
    peak rate)."""
    gait = (("activity", "stairs_down"), ("odr_hz", 104.0), ("contact_rate_dps", 150.0), ("landing_dps", 500.0))
    scores = run_case(Case(gait, seed)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0, scores
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 10.0, scores.ic_mae_ms
    assert scores.gct_mae_ms is not None and scores.gct_mae_ms < 10.0, scores.gct_mae_ms


@pytest.mark.parametrize("gait, seed", [
    ((("activity", "stairs_up"), ("odr_hz", 104.0), ("turn_deg", -108.0), ("turn_pitch_scale", 0.43),
      ("contact_rate_dps", 425.0), ("landing_dps", 460.0), ("noise_scale", 3.9), ("swing_rate_scale", 1.15)), 1),
    ((("activity", "stairs_up"), ("cadence_scale", 0.963), ("turn_deg", -107.709), ("turn_pitch_scale", 0.433),
      ("odr_hz", 104.0), ("noise_scale", 3.936), ("gyro_fs_dps", 1000.0), ("contact_rate_dps", 425.048),
      ("landing_dps", 461.461), ("pushoff_frac", 0.384), ("swing_rate_scale", 1.151), ("heel_kick_deg", 19.676)),
     238048),
])
def test_a_weak_pivot_step_that_lands_turning_toes_up_keeps_its_impact(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """A pivot step up a turning stair at 104 Hz turns the foot toes up by under 30 deg; its ball
    lands at 425 dps and the heel is down within a sample, so the rate reaches zero before the
    impact has been held: the impact is the step's landing (before: the weak step found no
    landing after its top and one contact came from the pivot's spin, 90 ms early; IC 11-12 ms)."""
    scores = run_case(Case(gait, seed)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0, scores
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 8.0, scores.ic_mae_ms
    assert scores.gct_mae_ms is not None and scores.gct_mae_ms < 8.0, scores.gct_mae_ms
