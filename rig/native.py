"""The firmware's gait analyzer, called in-process through ctypes.

`analyze(rec)` feeds a Recording to the same C analyzer the firmware runs,
as the firmware sees it: int16 counts of the LSM6DSO (accelerometer +-16 g at
0.488 mg/LSB, gyroscope +-2000 dps at 70 mdps/LSB) scaled to float32, with a
sensor sample index that jumps where the recording drops samples. The analyzer
is configured with the sensor's effective output rate (see effective_odr_hz).
It returns the strides and the summary in the replay JSON format, times on
the recording's own timeline.

The shared library is built with `make -C firmware_c lib` when it is missing
or older than its sources.
"""

from __future__ import annotations

import ctypes
import fcntl
import math
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rig.errors import RigError
from scenarios.model import ACTIVITIES, Recording

FIRMWARE_DIR = Path(__file__).resolve().parent.parent / "firmware_c"
LIBRARY = FIRMWARE_DIR / "build" / "host" / "libstridelab.so"
BUILD_COMMAND = ("make", "-C", str(FIRMWARE_DIR), "lib")

ACCEL_LSB_G = 0.488e-3
"""LSM6DSO accelerometer sensitivity at +-16 g, g per count."""
GYRO_LSB_DPS = 70e-3
"""LSM6DSO gyroscope sensitivity at +-2000 dps, dps per count."""

STRIKES: dict[int, str | None] = {0: None, 1: "heel", 2: "mid", 3: "fore"}
FLAG_IMPACT_CLIPPED = 1
FLAG_GYRO_SATURATED = 2
FLAG_SAMPLES_DROPPED = 4

BLOCK_SAMPLES = 65536
"""Samples pushed per call into the library."""


class GaitConfig(ctypes.Structure):
    """gait_config_t."""

    _fields_ = [("odr_hz", ctypes.c_float), ("accel_fs_g", ctypes.c_float), ("gyro_fs_dps", ctypes.c_float)]


class GaitStride(ctypes.Structure):
    """gait_stride_t."""

    _fields_ = [
        ("ic_index", ctypes.c_uint32),
        ("ic_frac", ctypes.c_float),
        ("tc_index", ctypes.c_uint32),
        ("tc_frac", ctypes.c_float),
        ("gct_ms", ctypes.c_float),
        ("flight_ms", ctypes.c_float),
        ("swing_ms", ctypes.c_float),
        ("stride_ms", ctypes.c_float),
        ("cadence_spm", ctypes.c_float),
        ("duty_factor", ctypes.c_float),
        ("fsa_deg", ctypes.c_float),
        ("pronation_deg", ctypes.c_float),
        ("peak_roll_rate_dps", ctypes.c_float),
        ("peak_impact_g", ctypes.c_float),
        ("stride_m", ctypes.c_float),
        ("speed_mps", ctypes.c_float),
        ("strike", ctypes.c_uint8),
        ("activity", ctypes.c_uint8),
        ("flags", ctypes.c_uint8),
    ]


class GaitSummary(ctypes.Structure):
    """gait_summary_t."""

    _fields_ = [
        ("strides", ctypes.c_uint32),
        ("distance_m", ctypes.c_float),
        ("duration_s", ctypes.c_float),
        ("avg_pace_s_per_km", ctypes.c_float),
        ("avg_cadence_spm", ctypes.c_float),
        ("activity_s", ctypes.c_float * 4),
        ("dropped_samples", ctypes.c_uint32),
    ]


def _sources() -> list[Path]:
    found: list[Path] = [FIRMWARE_DIR / "Makefile"]
    for sub, pattern in (("src", "*.c"), ("gen", "*.[ch]"), ("drivers", "*.[ch]"), ("include", "*.h")):
        found.extend((FIRMWARE_DIR / sub).glob(pattern))
    return found


def _stale() -> bool:
    if not LIBRARY.exists():
        return True
    built = LIBRARY.stat().st_mtime
    return any(p.stat().st_mtime > built for p in _sources() if p.exists())


