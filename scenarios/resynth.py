"""A second, independent source of waveforms: strides cut from real labelled recordings,
time-warped and scaled to a target gait, stitched end to end.

How it works
- Bank: every recording under scenarios/data whose sidecar labels both IC and TC on the
  motion-capture convention (a sidecar naming another `events_reference`, such as the pressure
  insole of moticon_opengo, whose heel strikes sit 35-105 ms after the end of the swing, is left
  out: the labels become the synthesized truth, so they must mean one thing). A template is
  one real stride cut from the quietest instant of one mid-stance to the quietest instant of the
  next (the seams fall where the foot is still), holding that contact's TC and the next contact's
  IC as labelled by the dataset (motion capture on the gaitmap walks).
- Gravity and motion apart: a strapdown pass over each template (attitude levelled from gravity at
  its first rest, gyro integrated, velocity drift removed linearly between the two rests) splits
  the specific force into gravity seen in the shoe frame and the foot's own acceleration, and
  estimates the template's stride length.
- Warp: each template is time-warped piecewise linearly between its anchors (rest, TC, IC, rest)
  so that the stride time matches the target cadence and the contact share the target duty
  factor. Angles are kept: angular rates scale by 1/k on each piece (k = the piece's stretch);
  the foot's own acceleration by s/k^2 where s = target stride length / template stride length
  (speed x stride time); gravity in the shoe frame is kept as it was at that point of the stride.
- Stitch: templates follow each other (drawn with the seed, of the requested strike when the
  bank has it); at each seam the next template's offset from the previous one's last sample
  is faded out over SEAM_S of its quiet mid-stance, so every channel is continuous. A left foot
  uses right-foot templates mirrored in the sagittal plane (ay, gx, gz change sign) and vice
  versa. Standing lead-in and lead-out repeat the seam's rest sample. The result is resampled
  to the target ODR and passed through a SensorModel like the kinematic synthesizer's.

Truth: IC and TC are the dataset's own labels carried through the warp, so they stay exactly
where the dataset put them relative to the signal; their definition is the dataset's (see
DOMAIN.md on where motion-capture IC sits against the end-of-swing gy zero crossing).
stride_ms, swing_ms, gct_ms follow from them.

What it can represent: the real shape of the strides in the bank (their push-off, swing,
landing, impacts and roll as far as the source's bandwidth carries them), their natural
stride-to-stride variability, turning strides when the source has them, cadence and duty
factor moved moderately away from the source's (a warp factor within WARP_LIMIT), left and right
feet, any ODR and sensor error model.
What it cannot: a gait class the bank does not hold (today the bank is walking only, at
102-205 Hz with the sensor on the side of the shoe: no running, no fore strikes, no stairs);
a strike angle other than the source's (strike only selects templates whose dataset labels
their strike, which none does today, so a strike target is refused); content above the
source's Nyquist frequency (linear resampling adds none: an 800 Hz output of a 205 Hz source
has no sharper impacts than the source); the accelerometer clipping of the source (kept as is);
exact stride length, distance or foot strike angle truth (stride_m, distance_m, fsa_deg are
None: the spatial scale rests on a strapdown estimate of each template, not on a reference).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .datasets import list_datasets
from .errors import ScenarioParameterError
from .model import Recording, StrideTruth, Truth
from .recording_csv import read_recording
from .sensor import SensorModel, apply_sensor

G_MPS2 = 9.80665
SEAM_S = 0.06
"""Offsets at a seam fade out over this much of the quiet mid-stance, s."""
WARP_LIMIT = 2.0
"""Refuse a target that stretches or squeezes any part of a template by more than this factor."""
LEAD_S = 1.5
"""Standing before the first and after the last stride, s."""


@dataclass(frozen=True)
class Template:
    """One real stride from mid-stance to mid-stance, on its own uniform time base.

    t_s starts at 0 (the first rest); tc_s, ic_s, end_s are the labelled TC of the first contact,
    the labelled IC of the next one and the second rest. gravity_g + motion_g = the recorded
    specific force; gyro_dps the recorded rates. stride_m: strapdown estimate of its length.
    """

    source: str
    foot: str
    t_s: np.ndarray
    gravity_g: np.ndarray
    motion_g: np.ndarray
    gyro_dps: np.ndarray
    tc_s: float
    ic_s: float
    end_s: float
    stride_m: float
    strike: str | None  # the dataset's strike label; None when it labels none
    activity: str

    @property
    def stride_s(self) -> float:
        """Time between the two rests (about one stride), s."""
        return self.end_s

    @property
    def duty(self) -> float:
        """Contact share: 1 - swing / template length."""
        return 1.0 - (self.ic_s - self.tc_s) / self.end_s

    def mirrored(self) -> "Template":
        """The same stride seen on the other foot (reflected in the sagittal plane)."""
        flip_v = np.array([1.0, -1.0, 1.0])
        flip_w = np.array([-1.0, 1.0, -1.0])
        other = "left" if self.foot == "right" else "right"
        return Template(self.source + ":mirrored", other, self.t_s, self.gravity_g * flip_v, self.motion_g * flip_v,
                        self.gyro_dps * flip_w, self.tc_s, self.ic_s, self.end_s, self.stride_m, self.strike,
                        self.activity)


def _expm(w: np.ndarray) -> np.ndarray:
    th = float(np.linalg.norm(w))
    k = np.array([[0.0, -w[2], w[1]], [w[2], 0.0, -w[0]], [-w[1], w[0], 0.0]])
    if th < 1e-12:
        return np.eye(3) + k
    return np.eye(3) + math.sin(th) / th * k + (1.0 - math.cos(th)) / th**2 * (k @ k)


def _level(f: np.ndarray) -> np.ndarray:
    """Attitude (shoe -> level nav frame) from a specific force at rest."""
    f = f / np.linalg.norm(f)
    roll = math.atan2(f[1], f[2])
    pitch = math.atan2(-f[0], math.hypot(f[1], f[2]))
    cr, sr, cp, sp = math.cos(roll), math.sin(roll), math.cos(pitch), math.sin(pitch)
    ry = np.array([[cp, 0.0, sp], [0.0, 1.0, 0.0], [-sp, 0.0, cp]])
    rx = np.array([[1.0, 0.0, 0.0], [0.0, cr, -sr], [0.0, sr, cr]])
    return ry @ rx


def split_gravity(t_s: np.ndarray, acc_g: np.ndarray, gyro_dps: np.ndarray) -> tuple[np.ndarray, float]:
    """Gravity in the shoe frame (N, 3, g) along a stride that starts and ends at rest, and the
    stride's horizontal length, m (velocity drift removed linearly between the rests)."""
    n = len(t_s)
    r = _level(acc_g[0])
    grav = np.empty((n, 3))
    a_nav = np.empty((n, 3))
    w = np.radians(gyro_dps)
    for i in range(n):
        grav[i] = r.T @ np.array([0.0, 0.0, 1.0])
        a_nav[i] = (r @ acc_g[i] - np.array([0.0, 0.0, 1.0])) * G_MPS2
        if i + 1 < n:
            r = r @ _expm(0.5 * (w[i] + w[i + 1]) * (t_s[i + 1] - t_s[i]))
    dt = np.diff(t_s)
    v = np.concatenate([np.zeros((1, 3)), np.cumsum(0.5 * (a_nav[1:] + a_nav[:-1]) * dt[:, None], axis=0)])
    v -= v[-1] * ((t_s - t_s[0]) / (t_s[-1] - t_s[0]))[:, None]
    p = np.sum(0.5 * (v[1:] + v[:-1]) * dt[:, None], axis=0)
    return grav, float(math.hypot(p[0], p[1]))


