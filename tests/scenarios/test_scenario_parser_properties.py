"""Property tests of the recording CSV and truth sidecar readers: whatever the file holds,
read_recording returns a Recording or raises RecordingError, nothing else."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios import Recording, RecordingError, read_recording
from scenarios.recording_csv import read_truth
from scenarios.model import Truth

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = "t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps"

_FIELD = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**30, 10**30).map(str),
    st.sampled_from(["", " ", "nan", "inf", "-0", "1e999", "0x10", "1_0", "--1", "1,", '"1"', "\t2"]),
    st.text(max_size=8),
)
_ROW = st.lists(_FIELD, min_size=0, max_size=9).map(",".join)


def _read(data: bytes, sidecar: bytes | None = None) -> Recording | None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.csv"
        path.write_bytes(data)
        if sidecar is not None:
            (Path(tmp) / "p.truth.json").write_bytes(sidecar)
        try:
            rec = read_recording(path)
        except RecordingError as exc:
            assert "p.csv" in str(exc) or "p.truth.json" in str(exc)
            assert len(str(exc)) < 1000
            return None
    assert np.isfinite(rec.t_s).all() and (np.diff(rec.t_s) > 0).all()
    return rec


@SETTINGS
@given(st.lists(_ROW, max_size=12), st.booleans())
def test_csv_rows_of_any_text(rows: list[str], with_header: bool) -> None:
    _read(((HEADER + "\n") if with_header else "").encode() + "\n".join(rows).encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.binary(max_size=400))
def test_csv_of_any_bytes(data: bytes) -> None:
    _read(data)


@SETTINGS
@given(st.lists(st.tuples(st.floats(-1e12, 1e12), st.floats(-50, 50)), min_size=0, max_size=40))
def test_csv_of_numbers_in_any_order(rows: list[tuple[float, float]]) -> None:
    text = HEADER + "\n" + "".join(f"{t!r},{a!r},0,1,0,0,0\n" for t, a in rows)
    _read(text.encode())


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**400, 10**400) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.sampled_from(["strides", "events", "ic_s", "tc_s", "meta", "accel_fs_g", "gyro_fs_dps", "footprints_m",
                         "label_window_s", "label_windows_s", "distance_m", "activity_s", "activity", "strike",
                         "step_count", "stride_borders_s", "format", "x"]) | st.text(max_size=5),
        inner, max_size=6),
    max_leaves=30,
)


@SETTINGS
@given(_JSON)
def test_sidecar_of_any_json(doc: object) -> None:
    csv = (HEADER + "\n" + "".join(f"{k / 100!r},0,0,1,0,0,0\n" for k in range(20))).encode()
    rec = _read(csv, json.dumps(doc).encode())
    if rec is not None and rec.truth is not None:
        assert isinstance(rec.truth, Truth)
        assert rec.accel_fs_g in (2, 4, 8, 16) and rec.gyro_fs_dps in (125, 250, 500, 1000, 2000)


@SETTINGS
@given(st.binary(max_size=300))
def test_sidecar_of_any_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.truth.json"
        path.write_bytes(data)
        try:
            assert isinstance(read_truth(path), Truth)
        except RecordingError as exc:
            assert "t.truth.json" in str(exc)
