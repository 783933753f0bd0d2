"""The phone app's view of a run: the RSC Measurements the shoe notified, judged against the truth.

A running app shows what the last RSC Measurement said: instantaneous speed, cadence and stride
length (of the last stride the shoe reported), total distance, and walking or running. This module
turns the firmware's RSC_MEASUREMENT frames into timed samples and scores them over time.

Which truth a measurement at time t may show: the firmware reports stride k (IC[k] to IC[k+1]) a
little after IC[k+1], at most REPORT_DELAY_S later, and shows it until the next report. So at t the
true strides it may be showing are the last one to end by t, and each earlier one whose successor
ended after t - REPORT_DELAY_S (its report may still be pending). Once no true stride has ended for
IDLE_S (the firmware's FW_RSCS_IDLE_MS) the wearer has stopped: speed and cadence 0 are right, and
after IDLE_S + REPORT_DELAY_S they are the only right answer. Total distance at t lies between
the length of the strides reported for certain by then and that of every stride ended by t plus the
truth's travel outside strides (a first step from standing). Cadence is the specification's
reading: contacts of the sensor's foot per minute (60000 / stride time in ms), see frame_spec.rscs.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import numpy as np

from frame_spec.rscs import DISTANCE_M_PER_COUNT, parse_measurement
from scenarios.model import StrideTruth, Truth

#: Longest time from a stride's end (its successor's IC) to the firmware's report of it, s.
REPORT_DELAY_S = 1.5
#: The firmware's FW_RSCS_IDLE_MS: no stride for this long reads as stopped, s.
IDLE_S = 3.0
#: Total distance is judged once the truth has covered this much, m (earlier one stride is a large share).
DISTANCE_FROM_M = 30.0


@dataclass(frozen=True)
class RscSample:
    """One RSC Measurement as notified, on the recording's timeline; None for a field not present."""

    t_s: float
    speed_mps: float
    cadence_per_min: int
    stride_m: float | None
    total_m: float | None
    running: bool
    #: The characteristic value as notified, hex.
    value: str

    @classmethod
    def from_value(cls, t_s: float, value: bytes) -> RscSample:
        """A sample from the characteristic value bytes (construct.ConstructError if malformed)."""
        v = parse_measurement(value)
        return cls(t_s, v.speed_mps, v.cadence_per_min, v.stride_m, v.total_m, v.running, value.hex())

    @property
    def moving(self) -> bool:
        """The app shows the wearer moving (a non-zero speed or cadence)."""
        return self.speed_mps > 0 or self.cadence_per_min > 0

    def to_json(self) -> dict[str, Any]:
        """The sample as a JSON object."""
        return {"t_s": self.t_s, "speed_mps": self.speed_mps, "cadence_per_min": self.cadence_per_min,
                "stride_m": self.stride_m, "total_m": self.total_m, "running": self.running, "value": self.value}


@dataclass(frozen=True)
class AppViewScores:
    """How well the app's view followed the truth over the run; None where nothing was judged."""

    app_measurements: int
    #: Mean |error| / true value over the moving measurements, %.
    app_speed_mape_pct: float | None
    #: Mean |error| over the moving measurements, contacts of the sensor's foot per minute.
    app_cadence_mae_per_min: float | None
    app_stride_mape_pct: float | None
    #: Largest total-distance error once the truth has covered DISTANCE_FROM_M, % of the true distance.
    app_distance_err_pct: float | None
    #: Share of moving measurements whose walking/running status fits the true activity.
    app_status_accuracy: float | None
    #: Measurements that showed the wearer moving while stopped, or stopped while moving.
    app_state_errors: int | None

    def as_dict(self) -> dict[str, Any]:
        """The figures as a dict of Scores field names."""
        return dict(self.__dict__)


def _end_s(s: StrideTruth, nxt: StrideTruth | None) -> float | None:
    if s.stride_ms is not None:
        return s.ic_s + s.stride_ms / 1000.0
    return nxt.ic_s if nxt is not None else None


