"""Synthesis: scenario definition -> gait plan -> foot motion -> ideal IMU -> sensor -> Recording.

Truth definitions (all times on the recording's t_s timeline, i.e. true time):
- IC (ic_s): first instant of ground contact of the instrumented foot.
- TC (tc_s): last instant of that contact (toe-off).
- gct_ms = TC - IC; stride_ms = IC[k+1] - IC[k]; swing_ms = IC[k+1] - TC[k];
  flight_ms = max(0, stride_ms / 2 - gct_ms), the aerial time per step of a symmetric gait.
- stride_m: horizontal displacement of the foot from the contact that starts at IC[k] to the
  one that starts at IC[k+1], measured between its flat-foot positions (the footprints);
  speed_mps = stride_m / stride time; rise_m: vertical change of the footprint (stairs).
- fsa_deg: sole angle to the ground at IC, + = toes up; strike: its class with the published
  cut-offs (heel > 7.4 deg, fore < -0.8 deg, mid between).
- pronation_deg: peak eversion of the foot during the contact.
- impact_g: peak norm of the true specific force (before the sensor) within 50 ms after IC.
The last contact of a recording has no following IC: its stride fields are None.
Landmarks in the signal (shoe frame, +gy = toes down): heel strikes end the toes-up swing with
a gy zero crossing 1-5 ms (walking) or 2-8 ms (running, later with speed) before IC, then a
toes-down foot slap and, 5-30 ms after IC, the impact; mid and fore strikes land with gy near
zero and a toes-up heel drop after IC; push-off is a toes-down burst peaking just before TC.
"""

from __future__ import annotations

import math

import numpy as np

from .definition import ScenarioDef
from .gait import strike_of_fsa
from .kinematics import FootSampler, build_motion
from .model import Recording, StrideTruth, Truth
from .plan import GaitPlan, build_plan
from .sensor import SensorModel, apply_sensor

TRUTH_DEFINITIONS = __doc__.split("Truth definitions", 1)[1].split("\n", 1)[1].strip()


def _impact_g(t_s: np.ndarray, acc_g: np.ndarray, ic_s: float) -> float:
    a, b = np.searchsorted(t_s, [ic_s, ic_s + 0.05])
    if b <= a:
        return float("nan")
    return float(np.linalg.norm(acc_g[a:b], axis=1).max())


def _truth(plan: GaitPlan, t_s: np.ndarray, acc_ideal: np.ndarray) -> tuple[list[StrideTruth], float]:
    cs = plan.contacts
    strides: list[StrideTruth] = []
    distance_m = 0.0
    for i in range(1, len(cs)):
        distance_m += float(np.hypot(*(cs[i].foot_m[:2] - cs[i - 1].foot_m[:2])))
    for i, c in enumerate(cs):
        if c.ic_s is None or c.ic_s > t_s[-1]:
            continue
        gct_ms = None if c.tc_s is None else 1000.0 * (c.tc_s - c.ic_s)
        nxt = cs[i + 1] if i + 1 < len(cs) else None
        stride: dict[str, float | None] = dict(
            stride_ms=None, swing_ms=None, flight_ms=None, stride_m=None, speed_mps=None, rise_m=None
        )
        if nxt is not None and nxt.ic_s is not None and c.tc_s is not None:
            stride_s = nxt.ic_s - c.ic_s
            stride_m = float(np.hypot(*(nxt.foot_m[:2] - c.foot_m[:2])))
            stride = dict(
                stride_ms=1000.0 * stride_s,
                swing_ms=1000.0 * (nxt.ic_s - c.tc_s),
                flight_ms=max(0.0, 500.0 * stride_s - (gct_ms or 0.0)),
                stride_m=stride_m,
                speed_mps=stride_m / stride_s,
                rise_m=float(nxt.foot_m[2] - c.foot_m[2]),
            )
        strides.append(
            StrideTruth(
                ic_s=c.ic_s,
                tc_s=c.tc_s,
                gct_ms=gct_ms,
                fsa_deg=c.fsa_deg,
                strike=strike_of_fsa(c.fsa_deg),
                pronation_deg=c.pronation_deg,
                activity=c.activity,
                impact_g=_impact_g(t_s, acc_ideal, c.ic_s),
                **stride,
            )
        )
    return strides, distance_m


def synthesize_def(
    defn: ScenarioDef,
    seed: int | None = None,
    odr_hz: float = 416.0,
    sensor: SensorModel | None = None,
) -> Recording:
    """Synthesize a scenario definition: same seed, same samples and truth, bit for bit.

    sensor overrides the definition's sensor model (e.g. SensorModel.ideal() for physics checks).
    With a clock error the rows are consecutive sensor samples at the drifted rate, timestamped
    in true time; Recording.odr_hz stays the nominal rate the firmware assumes.
    """
    if not 10.0 <= odr_hz <= 10_000.0:
        raise ValueError(f"odr_hz={odr_hz}: must be within 10..10000 Hz")
    seed = defn.seed if seed is None else seed
    model = defn.sensor if sensor is None else sensor
    gait_rng, sensor_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    plan = build_plan(defn, gait_rng)
    motion = build_motion(plan)
    period_s = 1.0 / (odr_hz * (1.0 + model.clock_error_pct / 100.0))
    n = int(math.floor(plan.duration_s / period_s)) + 1
    t_true = np.arange(n) * period_s
    acc, gyro, _ = FootSampler(motion).imu(t_true)
    out = apply_sensor(model, t_true, acc, gyro, period_s, sensor_rng)
    strides, distance_m = _truth(plan, t_true, acc)
    truth = Truth(
        strides=tuple(strides),
        label_windows_s=((float(out.t_s[0]), float(out.t_s[-1])),),
        distance_m=distance_m,
        activity_s={k: round(v, 3) for k, v in plan.activity_s.items()},
        meta={
            "source": "synthetic",
            "scenario": defn.name,
            "description": defn.description,
            "seed": seed,
            "foot": defn.foot,
            "surface": defn.surface,
            "odr_nominal_hz": odr_hz,
            "odr_true_hz": 1.0 / period_s,
            "dropped_samples": out.dropped,
            "sensor": model.to_dict(),
            "definitions": TRUTH_DEFINITIONS,
        },
    )
    if not defn.morphology.is_default:
        truth.meta["morphology"] = defn.morphology.to_dict()
        truth.meta["lever_arm_m"] = list(plan.lever_arm_m)
    return Recording(
        name=defn.name,
        odr_hz=odr_hz,
        t_s=out.t_s,
        acc_g=out.acc_g,
        gyro_dps=out.gyro_dps,
        truth=truth,
        accel_fs_g=model.accel_fs_g,
        gyro_fs_dps=model.gyro_fs_dps,
    )
