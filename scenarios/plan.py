"""From a scenario definition to a plan of ground contacts of the instrumented foot.

A contact is the foot on the ground from IC to TC; the first contact starts before the
recording (the foot stands at the start) and the last one lasts past its end. Between two
contacts the foot swings. Footprints are where the foot lies flat in each contact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from .definition import ScenarioDef, Segment
from .gait import (
    LandingShape,
    PitchShape,
    default_fsa_deg,
    landing_shape,
    pitch_shape,
)
from .morphology import Morphology

STAIR_RISE_M = 0.17
STAIR_GOING_M = 0.28


@dataclass(frozen=True)
class Fidget:
    """A motion of a standing foot that never lifts it: pitch (toe tap +, heel raise -),
    roll (weight shift) or a slide along the ground."""

    start_s: float
    duration_s: float
    pitch_deg: float = 0.0
    roll_deg: float = 0.0
    slide_m: tuple[float, float] = (0.0, 0.0)
    # the flat foot slid round about its vertical by yaw_deg (through the sole's middle, under the
    # sensor), held there, and slid back
    yaw_deg: float = 0.0


@dataclass
class Contact:
    """One ground contact; None times mean the contact began before / lasts past the recording."""

    ic_s: float | None
    flat_s: float
    heeloff_s: float = math.inf
    tc_s: float | None = None
    foot_m: np.ndarray = field(default_factory=lambda: np.zeros(3))
    yaw_deg: float = 0.0
    activity: str = "still"
    strike: str | None = None
    fsa_deg: float = 0.0
    pronation_deg: float = 0.0
    landing: LandingShape | None = None
    impact_g: float = 0.0
    # heel strikes: the toes-up swing stops (gy crosses zero) this long before IC, and the foot
    # already turns toes-down at ic_rate_dps when the heel touches
    slap_lead_s: float = 0.0
    ic_rate_dps: float = 0.0
    # morphology overrides of the end of the toes-up swing before IC (None: the strike's law)
    top_lead_s: float | None = None
    top_hump_deg: float | None = None
    ground_deg: float = 0.0  # slope of the ground under this contact, + = rising ahead (toes up)
    # the foot still turns about its vertical at this rate at IC (+ = to the left), and the
    # ground's friction stops that spin within LANDING_SPIN_ARREST_S
    land_spin_dps: float = 0.0
    # set when the foot leaves this contact
    shape: PitchShape | None = None
    swing_activity: str | None = None
    swing_peak_dps: float = 0.0
    apex_m: float = 0.0
    fidgets: list[Fidget] = field(default_factory=list)


@dataclass
class GaitPlan:
    """Contacts in time order and the recording length."""

    contacts: list[Contact]
    duration_s: float
    foot_sign: float  # +1 right foot, -1 left: turns eversion and toe-out into shoe-frame signs
    activity_s: dict[str, float]
    lever_arm_m: tuple[float, float, float] = (0.0, 0.0, 0.0)  # sensor from the midsole point, shoe frame


def _strike_for(seg: Segment) -> str:
    if seg.strike is not None:
        return seg.strike
    return "fore" if seg.activity.startswith("stairs") else "heel"


def _apex_m(activity: str, speed_mps: float) -> float:
    if activity == "run":
        return 0.10 + 0.05 * speed_mps
    if activity == "walk":
        return 0.10
    return 0.12 if activity == "stairs_up" else 0.06


SWIVEL_S = 0.45
"""A foot slid round on the spot turns in 0.3-0.6 s (real swivels: 100-450 dps at their peak)."""


def _swivels(t0: float, t1: float, yaw_deg: float) -> list[Fidget]:
    """Turning a standing foot on the spot and back: each swivel, its hold and the swivel back
    take 3 x SWIVEL_S, with the foot standing still for 1 s between them."""
    out: list[Fidget] = []
    t = t0 + 1.0
    while t + 3.0 * SWIVEL_S <= t1 - 0.5:
        out.append(Fidget(t, 3.0 * SWIVEL_S, yaw_deg=yaw_deg))
        t += 3.0 * SWIVEL_S + 1.0
    return out


def _fidgets(t0: float, t1: float, rng: np.random.Generator) -> list[Fidget]:
    """Restless standing: toe taps, heel raises, weight shifts and small slides, never a step."""
    out: list[Fidget] = []
    t = t0 + rng.uniform(0.3, 1.0)
    while True:
        kind = rng.integers(4)
        dur = float(rng.uniform(0.35, 1.1))
        if t + dur > t1 - 0.3:
            break
        if kind == 0:
            out.append(Fidget(t, dur, pitch_deg=float(rng.uniform(6.0, 16.0))))
        elif kind == 1:
            out.append(Fidget(t, dur, pitch_deg=-float(rng.uniform(8.0, 25.0))))
        elif kind == 2:
            out.append(Fidget(t, dur, roll_deg=float(rng.uniform(-6.0, 6.0))))
        else:
            ang = rng.uniform(0, 2 * np.pi)
            d = float(rng.uniform(0.02, 0.08))
            out.append(Fidget(t, dur, slide_m=(d * math.cos(ang), d * math.sin(ang))))
        t += dur + float(rng.uniform(0.2, 1.2))
    return out


def morph_shape(shape: PitchShape, m: Morphology) -> PitchShape:
    """The law's pitch landmarks with the morphology's push-off and swing overrides."""
    if m.is_default:
        return shape
    kick_deg = shape.tc_deg - shape.min_deg if m.heel_kick_deg is None else m.heel_kick_deg
    tc_deg = shape.tc_deg if m.tc_deg is None else m.tc_deg
    swing = shape.swing if m.swing_peak_frac is None else replace(shape.swing, peak_frac=m.swing_peak_frac)
    return replace(
        shape,
        pushoff_frac=shape.pushoff_frac if m.pushoff_frac is None else m.pushoff_frac,
        tc_deg=tc_deg,
        min_deg=tc_deg - kick_deg,
        swing_peak_dps=shape.swing_peak_dps * (1.0 if m.swing_rate_scale is None else m.swing_rate_scale),
        swing=swing,
        pushoff_peak_lead_s=m.pushoff_peak_lead_s,
        tc_rate_frac=m.tc_rate_frac,
    )


def scale_pitch(shape: PitchShape, k: float) -> PitchShape:
    """Landmarks of a stride that turns the foot k times as far in pitch (a pivot step: k < 1)."""
    return replace(shape, tc_deg=shape.tc_deg * k, min_deg=shape.min_deg * k, swing_peak_dps=shape.swing_peak_dps * k)


def morph_landing(land: LandingShape, m: Morphology) -> LandingShape:
    """The law's landing with the morphology's impact overrides."""
    if m.impact_g is None and m.impact_delay_s is None and m.impact_width_s is None:
        return land
    return replace(
        land,
        impact_g=land.impact_g if m.impact_g is None else m.impact_g,
        impact_delay_s=land.impact_delay_s if m.impact_delay_s is None else m.impact_delay_s,
        impact_width_s=land.impact_width_s if m.impact_width_s is None else m.impact_width_s,
    )


def build_plan(defn: ScenarioDef, rng: np.random.Generator) -> GaitPlan:
    """Lay out every contact of the scenario with its timing, footprint and shapes."""
    foot_sign = 1.0 if defn.foot == "right" else -1.0
    morph = defn.morphology
    toe_out_deg = -6.0 * foot_sign
    treadmill = defn.surface == "treadmill"
    cv = defn.stride_cv_pct / 100.0 * (0.5 if treadmill else 1.0)
    heading_deg = 0.0
    heading_rate = 0.0
    contacts = [Contact(ic_s=None, flat_s=-1.0, yaw_deg=toe_out_deg)]
    activity_s: dict[str, float] = {}
    t = defn.lead_s
    activity_s["still"] = defn.lead_s
    standing = True

    for seg in defn.plan():
        seg_t0 = t
        seg_end = t + seg.duration_s
        if seg.activity in ("still", "fidget"):
            if seg.activity == "fidget" and seg.swivel_deg:
                contacts[-1].fidgets.extend(_swivels(seg_t0, seg_end, seg.swivel_deg))
            elif seg.activity == "fidget":
                contacts[-1].fidgets.extend(_fidgets(seg_t0, seg_end, rng))
            activity_s["still"] = activity_s.get("still", 0.0) + seg.duration_s
            t = max(seg_end, contacts[-1].flat_s + 0.1)
            standing = True
            continue
        strike = _strike_for(seg)
        label = "stairs" if seg.activity.startswith("stairs") else seg.activity
        while True:
            cur = contacts[-1]
            progress = min(max((t - seg_t0) / seg.duration_s, 0.0), 1.0)
            speed = seg.speed_at(progress) * (1.0 + cv * rng.normal()) if seg.activity in ("walk", "run") else 0.0
            stride_ms, gct_ms = seg.timing_ms(max(speed, 0.3), progress) if speed else seg.timing_ms(0.0, progress)
            stride_s = stride_ms / 1000.0 * (1.0 + 0.5 * cv * rng.normal())
            gct_s = gct_ms / 1000.0 * (1.0 + 0.7 * cv * rng.normal())
            shape = morph_shape(pitch_shape(seg.activity, speed, strike), morph)
            if seg.pitch_scale != 1.0:
                shape = scale_pitch(shape, seg.pitch_scale)
            if standing:
                # leaving a standing foot: push off now
                cur.heeloff_s = max(t, cur.flat_s + 0.05)
                tc = cur.heeloff_s + shape.pushoff_frac * gct_s
                first = True
            else:
                # keep a flat-foot moment even when the pace changes between landing and push-off
                assert cur.ic_s is not None  # only the standing contact has no landing
                cur.heeloff_s = max(cur.ic_s + (1.0 - shape.pushoff_frac) * gct_s, cur.flat_s + 0.01)
                tc = cur.heeloff_s + shape.pushoff_frac * gct_s
                first = False
            cur.tc_s = tc
            cur.shape = shape
            cur.swing_activity = seg.activity
            cur.swing_peak_dps = shape.swing_peak_dps * (1.0 + 0.5 * cv * rng.normal())
            cur.apex_m = _apex_m(seg.activity, speed) if seg.apex_m is None else seg.apex_m
            swing_s = stride_s - gct_s
            ic = tc + swing_s
            if not first and cur.ic_s is not None:
                stride_s = ic - cur.ic_s  # the real IC-to-IC time after the flat-foot guard
            # stride length: speed x stride time; stairs: two steps per stride of one foot
            if seg.activity in ("walk", "run"):
                length_m = speed * stride_s * (0.6 if first else 1.0)
                rise_m = length_m * seg.grade_pct / 100.0 if seg.grade_pct else 0.0
            else:
                length_m = 2.0 * STAIR_GOING_M
                rise_m = 2.0 * STAIR_RISE_M * (1.0 if seg.activity == "stairs_up" else -1.0)
            if not treadmill and seg.activity in ("walk", "run"):
                heading_rate = 0.9 * heading_rate + rng.normal(0.0, 0.6)
                heading_deg += heading_rate
            if seg.turn_deg:
                heading_deg += seg.turn_deg * min(stride_s / seg.duration_s, 1.0)
            h = math.radians(heading_deg)
            foot = cur.foot_m + np.array([length_m * math.cos(h), length_m * math.sin(h), rise_m])
            fsa = seg.fsa_deg if seg.fsa_deg is not None else default_fsa_deg(seg.activity, strike)
            fsa += rng.normal(0.0, 1.5 if strike == "heel" else 1.0)
            if seg.pitch_scale != 1.0:
                fsa *= seg.pitch_scale
            land = morph_landing(landing_shape(seg.activity, speed, strike), morph)
            heel = strike == "heel" and seg.activity in ("walk", "run")
            lead_s = float(rng.uniform(0.001, 0.005)) if seg.activity == "walk" else 0.002 + 0.0008 * speed
            landing_s = shape.landing_frac * gct_s
            if morph.landing_dps is not None:
                # a smooth rotation of |fsa| peaking at landing_dps takes 1.875 |fsa| / rate
                landing_s = min(max(1.875 * abs(fsa) / morph.landing_dps, 0.006), 0.8 * (1.0 - shape.pushoff_frac) * gct_s)
            ic_rate = (40.0 if seg.activity == "walk" else 60.0 + 20.0 * speed) if heel else 0.0
            if morph.contact_rate_dps is not None:
                ic_rate = -morph.contact_rate_dps
            nxt = Contact(
                ic_s=ic,
                flat_s=ic + landing_s,
                foot_m=foot,
                yaw_deg=heading_deg + toe_out_deg,
                activity=label,
                strike=strike,
                fsa_deg=fsa,
                pronation_deg=max(0.0, seg.pronation_deg * (1.0 + 0.1 * rng.normal())),
                landing=land,
                impact_g=land.impact_g * float(np.clip(1.0 + 0.25 * rng.normal(), 0.4, 1.8)),
                slap_lead_s=lead_s if heel else 0.0,
                ic_rate_dps=ic_rate,
                # a toes-up rate at IC: the swing's toes-up rotation runs into contact (no top, no
                # hump; Morphology refuses a lead or hump given with it)
                top_lead_s=0.0 if ic_rate < 0.0 else morph.precontact_lead_s,
                top_hump_deg=0.0 if ic_rate < 0.0 else morph.precontact_hump_deg,
                ground_deg=math.degrees(math.atan(seg.grade_pct / 100.0)) if seg.grade_pct else 0.0,
                land_spin_dps=math.copysign(seg.landing_spin_dps, seg.turn_deg) if seg.landing_spin_dps else 0.0,
            )
            contacts.append(nxt)
            activity_s[label] = activity_s.get(label, 0.0) + (ic - t)
            t = ic
            # stop when the next full stride would end past the segment
            standing = False
            if ic + stride_s > seg_end:
                break
    # the foot lands and stays for the lead-out
    end = max(t, contacts[-1].flat_s) + defn.lead_s
    activity_s["still"] = activity_s.get("still", 0.0) + defn.lead_s
    return GaitPlan(contacts, end, foot_sign, activity_s, morph.lever_arm(foot_sign))
