"""Recordings written by other loggers than the rig: what a real logger writes that is a plain
recording in other clothes is read as the recording it is, with the same figures."""

from __future__ import annotations

import errno
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scenarios import RecordingError, read_recording

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


def _walk_text(header: str, sep: str = ",", dec: str = ".", t_scale: float = 1.0, a_scale: float = 1.0,
               g_scale: float = 1.0, quote: str = "") -> tuple[str, "np.ndarray"]:
    from scenarios import synthesize

    rec = synthesize("walk")
    cols = np.column_stack([rec.t_s, rec.acc_g, rec.gyro_dps])
    lines = [header]
    for row in cols:
        vals = [f"{row[0] * t_scale:.9g}"] + [f"{v * a_scale:.9g}" for v in row[1:4]] + [f"{v * g_scale:.9g}" for v in row[4:]]
        lines.append(sep.join(quote + v.replace(".", dec) + quote for v in vals))
    return "\n".join(lines) + "\n", cols


FOREIGN_FORMATS = {
    # a spreadsheet in a locale with decimal commas separates fields by semicolons
    "semicolons and decimal commas": dict(header="t_s;ax_g;ay_g;az_g;gx_dps;gy_dps;gz_dps", sep=";", dec=","),
    "semicolons": dict(header="t_s;ax_g;ay_g;az_g;gx_dps;gy_dps;gz_dps", sep=";"),
    "tabs": dict(header="t_s\tax_g\tay_g\taz_g\tgx_dps\tgy_dps\tgz_dps", sep="\t"),
    "quoted": dict(header='"t_s","ax_g","ay_g","az_g","gx_dps","gy_dps","gz_dps"', quote='"'),
    "capitals": dict(header="T_S,AX_G,AY_G,AZ_G,GX_DPS,GY_DPS,GZ_DPS"),
    "units in brackets": dict(header="t_s [s],ax_g [g],ay_g [g],az_g [g],gx_dps [dps],gy_dps [dps],gz_dps [dps]"),
    "axes with units": dict(header="t (s),ax (g),ay (g),az (g),gx (deg/s),gy (deg/s),gz (deg/s)"),
    "other units declared": dict(header="time [ms],ax [m/s^2],ay [m/s^2],az [m/s^2],gx [rad/s],gy [rad/s],gz [rad/s]",
                                 t_scale=1e3, a_scale=9.80665, g_scale=np.pi / 180.0),
}


@pytest.mark.parametrize("case", sorted(FOREIGN_FORMATS))
def test_the_columns_in_other_clothes_are_read(tmp_path: Path, case: str) -> None:
    # each was refused: 'header lacks column(s) t_s, ax_g, ...'
    text, cols = _walk_text(**FOREIGN_FORMATS[case])
    rec = read_recording(_write_text(tmp_path, text))
    np.testing.assert_allclose(rec.t_s, cols[:, 0], atol=1e-7)
    np.testing.assert_allclose(rec.acc_g, cols[:, 1:4], atol=1e-6)
    np.testing.assert_allclose(rec.gyro_dps, cols[:, 4:], atol=1e-5)


@pytest.mark.parametrize("sep, dec", [(",", "."), (";", ","), ("\t", ".")])
def test_a_quoted_note_holding_the_delimiter_is_one_field(tmp_path: Path, sep: str, dec: str) -> None:
    """An extra column may hold anything, but a note quoted as CSV quotes it ("left, then right"; a quote in it
    doubled) was split at its delimiters: 'rec.csv, line 2: 9 fields where the header has 8'. A quoted header
    name holding a comma made a semicolon file read as comma-separated."""
    text, cols = _walk_text(header=sep.join(["t_s", "ax_g", "ay_g", "az_g", "gx_dps", "gy_dps", "gz_dps"]), sep=sep,
                            dec=dec)
    head, *rows = text.splitlines()
    notes = ['"left, then right; at last"', '"she said ""stop, now"""', "plain"]
    lines = [head + sep + '"note, free text"'] + [row + sep + notes[k % 3] for k, row in enumerate(rows)]
    rec = read_recording(_write_text(tmp_path, "\n".join(lines) + "\n"))
    np.testing.assert_allclose(rec.t_s, cols[:, 0], atol=1e-7)
    np.testing.assert_allclose(rec.acc_g, cols[:, 1:4], atol=1e-6)
    np.testing.assert_allclose(rec.gyro_dps, cols[:, 4:], atol=1e-5)


def test_a_name_and_a_unit_that_disagree_are_refused(tmp_path: Path) -> None:
    text, _ = _walk_text(header="t_s,ax_g [m/s^2],ay_g,az_g,gx_dps,gy_dps,gz_dps")
    path = _write_text(tmp_path, text)
    with pytest.raises(RecordingError, match=r"rec\.csv, line 1: column 'ax_g \[m/s\^2\]': the name says g and the "
                                             r"brackets m/s\^2; name the column ax_g .* or ax \[m/s\^2\]"):
        read_recording(path)


def _write_text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rec.csv"
    path.write_text(text)
    return path


