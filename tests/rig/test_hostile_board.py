"""The rig against a board that misbehaves (tests/rig/fake_board.py on a loopback port): every run ends, with the
right exit status and a message naming what the board did, and every byte it sent in rx.bin."""

from __future__ import annotations

from pathlib import Path

import pytest

from rig.cli import main
from tests.rig.fake_board import FakeBoard, summary_of

#: Samples of the still recording the tests replay, at 416 Hz.
SAMPLES = 832


def still_csv(tmp_path: Path) -> Path:
    """A recording of a shoe standing still for 2 s at 416 Hz."""
    csv = tmp_path / "still.csv"
    rows = "".join(f"{i / 416:.6f},0,0,1,0,0,0\n" for i in range(SAMPLES))
    csv.write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n" + rows)
    return csv


def replay(board: FakeBoard, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """rig replay of the still recording on the board; (exit status, stderr)."""
    code = main(["replay", str(still_csv(tmp_path)), "--target", "board", "--port", board.url, "--board-profile",
                 "host", "--json", str(tmp_path / "out.json"), "--runs-dir", str(tmp_path / "runs")])
    return code, capsys.readouterr().err


def test_a_truthful_board_replays_with_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeBoard(summary_of(SAMPLES / 416)) as board:
        code, err = replay(board, tmp_path, capsys)
    assert code == 0, err


def test_a_summary_of_nan_duration_fails_rig_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A SUMMARY of NaN duration (the README's corrupt report) was written to the replay JSON as null, exit 0:
    rig replay judged the link alone."""
    with FakeBoard(summary_of(float("nan"), still_s=SAMPLES / 416)) as board:
        code, err = replay(board, tmp_path, capsys)
    assert code == 1, err
    assert "corrupt report: the SUMMARY reports no duration_s (NaN)" in err, err
