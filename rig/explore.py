"""`rig explore`: gaits drawn from the whole parameter and morphology space, run through the
analyzer in-process and judged against their exact truth; a missed target is shrunk to a
minimal gait and printed as the command that reproduces it.

A case is a set of parameters, each with a neutral value (a 3 m/s heel-striking road run on the
right foot, the gait laws' shapes, a realistic LSM6DSO at 416 Hz on the midsole). A case names
only what differs from neutral, so `rig explore --case "speed_mps=5.5 strike=fore site=laces"
--seed 7` is the whole gait. Shrinking puts parameters back to neutral one at a time (and tries
smaller seeds never: the seed is part of the gait) while the miss persists, so what remains is
what it takes to break the analyzer.

Terrain: road or treadmill, slopes (grade_pct), stairs up and down (activity), turns (turn_deg).

Sources: `source=kinematic` (scenarios.synth with scenarios.morphology) or `source=resynth`
(scenarios.resynth: real walking strides warped to the case's speed and cadence).

Targets (rig.goals.EXPLORE_GOALS, from the issue): stride recall and precision >= 99.5 % (95 %
on a case that turns), IC, TC and contact time within 10 ms mean absolute error, strike class
>= 95 %.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shlex
import sys
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from rig.evaluate import Scores, pool, score
from rig.goals import EXPLORE_GOALS, TURNING_RECALL
from rig.once import Once
from rig.errors import RigError
from rig.out_path import out_file, refuse_another_kind, write_output
from rig.tool_args import ArgumentParser
from scenarios.errors import ScenarioParameterError
from scenarios.model import Recording



#: The value of a morphology parameter whose neutral is the gait laws' own shape (--list: neutral law).
LAW = "law"


@dataclass(frozen=True)
class Param:
    """One axis of the space: its neutral value, how to draw it, how to read it from text."""

    name: str
    neutral: Any
    kind: str  # "float", "int", "choice"
    lo: float = 0.0
    hi: float = 0.0
    choices: tuple[Any, ...] = ()
    doc: str = ""
    toward: float | None = None  # a shrunk value moves toward this (default: a numeric neutral)

    @property
    def shrink_target(self) -> float | None:
        """Where a numeric value of this axis is shrunk toward (None: not shrunk by value)."""
        if self.kind == "choice":
            return None
        if self.toward is not None:
            return self.toward
        return float(self.neutral) if isinstance(self.neutral, (int, float)) else None

    def parse(self, text: str) -> Any:
        """The value of `name=text`; ScenarioParameterError naming the parameter if it is not one."""
        if self.kind == "choice":
            for c in self.choices:
                if text in (str(c), _fmt(c)) or _same_number(text, c):
                    return c
            raise ScenarioParameterError(f"{self.name}={_quoted(text)}: must be one of "
                                         f"{', '.join(map(str, self.choices))}")
        if self.neutral is None and text == LAW:
            # the neutral --list shows: precontact_lead_s=law was 'not a number', and --fix could not hold the law
            return None
        if not _DECIMAL.fullmatch(text):
            # float() also reads 1_0 (as 10), digits of other scripts and nan/inf: a value must read as written
            law = f", or {self.name}={LAW} for the gait laws' own" if self.neutral is None else ""
            raise ScenarioParameterError(f"{self.name}={_quoted(text)}: not a number; write it in decimal digits "
                                         f"(e.g. {self.name}={_fmt(self.neutral if self.neutral is not None else self.lo)}"
                                         f"{law})")
        v = float(text) + 0.0 if self.kind == "float" else int(float(text))  # + 0.0: -0 is 0
        if not math.isfinite(v) or not self.lo <= v <= self.hi:
            raise ScenarioParameterError(f"{self.name}={_quoted(text)}: must be within {self.lo:g}..{self.hi:g}")
        return v

    def draw(self, rng: np.random.Generator) -> Any:
        """A random value of this axis."""
        if self.kind == "choice":
            return self.choices[int(rng.integers(len(self.choices)))]
        if self.kind == "int":
            return int(rng.integers(int(self.lo), int(self.hi) + 1))
        return round(float(rng.uniform(self.lo, self.hi)), 3)


_MORPH = (
    Param("site", "midsole", "choice", choices=("midsole", "heel", "laces", "lateral"), doc="sensor position"),
    Param("precontact_lead_s", None, "float", 0.0, 0.08, doc="toes-up swing ends this long before IC", toward=0.004),
    Param("precontact_hump_deg", None, "float", 0.0, 15.0, doc="toes-down hump before IC", toward=0.0),
    Param("contact_rate_dps", None, "float", -200.0, 500.0, doc="pitch rate at IC, + toes up", toward=-120.0),
    Param("landing_dps", None, "float", 150.0, 1200.0, doc="heel drop / slap peak rate", toward=300.0),
    Param("pushoff_frac", None, "float", 0.35, 0.7, doc="heel-off to TC share of contact", toward=0.6),
    Param("tc_deg", None, "float", -70.0, -40.0, doc="pitch at TC", toward=-58.0),
    Param("tc_rate_frac", None, "float", 0.3, 1.0, doc="push-off rate at TC over its peak", toward=0.88),
    Param("swing_rate_scale", None, "float", 0.6, 1.5, doc="toes-up swing peak rate scale", toward=1.0),
    Param("swing_peak_frac", None, "float", 0.5, 0.85, doc="where the toes-up rate peaks", toward=0.82),
    Param("heel_kick_deg", None, "float", 0.0, 50.0, doc="toes-down turn after TC", toward=30.0),
    Param("impact_g", None, "float", 0.0, 30.0, doc="impact spike amplitude", toward=0.0),
    Param("impact_delay_s", None, "float", 0.0, 0.03, doc="impact spike start after IC", toward=0.008),
)
PARAMS: tuple[Param, ...] = (
    Param("source", "kinematic", "choice", choices=("kinematic", "resynth"), doc="waveform source"),
    Param("activity", "run", "choice", choices=("run", "walk", "stairs_up", "stairs_down")),
    Param("speed_mps", 3.0, "float", 0.8, 8.0, doc="walk 0.8-2.0, run 2.0-8.0"),
    Param("strike", "heel", "choice", choices=("heel", "mid", "fore")),
    Param("cadence_scale", 1.0, "float", 0.9, 1.12, doc="cadence over the speed law's"),
    Param("surface", "road", "choice", choices=("road", "treadmill")),
    Param("turn_deg", 0.0, "float", -200.0, 200.0, doc="heading change in a turn of three strides"),
    Param("turn_pitch_scale", 1.0, "float", 0.3, 1.0, doc="pitch rotation of the turn's strides (pivot steps)"),
    Param("grade_pct", 0.0, "float", -15.0, 15.0, doc="slope of a walk or run, + uphill"),
    Param("foot", "right", "choice", choices=("right", "left")),
    Param("odr_hz", 416.0, "choice", choices=(104.0, 208.0, 416.0, 833.0, 1666.0)),
    Param("noise_scale", 1.0, "float", 0.0, 10.0, doc="sensor noise, offsets and drift x realistic"),
    Param("mount_pitch_deg", 0.0, "float", -12.0, 12.0),
    Param("mount_yaw_deg", 0.0, "float", -15.0, 15.0),
    Param("drop_rate", 0.0, "float", 0.0, 0.004, doc="FIFO overruns per sample (bursts of 2-6)"),
    Param("gyro_fs_dps", 2000.0, "choice", choices=(500.0, 1000.0, 2000.0)),
    Param("clock_error_pct", 0.0, "float", -2.0, 2.0),
) + _MORPH
BY_NAME = {p.name: p for p in PARAMS}
RESYNTH_FIXED = frozenset({p.name for p in _MORPH} | {"strike", "surface", "turn_deg", "turn_pitch_scale", "grade_pct"})
"""Parameters the resynthesized source cannot set (the real strides fix them)."""
SPEED_RANGE = {"walk": (0.8, 2.0), "run": (2.0, 8.0)}


@dataclass(frozen=True)
class Case:
    """A gait: the parameters that differ from neutral, and the seed of its randomness."""

    params: tuple[tuple[str, Any], ...] = ()
    seed: int = 1

    def get(self, name: str) -> Any:
        """The value of a parameter (its neutral value when not set)."""
        return dict(self.params).get(name, BY_NAME[name].neutral)

    def without(self, name: str) -> "Case":
        """The same case with one parameter back to neutral."""
        return Case(tuple((k, v) for k, v in self.params if k != name), self.seed)

    @property
    def spec(self) -> str:
        """The parameters as `name=value` words, the form --case reads."""
        return " ".join(f"{k}={_fmt(v)}" for k, v in self.params)

    def command(self) -> str:
        """The exact command line that runs this case again."""
        return f"rig explore --case {shlex.quote(self.spec)} --seed {self.seed}"

    @property
    def turning(self) -> bool:
        """True when the case holds a turn."""
        return bool(self.get("turn_deg"))


#: A number as --case and --fix read it: ASCII decimal digits, a sign, a point, an exponent.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

#: Characters of a word an error message quotes (a --case of 100,000 characters was quoted whole).
_QUOTED_CHARS = 40


def _quoted(text: str) -> str:
    """text as an error message quotes it: whole when short, else its start and its length."""
    if len(text) <= _QUOTED_CHARS:
        return repr(text)
    return f"{text[:_QUOTED_CHARS]!r}... ({len(text)} characters)"


def _same_number(text: str, choice: Any) -> bool:
    """True when a numeric choice is written another way (odr_hz=104 for 104.0)."""
    if isinstance(choice, bool) or not isinstance(choice, (int, float)) or not _DECIMAL.fullmatch(text):
        return False
    try:
        return float(text) == float(choice)
    except ValueError:
        return False


def _fmt(v: Any) -> str:
    # repr is the shortest text that reads back as the same float: a printed command must
    # reproduce the gait exactly (":g" kept 6 digits, so 1000.625 came back as 1000.62).
    if v is None:  # a morphology parameter at the gait laws' own value
        return LAW
    return repr(v) if isinstance(v, float) else str(v)


def parse_params(spec: str, option: str = "--case") -> dict[str, Any]:
    """`name=value` words as parameter values; ScenarioParameterError names the word that is wrong."""
    params: dict[str, Any] = {}
    for word in spec.replace(",", " ").split():
        name, eq, text = word.partition("=")
        if not eq:
            raise ScenarioParameterError(f"{option} word {_quoted(word)}: write name=value (e.g. speed_mps=4.5)")
        if name not in BY_NAME:
            raise ScenarioParameterError(f"{option} {_quoted(name)}: unknown parameter; known: {', '.join(BY_NAME)}")
        if name in params:
            raise ScenarioParameterError(f"{option} {name!r}: given twice; give each parameter once")
        params[name] = BY_NAME[name].parse(text)
    return params


def _refuse_unused(params: dict[str, Any]) -> None:
    """ScenarioParameterError for a parameter the gait would ignore: stairs go at the stairs' own
    pace and land as the steps make them, so a speed or strike given with them would be printed
    as the gait's but never shape it."""
    activity = params.get("activity", BY_NAME["activity"].neutral)
    if activity in ("walk", "run") or params.get("source") == "resynth":
        return
    unused = [n for n in ("speed_mps", "strike") if n in params]
    if unused:
        raise ScenarioParameterError(
            f"activity={activity} {' '.join(f'{n}={_fmt(params[n])}' for n in unused)}: stairs set their own pace "
            "and landing; drop " + " and ".join(unused) + " or use activity=walk or run")


