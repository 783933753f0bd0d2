"""The sensor between the foot and the rig: an LSM6DSO-like 6-axis IMU with switchable errors.

Every error is seeded and can be switched off on its own. The order of application follows
the hardware: mounting rotation -> scale and misalignment -> bias (+ drift) -> noise ->
int16 quantization and clipping at full scale -> FIFO drops -> timestamping by the rig.
Clock drift is applied earlier, by sampling the motion at the drifted rate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

# LSM6DSO sensitivities at the rig's configured ranges.
ACCEL_LSB_G = {2.0: 0.061e-3, 4.0: 0.122e-3, 8.0: 0.244e-3, 16.0: 0.488e-3}
GYRO_LSB_DPS = {125.0: 4.375e-3, 250.0: 8.75e-3, 500.0: 17.5e-3, 1000.0: 35e-3, 2000.0: 70e-3}
INT16_MAX = 32767


@dataclass(frozen=True)
class SensorModel:
    """Sensor errors; every field at 0 / False / None means that error is off.

    Noise: white noise standard deviation per sample (accel g, gyro dps).
    Bias: each axis' constant offset drawn from N(0, sigma); drift: random walk per sqrt(s).
    scale_pct: per-axis scale error sigma; misalignment_deg: cross-axis sigma.
    quantize / clip: int16 rounding at the range's LSB, saturation at full scale.
    drop_rate: probability a FIFO overrun starts at a sample; drop_burst: typical samples lost
    each (uniform from half to one and a half times it).
    jitter_frac: timestamp jitter, uniform +-frac of a period (kept < 0.25: the rig's index
    rule needs successive jitters to differ by under half a period).
    clock_error_pct: the sensor's real ODR is nominal * (1 + pct/100).
    mount_rpy_deg: sensor axes rotated in the sole (roll, pitch, yaw about shoe x, y, z).
    """

    accel_fs_g: float = 16.0
    gyro_fs_dps: float = 2000.0
    accel_noise_g: float = 0.0
    gyro_noise_dps: float = 0.0
    accel_bias_g: float = 0.0
    gyro_bias_dps: float = 0.0
    accel_bias_drift_g_per_rts: float = 0.0
    gyro_bias_drift_dps_per_rts: float = 0.0
    scale_pct: float = 0.0
    misalignment_deg: float = 0.0
    quantize: bool = False
    clip: bool = False
    drop_rate: float = 0.0
    drop_burst: int = 0
    jitter_frac: float = 0.0
    clock_error_pct: float = 0.0
    mount_rpy_deg: tuple[float, float, float] = field(default=(0.0, 0.0, 0.0))

    def __post_init__(self) -> None:
        if self.accel_fs_g not in ACCEL_LSB_G:
            raise ValueError(f"accel_fs_g={self.accel_fs_g}: use one of {sorted(ACCEL_LSB_G)}")
        if self.gyro_fs_dps not in GYRO_LSB_DPS:
            raise ValueError(f"gyro_fs_dps={self.gyro_fs_dps}: use one of {sorted(GYRO_LSB_DPS)}")
        if not 0.0 <= self.jitter_frac < 0.25:
            raise ValueError(f"jitter_frac={self.jitter_frac}: must be in [0, 0.25)")
        if not 0.0 <= self.drop_rate < 0.5:
            raise ValueError(f"drop_rate={self.drop_rate}: must be in [0, 0.5)")
        if abs(self.clock_error_pct) >= 20.0:
            raise ValueError(f"clock_error_pct={self.clock_error_pct}: must be within +-20")

    @classmethod
    def ideal(cls) -> "SensorModel":
        """No error at all: float samples, no clipping, perfect clock."""
        return cls()

    @classmethod
    def realistic(cls) -> "SensorModel":
        """A typical LSM6DSO in a shoe: datasheet-level noise, offsets, int16 and clipping."""
        return cls(
            accel_noise_g=1.2e-3,  # 70-90 ug/sqrt(Hz) over ~200 Hz bandwidth
            gyro_noise_dps=0.06,  # 3.8 mdps/sqrt(Hz)
            accel_bias_g=0.015,
            gyro_bias_dps=0.6,
            accel_bias_drift_g_per_rts=2e-5,
            gyro_bias_drift_dps_per_rts=2e-3,
            scale_pct=0.5,
            misalignment_deg=0.3,
            quantize=True,
            clip=True,
            jitter_frac=0.05,
        )

    def with_(self, **changes: Any) -> "SensorModel":
        """A copy with some fields changed."""
        return replace(self, **changes)

    @property
    def accel_lsb_g(self) -> float:
        """Accelerometer sensitivity at the configured range, g per LSB."""
        return ACCEL_LSB_G[self.accel_fs_g]

    @property
    def gyro_lsb_dps(self) -> float:
        """Gyroscope sensitivity at the configured range, dps per LSB."""
        return GYRO_LSB_DPS[self.gyro_fs_dps]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        d = asdict(self)
        d["mount_rpy_deg"] = list(self.mount_rpy_deg)
        return d


def rotation_rpy(rpy_deg: tuple[float, float, float] | np.ndarray) -> np.ndarray:
    """Rotation matrix Rz(yaw) Ry(pitch) Rx(roll) for angles in degrees."""
    r, p, y = np.radians(np.asarray(rpy_deg, dtype=float))
    cr, sr, cp, sp, cy, sy = np.cos(r), np.sin(r), np.cos(p), np.sin(p), np.cos(y), np.sin(y)
    rx = np.array([[1, 0, 0], [0, cr, -sr], [0, sr, cr]])
    ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
    rz = np.array([[cy, -sy, 0], [sy, cy, 0], [0, 0, 1]])
    return rz @ ry @ rx


def quantize(values: np.ndarray, lsb: float, full_scale: float, clip: bool, rounding: bool) -> np.ndarray:
    """int16 rounding at lsb and saturation at full scale (never beyond the int16 register).

    The part's register could carry up to 32767 LSB (2293.7 dps at 70 mdps/LSB); the model
    saturates at the configured full scale, the guaranteed measurement range.
    """
    out = values
    if clip:
        limit_lsb = min(int(full_scale / lsb), INT16_MAX)
        out = np.clip(out, -limit_lsb * lsb, limit_lsb * lsb)
    if rounding:
        counts = np.clip(np.rint(out / lsb), -INT16_MAX - 1, INT16_MAX)
        out = counts * lsb
    return out


@dataclass(frozen=True)
class SensorOutput:
    """What the sensor delivers: kept rows (sample indices), their rig times and values."""

    index: np.ndarray
    t_s: np.ndarray
    acc_g: np.ndarray
    gyro_dps: np.ndarray
    dropped: int


def _axis_matrix(model: SensorModel, rng: np.random.Generator) -> np.ndarray:
    """Mounting rotation, per-axis scale and cross-axis misalignment in one 3x3 matrix."""
    mount = rotation_rpy(model.mount_rpy_deg)
    scale = np.diag(1.0 + rng.normal(0.0, model.scale_pct / 100.0, 3))
    mis = np.eye(3) + np.radians(model.misalignment_deg) * rng.normal(0.0, 1.0, (3, 3)) * (1 - np.eye(3))
    # The sensor reports the shoe-frame vector expressed in its own (rotated) axes.
    return scale @ mis @ mount.T


def _bias(model_bias: float, drift: float, n: int, dt_s: float, rng: np.random.Generator) -> np.ndarray:
    """Constant offset plus a random-walk drift, (n, 3)."""
    out = np.broadcast_to(rng.normal(0.0, model_bias, 3), (n, 3)).copy()
    if drift > 0.0:
        out += np.cumsum(rng.normal(0.0, drift * np.sqrt(dt_s), (n, 3)), axis=0)
    return out


def apply_sensor(
    model: SensorModel,
    t_true_s: np.ndarray,
    acc_g: np.ndarray,
    gyro_dps: np.ndarray,
    period_s: float,
    rng: np.random.Generator,
) -> SensorOutput:
    """Turn ideal shoe-frame signals sampled at t_true_s into what the rig receives.

    period_s is the real sample period (drifted clock); rig timestamps are t_true_s plus jitter,
    so a run of dropped samples shows as a gap of >= 2 periods in t_s.
    """
    n = len(t_true_s)
    acc_rng, gyro_rng, time_rng = rng.spawn(3)
    acc = acc_g @ _axis_matrix(model, acc_rng).T
    gyro = gyro_dps @ _axis_matrix(model, gyro_rng).T
    acc = acc + _bias(model.accel_bias_g, model.accel_bias_drift_g_per_rts, n, period_s, acc_rng)
    gyro = gyro + _bias(model.gyro_bias_dps, model.gyro_bias_drift_dps_per_rts, n, period_s, gyro_rng)
    if model.accel_noise_g > 0.0:
        acc = acc + acc_rng.normal(0.0, model.accel_noise_g, (n, 3))
    if model.gyro_noise_dps > 0.0:
        gyro = gyro + gyro_rng.normal(0.0, model.gyro_noise_dps, (n, 3))
    acc = quantize(acc, model.accel_lsb_g, model.accel_fs_g, model.clip, model.quantize)
    gyro = quantize(gyro, model.gyro_lsb_dps, model.gyro_fs_dps, model.clip, model.quantize)

    keep = np.ones(n, dtype=bool)
    if model.drop_rate > 0.0 and model.drop_burst > 0:
        starts = np.flatnonzero(time_rng.random(n) < model.drop_rate)
        longest = model.drop_burst + model.drop_burst // 2
        starts = starts[(starts > 0) & (starts < n - longest - 1)]
        lengths = time_rng.integers(max(1, model.drop_burst // 2), longest + 1, len(starts))
        for s, k in zip(starts, lengths):
            keep[s : s + k] = False
    index = np.flatnonzero(keep)
    t_s = t_true_s[index]
    if model.jitter_frac > 0.0:
        jitter = time_rng.uniform(-model.jitter_frac, model.jitter_frac, len(index)) * period_s
        jitter[0] = abs(jitter[0])  # the recording starts at t_s >= 0
        t_s = t_s + jitter
    return SensorOutput(index, t_s, acc[index], gyro[index], int(n - len(index)))
