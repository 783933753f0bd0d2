"""The real labelled recordings shipped in scenarios/data, and a fair score for the ones that
carry stride borders instead of IC labels."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .model import Truth

DATA_DIR = Path(__file__).resolve().parent / "data"


def list_datasets() -> list[Path]:
    """Paths of every recording CSV under scenarios/data, sorted (each may have a truth sidecar)."""
    return sorted(DATA_DIR.glob("*/*.csv"))


@dataclass(frozen=True)
class BorderScore:
    """Detected ICs against stride borders: each border interval should hold exactly one IC.

    hits: intervals with exactly one detection; missed: intervals with none; extra: detections
    beyond the first in an interval; step_count: the labelled count (None if not labelled);
    detected: detections inside the bordered span.
    """

    intervals: int
    hits: int
    missed: int
    extra: int
    step_count: int | None
    detected: int

    @property
    def recall(self) -> float:
        """hits / intervals."""
        return self.hits / self.intervals if self.intervals else float("nan")


def border_intervals(truth: Truth) -> list[tuple[float, float]]:
    """Stride intervals from meta["stride_borders_s"]: a flat list of borders gives consecutive
    intervals; a list of [start, end] pairs gives those pairs."""
    borders = truth.meta.get("stride_borders_s") or []
    if not borders:
        return []
    if isinstance(borders[0], (list, tuple)):
        return [(float(a), float(b)) for a, b in borders]
    b = [float(x) for x in borders]
    return list(zip(b[:-1], b[1:]))


def contact_intervals(truth: Truth) -> list[tuple[float, float]]:
    """Toe-off to toe-off intervals, s, of consecutive labelled strides whose toe-offs are both labelled:
    each holds exactly one IC (the next contact's), wherever the labels' convention puts it."""
    strides = sorted(truth.strides, key=lambda s: s.ic_s)
    return [(a.tc_s, b.tc_s) for a, b in zip(strides[:-1], strides[1:])
            if a.tc_s is not None and b.tc_s is not None and a.tc_s < b.ic_s < b.tc_s]


def score_contacts(truth: Truth, detected_ic_s: Sequence[float]) -> BorderScore:
    """Score IC detections by contact (see contact_intervals), for labels whose IC sits at another
    instant than the motion-capture contact (a pressure insole's heel strike: tens of ms later),
    where matching within a time tolerance would judge the convention, not the detection."""
    return _score_intervals(contact_intervals(truth), detected_ic_s, None)


def score_stride_borders(truth: Truth, detected_ic_s: Sequence[float]) -> BorderScore:
    """Score IC detections on a recording labelled with stride borders (no IC labels).

    An interval (start, end] between two borders holds exactly one IC of the instrumented foot.
    """
    count = truth.meta.get("step_count")
    return _score_intervals(border_intervals(truth), detected_ic_s, None if count is None else int(count))


def _score_intervals(intervals: list[tuple[float, float]], detected_ic_s: Sequence[float],
                     step_count: int | None) -> BorderScore:
    """Each interval (start, end], s, against the detected ICs, s: hits hold exactly one."""
    ics = np.sort(np.asarray(detected_ic_s, dtype=float))
    hits = missed = extra = detected = 0
    for a, b in intervals:
        n = int(np.count_nonzero((ics > a) & (ics <= b)))
        detected += n
        hits += n == 1
        missed += n == 0
        extra += max(n - 1, 0)
    return BorderScore(len(intervals), hits, missed, extra, step_count, detected)