def parse_case(spec: str, seed: int) -> Case:
    """A case from `name=value` words; ScenarioParameterError names the word that is wrong."""
    params = parse_params(spec)
    _refuse_unused(params)
    case = Case(tuple((p.name, params[p.name]) for p in PARAMS if p.name in params and params[p.name] != p.neutral), seed)
    build_recording(case)  # refuses impossible combinations before anything runs
    return case


def draw_case(rng: np.random.Generator, attempts: int = 50, fixed: dict[str, Any] | None = None) -> Case:
    """A random valid case: each axis away from neutral with probability 1/2 (so cases mix a few
    departures at a time), re-drawn when the combination is impossible. `fixed` parameters keep
    their given values (the random stream is the same with or without them)."""
    fixed = fixed or {}
    _refuse_unused(fixed)
    for _ in range(attempts):
        params: dict[str, Any] = {}
        source = "resynth" if rng.random() < 0.15 else "kinematic"
        source = fixed.get("source", source)
        activity = "walk" if source == "resynth" else str(rng.choice(["run", "run", "run", "walk", "stairs_up", "stairs_down"]))
        activity = fixed.get("activity", activity)
        params["source"], params["activity"] = source, activity
        lo, hi = SPEED_RANGE.get(activity, (0.0, 0.0))
        if hi:
            params["speed_mps"] = round(float(rng.uniform(lo, hi)), 2)
        for p in PARAMS:
            if p.name in ("source", "activity", "speed_mps") or rng.random() < 0.5:
                continue
            if source == "resynth" and p.name in RESYNTH_FIXED:
                continue
            if p.name == "grade_pct" and activity not in ("walk", "run"):
                continue
            if p.name == "turn_pitch_scale" and "turn_deg" not in params:
                continue
            value = p.draw(rng)
            if p.name == "strike" and activity not in ("walk", "run"):
                continue  # drawn all the same: the stream of draws does not depend on the activity
            params[p.name] = value
        if params.get("precontact_lead_s") == 0.0:
            params.pop("precontact_hump_deg", None)
        params.update(fixed)
        try:
            _refuse_unused(params)
        except ValueError:
            continue
        case = Case(tuple((p.name, params[p.name]) for p in PARAMS if p.name in params and params[p.name] != p.neutral),
                    int(rng.integers(1, 1_000_000)))
        try:
            build_recording(case)
        except ValueError:
            continue
        return case
    what = " ".join(f"{k}={_fmt(v)}" for k, v in fixed.items())
    raise ScenarioParameterError(f"could not draw a valid gait in {attempts} attempts"
                                 + (f" with --fix {what!r}: check those values go together" if fixed else ""))


