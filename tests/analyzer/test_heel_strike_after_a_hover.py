"""Slow walks whose foot ends its swing in the air and hangs there before the heel strikes.

Seen on a 100 Hz sensor on top of the foot: the toes-up swing rotation stops tens of ms before
contact, the foot wobbles on the ankle in the air (a small toes-down turn and back, 100-200 dps),
and only then does the heel strike, with an impact that throws the foot toes down about the heel
at once (the slap). The wobble looks like a ball landing whose heel then drops; but a foot whose
ball has landed cannot slap toes down tens of ms later. The contact is the heel's impact.
Before, the contact went to the wobble, 45 ms early; on recordings where the slap's burst was
then read as the push-off, the stance lasted 100 ms and its real toe-off was lost.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rig.evaluate import match_strides
from rig.explore import build_recording, parse_case
from rig.native import analyze
from scenarios.model import Recording

#: A slow heel-striking walk at 104 Hz, laces sensor, whose swing ends 70 ms before contact with
#: no toes-down hump and whose slap starts at contact.
HOVER_CASE = ("activity=walk speed_mps=1.0 odr_hz=104.0 site=laces precontact_lead_s=0.07 "
              "precontact_hump_deg=0.0 contact_rate_dps=0.0 landing_dps=1000.0 impact_delay_s=0.0")
#: Peak toes-down rate of the wobble in the air, dps; the turn back toes up peaks 1.3 times as fast.
WOBBLE_DPS = 150.0
#: Each half of the wobble lasts this long, s; it starts this long after the swing's end.
WOBBLE_HALF_S = 0.02
WOBBLE_START_S = 0.005


def _with_surge(before_top_s: float, ease_dps: float, brake_g: float) -> Recording:
    """HOVER_CASE whose toes-up rotation eases by up to ease_dps and surges again over 40 ms from
    before_top_s before each swing's end, while the shank is braked (x deceleration of brake_g)."""
    rec = build_recording(parse_case(HOVER_CASE, 5))
    assert rec.truth is not None
    gyro, acc = rec.gyro_dps.copy(), rec.acc_g.copy()
    for stride in rec.truth.strides:
        start_s = stride.ic_s - 0.07 - before_top_s
        m = (rec.t_s >= start_s) & (rec.t_s < start_s + 0.04)
        gyro[m, 1] += ease_dps * np.sin(np.pi * (rec.t_s[m] - start_s) / 0.04)
        m = (rec.t_s >= start_s + 0.02) & (rec.t_s < start_s + 0.08)
        acc[m, 0] -= brake_g * np.sin(np.pi * (rec.t_s[m] - start_s - 0.02) / 0.06)
    return replace(rec, gyro_dps=gyro, acc_g=acc)


def _assert_heel_strikes_on_time(rec: Recording) -> None:
    assert rec.truth is not None
    strides, _ = analyze(rec)
    matched = match_strides([{"ic_s": s.ic_s} for s in strides], rec.truth)
    assert len(matched.pairs) == len(rec.truth.strides) == len(strides), (len(matched.pairs), len(strides))
    errors_ms = np.array([1000.0 * (strides[d].ic_s - rec.truth.strides[t].ic_s) for d, t in matched.pairs])
    assert np.mean(np.abs(errors_ms)) < 10.0, errors_ms
    assert all(s.strike == "heel" for s in strides), [s.strike for s in strides]
    truth_gct = [t.gct_ms for t in rec.truth.strides if t.gct_ms is not None]
    for s in strides:
        assert s.gct_ms is None or s.gct_ms > 0.8 * min(truth_gct), (s.ic_s, s.gct_ms)


def _with_wobble(lead_s: float, wobble_dps: float) -> Recording:
    """HOVER_CASE with the wobble added to gy in the air after each swing's end (lead_s before IC)."""
    rec = build_recording(parse_case(HOVER_CASE, 5))
    assert rec.truth is not None
    gyro = rec.gyro_dps.copy()
    for stride in rec.truth.strides:
        top_s = stride.ic_s - lead_s
        for start_s, peak_dps in ((top_s + WOBBLE_START_S, wobble_dps),
                                  (top_s + WOBBLE_START_S + WOBBLE_HALF_S, -1.3 * wobble_dps)):
            m = (rec.t_s >= start_s) & (rec.t_s < start_s + WOBBLE_HALF_S)
            gyro[m, 1] += peak_dps * np.sin(np.pi * (rec.t_s[m] - start_s) / WOBBLE_HALF_S)
    return replace(rec, gyro_dps=gyro)


def test_a_foot_that_wobbles_in_the_air_lands_at_the_heel_strike() -> None:
    """Every stride found, IC within 10 ms of the heel's contact (before: 46 ms early on each)."""
    _assert_heel_strikes_on_time(_with_wobble(0.07, WOBBLE_DPS))


def test_a_swing_that_surges_again_then_hovers_lands_at_the_heel_strike() -> None:
    """The swing's rotation eases and surges again 80 ms before its end while |a| rises 4 g: read
    as a ball landing whose heel drops, but the heel strikes later with its slap (before: one
    stride's contact too early to match its heel strike)."""
    _assert_heel_strikes_on_time(_with_surge(0.08, 200.0, 4.0))
