"""A landing bump that ends with the foot flat, its rate creeping to zero only later.

A mid-foot walker's toes-down landing bump, read at 104 Hz with a noisy gyro: a fast descent leaves a
single sample in the band that the parabola of the descent is fitted over, and the rate then lingers
a few dps above zero (noise and offset on a foot lying flat) for a sample or two before it crosses
zero. That crossing is 15-25 ms after the contact; the descent's own line, from the sample before
the band through the one in it, reaches zero at the contact.
"""

from __future__ import annotations

import pytest

from rig.explore import Case
from tests.analyzer.contacts import ic_errors_ms


@pytest.mark.parametrize("seed", [2, 3])
def test_a_flat_foot_before_a_late_crossing_is_the_contact(seed: int) -> None:
    """Mid-foot walk at 1.9 m/s, 104 Hz, a fast landing and 5x the sensor's noise (before: one stride's
    IC 22 ms late, at the crossing)."""
    case = Case((("activity", "walk"), ("speed_mps", 1.9), ("strike", "mid"), ("odr_hz", 104.0),
                 ("landing_dps", 1000.0), ("noise_scale", 5.0)), seed)
    late_ms = ic_errors_ms(case)
    assert max(abs(e) for e in late_ms) < 18.0, late_ms