def _sensor(case: Case) -> Any:
    from scenarios.sensor import SensorModel

    real = SensorModel.realistic()
    k = case.get("noise_scale")
    return real.with_(
        accel_noise_g=real.accel_noise_g * k, gyro_noise_dps=real.gyro_noise_dps * k,
        accel_bias_g=real.accel_bias_g * k, gyro_bias_dps=real.gyro_bias_dps * k,
        accel_bias_drift_g_per_rts=real.accel_bias_drift_g_per_rts * k,
        gyro_bias_drift_dps_per_rts=real.gyro_bias_drift_dps_per_rts * k,
        mount_rpy_deg=(0.0, case.get("mount_pitch_deg"), case.get("mount_yaw_deg")),
        drop_rate=case.get("drop_rate"), drop_burst=4 if case.get("drop_rate") else 0,
        gyro_fs_dps=case.get("gyro_fs_dps"), clock_error_pct=case.get("clock_error_pct"),
    )


def build_recording(case: Case) -> Recording:
    """Synthesize the case's recording with its exact truth; ScenarioParameterError if impossible."""
    from scenarios.definition import ScenarioDef, Segment
    from scenarios.gait import nominal_timing
    from scenarios.morphology import Morphology
    from scenarios.resynth import ResynthSpec, resynthesize
    from scenarios.synth import synthesize_def

    activity, speed = case.get("activity"), case.get("speed_mps")
    moving = activity in ("walk", "run")
    if moving:
        # real strides warped to a speed no walk has are no walk either (resynth took any speed: 5 m/s)
        lo, hi = SPEED_RANGE[activity]
        if not lo <= speed <= hi:
            raise ScenarioParameterError(
                f"speed_mps={speed:g}: {activity} speeds are {lo:g}..{hi:g} m/s here; give speed_mps in that range")
    if case.get("source") == "resynth":
        if activity != "walk":
            raise ScenarioParameterError(f"source=resynth activity={activity}: the bank of real strides holds walking only")
        shaped = [k for k, _ in case.params if k in RESYNTH_FIXED]
        if shaped:
            raise ScenarioParameterError(
                f"source=resynth {' '.join(shaped)}: real strides keep their own shape, strike, surface and path; "
                "drop these or use source=kinematic")
        nominal = 120_000.0 / nominal_timing("walk", speed).stride_ms
        return resynthesize(ResynthSpec(
            strides=14, cadence_spm=nominal * case.get("cadence_scale"), speed_mps=speed, foot=case.get("foot"),
            odr_hz=case.get("odr_hz"), sensor=_sensor(case), seed=case.seed))
    speed = speed if moving else 0.0
    stride_ms = nominal_timing(activity, speed).stride_ms
    cadence = None if case.get("cadence_scale") == 1.0 else 120_000.0 / stride_ms * case.get("cadence_scale")
    morph = Morphology(**{p.name: case.get(p.name) for p in _MORPH})
    strike = case.get("strike") if moving else None
    seg: dict[str, Any] = dict(speed_mps=speed, strike=strike, cadence_spm=cadence, grade_pct=case.get("grade_pct"))
    straight_s = 5.0 if activity == "run" else 7.0
    segments: tuple[Segment, ...]
    if case.get("turn_pitch_scale") != 1.0 and not case.turning:
        raise ScenarioParameterError(
            f"turn_pitch_scale={case.get('turn_pitch_scale'):g}: scales the strides of a turn; give turn_deg too")
    if case.turning:
        turn_s = 3.0 * stride_ms / 1000.0
        segments = (Segment(activity, straight_s, **seg),
                    Segment(activity, turn_s, turn_deg=case.get("turn_deg"), pitch_scale=case.get("turn_pitch_scale"), **seg),
                    Segment(activity, straight_s, **seg))
    else:
        segments = (Segment(activity, 2.0 * straight_s, **seg),)
    defn = ScenarioDef(name="explore", description=case.spec or "neutral", segments=segments, lead_s=1.5,
                       surface=case.get("surface"), foot=case.get("foot"), sensor=_sensor(case), seed=case.seed,
                       morphology=morph)
    return synthesize_def(defn, odr_hz=case.get("odr_hz"))


