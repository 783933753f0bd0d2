"""Recordings written by other loggers than the rig: what a real logger writes that is a plain
recording in other clothes is read as the recording it is, with the same figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scenarios import read_recording

HEADER = "t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps"


def _standing(tmp_path: Path, t_s: np.ndarray, name: str = "rec.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "".join(f"{t:.3f},0,0,1,0,0,0\n" for t in t_s))
    return path


@pytest.mark.parametrize("odr_hz", [104.0, 120.0, 400.0, 416.0])
def test_times_in_whole_milliseconds_give_the_sensor_rate(tmp_path: Path, odr_hz: float) -> None:
    # a logger stamping whole milliseconds puts 416 Hz rows 2 or 3 ms apart: their median, 2 ms, read
    # as 500 Hz, and a sidecar declaring the sensor's 416 Hz was refused as another recording's
    t = np.round(np.arange(4000) / odr_hz, 3)
    path = _standing(tmp_path, t, "x.csv")
    assert read_recording(path).odr_hz == pytest.approx(odr_hz, rel=2e-3)
    (tmp_path / "x.truth.json").write_text(json.dumps({"strides": [], "meta": {"odr_hz": odr_hz}}))
    assert read_recording(path).odr_hz == pytest.approx(odr_hz, rel=2e-3)


def test_times_in_whole_milliseconds_with_dropped_samples(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    keep = rng.random(8000) > 0.02
    t = np.round(np.flatnonzero(keep) / 416.0, 3)
    assert read_recording(_standing(tmp_path, t)).odr_hz == pytest.approx(416.0, rel=5e-3)


def test_a_large_accelerometer_offset_is_read_with_a_note(tmp_path: Path) -> None:
    # a stair climb through rig explore's noisiest sensor (offsets 10 times realistic) sits at 0.67 g
    # where the foot is still: it was refused as an accelerometer at a wrong scale
    import dataclasses

    from scenarios import synthesize, write_recording
    from scenarios.recording_csv import gravity_note

    rec = synthesize("stairs_up")
    path = tmp_path / "offset.csv"
    write_recording(dataclasses.replace(rec, acc_g=rec.acc_g + [0.0, 0.0, -0.35]), path)
    back = read_recording(path)
    note = gravity_note(back)
    assert note is not None and "0.675 g" in note and "offset" in note
    assert gravity_note(read_recording(_standing(tmp_path, np.arange(100) / 100.0))) is None
