"""Ball landings on a stair step known by the load rise alone.

On a stair the ball of the foot often comes down onto the tread while the swing's toes-up
rotation is still running, at or past its peak, and the heel then drops about the ball to flat:
there is no top before contact, and (the forefoot's, not a heel's) no sharp impact transient. The
step arrests the foot's descent within a few tens of ms: |a| climbs by a g or more within 10 ms
of contact (the load rise), holds up over its onset value, and falls back from its peak within
tens of ms. The contact is where that rise began. The foot is flat when the rotation ends: the
heel drop may rock it past flat about its heel and back, but no heel strike slaps it down.

A knock or scuff of the shoe in a real swing (|a| back under its onset within ~10 ms), the leg
braking a swing in the air (|a| building over ~100 ms) and a rise before a heel strike's top (the
foot then slaps down through its strike angle) are no such contact.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


@pytest.mark.parametrize("gait", [
    # past the peak: the rotation slows into contact, then the heel drop speeds it up beyond the
    # swing's own peak
    (("activity", "stairs_down"), ("contact_rate_dps", 210.0)),
    # at the peak, read on the side of the shoe
    (("activity", "stairs_up"), ("site", "lateral"), ("contact_rate_dps", 240.0)),
    # at the peak; the heel drop rocks the foot past flat, unloading the sensor
    (("activity", "stairs_down"), ("contact_rate_dps", 470.0)),
    # at 208 Hz the rocking unloads the sensor 20 ms after contact
    (("activity", "stairs_up"), ("odr_hz", 208.0), ("contact_rate_dps", 300.0)),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_ball_that_lands_with_a_load_rise_and_no_impact_is_the_contact(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """Contact where |a| starts to rise (before: 0-9 % of the strides found, or every contact
    60-65 ms late at foot flat)."""
    scores = run_case(Case(gait, seed)).scores
    assert_every_stride_on_time(scores)
    assert scores.strike_accuracy is not None and scores.strike_accuracy >= 0.95


@pytest.mark.parametrize("spec,seed,ic_ms", [
    # real walking strides with a knock of 2 g in the swing, ~90 ms and ~70 ms before a soft
    # heel strike (back under its onset within 10 ms; the foot slaps down after the top)
    ("source=resynth activity=walk speed_mps=0.88 noise_scale=2.106 mount_yaw_deg=5.907 gyro_fs_dps=500.0",
     110914, 10.0),
    ("source=resynth activity=walk speed_mps=1.01 cadence_scale=1.091 foot=left odr_hz=208.0 mount_yaw_deg=-14.44 "
     "clock_error_pct=-1.233", 213420, 10.0),
    # a walk at 104 Hz whose swing brakes |a| up by a g a sample for ~90 ms
    ("activity=walk speed_mps=1.7 strike=mid cadence_scale=1.05 surface=treadmill turn_deg=-44.211 foot=left "
     "odr_hz=104.0 noise_scale=7.629 mount_yaw_deg=11.772 landing_dps=1159.234 pushoff_frac=0.668 tc_deg=-50.618 "
     "tc_rate_frac=0.551 impact_delay_s=0.018", 377075, 25.0),
])
def test_a_rise_of_the_acceleration_in_the_air_is_no_load_rise(spec: str, seed: int, ic_ms: float) -> None:
    """No stride starts at a knock, a scuff or the swing's braking (each took 1-12 strides 70-160
    ms early while the load rise was only a fast rise; the braking walk's mid strikes are found
    15-20 ms late, as before)."""
    from rig.explore import parse_case

    scores = run_case(parse_case(spec, seed)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0, scores
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < ic_ms, scores.ic_mae_ms