@dataclass(frozen=True)
class Miss:
    """A target the case missed."""

    metric: str
    value: float | None
    limit: float

    def __str__(self) -> str:
        v = "not measured" if self.value is None else f"{self.value:.4g}"
        return f"{self.metric} {v} (target {self.limit:g})"


@dataclass
class Outcome:
    """What one case gave."""

    case: Case
    scores: Scores
    misses: list[Miss] = field(default_factory=list)
    minimal: "Outcome | None" = None  # the shrunk gait, when this one missed and was shrunk

    @property
    def held(self) -> bool:
        """True when every target was met."""
        return not self.misses


def judge(case: Case, scores: Scores) -> list[Miss]:
    """The explore targets this case's scores miss (a figure the truth cannot give is skipped;
    one the analyzer did not measure while the truth has it is a miss)."""
    out: list[Miss] = []
    for t in EXPLORE_GOALS:
        limit = t.limit
        if t.metric in ("recall", "precision") and case.turning:
            limit = TURNING_RECALL
        if t.metric == "strike_accuracy" and case.get("source") != "kinematic":
            continue
        value = getattr(scores, t.metric)
        if value is None:
            if t.metric in ("recall", "precision") or scores.n_matched == 0:
                continue
            if t.metric in ("tc_mae_ms", "gct_mae_ms"):
                out.append(Miss(t.metric, None, limit))  # truth has TC; the analyzer gave none
            continue
        if not replace(t, limit=limit).passes(value):
            out.append(Miss(t.metric, value, limit))
    if scores.n_truth and scores.n_matched == 0:
        out.append(Miss("recall", 0.0, limit=EXPLORE_GOALS[0].limit))
    return out


