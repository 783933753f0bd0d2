"""A ball that lands at the swing's toes-up rate peak, its impact's onset read only later.

A forefoot walker whose foot still turns toes up fast at contact (370 dps) lands at the swing's rate
peak, and the ground's hard impact follows within the impact window. An impact counts as a contact
in the swing rotation only late in it (the rate under SWING_LATE_FRAC of its peak), so the jump of
|a| first seen there is that landing's impact still ringing, 15-35 ms after the contact: the ball
touched at the peak, which the peak's own impact already showed.
"""

from __future__ import annotations

import pytest

from rig.evaluate import match_strides
from rig.explore import Case, build_recording
from rig.native import analyze


@pytest.mark.parametrize("seed", [1, 2])
def test_a_ball_landing_at_the_peak_is_not_taken_at_its_ringing(seed: int) -> None:
    """Forefoot walk at 1.04 m/s, 370 dps toes up at contact, a 23 g impact (before: 5-7 strides of
    each walk 16-37 ms late)."""
    case = Case((("activity", "walk"), ("speed_mps", 1.04), ("strike", "fore"), ("contact_rate_dps", 368.0),
                 ("impact_g", 23.0)), seed)
    rec = build_recording(case)
    assert rec.truth is not None
    strides, _ = analyze(rec)
    matching = match_strides(strides, rec.truth)
    assert not matching.missed and not matching.false_alarms, matching
    errors_ms = [(strides[di]["ic_s"] - rec.truth.strides[ti].ic_s) * 1000.0 for di, ti in matching.pairs]
    assert max(abs(e) for e in errors_ms) < 5.0, errors_ms
