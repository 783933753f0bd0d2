"""Sole pitch from toe-off to the end of the toes-up swing, as a smooth pitch-rate profile.

The pitch rate (+ = toes up, so gy = -rate) after TC is the sum of three smooth parts:

- the push-off rotation ending: -r_tc * D(s), s = (t - TC) / fade_s, with
  D(s) = (1 - s)^k (1 + k s) (1 with zero slope at TC, 0 with zero slope at s = 1);
- the heel kick of running: a toes-down bump (the knee flexes faster than the thigh swings
  forward, so shank and foot keep turning toes down for the first third of the swing);
- the toes-up swing: one bell rising from 0 at its start to a single peak and back to 0 at
  its end, where the toes-up rotation stops just before the next contact. When running it is a
  rounded core on a broad low pedestal (so gy passes zero with a slope instead of lingering
  near it), peaking late in the swing and still falling steeply at its end, as the detectors
  expect the swing to end just before IC.
- optionally a carry into contact: a rounded rise over the last CARRY_S before the swing's end
  to a nonzero end rate, for a foot whose toes-up rotation runs right into contact.

Bumps and bells are built from sides K(u) = (1 - |u|^n)^m (u = -1 at the start, 0 at the peak,
1 at the end). m >= 2 gives zero rate and acceleration at the ends, 1 < m < 2 a steep end with
zero acceleration, m = 1 (rising side) the steep onset of the walking swing. n = 2 gives a
rounded peak whose width follows m (Gaussian-like for large m); n > 2 flattens the top (the
broad walking swing). One side of the bell is fitted so that its area, the rotation the swing
has to make, matches the planned peak rate; the amplitude is then solved on the quadrature
used for the knots, so the pitch reaches the landing angle exactly. The profile is handed to
the pitch curve as knots (value, rate, acceleration) about KNOT_SPACING_S apart, so gyroscope
and accelerometer still come from one pose.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_GL_X, _GL_W = np.polynomial.legendre.leggauss(6)
MIN_FULLNESS = 0.12  # (1 - u^2)^m with m ~ 55: a narrow Gaussian-like side
MAX_FULLNESS = 0.85  # nearly flat-topped
KNOT_SPACING_S = 0.012  # knots of the pitch curve in swing
ROUNDED = (2.0, 3.0)  # triweight side: rounded, zero rate, acceleration and jerk at its end
STEEP_ONSET = (4.0, 1.0)  # walking swing: rises at once, flat near the peak
RISE_M = 2.0  # rising side of the running swing: starts with zero rate and acceleration
STEEP_FALL = (2.0, 1.2)  # falling side of the running swing: rounded peak, still steep at its end
WALK_FALL_M = 1.5  # walking: the rate still falls steeply just before its end
FADE_K_MIN = 4.0  # the push-off rate fades at least as fast as (1 - s)^4 (1 + 4 s)
CARRY_FRAC = 0.3  # a rate carried into contact builds up over this share of the toes-up bell


def fullness(n: float, m: float) -> float:
    """Integral of (1 - u^n)^m over [0, 1]: a side's area over peak x width."""
    return math.exp(math.lgamma(1.0 + 1.0 / n) + math.lgamma(m + 1.0) - math.lgamma(m + 1.0 + 1.0 / n))


def _bisect(f: Callable[[float], float], lo: float, hi: float, target: float) -> float:
    """x in [lo, hi] with f(x) = target for a monotonic f (the nearer end when out of range)."""
    f_lo, f_hi = f(lo), f(hi)
    if (target - f_lo) * (target - f_hi) > 0.0:
        return lo if abs(target - f_lo) < abs(target - f_hi) else hi
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        f_mid = f(mid)
        if (f_mid - target) * (f_lo - target) > 0.0:
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def side_of_fullness(f: float, m0: float) -> tuple[float, float]:
    """(n, m) of a side with fullness f: rounded (n = 2, m from m0 up) when f is below
    fullness(2, m0), flatter-topped (m = m0, n from 2 up) above it."""
    f = min(max(f, MIN_FULLNESS), MAX_FULLNESS)
    if f <= fullness(2.0, m0):
        return 2.0, _bisect(lambda m: fullness(2.0, m), m0, 80.0, f)
    return _bisect(lambda n: fullness(n, m0), 2.0, 40.0, f), m0


def _side(u: np.ndarray, n: float, m: float) -> tuple[np.ndarray, np.ndarray]:
    """(K, dK/du) of (1 - u^n)^m for u in [0, 1), 0 elsewhere."""
    inside = (u >= 0.0) & (u < 1.0)
    uc = np.clip(u, 0.0, 1.0)
    base = 1.0 - uc**n
    k = np.where(inside, base**m, 0.0)
    dk = np.where(inside, -m * n * uc ** (n - 1.0) * base ** (m - 1.0), 0.0)
    return k, dk