Analyzer = Callable[[Recording], tuple[Sequence[Mapping[str, Any]], Any]]


def run_case(case: Case, analyze: Analyzer | None = None) -> Outcome:
    """Synthesize, analyze in-process, judge."""
    if analyze is None:
        from rig.native import analyze as native_analyze

        analyze = native_analyze
    rec = build_recording(case)
    assert rec.truth is not None
    strides, summary = analyze(rec)
    scores = score(strides, rec.truth, summary=summary)
    return Outcome(case, scores, judge(case, scores))


SHRINK_STEPS = 6
"""Bisection steps per numeric parameter when shrinking its value."""


def _with(case: Case, name: str, value: Any) -> Case:
    return Case(tuple((k, value if k == name else v) for k, v in case.params), case.seed)


def shrink(outcome: Outcome, run: Callable[[Case], Outcome] = run_case, keep: frozenset[str] = frozenset()) -> Outcome:
    """The smallest case that still misses a target of the same metric: parameters go back to
    neutral one at a time until none can go, then each numeric value left is bisected toward
    its neutral (or typical) value, keeping the miss (SHRINK_STEPS steps). Parameters in `keep`
    stay as they are."""
    metrics = {m.metric for m in outcome.misses}
    best = _drop_params(outcome, run, metrics, keep)
    for name, value in best.case.params:
        target = None if name in keep else BY_NAME[name].shrink_target
        if target is None:
            continue
        lo, hi = float(target), float(value)  # lo: toward neutral (assumed to hold), hi: misses
        for _ in range(SHRINK_STEPS):
            mid = round(0.5 * (lo + hi), 4)
            if mid in (lo, hi):
                break
            try:
                got = run(_with(best.case, name, mid))
            except ScenarioParameterError:
                lo = mid
                continue
            if any(m.metric in metrics for m in got.misses):
                best, hi = got, mid
            else:
                lo = mid
    return best


def _drop_params(outcome: Outcome, run: Callable[[Case], Outcome], metrics: set[str],
                 keep: frozenset[str] = frozenset()) -> Outcome:
    """Put parameters back to neutral one at a time while the miss persists."""
    best = outcome
    changed = True
    while changed:
        changed = False
        for name, _ in best.case.params:
            if name in keep:
                continue
            trial = best.case.without(name)
            try:
                got = run(trial)
            except ScenarioParameterError:
                continue  # this parameter is what makes the rest valid
            if any(m.metric in metrics for m in got.misses):
                best, changed = got, True
                break
    return best


def explore(n: int, seed: int, analyze: Analyzer | None = None, out: Any = sys.stdout,
            do_shrink: bool = True, fixed: dict[str, Any] | None = None) -> list[Outcome]:
    """Draw n cases from the space (reproducibly from seed), run and judge each; shrink misses.
    `fixed` parameters hold their values in every draw and through shrinking."""
    rng = np.random.default_rng(seed)
    outcomes: list[Outcome] = []
    keep = frozenset(fixed or {})
    for i in range(n):
        case = draw_case(rng, fixed=fixed)
        oc = run_case(case, analyze)
        outcomes.append(oc)
        status = "held" if oc.held else "MISSED " + "; ".join(map(str, oc.misses))
        print(f"[{i + 1}/{n}] {case.spec or 'neutral'} seed={case.seed}: {status}", file=out)
        if not oc.held and do_shrink:
            small = shrink(oc, lambda c: run_case(c, analyze), keep)
            oc.minimal = small
            print(f"    minimal gait: {small.case.spec or 'neutral'} seed={small.case.seed}: "
                  + "; ".join(map(str, small.misses)), file=out)
            print(f"    reproduce: {small.case.command()}", file=out)
    return outcomes


MAP_SPEEDS = (("walk", 1.3), ("run", 2.5), ("run", 4.0), ("run", 6.0))
MAP_STRIKES = ("heel", "mid", "fore")
MAP_SITES = ("midsole", "heel", "laces", "lateral")


