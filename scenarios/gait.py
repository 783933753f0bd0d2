"""Gait laws: how speed, activity and strike class set the timing and angles of one stride.

Figures follow the domain notes (contact and flight vs speed, cadence, strike angles, swing
rates); where a figure is an estimate the constant says so. All angles are sole pitch angles
to the ground with + = toes up (the shoe-frame pitch rate is gy = -d(pitch)/dt).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import STRIKE_CLASSES
from .swing import SwingTiming

# Running contact (GCT) and flight per step vs speed: 3.0/4.5/6.0 m/s from the domain notes;
# 2.0 m/s (walk-run transition, duty ~0.35, ~138 steps/min) and 8.0 m/s (sprint, ~110 ms
# contact) are estimates that keep cadence rising with speed.
_RUN_SPEED_MPS = np.array([2.0, 3.0, 4.5, 6.0, 8.0, 10.0])
_RUN_GCT_MS = np.array([305.0, 280.0, 209.0, 168.0, 110.0, 95.0])
_RUN_FLIGHT_MS = np.array([130.0, 98.0, 143.0, 139.0, 125.0, 120.0])

# Default foot strike angles (deg, + toes up) per class (estimates inside the published ranges).
RUN_FSA_DEG = {"heel": 15.0, "mid": 1.0, "fore": -9.0}
WALK_FSA_DEG = 25.0  # measured on the example walks: ~25 deg at IC

MOVING_ACTIVITIES = ("walk", "run", "stairs_up", "stairs_down")


@dataclass(frozen=True)
class StrideTiming:
    """Timing of one stride of the instrumented foot: all durations in ms."""

    stride_ms: float
    gct_ms: float

    @property
    def swing_ms(self) -> float:
        """Time the foot is in the air (TC to next IC)."""
        return self.stride_ms - self.gct_ms


def run_gct_ms(speed_mps: float) -> float:
    """Ground contact time of a running step at this speed, ms."""
    return float(np.interp(speed_mps, _RUN_SPEED_MPS, _RUN_GCT_MS))


def run_flight_ms(speed_mps: float) -> float:
    """Flight (both feet in the air) per step when running at this speed, ms."""
    return float(np.interp(speed_mps, _RUN_SPEED_MPS, _RUN_FLIGHT_MS))


def walk_cadence_spm(speed_mps: float) -> float:
    """Walking cadence in steps/min: ~109 at 1.3 m/s, 100-120 over normal speeds."""
    return 62.0 + 36.0 * speed_mps


def walk_duty_factor(speed_mps: float) -> float:
    """Fraction of the stride the foot is on the ground when walking (~0.65 at 1.3 m/s)."""
    return float(np.clip(0.70 - 0.04 * speed_mps, 0.55, 0.68))


def nominal_timing(activity: str, speed_mps: float) -> StrideTiming:
    """Stride and contact time for an activity at a speed (stairs: speed is ignored)."""
    if activity == "run":
        gct = run_gct_ms(speed_mps)
        return StrideTiming(2.0 * (gct + run_flight_ms(speed_mps)), gct)
    if activity == "walk":
        stride = 2.0 * 60_000.0 / walk_cadence_spm(speed_mps)
        return StrideTiming(stride, stride * walk_duty_factor(speed_mps))
    if activity == "stairs_up":
        return StrideTiming(1250.0, 760.0)
    if activity == "stairs_down":
        return StrideTiming(1100.0, 640.0)
    raise ValueError(f"no stride timing for activity {activity!r}")


def default_fsa_deg(activity: str, strike: str) -> float:
    """Foot strike angle at IC for an activity and strike class, deg (+ = toes up)."""
    if activity == "walk":
        return WALK_FSA_DEG if strike == "heel" else RUN_FSA_DEG[strike]
    if activity == "stairs_up":
        return -4.0
    if activity == "stairs_down":
        return -16.0
    return RUN_FSA_DEG[strike]


def strike_of_fsa(fsa_deg: float) -> str:
    """Strike class of an angle, with the published cut-offs: heel > 7.4, fore < -0.8 deg."""
    if fsa_deg > 7.4:
        return "heel"
    if fsa_deg < -0.8:
        return "fore"
    return "mid"


@dataclass(frozen=True)
class PitchShape:
    """Landmarks of the sole pitch over one stride (deg, deg/s, fractions of contact)."""

    landing_frac: float  # IC to foot flat, fraction of contact
    pushoff_frac: float  # heel-off to TC, fraction of contact
    tc_deg: float  # pitch at TC (toes down, negative)
    min_deg: float  # most toes-down pitch in early swing
    swing_peak_dps: float  # largest toes-up rate in swing (magnitude)
    top_lead_s: float  # the toes-up rotation ends this long before IC
    swing: SwingTiming  # where the parts of the swing's pitch rate sit
    pushoff_peak_lead_s: float | None = None  # push-off rate peaks this long before TC (None: law)
    tc_rate_frac: float | None = None  # rate at TC over the push-off peak rate (None: 0.88)


# Walking (example walks): the push-off rate is gone ~45 ms after TC and gy reverses ~20 ms after
# TC into a broad toes-up swing, deepest near mid-swing.
WALK_SWING = SwingTiming(0.12, 0.0, 0.0, 0.0, 0.50, True)
STAIRS_SWING = SwingTiming(0.12, 0.0, 0.0, 0.06, 0.50, False, 60.0)
# Running (running bouts of the gdin_koroglu recordings, 2.6-3.9 m/s): the push-off burst ends
# at TC, the heel kick keeps gy toes-down (+200..+350 dps, 20-35 deg) for about a third of the
# swing, then gy turns toes-up into one rounded peak about 80 % into the swing that falls
# steeply to zero just before IC (the real bouts peak nearer 70 % and end the toes-up swing
# ~50 ms before IC; the landmarks here keep the swing's end 2-8 ms before IC).
RUN_SWING = SwingTiming(0.07, 0.10, 0.40, 0.12, 0.82, False, 150.0)


def pitch_shape(activity: str, speed_mps: float, strike: str) -> PitchShape:
    """Pitch landmarks: walking calibrated on the example walks, running on the domain notes and
    the real running bouts."""
    if activity == "walk":
        # Example walks: TC at -65 deg, min -69 deg 20 ms after TC, swing -300..-400 dps.
        land = 0.17 if strike == "heel" else 0.12
        return PitchShape(land, 0.34, -64.0, -68.0, 270.0 + 60.0 * speed_mps, 0.0, WALK_SWING)
    if activity in ("stairs_up", "stairs_down"):
        return PitchShape(0.15, 0.35, -35.0, -45.0, 260.0, 0.06, STAIRS_SWING)
    # Running: push-off to about -60 deg at TC, the heel kick carries the foot ~30-50 deg
    # further toes down; toes-up swing rate 800-1500 dps rising with speed, over 2000 dps at a
    # sprint.
    land = {"heel": 0.20, "mid": 0.12, "fore": 0.25}[strike]
    return PitchShape(
        land,
        0.60,
        -min(52.0 + 2.0 * speed_mps, 58.0),
        -80.0 - 3.0 * speed_mps,
        200.0 + 220.0 * speed_mps,
        0.0,
        RUN_SWING,
    )


@dataclass(frozen=True)
class LandingShape:
    """How the foot meets the ground: pivot velocity arrested over landing_s, impact transient."""

    v_forward_mps: float
    v_down_mps: float
    arrest_s: float
    impact_g: float  # extra heel-strike transient amplitude (0 for mid and fore strikes)
    impact_delay_s: float = 0.008  # the transient starts this long after IC ...
    impact_width_s: float = 0.012  # ... and lasts this long


def landing_shape(activity: str, speed_mps: float, strike: str) -> LandingShape:
    """Landing velocities and impact (impact peak only for heel strikers, rising with speed).

    Heel-strike impacts peak 10-30 ms after IC (domain notes); on the example walks they reach
    ~12 g (up to ~18 g) about 25 ms after IC.
    """
    if activity == "walk":
        return LandingShape(0.25, 0.35, 0.03, 9.0 if strike == "heel" else 0.0, 0.012)
    if activity in ("stairs_up", "stairs_down"):
        down = 0.35 if activity == "stairs_up" else 0.6
        return LandingShape(0.1, down, 0.035, 0.0)
    impact = 4.0 + 4.5 * speed_mps if strike == "heel" else 0.0
    return LandingShape(0.12 * speed_mps, 0.35 + 0.2 * speed_mps, 0.025, impact, 0.008)


def check_strike(strike: str) -> None:
    """Raise ValueError for a strike class that does not exist."""
    if strike not in STRIKE_CLASSES:
        raise ValueError(f"strike {strike!r} is not one of {STRIKE_CLASSES}")
