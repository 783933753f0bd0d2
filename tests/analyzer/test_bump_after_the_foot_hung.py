"""Landings whose foot hangs nearly still in the air after the top, then turns toes down into the ground.

Down a steep grade at 104 Hz the toes-up swing rotation ends 100-140 ms before contact; the foot
then hangs with gy within a few dps of zero (noise and bias) and only in the last ~30 ms turns toes
down into the ground (a mid or fore strike's landing bump). The bump's end is the contact. Two
faults put the contact at the top or at the bump's start instead:
- the least gy just before the bump rises was taken as the end of a landing bump whose peak was the
  very sample after it: a dip ends the bump before it, never the one it starts;
- the landing was given up LAND_TIMEOUT_S after the top while its bump was still descending: the
  window runs from the bump's start when the foot hung in the air first.
"""

from __future__ import annotations

import pytest

from rig.explore import parse_case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


@pytest.mark.parametrize("spec, seed", [
    ("activity=walk speed_mps=1.02 strike=mid cadence_scale=0.942 grade_pct=-13.786 odr_hz=104.0 "
     "mount_yaw_deg=4.04 drop_rate=0.002 precontact_lead_s=0.039 precontact_hump_deg=1.477 "
     "landing_dps=1196.192 pushoff_frac=0.376 tc_deg=-50.552 swing_peak_frac=0.558 heel_kick_deg=49.539 "
     "impact_g=25.32", 470875),
    ("activity=walk speed_mps=1.21 strike=fore cadence_scale=0.96 surface=treadmill grade_pct=-14.266 "
     "odr_hz=104.0 mount_pitch_deg=11.954 mount_yaw_deg=8.504 clock_error_pct=-1.472 precontact_lead_s=0.025 "
     "landing_dps=1183.876 pushoff_frac=0.617 tc_deg=-63.09 swing_peak_frac=0.806 impact_g=7.281 "
     "impact_delay_s=0.027", 337919),
])
def test_a_foot_that_hung_in_the_air_lands_at_the_end_of_its_late_bump(spec: str, seed: int) -> None:
    """Contact at the end of the late toes-down bump, not at the dip it starts from nor at the top
    (before: IC 31-39 ms early, one stride lost to a contact at the top)."""
    scores = run_case(parse_case(spec, seed)).scores
    assert_every_stride_on_time(scores, within_ms=8.0)
