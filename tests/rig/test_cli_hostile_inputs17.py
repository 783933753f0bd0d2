"""The rig used as a careless or hostile user would, a seventeenth pass: truth sidecars, recordings and outputs
earlier passes left. Each is refused with exit 2 and a message naming the input, the problem and what to do, or
read as documented; never a traceback or a silently wrong answer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.rig.cli_run import refused as _refused, rig, still_csv as _still_csv


@pytest.mark.parametrize("sidecar, where", [
    ('{"stride_borders_s": [[0.5, 1.0], 2.0, 3.0]}', "stride_borders_s[1]"),
    ('{"format": "stridelab-truth", "strides": [], "meta": {"stride_borders_s": [[0.5, 1.0], 2]}}',
     "meta.stride_borders_s[1]"),
    ('{"format": "stridelab-truth", "strides": [], "meta": {"stride_borders_s": [0.5, 1.0], "step_count": "x"}}',
     "meta.step_count"),
])
def test_stride_borders_of_mixed_form_are_refused(sidecar: str, where: str, tmp_path: Path) -> None:
    # [[0.5, 1.0], 2.0, 3.0] was read, then rig bench ran the recording and ended in a traceback (TypeError: cannot
    # unpack non-iterable float object), exit 1; our format's meta, which rig bench scores the same way when no
    # strides are labelled, was not checked at all (a step_count "x": 'could not convert string to float')
    _still_csv(tmp_path / "w.csv")
    (tmp_path / "w.truth.json").write_text(sidecar)
    proc = rig("bench", "w.csv", "--runs-dir", "runs", cwd=tmp_path)
    _refused(proc, "w.truth.json", where)


@pytest.mark.parametrize("borders", ["[1000.0, 2000.0, 3000.0]", "[[0.5, 1.5], [1.5, 2.5], [2.5, 40.0]]"])
def test_stride_borders_outside_the_recording_are_refused(borders: str, tmp_path: Path) -> None:
    # borders in milliseconds (or another recording's) were scored as every stride interval missed: rig bench
    # charged the analyzer with 'recall 0.00%', exit 1, where contacts labelled outside the recording are refused
    _still_csv(tmp_path / "w.csv")
    (tmp_path / "w.truth.json").write_text(f'{{"stride_borders_s": {borders}}}')
    proc = rig("bench", "w.csv", "--runs-dir", "runs", cwd=tmp_path)
    _refused(proc, "w.truth.json", "stride_borders_s", "outside", "another recording")


def test_a_sample_near_the_largest_float_is_drawn(tmp_path: Path) -> None:
    # 1.7e308 g (a logger's overflow marker), which rig replay reads and the firmware gets clipped: rig plot printed a
    # screen of matplotlib's RuntimeWarnings and ended in 'rig plot: error: arange: cannot compute length', exit 2,
    # naming neither the recording nor the sample
    _still_csv(tmp_path / "w.csv")
    text = (tmp_path / "w.csv").read_text().replace("\n1.923077,0.01,", "\n1.923077,1.7e308,")
    (tmp_path / "w.csv").write_text(text)
    proc = rig("plot", "w.csv", "--png", "w.png", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Warning" not in proc.stderr, proc.stderr[-2000:]
    assert (tmp_path / "w.png").read_bytes().startswith(b"\x89PNG")


def test_samples_of_both_signs_near_the_largest_float_in_one_column_are_read_without_a_warning(tmp_path: Path) -> None:
    # +1.7e308 and -1.7e308 dps in gy_dps of a walk (a logger's overflow markers): read and clipped, but numpy's
    # 'RuntimeWarning: overflow encountered in subtract' and the line it came from were printed into the output of
    # every command that read the recording (the check that the gyroscope was not off took their span)
    assert rig("synth", "walk", "--csv", "w.csv", cwd=tmp_path).returncode == 0
    lines = (tmp_path / "w.csv").read_text().splitlines()
    for k, value in ((1000, "1.7e308"), (1001, "-1.7e308")):
        fields = lines[k].split(",")
        fields[5] = value
        lines[k] = ",".join(fields)
    (tmp_path / "w.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "w.truth.json").unlink()
    proc = rig("replay", "w.csv", "--target", "host", "--json", "w.json", "--runs-dir", "runs", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Warning" not in proc.stderr and "beyond +-2000 dps" in proc.stderr, proc.stderr[-2000:]


# `rig run` with a SIGTERM while it synthesizes its scenario: its run directory is made, no target started yet.
_SIGNAL_WHILE_SYNTHESIZING = """
import os, runpy, signal, sys
import rig.runner

def synthesize(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)
    raise AssertionError("the signal did not end the command")

rig.runner.synthesize = synthesize
sys.argv = ["rig", "run", "walk", "--target", "host", "--runs-dir", "runs"]
runpy.run_module("rig", run_name="__main__")
"""


def test_a_signal_before_the_target_started_says_no_target_was_running(tmp_path: Path) -> None:
    # rig run said 'ended by SIGTERM; the target was stopped; captures so far in runs/...-walk-host', of a target that
    # never started and a directory holding nothing
    proc = subprocess.run([sys.executable, "-c", _SIGNAL_WHILE_SYNTHESIZING], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 128 + 15, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "rig run: ended by SIGTERM; no target was running" in proc.stderr, proc.stderr[-2000:]
    # and it left runs/ an empty run directory for every such signal
    assert not any((tmp_path / "runs").iterdir()), list((tmp_path / "runs").iterdir())
    assert "target was stopped" not in proc.stderr


def test_stride_borders_out_of_order_are_refused(tmp_path: Path) -> None:
    # [0.5, 1.5, 1.0, 2.5] was scored as the interval 1.5..1.0 s, which no contact can lie in: rig bench counted a
    # stride the analyzer missed (and one it found twice over the overlap) against its recall
    _still_csv(tmp_path / "w.csv")
    (tmp_path / "w.truth.json").write_text('{"stride_borders_s": [0.5, 1.5, 1.0, 2.5]}')
    proc = rig("bench", "w.csv", "--runs-dir", "runs", cwd=tmp_path)
    _refused(proc, "w.truth.json", "stride_borders_s[2]", "time order")
