"""The rig used as a careless or hostile user would, a sixteenth pass: closed standard streams, values at
the edge of what a float holds, and other inputs earlier passes left. Each is refused with exit 2 and a
message naming the input, the problem and what to do, or read as documented; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from tests.rig.cli_run import still_csv as _still_csv


def _close_stdout() -> None:
    os.close(1)


@pytest.mark.parametrize("argv", [["list"], ["replay", "walk.csv", "--target", "host", "--runs-dir", "runs"]])
def test_standard_output_closed_is_refused_before_any_work(argv: list[str], tmp_path: Path) -> None:
    # rig replay ran the recording, then ended in a traceback ('NoneType' object has no attribute 'write') with
    # the result lost; rig list printed nothing and exited 0
    (tmp_path / "walk.csv").write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n0,0,0,1,0,0,0\n0.01,0,0,1,0,0,0\n")
    proc = subprocess.run([sys.executable, "-m", "rig", *argv], cwd=tmp_path, stdout=None, stderr=subprocess.PIPE,
                          text=True, timeout=120, preexec_fn=_close_stdout)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and f"rig {argv[0]}: error: standard output is closed" in proc.stderr
    assert "> /dev/null" in proc.stderr
    assert not (tmp_path / "runs").exists()


def test_a_sample_past_the_range_of_float32_counts_is_clipped_without_a_warning(tmp_path: Path) -> None:
    # 1e308 g (a logger's overflow marker) read fine and was clipped, but numpy's 'RuntimeWarning: overflow
    # encountered in divide' and the source line it came from were printed into rig replay's and rig bench's output
    from rig.inject import to_raw
    from scenarios.recording_csv import read_recording

    rec = read_recording(_still_csv(tmp_path / "w.csv", edit={100: "1e308,0,1,-1.7e308,0,0"}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        raw = to_raw(rec)
    assert raw.counts[100, 0] == 32767 and raw.counts[100, 3] == -32768
