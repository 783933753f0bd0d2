"""A walk's heel strike whose slap the detector took for the push-off: the strike angle waits for the foot flat.

A walker's heel lands 24-27 deg toes up after a small toes-down hump in the air (1.5-9 deg); the
landing is decided 25 ms after the contact while the forefoot is still slapping down (190-350
dps), so the stance starts in the slap, its toes-down burst reads as the push-off, and the stance's
stillest instant so far (its start) is queued as its zero-velocity point. The strike angle was the
sole's turn from the contact to that instant: 3 deg for a 26 deg heel strike, read mid-foot. A
still instant with the sole still far toes up and turning toes down is no flat foot: the angle
takes the turn on to the stance's next still instant.
"""

from __future__ import annotations

import pytest

from rig.explore import parse_case, run_case


@pytest.mark.parametrize("odr_hz", [208, 416, 833])
def test_a_heel_strike_after_a_small_hump_reads_its_strike_angle_at_the_foot_flat(odr_hz: int) -> None:
    """Before: strike class 58 % at 416 and 833 Hz (five strides in twelve read 3 deg, mid-foot), FSA
    10 deg mean absolute; 92 % at 208 Hz."""
    scores = run_case(parse_case(f"activity=walk speed_mps=1.07 precontact_hump_deg=1.516 odr_hz={odr_hz}", 827920)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0, scores
    assert scores.strike_accuracy == 1.0, scores.strike_accuracy
    assert scores.fsa_mae_deg is not None and scores.fsa_mae_deg < 1.5, scores.fsa_mae_deg


def test_a_heel_strike_after_a_large_hump_reads_its_strike_angle_at_the_foot_flat() -> None:
    """A 9 deg hump 54 ms before the contact, a slow landing: before, strike class 43 %, FSA 13 deg."""
    spec = ("activity=walk speed_mps=1.7 grade_pct=2.478 drop_rate=0.002 precontact_lead_s=0.054 "
            "precontact_hump_deg=9.039 landing_dps=175.955 swing_rate_scale=0.617 impact_delay_s=0.026")
    scores = run_case(parse_case(spec, 324853)).scores
    assert scores.strike_accuracy == 1.0, scores.strike_accuracy
    assert scores.fsa_mae_deg is not None and scores.fsa_mae_deg < 1.5, scores.fsa_mae_deg
