"""Accuracy of detected strides against ground truth.

Detected strides are rig.records.Stride records, or any mapping with the keys of the
replay JSON contract (ic_s, tc_s, gct_ms, strike, fsa_deg, stride_m, ...; None where
not measured), such as a result JSON read back. A detection is matched one-to-one
to a true stride by its initial-contact time, inside the truth's label windows only: a
detection outside every window is neither a hit nor a false alarm.

`rig bench` prints these figures per recording; the goals they are judged against
are in rig.goals.
"""

from __future__ import annotations

import bisect

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from scenarios.model import StrideTruth, Truth

CADENCE_WINDOW_S = 30.0
"""Cadence is compared over windows of this length, s."""


@dataclass(frozen=True)
class Matching:
    """One-to-one pairing of detections and true strides by IC time.

    pairs: (detected index, truth index); missed: truth indices with no
    detection; false_alarms: detected indices inside a label window with no
    truth; ignored: detected indices outside every label window.
    """

    pairs: tuple[tuple[int, int], ...]
    missed: tuple[int, ...]
    false_alarms: tuple[int, ...]
    ignored: tuple[int, ...]


@dataclass(frozen=True)
class Scores:
    """Accuracy figures of one recording. None where the truth lacks the data."""

    n_truth: int
    n_detected: int
    n_matched: int
    n_missed: int
    n_false: int
    recall: float | None
    precision: float | None
    ic_mae_ms: float | None = None
    ic_bias_ms: float | None = None
    tc_mae_ms: float | None = None
    tc_bias_ms: float | None = None
    gct_mae_ms: float | None = None
    strike_accuracy: float | None = None
    fsa_mae_deg: float | None = None
    stride_len_mape_pct: float | None = None
    distance_err_pct: float | None = None
    cadence_max_err_spm: float | None = None
    pronation_mae_deg: float | None = None
    activity_accuracy: float | None = None
    # The phone app's view (RSC Measurements over time, rig.app_view); None when the run had none.
    app_measurements: int | None = None
    app_speed_mape_pct: float | None = None
    app_cadence_mae_per_min: float | None = None
    app_stride_mape_pct: float | None = None
    app_distance_err_pct: float | None = None
    app_status_accuracy: float | None = None
    app_state_errors: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The figures as a JSON-ready dict."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: How far a detected initial contact may sit from a true one and still be that stride, s: one foot's
#: strides are at least about 0.6 s apart (200 steps/min), so a detection cannot pair with a neighbour,
#: and it is ten times the timing goals, so it pairs strides without excusing a timing error.
MATCH_TOLERANCE_S = 0.1


def _in_windows(t: float, windows: Sequence[tuple[float, float]], slack: float = 0.0) -> bool:
    return any(a - slack <= t <= b + slack for a, b in windows)


def match_strides(detected: Sequence[Mapping[str, Any]], truth: Truth,
                  tolerance_s: float = MATCH_TOLERANCE_S) -> Matching:
    """Pair detections with true strides one-to-one by IC time.

    Only true ICs inside truth.label_windows_s count. A detection may pair with
    a true IC at most tolerance_s away (closest pairs first). An unpaired
    detection inside a window is a false alarm; one outside every window
    (or within tolerance_s of a window's edge, where its true stride may be
    unlabelled) is ignored.
    """
    windows = truth.label_windows_s
    t_idx = [i for i, s in enumerate(truth.strides) if _in_windows(s.ic_s, windows)]
    d_ic = [d.get("ic_s") for d in detected]
    d_idx = [i for i, t in enumerate(d_ic) if t is not None and _in_windows(t, windows, tolerance_s)]
    # candidates from the true ICs near each detection (sorted once, found by bisection: a 30-minute run
    # has thousands of strides on each side)
    by_ic = sorted((truth.strides[ti].ic_s, ti) for ti in t_idx)
    ics = [ic for ic, _ in by_ic]
    cand: list[tuple[float, int, int]] = []
    for di in d_idx:
        td = float(d_ic[di])  # type: ignore[arg-type]
        lo = bisect.bisect_left(ics, td - tolerance_s - 1e-9)
        hi = bisect.bisect_right(ics, td + tolerance_s + 1e-9)
        for ic, ti in by_ic[lo:hi]:
            dt = abs(td - ic)
            if dt <= tolerance_s:
                cand.append((dt, di, ti))
    cand.sort()
    used_d: set[int] = set()
    used_t: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, di, ti in cand:
        if di in used_d or ti in used_t:
            continue
        used_d.add(di)
        used_t.add(ti)
        pairs.append((di, ti))
    pairs.sort()
    missed = tuple(ti for ti in t_idx if ti not in used_t)
    false_alarms: list[int] = []
    ignored: list[int] = []
    for di, t in enumerate(d_ic):
        if di in used_d:
            continue
        inside = t is not None and _in_windows(float(t), windows) and any(
            a + tolerance_s <= float(t) <= b - tolerance_s for a, b in windows)
        (false_alarms if inside else ignored).append(di)
    return Matching(tuple(pairs), missed, tuple(false_alarms), tuple(ignored))