def holding_map(seeds: Sequence[int] = (1, 2, 3), analyze: Analyzer | None = None) -> list[dict[str, Any]]:
    """Recall and IC/TC error over speed x strike x sensor position (neutral otherwise), each
    cell pooled over the seeds (recall over strides, IC/TC as the mean of the cases' MAE)."""
    rows = []
    for activity, speed in MAP_SPEEDS:
        for strike in MAP_STRIKES:
            for site in MAP_SITES:
                truth = matched = found = 0
                ic: list[float] = []
                tc: list[float] = []
                for s in seeds:
                    params = [("activity", activity), ("speed_mps", speed), ("strike", strike), ("site", site)]
                    case = Case(tuple((k, v) for k, v in params if v != BY_NAME[k].neutral), s)
                    oc = run_case(case, analyze)
                    truth += oc.scores.n_truth
                    matched += oc.scores.n_matched
                    found += oc.scores.n_matched + oc.scores.n_false
                    if oc.scores.ic_mae_ms is not None:
                        ic.append(oc.scores.ic_mae_ms)
                    if oc.scores.tc_mae_ms is not None:
                        tc.append(oc.scores.tc_mae_ms)
                rows.append({
                    "activity": activity, "speed_mps": speed, "strike": strike, "site": site,
                    "recall": matched / truth if truth else None, "precision": matched / found if found else None,
                    "ic_mae_ms": float(np.mean(ic)) if ic else None, "tc_mae_ms": float(np.mean(tc)) if tc else None,
                })
    return rows


def format_map(rows: list[dict[str, Any]]) -> str:
    """The map as a table: one line per speed x strike, one column per sensor site with
    recall % / IC ms / TC ms ('-' where not measured)."""
    def cell(r: dict[str, Any]) -> str:
        rec = "-" if r["recall"] is None else f"{100 * r['recall']:.1f}"
        ic = "-" if r["ic_mae_ms"] is None else f"{r['ic_mae_ms']:.1f}"
        tc = "-" if r["tc_mae_ms"] is None else f"{r['tc_mae_ms']:.1f}"
        return f"{rec}/{ic}/{tc}"

    head = f"{'gait':<18}" + "".join(f"{s:>18}" for s in MAP_SITES)
    lines = ["where the analyzer holds: recall % / IC MAE ms / TC MAE ms per sensor site", head, "-" * len(head)]
    by = {(r["activity"], r["speed_mps"], r["strike"], r["site"]): r for r in rows}
    for activity, speed in MAP_SPEEDS:
        for strike in MAP_STRIKES:
            label = f"{activity} {speed:g} {strike}"
            lines.append(f"{label:<18}" + "".join(f"{cell(by[(activity, speed, strike, s)]):>18}" for s in MAP_SITES))
    return "\n".join(lines)


def _pooled(outs: Sequence[Outcome]) -> dict[str, Any]:
    """Recall, precision and the matched-stride-weighted figures pooled over some outcomes."""
    scores = [o.scores for o in outs]
    return {"cases": len(outs), "held": sum(o.held for o in outs),
            **{m: pool(scores, m) for m in ("recall", "precision", "ic_mae_ms", "tc_mae_ms", "gct_mae_ms",
                                             "strike_accuracy", "activity_accuracy")}}


#: The per-gait timing figures the explore goals ask of every gait.
TIMING_METRICS = ("ic_mae_ms", "tc_mae_ms", "gct_mae_ms")


def explored_summary(n: int = 200, seed: int = 1, analyze: Analyzer | None = None) -> dict[str, Any]:
    """n gaits drawn from the whole space (no shrinking): how many held, pooled figures (all, the
    straight gaits, the turning ones), the worst gait's timing figures, and how often each
    target was missed."""
    rng = np.random.default_rng(seed)
    outs = [run_case(draw_case(rng), analyze) for _ in range(n)]
    missed: dict[str, int] = {}
    for o in outs:
        for m in {m.metric for m in o.misses}:
            missed[m] = missed.get(m, 0) + 1
    worst: dict[str, Any] = {}
    for metric in TIMING_METRICS:
        got = [(getattr(o.scores, metric), o.case.command()) for o in outs if getattr(o.scores, metric) is not None]
        if got:
            value, command = max(got)
            worst[metric] = {"value": value, "command": command}
    level = [o.scores for o in outs if o.case.get("activity") in ("walk", "run") and not o.case.get("grade_pct")]
    return {**_pooled(outs), "seed": seed,
            "straight": _pooled([o for o in outs if not o.case.turning]),
            "turning": _pooled([o for o in outs if o.case.turning]),
            "activity": {a: pool([o.scores for o in outs if o.case.get("activity") == a], "activity_accuracy")
                         for a in ("walk", "run", "stairs_up", "stairs_down")},
            "level_activity": pool(level, "activity_accuracy"),
            "worst": worst, "gaits_missing": missed}