def _rel_err(value: float, candidates: list[float]) -> float:
    best = min(candidates, key=lambda c: abs(value - c))
    return abs(value - best) / best * 100.0 if best > 0 else 0.0


def judge(samples: list[RscSample], truth: Truth) -> AppViewScores:
    """Score the app's view against the truth (see the module docstring for the timing rules)."""
    strides = [s for s in truth.strides]
    ends: list[float] = []
    kept: list[StrideTruth] = []
    for i, s in enumerate(strides):
        e = _end_s(s, strides[i + 1] if i + 1 < len(strides) else None)
        if e is not None:
            ends.append(e)
            kept.append(s)
    order = np.argsort(ends)
    ends = [ends[i] for i in order]
    kept = [kept[i] for i in order]
    lengths = [s.stride_m or 0.0 for s in kept]
    cum = np.concatenate([[0.0], np.cumsum(lengths)])
    # travel outside every stride (the first step from standing, the last one into a stop): the
    # truth's distance counts it, its strides do not; the app may show it from its first stride on
    unstrided_m = max(0.0, truth.distance_m - float(cum[-1])) if truth.distance_m is not None else 0.0
    windows = truth.label_windows_s

    speed_err: list[float] = []
    cad_err: list[float] = []
    len_err: list[float] = []
    status_ok: list[bool] = []
    dist_err: list[float] = []
    state_errors = 0
    for smp in samples:
        t = smp.t_s
        if not any(a <= t <= b for a, b in windows):
            continue  # outside the truth's labelled spans: nothing to judge it by
        n_done = bisect.bisect_right(ends, t)  # true strides ended by t
        last_end = ends[n_done - 1] if n_done else None
        # strides it may show: the last ended, and earlier ones whose successor ended after t - delay
        cands = [kept[k] for k in range(n_done) if k == n_done - 1 or ends[k + 1] > t - REPORT_DELAY_S]
        # 0 is right unless a stride ended early enough, and late enough, that its report surely fell
        # within the last IDLE_S; it is the only right answer once no report can have fallen there
        stopped_ok = bisect.bisect_right(ends, t - REPORT_DELAY_S) <= bisect.bisect_left(ends, t - IDLE_S)
        stopped_only = last_end is None or last_end < t - IDLE_S - REPORT_DELAY_S
        if not smp.moving:
            if not stopped_ok:
                state_errors += 1
        elif stopped_only:
            state_errors += 1
        elif cands:
            speeds = [c.speed_mps for c in cands if c.speed_mps is not None]
            if speeds:
                speed_err.append(_rel_err(smp.speed_mps, speeds))
            rates = [60000.0 / c.stride_ms for c in cands if c.stride_ms]
            if rates:
                cad_err.append(min(abs(smp.cadence_per_min - r) for r in rates))
            lens = [c.stride_m for c in cands if c.stride_m is not None]
            if smp.stride_m is not None and lens:
                len_err.append(_rel_err(smp.stride_m, lens))
            acts = {c.activity for c in cands if c.activity is not None}
            if acts:
                status_ok.append(("run" in acts) if smp.running else bool(acts - {"run"}))
        if smp.total_m is not None and truth.strides and all(s.stride_m is not None for s in kept):
            hi = float(cum[n_done])
            lo = float(cum[bisect.bisect_right(ends, t - REPORT_DELAY_S)])
            if hi >= DISTANCE_FROM_M:
                half_count_m = DISTANCE_M_PER_COUNT / 2  # the field's rounding
                outside = max(0.0, lo - smp.total_m - half_count_m, smp.total_m - hi - unstrided_m - half_count_m)
                dist_err.append(outside / hi * 100.0)
    return AppViewScores(
        app_measurements=len(samples),
        app_speed_mape_pct=float(np.mean(speed_err)) if speed_err else None,
        app_cadence_mae_per_min=float(np.mean(cad_err)) if cad_err else None,
        app_stride_mape_pct=float(np.mean(len_err)) if len_err else None,
        app_distance_err_pct=max(dist_err) if dist_err else None,
        app_status_accuracy=float(np.mean(status_ok)) if status_ok else None,
        app_state_errors=state_errors if samples else None,
    )
