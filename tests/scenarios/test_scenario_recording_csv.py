"""Recording CSV and truth sidecar: round trip, real-data truth mapping, and every bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scenarios import RecordingError, read_recording, synthesize, write_recording
from scenarios.recording_csv import truth_path
from scenarios.datasets import list_datasets, score_stride_borders

HEADER = "t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps"


def _write(tmp_path: Path, text: str, name: str = "rec.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_round_trip_keeps_samples_and_truth(tmp_path: Path) -> None:
    rec = synthesize("walk_run_transition")
    path = tmp_path / "out" / "wrt.csv"
    write_recording(rec, path)
    assert (tmp_path / "out" / "wrt.truth.json").exists()
    back = read_recording(path)
    np.testing.assert_allclose(back.t_s, rec.t_s, atol=1e-6)
    np.testing.assert_allclose(back.acc_g, rec.acc_g, atol=1e-7)
    np.testing.assert_allclose(back.gyro_dps, rec.gyro_dps, atol=1e-5)
    assert back.odr_hz == pytest.approx(416.0, rel=1e-3)
    assert back.truth is not None and rec.truth is not None
    assert back.truth.strides == rec.truth.strides
    assert back.truth.label_windows_s == rec.truth.label_windows_s
    assert back.truth.distance_m == rec.truth.distance_m
    assert back.truth.meta["scenario"] == "walk_run_transition"
    assert back.name == "wrt"


def test_comments_column_order_and_no_sidecar(tmp_path: Path) -> None:
    text = "# recorded on a bench\n#\n" + "gz_dps,t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,extra\n"
    text += "3,0.0,0,0,1,1,2,9\n3,0.01,0,0,1,1,2,9\n3,0.02,0,0,1,1,2,9\n"
    rec = read_recording(_write(tmp_path, text))
    assert rec.truth is None
    assert rec.odr_hz == pytest.approx(100.0)
    np.testing.assert_allclose(rec.gyro_dps[0], [1.0, 2.0, 3.0])
    np.testing.assert_allclose(rec.acc_g[:, 2], 1.0)


def test_extra_columns_may_hold_anything(tmp_path: Path) -> None:
    text = "t_s,label,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps,note\n"
    text += "".join(f"{k / 100!r},walk,0,0,1,1,2,3,{'' if k % 2 else 'x y'}\n" for k in range(30))
    rec = read_recording(_write(tmp_path, text))
    assert len(rec.t_s) == 30
    np.testing.assert_array_equal(rec.gyro_dps[-1], [1.0, 2.0, 3.0])


def test_extra_column_still_counts_in_a_row_s_fields(tmp_path: Path) -> None:
    text = f"{HEADER},label\n0,0,0,1,0,0,0,walk\n0.01,0,0,1,0,0,0\n"
    with pytest.raises(RecordingError, match="line 3: 7 fields where the header has 8"):
        read_recording(_write(tmp_path, text))


BAD_CASES = {
    "missing column": (f"{HEADER.replace(',gz_dps', '')}\n0,0,0,1,0,0\n", 1, "gz_dps"),
    "bad number": (f"{HEADER}\n0,0,0,1,0,0,0\n0.01,0,zero,1,0,0,0\n", 3, "ay_g"),
    "non-increasing time": (f"# c\n{HEADER}\n0.5,0,0,1,0,0,0\n0.4,0,0,1,0,0,0\n", 4, "increase"),
    "repeated time": (f"{HEADER}\n0,0,0,1,0,0,0\n0.01,0,0,1,0,0,0\n0.01,0,0.2,1,0,0,0\n", 4, "increase"),
    "NaN": (f"{HEADER}\n0,0,0,1,0,0,0\n0.01,0,0,nan,0,0,0\n", 3, "az_g"),
    "short row": (f"{HEADER}\n0,0,0,1,0,0,0\n0.01,0,0,1\n", 3, "fields"),
    "header only": (f"{HEADER}\n", 1, "no samples"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_csv_names_file_and_line(tmp_path: Path, case: str) -> None:
    text, line, word = BAD_CASES[case]
    path = _write(tmp_path, text, "bad_input.csv")
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    msg = str(err.value)
    assert f"bad_input.csv, line {line}:" in msg, msg
    assert word in msg, msg
    assert ";" in msg  # what to do follows


def test_empty_file_is_refused_by_name(tmp_path: Path) -> None:
    for text, line in (("", 1), ("# only a comment\n\n", 3)):
        path = _write(tmp_path, text, "empty.csv")
        with pytest.raises(RecordingError, match=rf"empty\.csv, line {line}: empty file"):
            read_recording(path)


def test_missing_file_is_a_recording_error(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="nothere.csv"):
        read_recording(tmp_path / "nothere.csv")


def test_broken_truth_sidecar_names_its_file(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\n0,0,0,1,0,0,0\n0.01,0,0,1,0,0,0\n", "x.csv")
    (tmp_path / "x.truth.json").write_text('{"strides": [\n  {"ic_s": 1.0,}\n]}')
    with pytest.raises(RecordingError, match=r"x\.truth\.json, line 2"):
        read_recording(path)


def test_real_recordings_map_their_labels() -> None:
    paths = {p.stem: p for p in list_datasets()}
    assert {"healthy_2x20m_left", "ic_stride_4x10m_right", "exp31", "exp34", "exp35"} <= set(paths)
    walk = read_recording(paths["healthy_2x20m_left"])
    assert walk.odr_hz == pytest.approx(204.8, rel=1e-3)
    truth = walk.truth
    assert truth is not None
    assert len(truth.strides) == truth.meta["step_count"] == 29
    first = truth.strides[0]
    assert first.gct_ms == pytest.approx(1000 * (first.tc_s - first.ic_s))  # type: ignore[operator]
    assert first.activity == "walk"
    # labelled from the first to the last IC, but for the turn's step the motion capture left out
    assert truth.label_windows_s[0][0] == first.ic_s and truth.label_windows_s[-1][1] == truth.strides[-1].ic_s
    assert all(any(a <= s.ic_s <= b for a, b in truth.label_windows_s) for s in truth.strides)
    ic_only = read_recording(paths["ic_stride_4x10m_left"]).truth
    assert ic_only is not None and len(ic_only.label_windows_s) == 4
    assert all(s.tc_s is None for s in ic_only.strides)


def test_gdin_has_no_ic_labels_but_scores_on_stride_borders() -> None:
    rec = read_recording([p for p in list_datasets() if p.stem == "exp34"][0])
    truth = rec.truth
    assert truth is not None and truth.strides == () and truth.label_windows_s == ()
    assert truth.meta["step_count"] == 24
    assert truth.distance_m is not None and truth.distance_m > 30.0
    borders = truth.meta["stride_borders_s"]
    # one detection in each interval is perfect; a missing and a doubled one are both counted
    mids = [(a + b) / 2 for a, b in zip(borders[:-1], borders[1:])]
    perfect = score_stride_borders(truth, mids)
    assert (perfect.hits, perfect.missed, perfect.extra) == (24, 0, 0)
    assert perfect.step_count == 24
    flawed = score_stride_borders(truth, mids[1:] + [mids[5] + 0.01])
    assert (flawed.hits, flawed.missed, flawed.extra) == (22, 1, 1)


def test_written_truth_is_plain_json(tmp_path: Path) -> None:
    rec = synthesize("standing")
    write_recording(rec, tmp_path / "s.csv")
    doc = json.loads((tmp_path / "s.truth.json").read_text())
    assert doc["format"] == "stridelab-truth" and doc["strides"] == []
    assert doc["meta"]["odr_hz"] == 416.0


def test_a_recording_cut_short_while_written_leaves_the_file_as_it_was(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C during rig synth run_30min --csv x.csv left the first 300 s of the 1804 s at x.csv, a
    recording that replays as a shorter run. The file is now written whole or not at all; a symlink
    still has the file it names replaced."""
    rec = synthesize("walk")
    real = tmp_path / "real.csv"
    real.write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n0,0,0,1,0,0,0\n0.01,0,0,1,0,0,0\n")
    link = tmp_path / "walk.csv"
    link.symlink_to(real)
    savetxt = np.savetxt

    def interrupted(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        savetxt(path, *args, **kwargs)
        raise KeyboardInterrupt  # once the rows are written, before the file is in place

    monkeypatch.setattr(np, "savetxt", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_recording(rec, link)
    assert real.read_text().count("\n") == 3 and sorted(p.name for p in tmp_path.iterdir()) == ["real.csv", "walk.csv"]
    monkeypatch.setattr(np, "savetxt", savetxt)
    write_recording(rec, link)
    assert link.is_symlink() and len(read_recording(real).t_s) == len(rec.t_s)


@pytest.mark.parametrize("before", [False, True])
def test_a_recording_whose_truth_cannot_be_written_is_not_left_beside_half_of_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: bool) -> None:
    """rig synth --csv on a file system that filled while the truth was written (a 1,212 kB tmpfs: the
    recording fit, 8 kB of its 17 kB truth did) left the new recording beside half a JSON, which every
    later read refused ('invalid JSON (Unterminated string ...)'), or beside the truth of the one it
    replaced. The recording and its truth are now put in place together, or neither."""
    import errno

    csv = tmp_path / "w.csv"
    if before:
        write_recording(synthesize("standing"), csv)
    old = (csv.read_bytes(), truth_path(csv).read_bytes()) if before else None
    real = Path.write_text

    def full(self: Path, data: str, *args: Any, **kwargs: Any) -> int:
        if ".truth.json" in self.name:
            real(self, data[:8192], *args, **kwargs)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OSError):
        write_recording(synthesize("walk"), csv)
    monkeypatch.undo()
    if before:
        assert old == (csv.read_bytes(), truth_path(csv).read_bytes())
        read_recording(csv)
    assert sorted(p.name for p in tmp_path.iterdir()) == (["w.csv", "w.truth.json"] if before else [])


@pytest.mark.parametrize("reference", ["motion_captur", ["x"], 3])
def test_a_labelling_convention_the_rig_does_not_know_is_refused(tmp_path: Path, reference: object) -> None:
    """rig bench scores a recording by its labels' convention (events_reference): a misspelt one, or a list,
    was taken for another convention than motion capture and its contacts scored per contact, unasked."""
    src = next(p for p in list_datasets() if p.stem == "walk_fast_left")
    csv = tmp_path / "w.csv"
    csv.write_bytes(src.read_bytes())
    doc = json.loads(truth_path(src).read_text())
    doc["events_reference"] = reference
    truth_path(csv).write_text(json.dumps(doc))
    with pytest.raises(RecordingError, match=r"events_reference.*not a labelling convention the rig knows.*"
                                             r"motion_capture, pressure_insole"):
        read_recording(csv)