def format_explored(s: dict[str, Any]) -> str:
    """One paragraph of the explored space's figures."""
    def pct(v: float | None) -> str:
        return "-" if v is None else f"{v:.1%}"

    def ms(v: float | None) -> str:
        return "-" if v is None else f"{v:.1f} ms"

    def line(label: str, g: dict[str, Any]) -> str:
        return (f"  {label}: {g['held']}/{g['cases']} held; recall {pct(g['recall'])}, precision {pct(g['precision'])}, "
                f"IC {ms(g['ic_mae_ms'])}, TC {ms(g['tc_mae_ms'])}, GCT {ms(g['gct_mae_ms'])}, "
                f"strike {pct(g['strike_accuracy'])}")

    misses = ", ".join(f"{k} {v}" for k, v in sorted(s["gaits_missing"].items(), key=lambda kv: -kv[1])) or "none"
    out = [f"explored space ({s['cases']} gaits drawn with `rig explore --cases {s['cases']} --seed {s['seed']}`): "
           f"{s['held']}/{s['cases']} held every target",
           line("pooled", s)]
    out += [line(k, s[k]) for k in ("straight", "turning") if s.get(k, {}).get("cases")]
    if "activity" in s:
        each = ", ".join(f"{a} {pct(v)}" for a, v in s["activity"].items())
        out.append(f"  activity read right: {each}; level walks and runs {pct(s.get('level_activity'))}")
    out.append(f"  gaits missing each target: {misses}")
    for metric, w in s.get("worst", {}).items():
        out.append(f"  worst {metric}: {w['value']:.1f}  {w['command']}")
    return "\n".join(out)


def outcome_json(o: Outcome) -> dict[str, Any]:
    """One outcome as JSON: the gait, its command, scores, misses, and the minimal gait if shrunk."""
    doc: dict[str, Any] = {
        "case": o.case.spec, "seed": o.case.seed, "command": o.case.command(), "held": o.held,
        "scores": o.scores.as_dict(),
        "misses": [{"metric": m.metric, "value": m.value, "limit": m.limit} for m in o.misses],
    }
    if o.minimal is not None:
        doc["minimal"] = {k: v for k, v in outcome_json(o.minimal).items() if k != "scores"}
    return doc


#: Gaits `rig explore` draws when --cases is not given, and the most one draw takes.
DEFAULT_CASES = 20
MAX_CASES = 1_000_000


def excerpt_int(n: int) -> str:
    """n as a message quotes it: whole when short, else its first digits and how many there are."""
    text = str(n)
    return text if len(text) <= 20 else f"{text[:20]}... ({len(text)} digits)"


def _ignored(args: argparse.Namespace) -> None:
    """ScenarioParameterError for options the command asked for would ignore: anything with --list (it runs
    nothing), --cases with --case (one gait runs), and --map alone with anything of a draw (the map holds its own
    gaits and seeds)."""
    if args.list:
        given = [name for name, on in (("--case", args.case is not None), ("--cases", args.cases is not None),
                                       ("--seed", args.seed is not None), ("--fix", bool(args.fix)),
                                       ("--no-shrink", args.no_shrink), ("--map", args.map),
                                       ("--json", args.json is not None)) if on]
        if given:
            # --list --json OUT printed the list and wrote no OUT, exit 0; --list --case ran no gait
            raise ScenarioParameterError(f"--list prints the parameters and runs nothing: {', '.join(given)} would be "
                                         "ignored; drop them, or run without --list")
    if args.case is not None and args.cases is not None:
        raise ScenarioParameterError(f"--cases {args.cases} draws gaits, and --case runs exactly one: drop --cases")
    if args.map and args.case is None:
        given = [name for name, on in (("--cases", args.cases is not None), ("--seed", args.seed is not None),
                                       ("--fix", bool(args.fix)), ("--no-shrink", args.no_shrink),
                                       ("--json", args.json is not None)) if on]
        if given:
            raise ScenarioParameterError(f"--map prints the holding map over its own gaits and seeds and draws none: "
                                         f"{', '.join(given)} would be ignored; drop them, or run the draw apart")


