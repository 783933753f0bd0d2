"""A report's picture of one run: waveform, truth and detected events around its first failing stride."""

from __future__ import annotations

from pathlib import Path

from rig.records import RunResult
from scenarios.model import Recording

#: Seconds shown either side of the first failing stride.
AROUND_S = 3.0
#: Seconds shown of a run with no failing stride (from the start of its first labelled window).
PASSED_SPAN_S = 8.0


def plot_run(rec: Recording, result: RunResult | None, png: Path, first_failing_s: float | None,
             first_failing_why: str | None = None) -> Path:
    """Draw rec with its truth and result's detected strides to png (matplotlib): a window of
    2 * AROUND_S s centred on the first failing stride (marked), else the first PASSED_SPAN_S s walked."""
    from scenarios.plot import plot_recording  # matplotlib is imported only when a report is drawn

    t0, t1 = float(rec.t_s[0]), float(rec.t_s[-1])
    if first_failing_s is not None:
        lo, hi = max(t0, first_failing_s - AROUND_S), min(t1, first_failing_s + AROUND_S)
        marks = [(first_failing_s, "first failing stride" + (f": {first_failing_why}" if first_failing_why else ""))]
    else:
        windows = rec.truth.label_windows_s if rec.truth is not None else []
        start = float(windows[0][0]) if windows else t0
        lo, hi = start, min(t1, start + PASSED_SPAN_S)
        marks = []
    if hi <= lo:
        lo, hi = t0, t1
    detected = [s.to_json() for s in result.strides] if result is not None else None
    return plot_recording(rec, png, detected=detected, t_range_s=(lo, hi), marks=marks)
