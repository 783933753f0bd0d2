"""The first stride's strike angle from a sensor turned about the vertical.

A clip on the laces or a pod in the midsole sits turned by up to 15-20 deg about the vertical: its
x axis then rises with the foot's roll too, and the inversion at contact reads as 2-3 deg of strike
angle until the sole's axes are learnt from a swing. A mid-foot strike's angle lies within a few
degrees of the mid/fore cut-off (-0.8 deg), so that error flips the class of the first stride of
every walk or run. The swing that ends in the contact teaches the axis: it applies to that contact.
"""

from __future__ import annotations

import pytest

from rig.explore import build_recording, parse_case
from rig.native import analyze


@pytest.mark.parametrize("spec", [
    "speed_mps=3 strike=mid mount_yaw_deg=14",
    "speed_mps=3 strike=mid mount_yaw_deg=-14",
    "speed_mps=6 strike=mid mount_yaw_deg=10 mount_pitch_deg=-11",
    "activity=walk speed_mps=1.3 strike=mid mount_yaw_deg=-12",
])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_first_stride_strike_angle_holds_with_a_turned_sensor(spec: str, seed: int) -> None:
    """Every stride's strike angle within 1 deg of the truth, the first included (before: the first
    off by 2.3-2.7 deg at 14 deg of yaw, the rest within 0.6)."""
    rec = build_recording(parse_case(spec, seed))
    assert rec.truth is not None
    strides, _ = analyze(rec)
    assert len(strides) == len(rec.truth.strides)
    for got, want in zip(strides, rec.truth.strides):
        assert abs(got["ic_s"] - want.ic_s) < 0.01, (got["ic_s"], want.ic_s)
        assert want.fsa_deg is not None and got["fsa_deg"] is not None
        assert abs(got["fsa_deg"] - want.fsa_deg) < 1.0, (want.ic_s, got["fsa_deg"], want.fsa_deg)
