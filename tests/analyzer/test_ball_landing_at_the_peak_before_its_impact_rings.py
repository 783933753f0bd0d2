"""A ball that lands at the swing's toes-up rate peak, its impact's onset read only later.

A forefoot walker whose foot still turns toes up fast at contact (370 dps) lands at the swing's rate
peak, and the ground's hard impact follows within the impact window. An impact counts as a contact
in the swing rotation only late in it (the rate under SWING_LATE_FRAC of its peak), so the jump of
|a| first seen there is that landing's impact still ringing, 15-35 ms after the contact: the ball
touched at the peak, which the peak's own impact already showed.
"""

from __future__ import annotations

import pytest

from rig.explore import Case
from tests.analyzer.contacts import ic_errors_ms


@pytest.mark.parametrize("seed", [1, 2])
def test_a_ball_landing_at_the_peak_is_not_taken_at_its_ringing(seed: int) -> None:
    """Forefoot walk at 1.04 m/s, 370 dps toes up at contact, a 23 g impact (before: 5-7 strides of
    each walk 16-37 ms late)."""
    case = Case((("activity", "walk"), ("speed_mps", 1.04), ("strike", "fore"), ("contact_rate_dps", 368.0),
                 ("impact_g", 23.0)), seed)
    errors_ms = ic_errors_ms(case)
    assert max(abs(e) for e in errors_ms) < 5.0, errors_ms
