"""Piecewise quintic Hermite curves: C2-smooth signals from knots (value, rate, acceleration).

Every angle and swing coordinate of the foot is such a curve, so the positions, angular rates
and accelerations derived from them are continuous and physically consistent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class KnotList:
    """Knots of one channel, appended in time order: t_s, value, first and second derivative."""

    t_s: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    dy: list[float] = field(default_factory=list)
    ddy: list[float] = field(default_factory=list)

    def add(self, t_s: float, y: float, dy: float = 0.0, ddy: float = 0.0) -> None:
        """Append a knot; a knot at (or before) the last time replaces nothing and is dropped."""
        if self.t_s and t_s <= self.t_s[-1] + 1e-9:
            if abs(t_s - self.t_s[-1]) < 1e-9:
                self.y[-1], self.dy[-1], self.ddy[-1] = y, dy, ddy
            return
        self.t_s.append(float(t_s))
        self.y.append(float(y))
        self.dy.append(float(dy))
        self.ddy.append(float(ddy))

    def last(self) -> tuple[float, float]:
        """(time, value) of the last knot."""
        return self.t_s[-1], self.y[-1]

    def arrays(self) -> "Knots":
        """Frozen numpy form for evaluation."""
        return Knots(
            np.asarray(self.t_s), np.asarray(self.y), np.asarray(self.dy), np.asarray(self.ddy)
        )


@dataclass(frozen=True)
class Knots:
    """Numpy knots, strictly increasing in t_s."""

    t_s: np.ndarray
    y: np.ndarray
    dy: np.ndarray
    ddy: np.ndarray

    def segment(self, t_s: np.ndarray) -> np.ndarray:
        """Index of the segment that holds each time (clamped to the first and last)."""
        k = np.searchsorted(self.t_s, t_s, side="right") - 1
        return np.clip(k, 0, max(len(self.t_s) - 2, 0))

    def __call__(self, t_s: np.ndarray, seg: np.ndarray | None = None) -> np.ndarray:
        """Value at t_s; with seg given, that segment's polynomial is used (extrapolated if needed)."""
        if len(self.t_s) == 1:
            return np.full(np.shape(t_s), self.y[0])
        k = self.segment(t_s) if seg is None else seg
        t0 = self.t_s[k]
        h = self.t_s[k + 1] - t0
        u = (t_s - t0) / h
        if seg is None:
            u = np.clip(u, 0.0, 1.0)
        u2 = u * u
        u3 = u2 * u
        u4 = u3 * u
        u5 = u4 * u
        h00 = 1 - 10 * u3 + 15 * u4 - 6 * u5
        h10 = u - 6 * u3 + 8 * u4 - 3 * u5
        h20 = 0.5 * u2 - 1.5 * u3 + 1.5 * u4 - 0.5 * u5
        h01 = 10 * u3 - 15 * u4 + 6 * u5
        h11 = -4 * u3 + 7 * u4 - 3 * u5
        h21 = 0.5 * u3 - u4 + 0.5 * u5
        return (
            h00 * self.y[k]
            + h10 * h * self.dy[k]
            + h20 * h * h * self.ddy[k]
            + h01 * self.y[k + 1]
            + h11 * h * self.dy[k + 1]
            + h21 * h * h * self.ddy[k + 1]
        )
