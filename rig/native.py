"""The firmware's gait analyzer, called in-process through ctypes.

`analyze(rec)` feeds a Recording to the same C analyzer the firmware runs,
as the firmware sees it: int16 counts of the LSM6DSO (accelerometer +-16 g at
0.488 mg/LSB, gyroscope +-2000 dps at 70 mdps/LSB) scaled to float32, with a
sensor sample index that jumps where the recording drops samples. The analyzer
is configured with the sensor's effective output rate (rig.inject.effective_odr_hz).
It returns Stride and Summary records (rig.records), times on the recording's
own timeline. The ctypes mirrors of the analyzer's structs are checked against
the library's debug information when it is loaded.

The shared library is built with `make -C firmware_c lib` when it is missing
or older than its sources.
"""

from __future__ import annotations

import ctypes
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from frame_spec.messages import Activity, Strike
from rig.errors import RigError
from rig.inject import ACCEL_G_PER_LSB, GYRO_MDPS_PER_LSB, RawStream, to_raw
from rig.records import STRIDE_FLOATS, Stride, Summary, tc_measured
from rig.build import analyzer_library, c_struct_layout
from scenarios.model import Recording

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


#: Each ctypes mirror and the C typedef it mirrors.
MIRRORS: tuple[tuple[type[ctypes.Structure], str], ...] = (
    (GaitConfig, "gait_config_t"), (GaitStride, "gait_stride_t"), (GaitSummary, "gait_summary_t"))


def mirror_problems(library: Path) -> list[str]:
    """Where the ctypes mirrors differ from the structs the library was compiled with (its DWARF):
    size, member names and order, member offsets. Empty when they agree."""
    problems = []
    for mirror, typedef in MIRRORS:
        c = c_struct_layout(library, typedef)
        py = tuple((name, getattr(mirror, name).offset) for name, *_ in mirror._fields_)
        if ctypes.sizeof(mirror) != c.size:
            problems.append(f"{typedef} is {c.size} bytes in C but {mirror.__name__} is {ctypes.sizeof(mirror)}")
        if py != c.members:
            problems.append(f"{typedef} members (name, offset) are {list(c.members)} in C but {list(py)} in "
                            f"{mirror.__name__}")
    return problems


@lru_cache(maxsize=1)
def load_library() -> ctypes.CDLL:
    """The analyzer library with its function signatures declared (built if needed).

    Raises RigError when the ctypes mirrors of its structs differ from the C definitions.
    """
    path = analyzer_library()
    problems = mirror_problems(path)
    if problems:
        raise RigError(f"the ctypes mirrors in {__name__} do not match {path}; update them with gait.h:\n  "
                       + "\n  ".join(problems))
    lib = ctypes.CDLL(str(path))
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


def _stride(s: GaitStride, number: int, raw: RawStream) -> Stride:
    values = {k: getattr(s, k) for k in STRIDE_FLOATS}
    values.update(strike=Strike(s.strike).name, activity=Activity(s.activity).name, flags=s.flags)
    ic_s = float(raw.index_to_t_s(s.ic_index + s.ic_frac))
    tc_s = float(raw.index_to_t_s(s.tc_index + s.tc_frac)) if tc_measured(values) else None
    return Stride.from_values(number, ic_s, tc_s, values)


def _summary(s: GaitSummary) -> Summary:
    payload: dict[str, Any] = {f[0]: getattr(s, f[0]) for f in GaitSummary._fields_ if f[0] != "activity_s"}
    payload.update({f"{a.name}_s": float(s.activity_s[int(a)]) for a in Activity})
    return Summary.from_payload(payload)


def analyze(rec: Recording) -> tuple[list[Stride], Summary]:
    """Run a recording through the C analyzer; return its strides and summary.

    Raises RigError if the library cannot be built or the analyzer rejects the
    sensor settings of the recording.
    """
    lib = load_library()
    state = ctypes.create_string_buffer(state_bytes())
    raw = to_raw(rec, accel_fs_g=int(rec.accel_fs_g), gyro_fs_dps=int(rec.gyro_fs_dps))
    # The rate and the scaling exactly as the firmware derives them from CONFIG and SAMPLE_BATCH.
    odr_hz = float(np.float32(raw.odr_mhz) * np.float32(1e-3))
    cfg = GaitConfig(odr_hz, rec.accel_fs_g, rec.gyro_fs_dps)
    rc = lib.gait_init(state, ctypes.byref(cfg))
    if rc != 0:
        raise RigError(f"gait_init rejected recording {rec.name!r} (odr {odr_hz} Hz, "
                       f"accel {rec.accel_fs_g} g, gyro {rec.gyro_fs_dps} dps): error {rc}")
    idx32 = np.ascontiguousarray(raw.index, dtype=np.uint32)
    gyro_lsb = np.float32(GYRO_MDPS_PER_LSB[raw.gyro_fs_dps]) * np.float32(1e-3)  # as app.c computes it
    lsb = np.array([ACCEL_G_PER_LSB[raw.accel_fs_g]] * 3 + [gyro_lsb] * 3, dtype=np.float32)
    samples = np.ascontiguousarray(raw.counts.astype(np.float32) * lsb)
    strides: list[Stride] = []
    for start in range(0, len(idx32), BLOCK_SAMPLES):
        n = min(BLOCK_SAMPLES, len(idx32) - start)
        cap = n // 16 + 16
        out = (GaitStride * cap)()
        got = lib.gait_push_block(state, idx32[start:].ctypes.data, samples[start:].ctypes.data, n, out, cap, None)
        if got < 0:
            raise RigError(f"gait_push_block failed on recording {rec.name!r} at sample {start}: error {got}")
        base = len(strides)
        strides.extend([_stride(out[k], base + k, raw) for k in range(got)])
    last = GaitStride()
    for _ in range(16):  # the analyzer holds at most a few strides at the end
        if lib.gait_flush(state, ctypes.byref(last)) != 1:
            break
        strides.append(_stride(last, len(strides), raw))
    summary = GaitSummary()
    lib.gait_get_summary(state, ctypes.byref(summary))
    return strides, _summary(summary)
