"""Scenario definitions: small frozen dataclasses of parameters, checked when built.

A scenario is one or more segments (stand, walk, run, stairs...) done one after the other by
the instrumented foot, on a surface, seen through a sensor model, from a default seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .errors import ScenarioParameterError
from .gait import MOVING_ACTIVITIES, nominal_timing
from .model import STRIKE_CLASSES
from .morphology import Morphology
from .sensor import SensorModel

SEGMENT_ACTIVITIES = ("still", "fidget") + MOVING_ACTIVITIES
SURFACES = ("road", "treadmill")
FEET = ("right", "left")


def _refuse(name: str, value: Any, why: str) -> None:
    raise ScenarioParameterError(f"{name}={value!r}: {why}")


@dataclass(frozen=True)
class Segment:
    """One stretch of activity.

    speed_mps: speed at the start; end_speed_mps: speed at the end (linear ramp), default same.
    strike: heel / mid / fore (walking and stairs pick their own landing when None).
    fsa_deg: foot strike angle override (+ = toes up at IC); gct_ms and cadence_spm override
    the speed laws; fatigue_gct_pct: contact time grows linearly by this much over the segment.
    turn_deg: heading change over the segment (+ = to the left), spread over its strides: 180
    over a few strides is a turn on the spot, 360 over a long segment a circuit.
    grade_pct: slope of a walk or run (+ uphill): footprints rise by grade x horizontal length
    and the foot lies flat on the slope; angles of the sole (strike, toe-off) stay to the ground.
    pitch_scale: the strides turn the foot this many times as far in pitch (strike angle, push-off,
    swing): below 1 for the shuffling pivot steps of a turn on the spot (down to 0.05: a foot that
    barely tilts as it swivels round).
    landing_spin_dps: a turning segment's feet still turn about their vertical at this rate (in the
    turn's direction) when they touch down, and the ground's friction stops that spin within
    LANDING_SPIN_ARREST_S of contact (real turning steps: 100-650 dps arrested in 20-60 ms).
    swivel_deg: a fidget segment's foot, instead of random fidgets, is slid round flat on the floor
    about its vertical by this much and back, again and again, with the body's weight on the other
    foot (turning on the spot without lifting it): never a step.
    apex_m: a walking segment's swing lifts the foot this high over its footprints (default: the
    activity's, 0.10 m for a walk); 0.01-0.03 m for the pivot steps of a turn on the spot, the
    foot barely lifted and set down slowly, |a| staying within a few tenths of a g of 1 g.
    """

    activity: str
    duration_s: float
    speed_mps: float = 0.0
    end_speed_mps: float | None = None
    strike: str | None = None
    fsa_deg: float | None = None
    pronation_deg: float = 8.0
    gct_ms: float | None = None
    cadence_spm: float | None = None
    fatigue_gct_pct: float = 0.0
    turn_deg: float = 0.0
    grade_pct: float = 0.0
    pitch_scale: float = 1.0
    landing_spin_dps: float = 0.0
    swivel_deg: float = 0.0
    apex_m: float | None = None

    def __post_init__(self) -> None:
        if self.activity not in SEGMENT_ACTIVITIES:
            _refuse("activity", self.activity, f"must be one of {SEGMENT_ACTIVITIES}")
        if not self.duration_s > 0.0:
            _refuse("duration_s", self.duration_s, "must be positive")
        for name in ("speed_mps", "end_speed_mps"):
            v = getattr(self, name)
            if v is not None and v < 0.0:
                _refuse(name, v, "a speed cannot be negative")
        moving = self.activity in MOVING_ACTIVITIES
        if self.activity in ("walk", "run") and not self.speed_mps > 0.0:
            _refuse("speed_mps", self.speed_mps, f"{self.activity} needs a positive speed")
        if self.activity == "walk" and max(self.speed_mps, self.end_speed_mps or 0.0) > 2.6:
            _refuse("speed_mps", self.speed_mps, "walking above 2.6 m/s is not walking: use run")
        if self.activity == "run" and not 1.5 <= self.speed_mps <= 11.0:
            _refuse("speed_mps", self.speed_mps, "running speed must be within 1.5-11 m/s")
        if self.end_speed_mps is not None and self.activity == "run" and not 1.5 <= self.end_speed_mps <= 11.0:
            _refuse("end_speed_mps", self.end_speed_mps, "running speed must be within 1.5-11 m/s")
        if self.strike is not None and self.strike not in STRIKE_CLASSES:
            _refuse("strike", self.strike, f"must be one of {STRIKE_CLASSES}")
        if self.fsa_deg is not None and not -30.0 <= self.fsa_deg <= 35.0:
            _refuse("fsa_deg", self.fsa_deg, "a foot strike angle must be within -30..35 deg")
        if not 0.0 <= self.pronation_deg <= 25.0:
            _refuse("pronation_deg", self.pronation_deg, "eversion must be within 0..25 deg")
        if self.cadence_spm is not None and not 40.0 <= self.cadence_spm <= 300.0:
            _refuse("cadence_spm", self.cadence_spm, "cadence must be within 40..300 steps/min")
        if self.gct_ms is not None and not self.gct_ms > 0.0:
            _refuse("gct_ms", self.gct_ms, "contact time must be positive")
        if not -20.0 <= self.fatigue_gct_pct <= 40.0:
            _refuse("fatigue_gct_pct", self.fatigue_gct_pct, "must be within -20..40 %")
        if not -720.0 <= self.turn_deg <= 720.0:
            _refuse("turn_deg", self.turn_deg, "a segment may turn at most two full circles (+-720 deg)")
        if not -30.0 <= self.grade_pct <= 30.0:
            _refuse("grade_pct", self.grade_pct, "a slope must be within -30..30 %")
        if self.grade_pct and self.activity not in ("walk", "run"):
            _refuse("grade_pct", self.grade_pct, "only a walk or a run goes up or down a slope")
        # down to 0.05: turning round on the spot, real feet lift and swivel 30-150 deg with a
        # toes-up rate peaking at -20..-110 dps, some with no toes-up rotation at all
        if not 0.05 <= self.pitch_scale <= 1.5:
            _refuse("pitch_scale", self.pitch_scale, "must be within 0.05..1.5")
        if self.pitch_scale != 1.0 and not moving:
            _refuse("pitch_scale", self.pitch_scale, "only a moving segment has strides to scale")
        if not 0.0 <= self.landing_spin_dps <= 800.0:
            _refuse("landing_spin_dps", self.landing_spin_dps, "a foot lands spinning at 0..800 dps")
        if self.landing_spin_dps and not self.turn_deg:
            _refuse("landing_spin_dps", self.landing_spin_dps, "only a turning segment's feet land spinning")
        if self.apex_m is not None and not (0.005 <= self.apex_m <= 0.3):
            _refuse("apex_m", self.apex_m, "a swing lifts the foot 0.005..0.3 m")
        if self.apex_m is not None and self.activity != "walk":
            _refuse("apex_m", self.apex_m, "only a walk's swing height is set")
        if not -180.0 <= self.swivel_deg <= 180.0:
            _refuse("swivel_deg", self.swivel_deg, "a foot swivels on the spot by at most +-180 deg")
        if self.swivel_deg and self.activity != "fidget":
            _refuse("swivel_deg", self.swivel_deg, "only a fidget segment swivels a standing foot")
        if self.turn_deg and not moving:
            _refuse("turn_deg", self.turn_deg, "only a moving segment can turn")
        if moving:
            for speed in {self.speed_mps, self.end_speed_mps or self.speed_mps}:
                stride_ms, gct_ms = self.timing_ms(speed, 0.0)
                gct_end = gct_ms * (1.0 + self.fatigue_gct_pct / 100.0)
                if max(gct_ms, gct_end) >= 0.85 * stride_ms:
                    _refuse(
                        "gct_ms",
                        round(max(gct_ms, gct_end), 1),
                        f"contact must be shorter than the stride ({stride_ms:.0f} ms) "
                        "with time left for the swing",
                    )
                if stride_ms - max(gct_ms, gct_end) < 180.0:
                    _refuse("cadence_spm", self.cadence_spm, f"leaves a swing under 180 ms (stride {stride_ms:.0f} ms)")
            if self.duration_s < 2.5 * self.timing_ms(self.speed_mps, 0.0)[0] / 1000.0:
                _refuse("duration_s", self.duration_s, "a moving segment must hold at least 2.5 strides")

    def timing_ms(self, speed_mps: float, progress: float) -> tuple[float, float]:
        """(stride_ms, gct_ms) at a speed and a fraction of the segment done (for fatigue)."""
        nominal = nominal_timing(self.activity, speed_mps)
        stride_ms = nominal.stride_ms if self.cadence_spm is None else 120_000.0 / self.cadence_spm
        gct_ms = nominal.gct_ms if self.gct_ms is None else self.gct_ms
        if self.cadence_spm is not None and self.gct_ms is None:
            gct_ms = nominal.gct_ms * stride_ms / nominal.stride_ms
        return stride_ms, gct_ms * (1.0 + progress * self.fatigue_gct_pct / 100.0)

    def speed_at(self, progress: float) -> float:
        """Speed after a fraction of the segment, m/s."""
        end = self.speed_mps if self.end_speed_mps is None else self.end_speed_mps
        return self.speed_mps + (end - self.speed_mps) * progress


@dataclass(frozen=True)
class ScenarioInfo:
    """What `list_scenarios` tells about one scenario."""

    name: str
    description: str
    tags: tuple[str, ...]
    duration_s: float


@dataclass(frozen=True)
class ScenarioDef:
    """A scenario: what the foot does, on what, seen through which sensor, from which seed.

    For a single activity give activity/speed_mps/strike/duration_s; for a sequence give
    segments (then those fields are unused). lead_s of standing still is added before and after.
    surface: "road" lets the heading wander gently; "treadmill" keeps it straight and halves the
    stride-to-stride variability. A belt at constant speed is an inertial frame, so the foot's
    IMU signal is the road signal seen from the belt: the truth (stride_m, distance_m) is
    measured on the belt, i.e. the distance the runner would have covered on the road.
    stride_cv_pct: stride-to-stride variability of speed (and, halved, of stride time).
    morphology: how the foot lands, pushes off and swings, and where the sensor sits (the
    default keeps the gait laws' shapes; see scenarios.morphology).
    """

    name: str
    description: str
    tags: tuple[str, ...] = ()
    activity: str = "run"
    speed_mps: float = 3.0
    strike: str | None = "heel"
    duration_s: float = 60.0
    fsa_deg: float | None = None
    pronation_deg: float = 8.0
    gct_ms: float | None = None
    cadence_spm: float | None = None
    segments: tuple[Segment, ...] = ()
    lead_s: float = 2.0
    surface: str = "road"
    foot: str = "right"
    stride_cv_pct: float = 2.0
    sensor: SensorModel = field(default_factory=SensorModel.realistic)
    seed: int = 1
    morphology: Morphology = field(default_factory=Morphology)

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("_", "").isalnum():
            _refuse("name", self.name, "use letters, digits and underscores")
        if self.surface not in SURFACES:
            _refuse("surface", self.surface, f"must be one of {SURFACES}")
        if self.foot not in FEET:
            _refuse("foot", self.foot, f"must be one of {FEET}")
        if not 0.5 <= self.lead_s <= 60.0:
            _refuse("lead_s", self.lead_s, "standing lead-in must be within 0.5..60 s")
        if not 0.0 <= self.stride_cv_pct <= 15.0:
            _refuse("stride_cv_pct", self.stride_cv_pct, "must be within 0..15 %")
        if not self.segments:
            # Building the segment validates speed, strike, contact vs stride and duration.
            self.plan()

    def plan(self) -> tuple[Segment, ...]:
        """The segments done between the lead-in and lead-out standing."""
        if self.segments:
            return self.segments
        return (
            Segment(
                activity=self.activity,
                duration_s=self.duration_s,
                speed_mps=self.speed_mps if self.activity in ("walk", "run") else 0.0,
                strike=self.strike,
                fsa_deg=self.fsa_deg,
                pronation_deg=self.pronation_deg,
                gct_ms=self.gct_ms,
                cadence_spm=self.cadence_spm,
            ),
        )

    @property
    def total_s(self) -> float:
        """Expected recording duration, s (lead-in + segments + lead-out)."""
        return 2.0 * self.lead_s + sum(s.duration_s for s in self.plan())

    def info(self) -> ScenarioInfo:
        """The listing entry."""
        return ScenarioInfo(self.name, self.description, self.tags, round(self.total_s, 1))

    def with_(self, **changes: Any) -> "ScenarioDef":
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)
