"""The end of the heel's slap is no knee of it, whatever the gyro's bias.

A 2.2 m/s run at 104 Hz on a 1000 dps gyro, the sensor on the laces, a 49 ms airborne lead and a
fast slap: the foot turns toes down in the air after the swing's end and the heel's contact
steepens that turn into the slap. The slap ends with the foot flat, where gy's steep fall eases to
level; a gyro bias left in gy, or noise, turns that level into a slight rise, and the easing then
outweighed the slap's real knee. A fall that eases counts only while gy is still in the bump
(over LAND_FRAC of its peak), as a dip between the turn in the air and the slap does.
"""

from __future__ import annotations

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


def test_the_slaps_end_is_no_knee() -> None:
    """Every stride on time (before: IC 20.7 ms mean, a third of the strides 40-45 ms early). Drawn by
    `rig explore`."""
    case = Case((("speed_mps", 2.19), ("turn_deg", -1.239), ("turn_pitch_scale", 0.62), ("odr_hz", 104.0),
                 ("mount_pitch_deg", 6.711), ("mount_yaw_deg", 14.771), ("gyro_fs_dps", 1000.0), ("site", "laces"),
                 ("precontact_lead_s", 0.049), ("landing_dps", 986.593), ("tc_deg", -43.833),
                 ("tc_rate_frac", 0.683), ("swing_rate_scale", 1.463), ("heel_kick_deg", 36.46),
                 ("impact_delay_s", 0.024)), 690722)
    assert_every_stride_on_time(run_case(case).scores)