def _rest_index(rec: Recording, a_s: float, b_s: float) -> int:
    a, b = np.searchsorted(rec.t_s, [a_s, b_s])
    b = max(b, a + 1)
    score = np.linalg.norm(rec.gyro_dps[a:b], axis=1) + 100.0 * np.abs(np.linalg.norm(rec.acc_g[a:b], axis=1) - 1.0)
    return int(a + np.argmin(score))


#: The events_reference a sidecar may name for its strides to enter the bank (none named: motion capture).
BANK_REFERENCES = ("motion_capture",)


def templates_of(rec: Recording) -> list[Template]:
    """Every stride of a labelled recording whose two contacts have both IC and TC labelled (none when its
    sidecar names an events_reference outside BANK_REFERENCES)."""
    if rec.truth is None or rec.truth.meta.get("events_reference", "motion_capture") not in BANK_REFERENCES:
        return []
    foot = str(rec.truth.meta.get("foot", "right"))
    foot = "left" if foot.startswith("left") else "right"
    activity = rec.truth.meta.get("activity", "walk")
    activity = {"walking": "walk", "running": "run"}.get(str(activity), str(activity))
    strides = [s for s in rec.truth.strides if s.tc_s is not None]
    out: list[Template] = []
    typical_ms = float(np.median([s.stride_ms for s in strides if s.stride_ms is not None] or [0.0]))
    for s0, s1 in zip(strides[:-1], strides[1:]):
        assert s0.tc_s is not None and s1.tc_s is not None
        if s0.stride_ms is None or abs(s1.ic_s - s0.ic_s - s0.stride_ms / 1000.0) > 1e-6:
            continue  # not consecutive labelled contacts
        if s0.stride_ms > 1.5 * typical_ms:
            continue  # a gap in the labels (an unlabelled stride between), not one stride
        g0, g1 = s0.tc_s - s0.ic_s, s1.tc_s - s1.ic_s
        i0 = _rest_index(rec, s0.ic_s + 0.3 * g0, s0.tc_s - 0.3 * g0)
        i1 = _rest_index(rec, s1.ic_s + 0.3 * g1, s1.tc_s - 0.3 * g1)
        t = rec.t_s[i0 : i1 + 1] - rec.t_s[i0]
        acc, gyro = rec.acc_g[i0 : i1 + 1], rec.gyro_dps[i0 : i1 + 1]
        grav, length_m = split_gravity(t, acc, gyro)
        t0 = float(rec.t_s[i0])
        out.append(Template(
            f"{rec.name}@{s0.ic_s:.3f}", foot, t, grav, acc - grav, gyro.copy(),
            s0.tc_s - t0, s1.ic_s - t0, float(t[-1]), length_m, s1.strike, activity,
        ))
    return out


