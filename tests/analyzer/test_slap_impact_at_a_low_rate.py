"""A heel that strikes after a toes-down turn in the air, sampled at 104 Hz.

The heel's contact throws the foot's toes-down turn into a steep slap (a knee in gy). The slap
counts as the contact only with an impact at the knee; at 104 Hz one sample smears the impact's
jerk under the threshold a faster sensor sees, so |a| rising 1 g over its value just before the
knee, within the impact window, is that impact too (as for the other landmarks at a low rate).
"""

from __future__ import annotations

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


def test_a_slap_after_a_hump_at_104_hz_is_the_heel_strike() -> None:
    """A downhill walk at 104 Hz with a 13 deg hump in the air before each heel strike: every
    stride within 10 ms (before: IC 17.8 ms, six strides at the hump's top, 40 ms early)."""
    case = Case((("activity", "walk"), ("speed_mps", 1.84), ("grade_pct", -7.606), ("foot", "left"),
                 ("odr_hz", 104.0), ("noise_scale", 8.964), ("gyro_fs_dps", 1000.0), ("clock_error_pct", -1.506),
                 ("precontact_hump_deg", 13.203), ("contact_rate_dps", -123.52), ("tc_rate_frac", 0.619),
                 ("swing_rate_scale", 1.124), ("impact_g", 14.42)), 529464)
    assert_every_stride_on_time(run_case(case).scores, within_ms=10.0)
