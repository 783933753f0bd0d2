"""A sprinter's heel whose impact peaks inside the landing bump, apart from the top and the bump's end.

At 6-7 m/s a heel strike's impact can come 25-30 ms after the contact: it peaks 24 ms after the
swing's top and 20 ms before the landing bump ends, where the forefoot's slap knocks sharper (a
narrow spike of 15 g that a sample catches or not). Against the heel's impact, that knock read as a
ball landing at the bump's end ("higher and far sharper"): contact 36 ms late, strike read mid-foot,
on the strides whose sampling caught the knock. The rule was for a swing's end in the air, which
jolts the sensor at the top itself; an impact peaking well apart from both the top and the bump's
end is the ground's under the heel.
"""

from __future__ import annotations

import pytest

from rig.explore import parse_case, run_case

SPRINT = "speed_mps=6.76 landing_dps=655.781 pushoff_frac=0.685 impact_delay_s=0.029"


@pytest.mark.parametrize(("odr_hz", "seed"), [(833, 1), (833, 2), (1666, 764822)])
def test_a_sprinters_heel_impact_inside_the_bump_keeps_the_contact_at_the_heel(odr_hz: int, seed: int) -> None:
    """Before: IC 28-32 ms mean absolute, strike class 11-24 % at 833 Hz (416 Hz: 0.5 ms)."""
    scores = run_case(parse_case(f"{SPRINT} odr_hz={odr_hz}", seed)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0, scores
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 5.0, scores.ic_mae_ms
    assert scores.gct_mae_ms is not None and scores.gct_mae_ms < 5.0, scores.gct_mae_ms
    assert scores.strike_accuracy == 1.0, scores.strike_accuracy