@lru_cache(maxsize=4)
def _bank(paths: tuple[Path, ...]) -> tuple[Template, ...]:
    out: list[Template] = []
    for p in paths:
        out.extend(templates_of(read_recording(p)))
    return tuple(out)


def stride_bank(paths: tuple[Path, ...] | None = None) -> tuple[Template, ...]:
    """Templates of every labelled recording (default: all of scenarios/data), in file order."""
    return _bank(tuple(list_datasets()) if paths is None else tuple(paths))


@dataclass(frozen=True)
class ResynthSpec:
    """What to build: target gait, foot, length, rate and sensor.

    cadence_spm / duty / speed_mps None keep each template's own; strike None takes any template.
    """

    strides: int = 20
    cadence_spm: float | None = None
    duty: float | None = None
    speed_mps: float | None = None
    strike: str | None = None
    activity: str | None = None
    foot: str = "right"
    odr_hz: float = 416.0
    sensor: SensorModel = field(default_factory=SensorModel.ideal)
    seed: int = 1

    def __post_init__(self) -> None:
        if not 2 <= self.strides <= 2000:
            raise ScenarioParameterError(f"strides={self.strides}: must be within 2..2000")
        if self.cadence_spm is not None and not 40.0 <= self.cadence_spm <= 300.0:
            raise ScenarioParameterError(f"cadence_spm={self.cadence_spm}: must be within 40..300 steps/min")
        if self.duty is not None and not 0.2 <= self.duty <= 0.85:
            raise ScenarioParameterError(f"duty={self.duty}: contact share must be within 0.2..0.85")
        if self.speed_mps is not None and not 0.2 <= self.speed_mps <= 11.0:
            raise ScenarioParameterError(f"speed_mps={self.speed_mps}: must be within 0.2..11 m/s")
        if self.foot not in ("right", "left"):
            raise ScenarioParameterError(f"foot={self.foot!r}: must be right or left")
        if not 10.0 <= self.odr_hz <= 10_000.0:
            raise ScenarioParameterError(f"odr_hz={self.odr_hz}: must be within 10..10000 Hz")


