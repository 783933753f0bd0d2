"""The link-utilization benchmark: the line model passes every byte, and the figure is computed from what was sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from rig import linkbench
from rig.linkbench import GOAL_FRACTION, Utilization, main, measure

pytestmark = pytest.mark.target("host")


def test_the_figure_is_bytes_sent_over_time_against_the_line_s_byte_rate() -> None:
    u = Utilization(baud=115200, samples=4160, wire_bytes=46080, stream_s=5.0, window=5, batch_samples=32)
    assert u.line_bytes_per_s == 11520 and u.achieved_bytes_per_s == 9216 and u.fraction == pytest.approx(0.8)
    assert "80.0%" in u.line() and "ok" in u.line()
    assert "below the goal" in Utilization(9600, 1, 100, 1.0, 1, 1).line() and GOAL_FRACTION == 0.8


def test_a_replay_through_the_line_model_is_measured_whole(tmp_path: Path) -> None:
    u = measure(921600, "steady_run", 2.0, tmp_path)
    assert u.samples == 832 and u.window >= 1 and u.batch_samples == 32
    # every byte sent while streaming went through the line, and the firmware answered every batch
    frames = (tmp_path / "921600" / "frames.jsonl").read_text()
    assert '"type": "SUMMARY"' in frames
    assert u.wire_bytes > 832 * 12 and u.stream_s > 0


@pytest.mark.parametrize("argv, message", [
    (["--seconds", "-1"], "argument --seconds: -1 must be a finite number of seconds > 0"),
    (["--seconds", "nan"], "argument --seconds: nan must be a finite number of seconds > 0"),
    # '0 samples in 0.00 s' measured and called below the goal (exit 1); a tenth of a second was called 'ok'
    (["--seconds", "0.0001"], "argument --seconds: 0.0001: replay at least 2 s; a shorter replay ends before"),
    (["--seconds", "0.1"], "argument --seconds: 0.1: replay at least 2 s"),
    (["--baud", "0"], "argument --baud: 0 must be a whole number > 0"),
    # 'OverflowError: signed integer is greater than maximum' from pyserial, a traceback after the firmware started
    (["--baud", "99999999999"], "argument --baud: 99999999999: give a line speed of 1,200 to 12,000,000"),
    (["--baud", "9" * 5000], "argument --baud: 99999999999999999999... (5000 characters): give a line speed"),
    # the line model refuses under 300 baud: 'RigError: the line model did not start', a traceback; at 301
    # the firmware's ACK of CONFIG took over the rig's 5 s: 'LinkTimeout: ...', a traceback
    (["--baud", "1"], "argument --baud: 1: give a line speed of 1,200 to 12,000,000 bits per second"),
    (["--baud", "301"], "argument --baud: 301: give a line speed of 1,200"),
    (["--scenario", "nosuch"], "argument --scenario: 'nosuch' is no scenario of the catalog; choose from: brisk_walk"),
    # the line replayed again, its figure printed twice
    (["--baud", "115200", "--baud", "921600", "--baud", "115200"], "115200 given twice; give each --baud once"),
])
def test_bad_arguments_are_refused_before_any_replay(capsys: pytest.CaptureFixture[str], argv: list[str],
                                                     message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """--seconds -1 replayed '-416 samples in 3.56 s' and called the line's use 'ok'; --seconds nan ended in
    'ValueError: cannot convert float NaN to integer', an unknown scenario in a traceback; --baud past what a
    line or the rig can run at in a traceback too."""
    monkeypatch.setattr(linkbench, "measure", lambda *args, **kwargs: pytest.fail("replayed: the arguments were taken"))
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
