"""Where labels sit against the signal: the synthesizer's own placements are found again, and
the real datasets' conventions show as the offsets the domain notes describe."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scenarios import synthesize
from scenarios.datasets import DATA_DIR
from scenarios.landmarks import label_offsets, main
from scenarios.recording_csv import read_recording, write_recording


def test_synthetic_labels_sit_where_the_model_puts_them() -> None:
    run = label_offsets(synthesize("steady_run")).stats
    assert run["ic_vs_swing_end"] is not None and 2.0 <= run["ic_vs_swing_end"][1] <= 8.0  # synth: 2-8 ms
    # the heel-strike impact starts 8 ms after IC and is 12 ms wide: its steepest rise after IC
    assert run["ic_vs_impact"] is not None and -20.0 <= run["ic_vs_impact"][1] <= -8.0
    fore = label_offsets(synthesize("forefoot_striker")).stats
    assert fore["ic_vs_swing_end"] is not None and fore["ic_vs_swing_end"][1] == pytest.approx(60.0, abs=3.0)


def test_motion_capture_ic_sits_just_after_the_swing_end_and_before_the_impact() -> None:
    for side in ("left", "right"):
        rec = read_recording(DATA_DIR / "gaitmap_example" / f"healthy_2x20m_{side}.csv")
        st = label_offsets(rec).stats
        assert st["ic_vs_swing_end"] is not None and abs(st["ic_vs_swing_end"][1]) < 8.0
        assert st["ic_vs_impact"] is not None and st["ic_vs_impact"][1] < -10.0


def test_bad_names_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no_such_scenario"]) == 2
    assert "no_such_scenario" in capsys.readouterr().err


def test_a_named_input_without_labelled_strides_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # an unlabelled recording (no sidecar) or a scenario of no strides printed an empty table with exit 0
    csv = tmp_path / "unlabelled.csv"
    write_recording(dataclasses.replace(synthesize("walk"), truth=None), csv)
    assert main([str(csv)]) == 2
    err = capsys.readouterr().err
    assert "unlabelled.csv" in err and "unlabelled.truth.json" in err
    assert main(["standing"]) == 2
    assert "standing" in capsys.readouterr().err


def test_a_file_name_that_is_not_utf8_is_shown_byte_for_byte(tmp_path: Path) -> None:
    # under a UTF-8 locale (strict standard output) the table ended in a UnicodeEncodeError traceback, and a
    # message quoted the name's byte as '\udcff', a character the user never typed
    csv = Path(os.fsdecode(bytes(tmp_path) + b"/w\xff.csv"))
    write_recording(synthesize("walk"), csv)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run([sys.executable, "-m", "scenarios.landmarks", os.fsencode(csv)], capture_output=True,
                          env=env, timeout=120)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert b"\nw\\xff " in proc.stdout, proc.stdout
    proc = subprocess.run([sys.executable, "-m", "scenarios.landmarks", b"w\xffk"], capture_output=True, env=env,
                          timeout=120)
    assert proc.returncode == 2 and b"unknown scenario 'w\\xffk'" in proc.stderr, proc.stderr


def test_a_recording_whose_name_starts_with_a_dash_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # argparse took it for an option: 'unrecognized arguments: -w.csv', exit 2, unless -- came before it
    monkeypatch.chdir(tmp_path)
    write_recording(synthesize("walk"), tmp_path / "-w.csv")
    assert main(["-w.csv"]) == 0
    assert "\n-w " in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["-x"])
    assert exc.value.code == 2
    assert "-x: no option of this tool" in capsys.readouterr().err


def test_a_name_given_twice_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    # its row was printed twice, as if two recordings agreed
    with pytest.raises(SystemExit) as exc:
        main(["walk", "steady_run", "walk"])
    assert exc.value.code == 2
    assert "walk given twice; give each recording or scenario once" in capsys.readouterr().err
