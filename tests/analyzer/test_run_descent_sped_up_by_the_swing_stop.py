"""A running foot whose sensor reads its descent speeding up around the top, though it is in the air.

A laces sensor sits ahead of the ankle: the swing rotation's stop just before the top, and the
toes-down turn in the air after it, push it down, so the strapdown's vertical acceleration from
just before the top averages -17 to -32 m/s^2 there on a fast run whose heel lands 40 ms after
the top. The fall tracker read that as a foot slapping down about a heel already on the ground
(the slap test, AIR_SLAP_MPS2) and put those contacts at the top: 33 ms early at 104 Hz, where the
course's first points lie inside the swing's stop. A runner's heel down at the top slaps the foot
down at once (the knee rule already keeps runs whatever the course): the fall tracker now asks
the slap test of walks only, and finds those contacts where the ground's force shows.

The guard: a slow laces run at 416 Hz whose tops fall (its contacts stay within 3 ms).
"""

from __future__ import annotations

import numpy as np

from rig.explore import parse_case
from tests.analyzer.contacts import ic_errors_ms

#: (what the explorer printed; its seed)
LACES_RUN_104HZ = (
    "speed_mps=6.49 foot=left odr_hz=104.0 noise_scale=4.272 mount_pitch_deg=7.368 drop_rate=0.003 site=laces "
    "precontact_lead_s=0.043 landing_dps=164.668 tc_deg=-60.897 tc_rate_frac=0.691 swing_rate_scale=1.04 "
    "impact_g=4.331 impact_delay_s=0.017", 579551)

FORE_RUN_104HZ = (
    "speed_mps=6.24 strike=fore cadence_scale=1.09 turn_deg=163.729 grade_pct=8.92 foot=left odr_hz=104.0 "
    "drop_rate=0.004 gyro_fs_dps=1000.0 clock_error_pct=-0.925 precontact_hump_deg=8.395 landing_dps=1017.206 "
    "pushoff_frac=0.417 tc_deg=-69.45 swing_rate_scale=1.178 heel_kick_deg=17.506 impact_delay_s=0.017", 766485)

SLOW_LACES_RUN = (
    "speed_mps=2.1 turn_deg=165.375 turn_pitch_scale=0.482 foot=left noise_scale=9.41 mount_pitch_deg=-1.465 "
    "gyro_fs_dps=500.0 clock_error_pct=-1.39 site=laces tc_deg=-61.101 swing_rate_scale=1.147 "
    "swing_peak_frac=0.836 heel_kick_deg=25.961 impact_delay_s=0.026", 381312)


def test_laces_run_contacts_not_at_the_top() -> None:
    """At most the two strides whose top the detector calls the contact itself (GAIT_EVF_CONTACT)
    more than 20 ms early (before: four, 33-65 ms)."""
    spec, seed = LACES_RUN_104HZ
    errors = np.asarray(ic_errors_ms(parse_case(spec, seed)))
    assert (errors < -20.0).sum() <= 2, errors


def test_fast_run_turning_at_104_hz() -> None:
    """IC within 6 ms of the truth, mean absolute (before: 12.4 ms)."""
    spec, seed = FORE_RUN_104HZ
    errors = np.abs(ic_errors_ms(parse_case(spec, seed)))
    assert errors.mean() < 6.0, errors


def test_slow_laces_run_stays_on_time() -> None:
    """IC within 3 ms of the truth, mean absolute (0.8 ms before, 2.3 after)."""
    spec, seed = SLOW_LACES_RUN
    errors = np.abs(ic_errors_ms(parse_case(spec, seed)))
    assert errors.mean() < 3.0, errors