def build_library() -> Path:
    """Build the shared library if it is missing or stale; return its path.

    Raises RigError naming the build command and its output when the build fails.
    """
    LIBRARY.parent.mkdir(parents=True, exist_ok=True)
    with open(LIBRARY.parent / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers build once
        if _stale():
            proc = subprocess.run(BUILD_COMMAND, capture_output=True, text=True)
            if proc.returncode != 0:
                tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
                raise RigError(f"building the analyzer library failed: `{' '.join(BUILD_COMMAND)}` "
                               f"exited {proc.returncode}:\n{tail}")
    return LIBRARY


@lru_cache(maxsize=1)
def load_library() -> ctypes.CDLL:
    """The analyzer library with its function signatures declared (built if needed)."""
    lib = ctypes.CDLL(str(build_library()))
    lib.gait_init.argtypes = [ctypes.c_void_p, ctypes.POINTER(GaitConfig)]
    lib.gait_init.restype = ctypes.c_int
    lib.gait_flush.argtypes = [ctypes.c_void_p, ctypes.POINTER(GaitStride)]
    lib.gait_flush.restype = ctypes.c_int
    lib.gait_get_summary.argtypes = [ctypes.c_void_p, ctypes.POINTER(GaitSummary)]
    lib.gait_get_summary.restype = ctypes.c_int
    lib.gait_push_block.argtypes = [
        ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32,
        ctypes.POINTER(GaitStride), ctypes.c_uint32, ctypes.c_void_p,
    ]
    lib.gait_push_block.restype = ctypes.c_int
    return lib


def state_bytes() -> int:
    """sizeof(gait_t) of the built analyzer, bytes."""
    return int(ctypes.c_uint32.in_dll(load_library(), "gait_state_bytes").value)


def sample_indices(t_s: np.ndarray, odr_hz: float) -> np.ndarray:
    """Sensor sample index per sample: idx[i] = idx[i-1] + max(1, round(dt * odr)), idx[0] = 0."""
    steps = np.maximum(1, np.round(np.diff(np.asarray(t_s, dtype=float)) * odr_hz)).astype(np.int64)
    return np.concatenate([[0], np.cumsum(steps)]).astype(np.int64)


def effective_odr_hz(t_s: np.ndarray, idx: np.ndarray, nominal_hz: float) -> float:
    """The sensor's real output rate: sample indices over elapsed time, Hz.

    A sensor clock runs up to a few percent off nominal; durations and
    integrated distances scale with it (distances with its square). The
    firmware learns the real rate from the sensor's frequency trim register or
    by timing its FIFO against its own crystal; here the recording's
    timestamps measure it. Falls back to nominal for recordings under 1 s.
    """
    if len(t_s) < 2 or float(t_s[-1] - t_s[0]) < 1.0:
        return float(nominal_hz)
    return float((idx[-1] - idx[0]) / (t_s[-1] - t_s[0]))


def to_sensor_floats(rec: Recording) -> np.ndarray:
    """(N, 6) float32 ax, ay, az (g), gx, gy, gz (dps) as the firmware gets them from int16 counts."""
    acc = np.clip(np.round(np.asarray(rec.acc_g, dtype=float) / ACCEL_LSB_G), -32768, 32767)
    gyr = np.clip(np.round(np.asarray(rec.gyro_dps, dtype=float) / GYRO_LSB_DPS), -32768, 32767)
    out = np.empty((len(rec.t_s), 6), dtype=np.float32)
    out[:, :3] = acc.astype(np.int16).astype(np.float32) * np.float32(ACCEL_LSB_G)
    out[:, 3:] = gyr.astype(np.int16).astype(np.float32) * np.float32(GYRO_LSB_DPS)
    return out


def _num(v: float) -> float | None:
    return None if math.isnan(v) else float(v)


def _stride_dict(s: GaitStride, number: int, idx: np.ndarray, t_s: np.ndarray) -> dict[str, Any]:
    def at(index: int, frac: float) -> float:
        return float(np.interp(index + frac, idx, t_s))

    gct = _num(s.gct_ms)
    out: dict[str, Any] = {
        "stride_no": number,
        "ic_s": at(s.ic_index, s.ic_frac),
        "tc_s": at(s.tc_index, s.tc_frac) if gct is not None else None,
    }
    for key in ("gct_ms", "flight_ms", "swing_ms", "stride_ms", "cadence_spm", "duty_factor", "fsa_deg",
                "pronation_deg", "peak_roll_rate_dps", "peak_impact_g", "stride_m", "speed_mps"):
        out[key] = _num(getattr(s, key))
    out["strike"] = STRIKES.get(s.strike)
    out["activity"] = ACTIVITIES[s.activity] if s.activity < len(ACTIVITIES) else None
    out["impact_clipped"] = bool(s.flags & FLAG_IMPACT_CLIPPED)
    out["gyro_saturated"] = bool(s.flags & FLAG_GYRO_SATURATED)
    out["samples_dropped"] = bool(s.flags & FLAG_SAMPLES_DROPPED)
    return out


def _summary_dict(s: GaitSummary) -> dict[str, Any]:
    out: dict[str, Any] = {
        "strides": int(s.strides),
        "distance_m": _num(s.distance_m),
        "duration_s": _num(s.duration_s),
        "pace_s_per_km": _num(s.avg_pace_s_per_km),
        "cadence_spm": _num(s.avg_cadence_spm),
    }
    for i, name in enumerate(ACTIVITIES):
        out[f"{name}_s"] = _num(s.activity_s[i])
    out["dropped_samples"] = int(s.dropped_samples)
    return out


def analyze(rec: Recording) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run a recording through the C analyzer; return (strides, summary) as replay JSON.

    Raises RigError if the library cannot be built or the analyzer rejects the
    sensor settings of the recording.
    """
    lib = load_library()
    state = ctypes.create_string_buffer(state_bytes())
    t_s = np.asarray(rec.t_s, dtype=float)
    idx = sample_indices(t_s, rec.odr_hz)
    odr_hz = effective_odr_hz(t_s, idx, rec.odr_hz)
    cfg = GaitConfig(odr_hz, rec.accel_fs_g, rec.gyro_fs_dps)
    rc = lib.gait_init(state, ctypes.byref(cfg))
    if rc != 0:
        raise RigError(f"gait_init rejected recording {rec.name!r} (odr {odr_hz} Hz, "
                       f"accel {rec.accel_fs_g} g, gyro {rec.gyro_fs_dps} dps): error {rc}")
    if len(idx) and idx[-1] >= 2**32:
        raise RigError(f"recording {rec.name!r} is too long for 32-bit sample indices")
    idx32 = np.ascontiguousarray(idx, dtype=np.uint32)
    samples = np.ascontiguousarray(to_sensor_floats(rec))
    strides: list[dict[str, Any]] = []
    for start in range(0, len(idx32), BLOCK_SAMPLES):
        n = min(BLOCK_SAMPLES, len(idx32) - start)
        cap = n // 16 + 16
        out = (GaitStride * cap)()
        got = lib.gait_push_block(state, idx32[start:].ctypes.data, samples[start:].ctypes.data, n, out, cap, None)
        if got < 0:
            raise RigError(f"gait_push_block failed on recording {rec.name!r} at sample {start}: error {got}")
        base = len(strides)
        strides.extend([_stride_dict(out[k], base + k, idx, t_s) for k in range(got)])
    last = GaitStride()
    for _ in range(16):  # the analyzer holds at most a few strides at the end
        if lib.gait_flush(state, ctypes.byref(last)) != 1:
            break
        strides.append(_stride_dict(last, len(strides), idx, t_s))
    summary = GaitSummary()
    lib.gait_get_summary(state, ctypes.byref(summary))
    return strides, _summary_dict(summary)
