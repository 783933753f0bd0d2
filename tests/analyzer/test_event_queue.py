"""Stride events in flight between the detector and the strapdown.

At a low output rate the strapdown's fixed delay of samples spans more than two strides of a
fast run, and a stride whose swing ends long before contact queues up to eight events (top,
landing, late impact, slap knee, toe-off, the still span's two ends): none may be lost.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_fast_run_at_104_hz_keeps_every_stride(seed: int) -> None:
    """A 6.7 m/s run at a high cadence sampled at 104 Hz, each swing ending 60 ms before contact
    after a hump: every stride is found (before: the event queue overflowed and one stride in
    twenty was lost)."""
    gait = (("speed_mps", 6.7), ("cadence_scale", 1.1), ("odr_hz", 104.0), ("precontact_lead_s", 0.06),
            ("precontact_hump_deg", 7.9), ("gyro_fs_dps", 500.0))
    scores = run_case(Case(gait, seed)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0