def _clipped(tmp_path: Path, name: str, accel_g: float, gyro_dps: float) -> Path:
    import dataclasses

    from scenarios import synthesize, write_recording

    rec = synthesize(name)
    path = tmp_path / f"{name}_clipped.csv"
    write_recording(dataclasses.replace(rec, truth=None, acc_g=np.clip(rec.acc_g, -accel_g, accel_g),
                                        gyro_dps=np.clip(rec.gyro_dps, -gyro_dps, gyro_dps)), path)
    return path


@pytest.mark.parametrize("name, accel_g, gyro_dps, want", [
    ("steady_run", 8.0, 500.0, (8.0, 500.0)),
    ("steady_run", 4.0, 573.4, (4.0, 500.0)),  # an LSM6DSO's gyroscope counts end at 1.147 of its scale
    ("sprint_gyro_saturation", 16.0, 1000.0, (16.0, 1000.0)),
])
def test_a_recording_clipped_at_a_smaller_full_scale_is_read_at_it(tmp_path: Path, name: str, accel_g: float,
                                                                   gyro_dps: float, want: tuple[float, float]) -> None:
    # a logger set to +-8 g / +-500 dps, without a sidecar, was replayed at +-16 g / +-2000 dps: the
    # analyzer took the clipped swing for the foot's own (a steady run lost 13 % of its distance)
    rec = read_recording(_clipped(tmp_path, name, accel_g, gyro_dps))
    assert (rec.accel_fs_g, rec.gyro_fs_dps) == want
    assert rec.notes and all("clipped" in n for n in rec.notes)


@pytest.mark.parametrize("name", ["steady_run", "sprint_gyro_saturation", "walk", "stairs_down"])
def test_a_recording_within_its_scales_keeps_the_default_ones(tmp_path: Path, name: str) -> None:
    rec = read_recording(_clipped(tmp_path, name, 16.0, 2000.0))
    assert (rec.accel_fs_g, rec.gyro_fs_dps, rec.notes) == (16.0, 2000.0, ())


def test_rows_with_a_nan_are_read_as_lost_samples(tmp_path: Path) -> None:
    # a logger writes NaN for a value it did not get: one such row refused the whole recording
    t = np.arange(4000) / 416.0
    path = tmp_path / "rec.csv"
    path.write_text(HEADER + "\n" + "".join(f"{float(v)!r},0,0,{'nan' if 1000 <= k < 1100 else '1'},0,0,0\n"
                                            for k, v in enumerate(t)))
    rec = read_recording(path)
    assert len(rec.t_s) == 3900 and np.isfinite(rec.acc_g).all()
    assert rec.t_s[1000] == pytest.approx(t[1100])
    assert rec.notes == ("rec.csv: 100 of 4000 rows hold a NaN (the first: line 1002, az_g): read as lost samples",)


def test_a_column_mostly_nan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rec.csv"
    path.write_text(HEADER + "\n" + "".join(f"{k / 416.0!r},0,0,1,0,0,{'nan' if k % 3 else '0'}\n" for k in range(900)))
    with pytest.raises(RecordingError, match=r"rec\.csv, line 3: column gz_dps is NaN, and 600 of 900 rows hold a NaN"):
        read_recording(path)


OPENGO_CONVERT = Path(__file__).resolve().parents[2] / "scenarios" / "data" / "moticon_opengo" / "convert.py"
OPENGO_EXPORTS = ("230927_102114.txt", "230927_102137.txt", "230927_102231.txt")


@pytest.mark.parametrize("given", ["missing", "a_file", "not_exports"])
def test_opengo_converter_refuses_a_source_it_cannot_read(tmp_path: Path, given: str) -> None:
    """convert.py --src naming no folder of the three exports (or one holding other text) ended in a traceback
    (FileNotFoundError, NotADirectoryError, KeyError), after writing the walks it had converted."""
    src = tmp_path / given
    if given == "a_file":
        src.write_text("x")
    elif given == "not_exports":
        src.mkdir()
        for name in OPENGO_EXPORTS:
            (src / name).write_text("# time\tx\n0.0\t1\n")
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.run([sys.executable, str(OPENGO_CONVERT), "--src", str(src), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and str(src) in proc.stderr, proc.stderr
    assert ("holds no 230927_102114.txt" if given != "not_exports" else "not an OpenGo text export") in proc.stderr
    assert not any(out.iterdir()), "nothing written"


def test_opengo_converter_writes_a_walk_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its CSV was written in place, then its sidecar: a disk that filled on the sidecar left the new recording
    beside the earlier truth (and one that filled on the CSV, half a recording, read as a shorter walk)."""
    spec = importlib.util.spec_from_file_location("opengo_convert", OPENGO_CONVERT)
    assert spec is not None and spec.loader is not None
    convert = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, convert)  # its dataclasses look their module up
    spec.loader.exec_module(convert)
    (tmp_path / "walk.csv").write_text("earlier\n")
    (tmp_path / "walk.truth.json").write_text("{}\n")
    write_text = Path.write_text

    def full_disk(path: Path, text: str, *args: object, **kwargs: object) -> int:
        if "truth" in path.name:
            raise OSError(errno.ENOSPC, "No space left on device")
        return write_text(path, text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError):
        convert.write(tmp_path, "walk", np.zeros((3, 7)), {"events": []})
    monkeypatch.undo()
    assert (tmp_path / "walk.csv").read_text() == "earlier\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["walk.csv", "walk.truth.json"]  # no part file left
