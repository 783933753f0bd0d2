"""A runner's ball that lands with an impact: the toes-down turn after the heel drop is the push-off.

Two explored forefoot runs (3.4 and 8 m/s) land the ball still turning toes up, with a sharp
impact, and the heel drops to foot flat within 20-50 ms; at a run the heel rises into the
push-off at once. The analyzer, in stance from that impact, read gy's crossing at foot flat and the
toes-down turn after it, whose |a| matches a slap's, as a heel strike after a jolt in the air: it
put the contact at the crossing (46 ms late at 8 m/s), and, waiting through the push-off for that
decision, lost the toe-off (no contact time on any stride) or put it in the heel kick. A running
foot that lies flat at the crossing (its sole within 5 deg toes up, or 10 deg toes down, of where
it last stood, by the strapdown's pitch carried ahead over the stored rates) has no slap to come:
the impact stays the contact and the push-off is tracked as the stance's own.
"""

from __future__ import annotations

import pytest

from rig.explore import parse_case, run_case

RUNS = {
    "8 m/s at 208 Hz": (
        "speed_mps=7.98 strike=fore cadence_scale=1.004 grade_pct=-5.777 odr_hz=208.0 mount_pitch_deg=-7.002 "
        "mount_yaw_deg=-0.898 clock_error_pct=1.748 contact_rate_dps=360.915 landing_dps=321.233 "
        "pushoff_frac=0.548 tc_rate_frac=0.334 swing_peak_frac=0.534 heel_kick_deg=43.348 impact_g=13.069", 657140),
    "3.4 m/s, noisy": (
        "speed_mps=3.38 strike=fore cadence_scale=0.961 grade_pct=-5.632 noise_scale=9.187 mount_pitch_deg=-1.134 "
        "contact_rate_dps=176.642 pushoff_frac=0.512 tc_rate_frac=0.618 heel_kick_deg=43.345 impact_g=12.482 "
        "impact_delay_s=0.015", 762186),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_contact_at_the_impact_and_toe_off_at_the_push_off(name: str) -> None:
    """Every stride found and none extra, IC within 5 ms and contact time within 10 ms (mean
    absolute; before: IC 46 ms late with no contact time at 8 m/s, contact time 10.3 ms at 3.4 m/s)."""
    spec, seed = RUNS[name]
    scores = run_case(parse_case(spec, seed)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0, scores
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 5.0, scores.ic_mae_ms
    assert scores.gct_mae_ms is not None and scores.gct_mae_ms < 10.0, scores.gct_mae_ms