@dataclass(frozen=True)
class Bump:
    """A single-peaked bump of height 1 on [start_s, end_s], peaking at peak_s."""

    start_s: float
    peak_s: float
    end_s: float
    rise: tuple[float, float]  # (n, m) of the rising side
    fall: tuple[float, float]  # (n, m) of the falling side

    def __call__(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(value, time derivative) at t."""
        left = self.peak_s - self.start_s
        right = self.end_s - self.peak_s
        if left <= 0.0 or right <= 0.0:
            return np.zeros_like(t), np.zeros_like(t)
        kl, dkl = _side((self.peak_s - t) / left, *self.rise)
        kr, dkr = _side((t - self.peak_s) / right, *self.fall)
        rising = t < self.peak_s
        return np.where(rising, kl, kr), np.where(rising, -dkl / left, dkr / right)

    def area_s(self) -> float:
        """Integral of the bump (peak 1) over time."""
        if self.peak_s <= self.start_s or self.end_s <= self.peak_s:
            return 0.0
        return (self.peak_s - self.start_s) * fullness(*self.rise) + (self.end_s - self.peak_s) * fullness(*self.fall)


@dataclass(frozen=True)
class SwingPitch:
    """One swing's pitch rate (deg/s, + = toes up) from TC to the end of the toes-up swing."""

    tc_s: float
    r_tc_dps: float  # toes-down rate at TC (magnitude)
    fade_s: float
    fade_k: float
    kick_dps: float  # heel-kick bump height (toes down)
    kick: Bump
    peak_dps: float  # toes-up bell height
    bell: Bump  # rounded core of the toes-up swing
    pedestal: Bump  # broad low part under it, same start, peak and end
    pedestal_frac: float  # share of the peak rate that the pedestal carries
    carry_dps: float = 0.0  # rate still turning at the end of the swing (into contact)
    carry: Bump | None = None  # rises from 0 to 1 at the end of the swing

    def _fade(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = np.clip((t - self.tc_s) / self.fade_s, 0.0, 1.0)
        k = self.fade_k
        d = (1.0 - s) ** k * (1.0 + k * s)
        dd = -k * (k + 1.0) * s * (1.0 - s) ** (k - 1.0) / self.fade_s
        return d, dd

    def toes_down(self, t: np.ndarray) -> np.ndarray:
        """Toes-down part of the rate (fading push-off and heel kick), as a positive number."""
        return self.r_tc_dps * self._fade(t)[0] + self.kick_dps * self.kick(t)[0]

    def toes_up(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Shape of the toes-up swing (peak 1) and its time derivative."""
        b, db = self.bell(t)
        p, dp = self.pedestal(t)
        w = self.pedestal_frac
        return (1.0 - w) * b + w * p, (1.0 - w) * db + w * dp

    def carried(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rate carried into contact (deg/s) and its time derivative; 0 without a carry."""
        if self.carry is None:
            return np.zeros_like(t), np.zeros_like(t)
        c, dc = self.carry(np.minimum(t, self.carry.peak_s))
        at_end = t >= self.carry.peak_s
        return self.carry_dps * c, np.where(at_end, 0.0, self.carry_dps * dc)

    def rate(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(pitch rate deg/s, pitch acceleration deg/s^2) at times t."""
        d, dd = self._fade(t)
        h, dh = self.kick(t)
        b, db = self.toes_up(t)
        rate = self.peak_dps * b - self.r_tc_dps * d - self.kick_dps * h
        acc = self.peak_dps * db - self.r_tc_dps * dd - self.kick_dps * dh
        if self.carry is not None:
            c, dc = self.carried(t)
            rate, acc = rate + c, acc + dc
        return rate, acc

    def knot_times(self) -> np.ndarray:
        """Knot times after TC up to the end of the swing: every landmark and a grid of about
        KNOT_SPACING_S between them."""
        marks = {self.tc_s, self.tc_s + self.fade_s, self.bell.start_s, self.bell.peak_s, self.bell.end_s}
        if self.kick_dps > 0.0:
            marks |= {self.kick.peak_s, self.kick.end_s}
        edges = sorted(m for m in marks if self.tc_s <= m <= self.bell.end_s)
        out: list[np.ndarray] = []
        for a, b in zip(edges[:-1], edges[1:]):
            if b - a > 1e-6:
                n = max(1, int(math.ceil((b - a) / KNOT_SPACING_S)))
                out.append(np.linspace(a, b, n + 1)[1:])
        return np.concatenate(out)


def _integrate(fun: Callable[[np.ndarray], np.ndarray], t: np.ndarray) -> np.ndarray:
    """Integral of fun over each interval [t[i], t[i+1]] (6-point Gauss-Legendre)."""
    a, b = t[:-1, None], t[1:, None]
    x = 0.5 * (a + b) + 0.5 * (b - a) * _GL_X[None, :]
    return (fun(x.ravel()).reshape(x.shape) * _GL_W[None, :]).sum(axis=1) * 0.5 * (b - a)[:, 0]


@dataclass(frozen=True)
class SwingTiming:
    """Where the parts of the swing sit, as fractions of the swing time (TC to IC)."""

    fade_frac: float  # the push-off rate fades out over this much
    kick_peak_frac: float  # heel kick peaks here (0: no kick bump) ...
    kick_end_frac: float  # ... and ends here
    lobe_start_frac: float  # the toes-up bell starts here ...
    peak_frac: float  # ... and peaks here
    steep_onset: bool  # the toes-up rate rises at once (walking)
    pedestal_dps: float = 0.0  # height of a broad triweight under the rounded core (running)


def swing_pitch(
    tc_s: float,
    tc_deg: float,
    r_tc_dps: float,
    end_s: float,
    end_deg: float,
    kick_deg: float,
    peak_dps: float,
    swing_s: float,
    timing: SwingTiming,
    end_rate_dps: float = 0.0,
) -> tuple[SwingPitch, np.ndarray]:
    """The profile from TC (pitch tc_deg, toes-down rate r_tc_dps) to end_s (pitch end_deg, at
    rest), and its knots as rows (t, pitch deg, rate deg/s, acceleration deg/s^2) after TC.

    kick_deg: extra toes-down turn after TC (the fading push-off plus the heel kick); the
    toes-up bell peaks at about peak_dps. end_rate_dps: pitch rate still turning at end_s
    (0: the rotation stops there; + toes up: it runs on into contact).
    """
    window = end_s - tc_s
    fade_s = min(max(timing.fade_frac * swing_s, 0.01), 0.5 * window)
    # the fading push-off turns r_tc * fade_s * 2 / (k + 2) degrees; the heel kick the rest
    fade_deg = min(max(kick_deg, 0.1), r_tc_dps * fade_s * 2.0 / (FADE_K_MIN + 2.0))
    fade_k = min(max(2.0 * r_tc_dps * fade_s / fade_deg - 2.0, FADE_K_MIN), 80.0)
    fade_deg = r_tc_dps * fade_s * 2.0 / (fade_k + 2.0)
    kick_peak = tc_s + min(timing.kick_peak_frac * swing_s, 0.4 * window)
    kick = Bump(tc_s, kick_peak, tc_s + min(timing.kick_end_frac * swing_s, 0.8 * window), ROUNDED, ROUNDED)
    kick_area = kick.area_s()
    kick_dps = max(kick_deg - fade_deg, 0.0) / kick_area if kick_area > 0.0 else 0.0

    start = tc_s + min(timing.lobe_start_frac * swing_s, 0.5 * window)
    peak = min(max(tc_s + timing.peak_frac * swing_s, start + 0.2 * (end_s - start)), start + 0.9 * (end_s - start))
    left, right = peak - start, end_s - peak
    area_s = max(end_deg - tc_deg + fade_deg + kick_dps * kick_area, 1.0) / peak_dps
    w = min(timing.pedestal_dps / peak_dps, 0.5)
    pedestal = Bump(start, peak, end_s, ROUNDED, STEEP_FALL)
    # the core carries the peak share 1 - w and the area the pedestal leaves
    core_s = max(area_s - w * pedestal.area_s(), 0.0) / (1.0 - w)
    if timing.steep_onset:
        rise = STEEP_ONSET
        fall = side_of_fullness((core_s - left * fullness(*rise)) / right, WALK_FALL_M)
    else:
        fall = STEEP_FALL
        rise = side_of_fullness((core_s - right * fullness(*fall)) / left, RISE_M)
    bell = Bump(start, peak, end_s, rise, fall)
    carry = None
    if end_rate_dps:
        # rises over the last part of the bell to 1 at end_s (its falling side is never used)
        carry = Bump(end_s - CARRY_FRAC * (end_s - start), end_s, end_s + 1.0, ROUNDED, ROUNDED)
    prof = SwingPitch(tc_s, r_tc_dps, fade_s, fade_k, kick_dps, kick, 1.0, bell, pedestal, w, end_rate_dps, carry)
    t = np.concatenate([[tc_s], prof.knot_times()])
    down = _integrate(prof.toes_down, t)
    up = _integrate(lambda x: prof.toes_up(x)[0], t)
    carried = _integrate(lambda x: prof.carried(x)[0], t) if carry is not None else np.zeros(len(t) - 1)
    # bell height solved on the knots' own quadrature: the pitch ends exactly at end_deg
    if carry is None:
        amp = (end_deg - tc_deg + down.sum()) / up.sum()
    else:
        amp = (end_deg - tc_deg + down.sum() - carried.sum()) / up.sum()
    prof = SwingPitch(tc_s, r_tc_dps, fade_s, fade_k, kick_dps, kick, float(amp), bell, pedestal, w, end_rate_dps, carry)
    if carry is None:
        pitch = tc_deg + np.cumsum(amp * up - down)
    else:
        pitch = tc_deg + np.cumsum(amp * up - down + carried)
    rate, acc = prof.rate(t[1:])
    rows = np.stack([t[1:], pitch, rate, acc], axis=1)
    rows[-1, 1:] = (end_deg, end_rate_dps, 0.0)
    return prof, rows
