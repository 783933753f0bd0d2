"""The `dut` fixture and the test API (rig.dut): expect, expect_sequence, send, replay.

The first tests run the real firmware on the session's target; the units at the end drive the
Dut through pyserial's loop:// URL, where every byte written comes back, to check how a failure
reads and how frames are built, with frames no firmware would send.
"""

from __future__ import annotations

import math
import os
import signal
from pathlib import Path

import pytest

from frame_spec import MsgType, encode
from frame_spec.messages import Op
from rig.dut import Dut, ExpectTimeout
from rig.errors import FirmwareFault, RigError
from rig.link import Link
from rig.session import ReplaySession
from rig.targets.base import Availability, Target
from scenarios.catalog import synthesize
from scenarios.errors import RecordingError
from scenarios.recording_csv import write_recording

pytest_plugins = ["pytester"]


@pytest.mark.target("host", "qemu", "board")
def test_dut_answers_hello_and_status(dut) -> None:  # type: ignore[no-untyped-def]
    hello = ReplaySession(dut.link).handshake()
    assert hello["protocol"] == 2 and hello["max_batch"] >= 1
    dut.link.send(MsgType.CMD, {"op": Op.STATUS.name})
    for _ in range(10):
        msg = dut.link.receive(2.0)
        assert msg is not None, f"no STATUS from {dut.target.name}; capture: {dut.link.capture}"
        if msg.type is MsgType.STATUS:
            assert msg.payload["rx_bad_frames"] == 0
            assert msg.payload["mode"] == "REPLAY"
            return
    pytest.fail("STATUS never came")


@pytest.mark.target("host", "qemu", "board")
def test_expect_finds_strides_of_a_replay_by_predicate(dut: Dut) -> None:
    seq = dut.send("CMD", op="HELLO")
    hello = dut.expect("HELLO", timeout=2)
    assert hello.board in ("host", "stm32f4") and hello.protocol == 2
    dut.expect("ACK", lambda a: a.acked_seq == seq)
    result = dut.replay("sprint")
    assert len(result.strides) > 20
    stride = dut.expect("STRIDE", lambda s: s.gct_ms < 300, timeout=2)
    assert stride.gct_ms < 300 and stride.strike == "fore"
    later = dut.expect_sequence("STRIDE", ("STRIDE", lambda s: s.stride_no > stride.stride_no + 1), "SUMMARY")
    assert later[1].stride_no > later[0].stride_no > stride.stride_no
    assert later[2].strides == len(result.strides)
    seq = dut.send("CMD", op="STATUS")
    status, _ = dut.expect_sequence("STATUS", ("ACK", lambda a: a.acked_seq == seq and a.status == 0))  # answer first
    assert status.rx_bad_frames == 0 and status.strides == len(result.strides)


@pytest.mark.target("host", "qemu", "board")
def test_a_failed_expect_lists_what_arrived_and_the_capture(dut: Dut) -> None:
    dut.send("CMD", op="STATUS")
    with pytest.raises(ExpectTimeout) as err:
        dut.expect("STRIDE", lambda s: s.gct_ms < 300, timeout=0.5)
    text = str(err.value)
    assert "expected STRIDE matching lambda s: s.gct_ms < 300 within 0.5 s" in text
    assert "STATUS x1" in text and "ACK x1" in text
    assert str(dut.run_dir / "rx.bin") in text and str(dut.run_dir / "frames.jsonl") in text
    assert isinstance(err.value, AssertionError)  # pytest reports it as a failed check


# -- units over loop:// ---------------------------------------------------------------------------


class _Loop(Target):
    """No firmware: bytes written to a loop:// link come straight back."""

    name = "loop"
    description = "pyserial loop:// (unit tests of the code around a link)"

    @classmethod
    def availability(cls) -> Availability:
        return Availability(True)

    def start(self, run_dir: Path) -> str:
        return "loop://"

    def stop(self) -> str:
        return "nothing ran"


STRIDE = {"stride_no": 0, "ic_us": 1000, "tc_us": 200000, "gct_ms": 250.0, "flight_ms": 90.0, "swing_ms": 400.0,
          "stride_ms": 700.0, "cadence_spm": 171.0, "duty_factor": 0.35, "fsa_deg": 12.0, "pronation_deg": 6.0,
          "peak_roll_rate_dps": 300.0, "peak_impact_g": 8.0, "stride_m": 2.1, "speed_mps": 3.0, "strike": "heel",
          "activity": "run", "flags": 0}


@pytest.fixture
def loop_dut(tmp_path: Path):  # type: ignore[no-untyped-def]
    target = _Loop()
    link = Link(target.start(tmp_path), tmp_path)
    yield Dut(target, link, tmp_path)
    link.close()


def _stride(no: int, gct_ms: float) -> dict:
    return {**STRIDE, "stride_no": no, "gct_ms": gct_ms}


