"""Heel strikes whose contact comes while the swing's toes-up rate is still at its peak.

A walker's heel can be planted with the foot still turning toes up at full swing rate: the
ground's force behind the ankle arrests that rotation at once, and the pitch rate turns from its
peak straight into the slap's steep rise, crossing zero (the top) 10-40 ms after contact. The
contact is the knee at the peak, not the top.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


@pytest.mark.parametrize("gait, seed", [
    ((("activity", "walk"), ("speed_mps", 1.6), ("contact_rate_dps", 350.0)), 2),
    ((("activity", "walk"), ("speed_mps", 1.6), ("contact_rate_dps", 350.0)), 3),
    ((("activity", "walk"), ("speed_mps", 1.7), ("contact_rate_dps", 400.0)), 1),
    ((("activity", "walk"), ("speed_mps", 1.7), ("contact_rate_dps", 400.0)), 2),
])
def test_a_heel_that_lands_at_the_toes_up_rate_peak_touches_at_the_peak(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """Every stride within 5 ms (before: contact at the top, 8-10 ms late on average, the
    strides with the fastest swing up to 20 ms)."""
    assert_every_stride_on_time(run_case(Case(gait, seed)).scores)


@pytest.mark.parametrize("gait, seed", [
    # a run's swing peak clipped at 1000 dps: the fall after a rounded top beyond full scale is
    # steep in itself, no ground's arrest
    ((("speed_mps", 7.63), ("mount_yaw_deg", -14.974), ("gyro_fs_dps", 1000.0), ("clock_error_pct", -1.91),
      ("pushoff_frac", 0.396), ("tc_deg", -40.587), ("heel_kick_deg", 49.332)), 88479),
    # a run's swing that stops abruptly in the air, clipped at 500 dps, then turns toes down
    # before the heel lands with the slap
    ((("speed_mps", 2.89), ("turn_deg", -119.301), ("turn_pitch_scale", 0.71), ("grade_pct", -11.714),
      ("noise_scale", 4.32), ("gyro_fs_dps", 500.0), ("clock_error_pct", -1.976), ("site", "laces"),
      ("precontact_lead_s", 0.05), ("swing_rate_scale", 0.755), ("impact_delay_s", 0.004)), 586479),
])
def test_a_swing_that_ends_steeply_in_the_air_is_no_contact_at_its_peak(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """A peak the gyro clipped, or a swing whose rotation stops in the air before a toes-down turn
    and the heel's slap, is no contact at the peak: the strides stay on time."""
    scores = run_case(Case(gait, seed)).scores
    assert scores.recall is not None and scores.recall >= 0.95
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 5.0, scores.ic_mae_ms
    assert scores.gct_mae_ms is not None and scores.gct_mae_ms < 5.0, scores.gct_mae_ms
