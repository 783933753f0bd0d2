"""What a long run shows while it runs: a line rewritten on a terminal, plain lines in a log."""

from __future__ import annotations

import io
from pathlib import Path

from rig.progress_line import ProgressLine
from rig.runner import run_recording
from rig.targets.host import HostTarget
from scenarios.catalog import synthesize


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_in_a_log_with_samples_and_real_time_factor() -> None:
    now = [0.0]
    out = io.StringIO()
    line = ProgressLine("steady_run on qemu", out, clock=lambda: now[0])
    for k in range(1, 101):
        now[0] = float(k)  # 10 s of signal a second: 10x real time
        line(4160 * k, 416_000, 416.0)
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert len(lines) == 11  # the first, one every 10 s, and the last
    assert lines[-1] == "steady_run on qemu: 416,000/416,000 samples (100 %), 10.0x real time"


def test_one_line_rewritten_on_a_terminal_and_cleared() -> None:
    now = [0.0]
    out = _Tty()
    line = ProgressLine("sprint on host", out, clock=lambda: now[0])
    for sent in (100, 200, 300):
        now[0] += 1.0
        line(sent, 300, 100.0)
    line.close()
    text = out.getvalue()
    assert text.count("\r") == 5 and "\n" not in text and text.endswith("\r")  # 3 updates, then cleared
    assert "sprint on host: 300/300 samples (100 %), 1.0x real time" in text


def test_a_replay_reports_every_sample_sent(tmp_path: Path) -> None:
    rec = synthesize("sprint")
    calls: list[tuple[int, int, float]] = []
    run_recording(HostTarget(), rec, tmp_path, progress=lambda *a: calls.append(a))
    assert calls[-1][:2] == (len(rec.t_s), len(rec.t_s)) and abs(calls[-1][2] - rec.odr_hz) < 0.01
    assert [c[0] for c in calls] == sorted(c[0] for c in calls) and len(calls) > 10