def test_expect_passes_over_frames_and_keeps_its_place(loop_dut: Dut) -> None:
    for no, gct in enumerate([320.0, 310.0, 280.0, 290.0]):
        loop_dut.link.write_raw(encode(MsgType.STRIDE, _stride(no, gct), no))
    assert loop_dut.expect("STRIDE", lambda s: s.gct_ms < 300).stride_no == 2
    assert loop_dut.expect("stride").stride_no == 3  # names in any case; search goes on after the match
    assert [f.stride_no for f in loop_dut.received] == [0, 1, 2, 3]


def test_failure_counts_types_and_shows_undecoded_bytes(loop_dut: Dut) -> None:
    link = loop_dut.link
    link.write_raw(encode(MsgType.STRIDE, _stride(0, 320.0), 0) + encode(MsgType.STRIDE, _stride(1, 330.0), 1))
    link.write_raw(encode(MsgType.LOG, {"level": 1, "text": "hi"}, 2))
    bad = bytearray(encode(MsgType.STRIDE, _stride(2, 100.0), 3))
    bad[5] ^= 0xFF
    link.write_raw(bytes(bad) + b"\x11\x22\x33")  # a corrupt frame, then the start of one that never ends
    with pytest.raises(ExpectTimeout) as err:
        loop_dut.expect("STRIDE", lambda s: s.gct_ms < 300, timeout=0.3)
    text = str(err.value)
    assert "3 frame(s): STRIDE x2, LOG x1" in text
    assert "#1 STRIDE seq 1 {stride_no: 1" in text and "gct_ms: 330," in text
    assert "1 frame(s) did not decode" in text and "3 byte(s) of an unfinished frame: 11 22 33" in text
    assert "every byte received is in" in text


def test_expect_sequence_names_the_step_that_did_not_come(loop_dut: Dut) -> None:
    link = loop_dut.link
    link.write_raw(encode(MsgType.STRIDE, _stride(0, 250.0), 0) + encode(MsgType.STRIDE, _stride(1, 260.0), 1))
    with pytest.raises(ExpectTimeout) as err:
        loop_dut.expect_sequence("STRIDE", ("STRIDE", lambda s: s.gct_ms > 255), "SUMMARY", timeout=0.3)
    assert "step 3 of 3, SUMMARY" in str(err.value) and "#1 STRIDE" in str(err.value)
    # a failed sequence moves nothing: the strides are still there to find
    assert [f.stride_no for f in loop_dut.expect_sequence("STRIDE", "STRIDE", timeout=0.3)] == [0, 1]


def test_expect_fault_returns_it_and_any_other_expect_raises(loop_dut: Dut) -> None:
    fault = {"reason": "HARDFAULT", "pc": 0x08001234, "lr": 0x08000567, "cfsr": 0x400, "hfsr": 0, "bfar": 0}
    loop_dut.link.write_raw(encode(MsgType.FAULT, fault, 0))
    assert loop_dut.expect("FAULT").pc == 0x08001234
    loop_dut.link.write_raw(encode(MsgType.FAULT, fault, 1))
    with pytest.raises(FirmwareFault, match="pc=0x08001234"):
        loop_dut.expect("STRIDE", timeout=0.3)


def test_send_builds_any_message_by_name(loop_dut: Dut) -> None:
    seq = loop_dut.send("CMD", op="STATUS")
    assert loop_dut.expect("CMD").op == "STATUS" and loop_dut.received[0].seq == seq
    loop_dut.send("CONFIG", odr_mhz=416000, accel_fs_g=16, gyro_fs_dps=2000, mode="REPLAY")
    cfg = loop_dut.expect("CONFIG")
    assert cfg.session == loop_dut.session and cfg.session != 0
    sample = dict(ax=1, ay=2, az=2048, gx=-4, gy=5, gz=6)
    loop_dut.send("SAMPLE_BATCH", first_index=7, samples=[sample] * 3)  # count is computed
    batch = loop_dut.expect("SAMPLE_BATCH")
    assert batch.count == 3 and batch.samples[2] == sample
    loop_dut.send(MsgType.STRIDE, **_stride(4, 222.5))
    assert math.isclose(loop_dut.expect("STRIDE").gct_ms, 222.5)


@pytest.mark.parametrize("kind, fields, message", [
    ("NOPE", {}, "'NOPE' is no message type of frame_spec; choose one of: CONFIG, SAMPLE_BATCH"),
    ("CMD", {}, "CMD: missing field(s) op; its fields are: op"),
    ("CMD", {"op": "STATUS", "speed": 1}, "CMD: unknown field(s) speed"),
    ("CMD", {"op": "DANCE"}, "CMD op='DANCE' is not one of HELLO, END, RESET, STATUS, FAULT_TEST"),
    ("LOG", {"level": 300, "text": "x"}, "LOG {level: 300, text: 'x'}: cannot build it"),
])
def test_send_refuses_what_frame_spec_cannot_build(loop_dut: Dut, kind: str, fields: dict, message: str) -> None:
    with pytest.raises(RigError) as err:
        loop_dut.send(kind, **fields)
    assert message in str(err.value)
    assert loop_dut.link.tx_seq == 0  # nothing was sent