def _refuse_empty(args: argparse.Namespace) -> None:
    """ScenarioParameterError for a --case or --fix that names no parameter (an unset shell variable:
    --case "$GAIT"): --case '' ran the neutral gait and --fix '' held nothing, both as if meant."""
    for option, specs in (("--case", [] if args.case is None else [args.case]), ("--fix", args.fix or [])):
        for spec in specs:
            if not spec.replace(",", " ").split():
                omit = "omit --case to draw gaits" if option == "--case" else "omit that --fix"
                raise ScenarioParameterError(f"{option} {_quoted(spec)} names no parameter; give name=value pairs "
                                             f"(e.g. {option} 'speed_mps=4.5 strike=fore'; rig explore --list shows "
                                             f"them), or {omit}")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of `rig explore`."""
    p.add_argument("--cases", action=Once, type=int, default=None, metavar="N", help=f"gaits to draw (default {DEFAULT_CASES})")
    p.add_argument("--seed", action=Once, type=seed_arg, default=None, help="seed of the draw, or of the --case gait (default 1)")
    p.add_argument("--case", action=Once, metavar="SPEC", help="run exactly this gait: 'name=value ...' (what a miss prints)")
    p.add_argument("--fix", metavar="SPEC", action="append",
                   help="hold these parameters in every draw: 'name=value ...' (e.g. 'activity=walk speed_mps=1.3' "
                   "to explore around one gait); may be given more than once")
    p.add_argument("--no-shrink", action="store_true", help="report misses without shrinking them")
    p.add_argument("--map", action="store_true", help="print where the analyzer holds (speed x strike x site)")
    p.add_argument("--list", action="store_true", help="list the parameters, their neutral values and ranges")
    p.add_argument("--json", action=Once, type=out_file("--json"), metavar="OUT", help="also write every outcome as JSON")


#: Most digits of a seed (a 128-bit seed has 39; Python reads no more than 4300).
SEED_DIGITS = 100


def seed_arg(text: str) -> int:
    """argparse type of every --seed of the rig: a whole number >= 0 (numpy's generators take no negative seed)."""
    digits = sum(ch.isdigit() for ch in text)
    if digits > SEED_DIGITS:
        raise argparse.ArgumentTypeError(f"a seed of {digits} digits ({text[:20]}...); give at most {SEED_DIGITS}")
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; give a seed >= 0")
    return value


def _list_params() -> str:
    lines = []
    for p in PARAMS:
        rng = ", ".join(map(_fmt, p.choices)) if p.kind == "choice" else f"{p.lo:g}..{p.hi:g}"
        lines.append(f"  {p.name:<20} neutral {_fmt(p.neutral) if p.neutral is not None else LAW:<10} {rng:<34} {p.doc}")
    return "parameters of a gait (--case 'name=value ...'):\n" + "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """Run `rig explore`: 0 every gait held, 1 a target was missed, 2 bad parameters."""
    try:
        refuse_another_kind(args.json, "--json", "every outcome as JSON", "json")
    except RigError as exc:
        print(f"rig explore: {exc}", file=sys.stderr)
        return 2
    try:
        _ignored(args)
        if args.list:
            print(_list_params())
            return 0
        _refuse_empty(args)
        cases = DEFAULT_CASES if args.cases is None else args.cases
        seed = 1 if args.seed is None else args.seed
        if cases < 1:
            raise ScenarioParameterError(f"--cases {cases}: draw at least one gait")
        if cases > MAX_CASES:
            # every outcome is kept for the summary: a typo's extra digits would run for years, then out of memory
            raise ScenarioParameterError(f"--cases {excerpt_int(cases)}: at most {MAX_CASES} gaits in one draw (200 "
                                         "take about a minute); split a larger sweep over --seed values")
        if args.case is not None and args.fix:
            raise ScenarioParameterError(f"--fix {' '.join(args.fix)!r} holds parameters of drawn gaits, and --case "
                                         "runs exactly one: write them into --case instead")
        outcomes: list[Outcome] = []
        if args.map:
            print(format_map(holding_map()))
        if args.case is not None:
            case = parse_case(args.case, seed)
            oc = run_case(case)
            outcomes.append(oc)
            s = oc.scores
            def fig(v: float | None, fmt: str) -> str:
                return "-" if v is None else format(v, fmt)

            print(f"{case.spec or 'neutral'} seed={case.seed}: {s.n_matched}/{s.n_truth} strides matched, "
                  f"{s.n_false} false; IC {fig(s.ic_mae_ms, '.2f')} ms, TC {fig(s.tc_mae_ms, '.2f')} ms, "
                  f"GCT {fig(s.gct_mae_ms, '.2f')} ms, strike {fig(s.strike_accuracy, '.1%')}")
            print("held" if oc.held else "MISSED " + "; ".join(map(str, oc.misses)))
        elif not args.map:
            fixed = parse_params(" ".join(args.fix), "--fix") if args.fix else None
            outcomes = explore(cases, seed, do_shrink=not args.no_shrink, fixed=fixed)
            held = sum(o.held for o in outcomes)
            print(f"{held}/{len(outcomes)} gaits held every target")
    except ValueError as exc:  # ScenarioParameterError and the sensor model's refusals
        print(f"rig explore: bad parameters: {exc}", file=sys.stderr)
        return 2
    if args.json is not None:
        try:
            write_output(args.json, json.dumps([outcome_json(o) for o in outcomes], indent=1) + "\n", "--json",
                         "the outcomes are printed above")
        except RigError as exc:
            print(f"rig explore: {exc}", file=sys.stderr)
            return 2
    return 0 if all(o.held for o in outcomes) else 1


def cli(argv: Sequence[str] | None = None) -> int:
    """`python -m rig.explore`: the same as `rig explore`."""
    ap = ArgumentParser(prog="rig explore", description=__doc__.split("\n\n", 1)[0])
    add_arguments(ap)
    return main(ap.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(cli())
