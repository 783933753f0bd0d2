"""A heel that lands after a toes-down hump in the air, read by a sensor behind or above the ankle.

An explored walk turns the foot 12 deg toes down in the air in the last 40 ms before the heel
lands (a hump peaking at about 530 dps), the hump then easing to a dip of 40-60 dps just as the
heel touches, and the heel's slap turning the foot toes down again at once. A sensor on the heel
or the lateral side feels the hump's own start as a jolt of several g (its angular acceleration
times the lever from the turn's centre), read as the top's impact, and the hump's end as a rise
of |a| like a load taking the foot's weight: the contact went to the top or into the hump, 20-40
ms early. The slap after the dip tells the foot was still in the air until it: a heel down at
the top slaps the foot flat and stays there, and a ball down in the bump lowers the heel toes up.
A dip near zero is a foot lying flat, whose push-off may follow at once on a fast run; that keeps
its contact at the top.
"""

from __future__ import annotations

import numpy as np
import pytest

from rig.explore import parse_case
from tests.analyzer.contacts import ic_errors_ms

#: (what the explorer printed, with the rate and the site left out; its seed)
HUMP_WALK = (
    "activity=walk speed_mps=1.99 mount_pitch_deg=-8.463 mount_yaw_deg=13.318 clock_error_pct=-0.224 "
    "precontact_hump_deg=11.904 tc_deg=-41.126 swing_rate_scale=1.11 impact_delay_s=0.027", 276973)

#: A sprint's heel strike: the slap ends flat (gy at 0) and the push-off rises from there at once.
FLAT_THEN_PUSH_RUN = (
    "speed_mps=7.21 cadence_scale=1.062 odr_hz=208.0 mount_pitch_deg=-5.78 gyro_fs_dps=500.0 "
    "landing_dps=516.051 pushoff_frac=0.613 tc_rate_frac=0.329 swing_rate_scale=0.681 "
    "heel_kick_deg=42.299 impact_delay_s=0.023", 938326)


@pytest.mark.parametrize("site", ["heel", "lateral", "laces"])
@pytest.mark.parametrize(("odr_hz", "within_ms"), [(208.0, 4.0), (416.0, 3.0), (1666.0, 2.0)])
def test_contact_at_the_dip_before_the_slap(site: str, odr_hz: float, within_ms: float) -> None:
    """Every stride found, none extra; IC within `within_ms` of the truth, mean absolute (before:
    heel 20-38 ms early at every rate, laces 7 ms; now 0.5-2 ms), and no stride over 10 ms off."""
    spec, seed = HUMP_WALK
    errors = np.asarray(ic_errors_ms(parse_case(f"{spec} site={site} odr_hz={odr_hz}", seed)))
    assert np.abs(errors).mean() < within_ms, errors
    assert np.abs(errors).max() < 10.0, errors


def test_push_off_from_a_flat_foot_is_no_slap() -> None:
    """The sprint's contacts stay at the top: no stride over 10 ms off (reading its push-off as a
    slap after a dip put five of its 20 contacts 42-45 ms late)."""
    spec, seed = FLAT_THEN_PUSH_RUN
    errors = np.asarray(ic_errors_ms(parse_case(spec, seed)))
    assert np.abs(errors).max() < 10.0, errors