def test_a_field_that_does_not_exist_is_named(loop_dut: Dut) -> None:
    loop_dut.send("CMD", op="END")
    with pytest.raises(AttributeError, match="a CMD frame has no field 'gct_ms'; its fields: op"):
        loop_dut.expect("CMD", lambda c: c.gct_ms > 0)


@pytest.mark.parametrize("timeout", [math.nan, math.inf, -1.0, "soon", None, True])
def test_a_wait_without_a_bound_is_refused(loop_dut: Dut, timeout: object) -> None:
    """timeout=nan waited for ever (no comparison with NaN ends a wait), inf too."""
    with pytest.raises(RigError, match=r"dut\.expect\(timeout=.*a finite number >= 0"):
        loop_dut.expect("STATUS", timeout=timeout)  # type: ignore[arg-type]
    with pytest.raises(RigError, match=r"dut\.expect_sequence\(timeout=.*a finite number >= 0"):
        loop_dut.expect_sequence("STATUS", timeout=timeout)  # type: ignore[arg-type]


def test_a_dut_used_after_its_test_says_so(loop_dut: Dut) -> None:
    """A dut kept past its test: its link is closed, and a call said 'I/O operation on closed file'."""
    loop_dut.stop("its target was stopped when test_keep ended")
    for call in (lambda: loop_dut.send("CMD", op="STATUS"), lambda: loop_dut.expect("STATUS"),
                 lambda: loop_dut.expect_sequence("STATUS"), lambda: loop_dut.replay("walk")):
        with pytest.raises(RigError, match=r"this dut is over: its target was stopped when test_keep ended"):
            call()


def test_the_dut_fixture_is_over_when_its_test_ends(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        KEPT = []

        def test_keep(dut):
            KEPT.append(dut)

        def test_after(dut):
            KEPT[0].send("CMD", op="STATUS")
    """)
    result = pytester.runpytest("--target", "host", "--runs-dir", str(pytester.path / "runs"))
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*dut.send(): this dut is over: its target was stopped when "
                                 "test_the_dut_fixture_is_over_when_its_test_ends.py::test_keep ended*"])


@pytest.mark.target("host")
def test_run_scenario_beside_the_dut_is_refused_and_leaves_no_firmware_running(pytester: pytest.Pytester) -> None:
    """A test with the dut fixture that called run_scenario passed, but the second start of the same
    target lost the dut's firmware: it ran on after pytest had ended, and its target.txt said 'not started'."""
    pid_file = pytester.path / "firmware.pid"
    pytester.makepyfile(f"""
        from pathlib import Path

        def test_both(dut, run_scenario):
            Path({str(pid_file)!r}).write_text(str(dut.target.pid()))
            run_scenario("standing")
    """)
    runs = pytester.path / "runs"
    result = pytester.runpytest("--target", "host", "--runs-dir", str(runs))
    firmware = int(pid_file.read_text())
    try:
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*RigError: target host is already running, for the run in *test_both-host: "
                                     "a target runs one firmware at a time*dut.replay(name)*"])
        assert not Path(f"/proc/{firmware}").exists()
        (run_dir,) = runs.iterdir()  # the dut's; none for the refused run
        assert "terminated" in (run_dir / "target.txt").read_text()
    finally:
        if Path(f"/proc/{firmware}").exists():
            os.kill(firmware, signal.SIGKILL)


@pytest.mark.target("host", "qemu")
def test_replay_takes_a_recording_csv_by_path(dut: Dut, tmp_path: Path) -> None:
    """dut.replay(Path('run.csv')) failed with "AttributeError: 'PosixPath' object has no attribute 'accel_fs_g'"."""
    csv = tmp_path / "sprint.csv"
    write_recording(synthesize("sprint"), csv)
    result = dut.replay(csv)
    assert dut.expect("SUMMARY").strides == len(result.strides) > 20


@pytest.mark.parametrize("source, seed, message", [
    (None, None, r"dut\.replay\(None\): give a catalog scenario's name \(dut\.replay\('walk'\)\), a recording CSV's path"),
    (42, None, r"dut\.replay\(42\): give a catalog scenario's name"),
    (Path("nowhere.csv"), None, r"nowhere\.csv: cannot read the recording \(No such file or directory\)"),
    (Path("run.csv"), 3, r"dut\.replay\(\.\.\., seed=3\): a seed is for a catalog scenario by name"),
], ids=["none", "number", "missing-file", "seed-with-a-file"])
def test_replay_names_a_source_it_cannot_replay(loop_dut: Dut, source: object, seed: object, message: str) -> None:
    with pytest.raises((RigError, RecordingError), match=message):
        loop_dut.replay(source, seed=seed)  # type: ignore[arg-type]
    assert loop_dut.link.history == []  # nothing was sent
