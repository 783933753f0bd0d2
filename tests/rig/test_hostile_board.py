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


@pytest.mark.parametrize("field", ["distance_m", "duration_s"])
def test_a_summary_holding_inf_ends_the_run_at_once_as_corrupt(field: str, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A SUMMARY holding inf was dropped as a corrupt frame: the run waited its full 10 s for a SUMMARY, then
    said none came (exit 2)."""
    import time

    with FakeBoard(summary_of(SAMPLES / 416) | {field: float("inf")}) as board:
        t0 = time.monotonic()
        code, err = replay(board, tmp_path, capsys)
        took_s = time.monotonic() - t0
    assert code == 1, err
    assert "corrupt report: the SUMMARY frame (seq " in err and f") is corrupt: SUMMARY {field}: inf is not a " \
        "measurement" in err, err
    assert "did not send SUMMARY" not in err, err
    assert took_s < 8.0, took_s


@pytest.mark.parametrize("fields, words", [
    ({"distance_m": -5000.0}, "the SUMMARY's distance_m is -5000, below 0, which no run can give"),
    ({"still_s": -3.0}, "the SUMMARY's still_s is -3, below 0"),
    ({"duration_s": 1e6, "still_s": 1e6}, "the SUMMARY's duration_s is 1e+06 s, but the samples sent span 2.000 s: the "
                                          "analyzer cannot have seen more time than it was sent"),
    ({"duration_s": 0.5, "still_s": 0.5}, "the SUMMARY's duration_s is 0.5 s, but the samples sent span 2.000 s and "
                                          "the firmware acknowledged every one"),
])
def test_a_summary_no_run_can_give_is_a_corrupt_report(fields: dict[str, float], words: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A SUMMARY of -5000 m, of a negative time standing still, or of 1e6 s after 2 s of samples went into the
    replay JSON as the run's, exit 0 (rig run judged it the same: its checks knew NaN alone)."""
    with FakeBoard(summary_of(SAMPLES / 416) | fields) as board:
        code, err = replay(board, tmp_path, capsys)
    assert code == 1, err
    assert f"corrupt report: {words}" in err, err


def _stride(no: int, ic_us: int, tc_us: int, **fields: object) -> dict[str, object]:
    out: dict[str, object] = {
        "stride_no": no, "ic_us": ic_us, "tc_us": tc_us, "gct_ms": (tc_us - ic_us) / 1000, "flight_ms": 100.0,
        "swing_ms": 400.0, "stride_ms": 700.0, "cadence_spm": 85.0, "duty_factor": 0.3, "fsa_deg": 10.0,
        "pronation_deg": 5.0, "peak_roll_rate_dps": 100.0, "peak_impact_g": 3.0, "stride_m": 1.5, "speed_mps": 2.0,
        "strike": "heel", "activity": "run", "flags": 0}
    out.update(fields)
    return out


@pytest.mark.parametrize("fields, words", [
    ({}, None),
    ({"stride_m": -1.5, "speed_mps": -2.0}, "stride_no 0: stride_m -1.5 is below 0, speed_mps -2 is below 0, which "
                                            "no stride can have: the STRIDE is corrupt"),
    ({"gct_ms": 5000.0}, "stride_no 0: gct_ms 5000 is not its own tc - ic (200.0 ms)"),
    ({"cadence_spm": -85.0}, "stride_no 0: cadence_spm -85 is below 0"),
])
def test_a_stride_no_foot_can_make_is_a_corrupt_report(fields: dict[str, object], words: str | None, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """STRIDE frames of -1.5 m at -2 m/s, a negative cadence, or a contact time of 5 s between a contact and a
    toe-off 200 ms apart went into the replay JSON as the run's, exit 0."""
    from frame_spec import Message, MsgType

    def strides_at_end(board: FakeBoard, msg: Message) -> bool:
        if msg.type is MsgType.CMD and msg.payload["op"] == "END":
            board.send(MsgType.STRIDE, _stride(0, 500_000, 700_000, **fields))
            board.send(MsgType.STRIDE, _stride(1, 1_200_000, 1_400_000))
            board.send(MsgType.SUMMARY, summary_of(SAMPLES / 416) | {"strides": 2, "avg_cadence_spm": 85.0})
            board.ack(msg)
            return True
        return False

    with FakeBoard(on_frame=strides_at_end) as board:
        code, err = replay(board, tmp_path, capsys)
    if words is None:
        assert code == 0, err
        return
    assert code == 1, err
    assert f"corrupt report: {words}" in err, err


def test_another_boards_hello_names_the_capture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A board answering HELLO as another firmware (board id, protocol) was refused naming the profile alone:
    every other error of a run names the capture that holds what the board sent."""
    with FakeBoard() as board:
        code = main(["replay", str(still_csv(tmp_path)), "--target", "board", "--port", board.url,
                     "--json", str(tmp_path / "out.json"), "--runs-dir", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "answered HELLO board 'host', protocol 2" in err and "profile nucleo-f401re expects board 'stm32f4'" in err
    (run_dir,) = (tmp_path / "runs").iterdir()
    assert f"every byte received is in {run_dir / 'rx.bin'}" in err, err