def _mae(pairs: list[tuple[float, float]]) -> float | None:
    if not pairs:
        return None
    return float(np.mean([abs(a - b) for a, b in pairs]))


def _bias(pairs: list[tuple[float, float]]) -> float | None:
    if not pairs:
        return None
    return float(np.mean([a - b for a, b in pairs]))


def _num(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else f


def _window_cadence(ics: np.ndarray, a: float, b: float) -> float | None:
    """Cadence, steps/min, from the ICs of one foot inside [a, b)."""
    sel = np.sort(ics[(ics >= a) & (ics < b)])
    if len(sel) < 3:
        return None
    return 2.0 * 60.0 * (len(sel) - 1) / float(sel[-1] - sel[0])


def cadence_max_error(detected: Sequence[Mapping[str, Any]], truth: Truth,
                      window_s: float = CADENCE_WINDOW_S, slack_s: float = 0.05) -> float | None:
    """Largest |cadence error|, steps/min, over consecutive windows of window_s.

    Windows tile each label window (a label window shorter than window_s is one
    window); cadence in a window is 2 * 60 * (n - 1) / (last IC - first IC).
    """
    t_ics = np.array([s.ic_s for s in truth.strides], dtype=float)
    d_ics = np.array([float(d["ic_s"]) for d in detected if _num(d.get("ic_s")) is not None], dtype=float)
    worst: float | None = None
    for a, b in truth.label_windows_s:
        n = max(1, int((b - a) // window_s))
        edges = [a + k * window_s for k in range(n)] + [b if n == 1 else a + n * window_s]
        for lo, hi in zip(edges[:-1], edges[1:]):
            ct = _window_cadence(t_ics, lo, hi + 1e-9)
            # a detection a little early or late still belongs to its window's edge stride
            cd = _window_cadence(d_ics, lo - slack_s, hi + slack_s)
            if ct is None:
                continue
            err = abs((cd if cd is not None else 0.0) - ct)
            worst = err if worst is None else max(worst, err)
    return worst


def _truth_distance(truth: Truth) -> float | None:
    if truth.distance_m is not None:
        return float(truth.distance_m)
    lengths = [s.stride_m for s in truth.strides]
    if lengths and all(x is not None for x in lengths):
        return float(sum(lengths))  # type: ignore[arg-type]
    return None


def score(detected: Sequence[Mapping[str, Any]], truth: Truth, tolerance_s: float = MATCH_TOLERANCE_S,
          summary: Mapping[str, Any] | None = None) -> Scores:
    """Accuracy of detected strides against the truth of one recording.

    Timing errors are absolute (MAE) in ms, over matched strides whose truth
    has the field; stride length as mean absolute percentage error; distance as
    |detected - true| / true in percent, detected distance from
    summary["distance_m"] when given, else the sum of detected stride_m.
    """
    m = match_strides(detected, truth, tolerance_s)
    n_truth = len(m.pairs) + len(m.missed)
    n_det_scored = len(m.pairs) + len(m.false_alarms)
    ic: list[tuple[float, float]] = []
    tc: list[tuple[float, float]] = []
    gct: list[tuple[float, float]] = []
    fsa: list[tuple[float, float]] = []
    strike_ok: list[bool] = []
    act_ok: list[bool] = []
    pron: list[tuple[float, float]] = []
    slen: list[float] = []
    for di, ti in m.pairs:
        d = detected[di]
        t: StrideTruth = truth.strides[ti]
        ic.append((float(d["ic_s"]) * 1e3, t.ic_s * 1e3))
        dtc = _num(d.get("tc_s"))
        if t.tc_s is not None and dtc is not None:
            tc.append((dtc * 1e3, t.tc_s * 1e3))
        dgct = _num(d.get("gct_ms"))
        t_gct = t.gct_ms if t.gct_ms is not None else (
            (t.tc_s - t.ic_s) * 1e3 if t.tc_s is not None else None)
        if t_gct is not None and dgct is not None:
            gct.append((dgct, t_gct))
        if t.strike is not None:
            strike_ok.append(d.get("strike") == t.strike)
        if t.activity is not None:
            act_ok.append(d.get("activity") == t.activity)
        dpro = _num(d.get("pronation_deg"))
        if t.pronation_deg is not None and dpro is not None:
            pron.append((dpro, t.pronation_deg))
        dfsa = _num(d.get("fsa_deg"))
        if t.fsa_deg is not None and dfsa is not None:
            fsa.append((dfsa, t.fsa_deg))
        dlen = _num(d.get("stride_m"))
        if t.stride_m is not None and t.stride_m > 0:
            # an unmeasured length counts as a 100 % error: never silently dropped
            slen.append(abs((dlen if dlen is not None else 0.0) - t.stride_m) / t.stride_m * 100.0)
    dist_err: float | None = None
    t_dist = _truth_distance(truth)
    if t_dist is not None and t_dist > 0:
        if summary is not None and _num(summary.get("distance_m")) is not None:
            d_dist = float(summary["distance_m"])
        else:
            d_dist = sum(_num(d.get("stride_m")) or 0.0 for d in detected)
        dist_err = abs(d_dist - t_dist) / t_dist * 100.0
    return Scores(
        n_truth=n_truth,
        n_detected=len(detected),
        n_matched=len(m.pairs),
        n_missed=len(m.missed),
        n_false=len(m.false_alarms),
        recall=len(m.pairs) / n_truth if n_truth else None,
        precision=len(m.pairs) / n_det_scored if n_det_scored else (1.0 if n_truth == 0 else None),
        ic_mae_ms=_mae(ic),
        ic_bias_ms=_bias(ic),
        tc_mae_ms=_mae(tc),
        tc_bias_ms=_bias(tc),
        gct_mae_ms=_mae(gct),
        strike_accuracy=float(np.mean(strike_ok)) if strike_ok else None,
        fsa_mae_deg=_mae(fsa),
        stride_len_mape_pct=float(np.mean(slen)) if slen else None,
        distance_err_pct=dist_err,
        cadence_max_err_spm=cadence_max_error(detected, truth) if n_truth else None,
        pronation_mae_deg=_mae(pron),
        activity_accuracy=float(np.mean(act_ok)) if act_ok else None,
    )


TABLE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("n_truth", "truth", "{:d}"),
    ("n_detected", "det", "{:d}"),
    ("recall", "recall%", "{:.2%}"),
    ("precision", "prec%", "{:.2%}"),
    ("ic_mae_ms", "IC ms", "{:.2f}"),
    ("tc_mae_ms", "TC ms", "{:.2f}"),
    ("gct_mae_ms", "GCT ms", "{:.2f}"),
    ("cadence_max_err_spm", "cad spm", "{:.2f}"),
    ("strike_accuracy", "strike%", "{:.1%}"),
    ("fsa_mae_deg", "FSA deg", "{:.2f}"),
    ("stride_len_mape_pct", "len %", "{:.2f}"),
    ("distance_err_pct", "dist %", "{:.2f}"),
    ("pronation_mae_deg", "pron deg", "{:.2f}"),
    ("activity_accuracy", "act%", "{:.1%}"),
)


def pool(scores: Sequence[Scores], metric: str) -> float | None:
    """One figure over several scorings: recall and precision from the summed stride counts, any
    other metric as the mean of each scoring's value weighted by its matched strides; None when
    nothing measured it."""
    matched = sum(s.n_matched for s in scores)
    if metric == "recall":
        truth = sum(s.n_truth for s in scores)
        return matched / truth if truth else None
    if metric == "precision":
        found = sum(s.n_matched + s.n_false for s in scores)
        return matched / found if found else None
    pairs = [(v, s.n_matched) for s in scores if (v := getattr(s, metric)) is not None and s.n_matched]
    total = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / total if total else None


def format_table(rows: Sequence[tuple[str, Scores]]) -> str:
    """A fixed-width text table, one row per recording; '-' where not measured."""
    head = f"{'recording':<28}" + "".join(f"{h:>9}" for _, h, _ in TABLE_COLUMNS)
    lines = [head, "-" * len(head)]
    for name, s in rows:
        cells = []
        for key, _, fmt in TABLE_COLUMNS:
            v = getattr(s, key)
            cells.append(f"{'-' if v is None else fmt.format(v).rstrip('%'):>9}")
        lines.append(f"{name[:28]:<28}" + "".join(cells))
    return "\n".join(lines)