def _warp(tp: Template, spec: ResynthSpec, ic_frac: float) -> tuple[np.ndarray, np.ndarray, float]:
    """(new anchor times, stretch per piece, spatial scale s) for one template.

    With a target cadence every template's IC lands at the same share ic_frac of its length, so
    consecutive ICs are exactly one target stride apart whichever templates follow each other.
    """
    old = np.array([0.0, tp.tc_s, tp.ic_s, tp.end_s])
    stride = tp.end_s if spec.cadence_spm is None else 120.0 / spec.cadence_spm
    duty = tp.duty if spec.duty is None else spec.duty
    swing = stride * (1.0 - duty)
    if spec.cadence_spm is None:
        stance_k = (stride - swing) / (tp.end_s - (tp.ic_s - tp.tc_s))
        new = np.array([0.0, tp.tc_s * stance_k, tp.tc_s * stance_k + swing, stride])
    else:
        ic = ic_frac * stride
        new = np.array([0.0, ic - swing, ic, stride])
    k = np.diff(new) / np.diff(old)
    s = 1.0
    if spec.speed_mps is not None and tp.stride_m > 0.05:
        s = spec.speed_mps * stride / tp.stride_m
    return new, k, s


def ic_share(pool: list[Template]) -> float:
    """Median share of a template's length at which its IC falls."""
    return float(np.median([t.ic_s / t.end_s for t in pool]))


def check_reachable(spec: ResynthSpec, bank: tuple[Template, ...]) -> list[Template]:
    """Templates that fit the spec; ScenarioParameterError saying what the bank holds if none."""
    pool = [t for t in bank if (spec.strike is None or t.strike == spec.strike)
            and (spec.activity is None or t.activity == spec.activity)]
    if not pool:
        have = sorted({(t.activity, t.strike) for t in bank}, key=str)
        raise ScenarioParameterError(
            f"no real stride of activity={spec.activity!r} strike={spec.strike!r} in the bank "
            f"(it holds {have}); pick one of those or add labelled recordings to scenarios/data")
    frac = ic_share(pool)
    fit = [t for t in pool if all(1.0 / WARP_LIMIT <= k <= WARP_LIMIT for k in _warp(t, spec, frac)[1])]
    if not fit:
        raise ScenarioParameterError(
            f"cadence_spm={spec.cadence_spm} duty={spec.duty}: stretches every real stride by more than "
            f"{WARP_LIMIT}x (the bank's strides take {min(t.end_s for t in pool):.2f}-{max(t.end_s for t in pool):.2f} s "
            f"with contact shares {min(t.duty for t in pool):.2f}-{max(t.duty for t in pool):.2f}); move the target closer")
    return fit


def resynthesize(spec: ResynthSpec, bank: tuple[Template, ...] | None = None) -> Recording:
    """Build a recording of spec.strides real strides warped to the target, with exact truth."""
    bank = stride_bank() if bank is None else bank
    pool = check_reachable(spec, tuple(t if t.foot == spec.foot else t.mirrored() for t in bank))
    rng = np.random.default_rng(spec.seed)
    frac = ic_share(pool)
    # build on a fine uniform time base, then resample once to the target rate
    fine_dt = 1.0 / 2000.0
    pieces_t: list[np.ndarray] = []
    pieces: list[np.ndarray] = []
    seams: list[float] = []  # where one template meets the next (the first: the lead-in)
    events: list[tuple[float, float, str]] = []  # (tc of the contact left, ic of the next, template)
    t0 = LEAD_S
    prev_end: np.ndarray | None = None
    for _ in range(spec.strides):
        tp = pool[int(rng.integers(len(pool)))]
        new, k, s = _warp(tp, spec, frac)
        tt = np.arange(0.0, new[-1], fine_dt)
        piece = np.clip(np.searchsorted(new, tt, side="right") - 1, 0, 2)
        old_t = np.array([0.0, tp.tc_s, tp.ic_s])[piece] + (tt - new[piece]) / k[piece]
        kk = k[piece][:, None]

        def at(x: np.ndarray, old_t: np.ndarray = old_t, src_t: np.ndarray = tp.t_s) -> np.ndarray:
            return np.stack([np.interp(old_t, src_t, x[:, j]) for j in range(3)], axis=1)

        sig = np.concatenate([at(tp.gravity_g) + at(tp.motion_g) * s / kk**2, at(tp.gyro_dps) / kk], axis=1)
        if prev_end is not None:
            fade = np.clip(1.0 - tt / SEAM_S, 0.0, 1.0)[:, None]
            sig = sig + (prev_end - sig[0]) * fade
        prev_end = sig[-1]
        seams.append(t0)
        pieces_t.append(t0 + tt)
        pieces.append(sig)
        events.append((t0 + new[1], t0 + new[2], tp.source))
        t0 += new[-1]
    first, last = pieces[0][0], prev_end
    assert last is not None
    lead_t = np.arange(0.0, LEAD_S, fine_dt)
    tail_t = t0 + np.arange(0.0, LEAD_S, fine_dt)
    t_all = np.concatenate([lead_t, *pieces_t, tail_t])
    sig_all = np.concatenate([np.tile(first, (len(lead_t), 1)), *pieces, np.tile(last, (len(tail_t), 1))])
    period = 1.0 / spec.odr_hz
    t_out = np.arange(0.0, t_all[-1], period)
    out = np.stack([np.interp(t_out, t_all, sig_all[:, j]) for j in range(6)], axis=1)
    sensor_rng = np.random.default_rng(np.random.SeedSequence(spec.seed).spawn(2)[1])
    so = apply_sensor(spec.sensor, t_out, out[:, :3], out[:, 3:], period, sensor_rng)
    strides: list[StrideTruth] = []
    for j in range(1, len(events)):
        ic = events[j - 1][1]
        tc = events[j][0]
        nxt_ic = events[j][1]
        strides.append(StrideTruth(
            ic_s=ic, tc_s=tc, gct_ms=1000.0 * (tc - ic), stride_ms=1000.0 * (nxt_ic - ic),
            swing_ms=1000.0 * (nxt_ic - tc), flight_ms=max(0.0, 500.0 * (nxt_ic - ic) - 1000.0 * (tc - ic)),
            strike=pool[0].strike if spec.strike is not None else None, activity=pool[0].activity
            if len({t.activity for t in pool}) == 1 else None,
        ))
    last_ic = events[-1][1]
    strides.append(StrideTruth(ic_s=last_ic))
    truth = Truth(
        strides=tuple(strides),
        label_windows_s=((float(so.t_s[0]), float(so.t_s[-1])),),
        meta={
            "source": "resynthesized from real strides",
            "templates": [e[2] for e in events],
            "seams_s": seams,
            "seed": spec.seed,
            "foot": spec.foot,
            "odr_nominal_hz": spec.odr_hz,
            "cadence_spm": spec.cadence_spm,
            "duty": spec.duty,
            "speed_mps": spec.speed_mps,
            "dropped_samples": so.dropped,
            "sensor": spec.sensor.to_dict(),
            "definitions": "IC and TC are the source datasets' labels carried through the time warp "
                           "(see scenarios.resynth); the last IC has no stride after it",
        },
    )
    return Recording(
        name="resynth", odr_hz=spec.odr_hz, t_s=so.t_s, acc_g=so.acc_g, gyro_dps=so.gyro_dps, truth=truth,
        accel_fs_g=spec.sensor.accel_fs_g, gyro_fs_dps=spec.sensor.gyro_fs_dps,
    )
