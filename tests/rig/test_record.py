"""`rig record`: the firmware's raw mode streams its sensor into a recording CSV that replays and plots.
Real ptys and sockets: the host build and the QEMU image with their synthetic sensor."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from rig.cli import main
from rig.inject import ACCEL_G_PER_LSB, GYRO_DPS_PER_LSB
from rig.record import record
from rig.targets.host import HostTarget
from rig.targets.qemu import QemuTarget
from scenarios.recording_csv import read_recording


def tri(i: np.ndarray, period: int, amp: int) -> np.ndarray:
    """The synthetic sensor's triangle (synth_sensor.h), in the same unsigned integer arithmetic."""
    u = (4 * amp * (i % period)) // period
    return np.where(u <= 2 * amp, u - amp, 3 * amp - u)


def synth_counts(index: np.ndarray) -> np.ndarray:
    i = index.astype(np.int64)
    return np.column_stack([tri(i, 400, 3000), tri(i + 100, 700, 1000), 2049 + tri(i, 400, 2000),
                            tri(i, 550, 4000), tri(i + 50, 400, 8000), tri(i, 900, 1500)])


def recorded_counts(csv: Path) -> tuple[np.ndarray, np.ndarray]:
    rec = read_recording(csv)
    index = np.rint(rec.t_s * rec.odr_hz).astype(np.int64)
    counts = np.column_stack([np.rint(rec.acc_g / ACCEL_G_PER_LSB[16]), np.rint(rec.gyro_dps / GYRO_DPS_PER_LSB[2000])])
    return index, counts.astype(np.int64)


def raw_samples_in_capture(run_dir: Path) -> int:
    frames = [json.loads(line) for line in (run_dir / "frames.jsonl").read_text().splitlines()]
    return sum(len(f["payload"]["samples"]) for f in frames if f.get("type") == "RAW_BATCH")


def check_recording(csv: Path, run_dir: Path, at_least_s: float) -> None:
    index, counts = recorded_counts(csv)
    assert index[0] == 0 and np.all(np.diff(index) == 1), "every sample, none lost, none twice"
    assert len(index) >= at_least_s * 416
    assert np.array_equal(counts, synth_counts(index)), "each row is the sensor's sample"
    assert raw_samples_in_capture(run_dir) == len(index), "every sample received is in the file"


@pytest.mark.target("host")
def test_record_from_the_host_build(tmp_path: Path) -> None:
    fw = HostTarget(synth_sensor=True)
    (tmp_path / "fw").mkdir()
    url = fw.start(tmp_path / "fw")
    try:
        result = record(url, tmp_path / "walk.csv", tmp_path / "run", duration_s=2.0, progress=None)
    finally:
        fw.stop()
    assert result.stopped_by == "duration" and result.dropped == 0 and result.seq_gaps == 0
    assert result.hello["board"] == "host" and result.duration_s >= 2.0
    check_recording(tmp_path / "walk.csv", tmp_path / "run", 2.0)


@pytest.mark.target("qemu")
def test_record_from_the_qemu_image_and_replay_it_there(tmp_path: Path) -> None:
    qemu = QemuTarget(synth_sensor=True, link="uart")
    if not qemu.usable().ok:
        pytest.skip(qemu.usable().reason)
    url = qemu.start(tmp_path / "run")
    try:
        result = record(url, tmp_path / "walk.csv", tmp_path / "run", duration_s=2.0, progress=None, pid=qemu.pid)
    finally:
        qemu.stop()
    assert result.hello["board"] == "stm32f4" and result.dropped == 0
    check_recording(tmp_path / "walk.csv", tmp_path / "run", 2.0)
    assert main(["replay", str(tmp_path / "walk.csv"), "--target", "qemu", "--json", str(tmp_path / "q.json"),
                 "--runs-dir", str(tmp_path / "runs")]) == 0
    assert json.loads((tmp_path / "q.json").read_text())["summary"]["duration_s"] == pytest.approx(
        result.duration_s, abs=0.01)


def _rig(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "rig", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.target("host")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_recording_and_keeps_every_sample(tmp_path: Path, sig: signal.Signals) -> None:
    out = tmp_path / "run.csv"
    proc = _rig("record", "--target", "host", "--out", str(out), "--runs-dir", "runs", cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 600):
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert f"stopped by {'Ctrl-C' if sig == signal.SIGINT else sig.name}" in stdout
    assert "recording:" in stderr and "samples/s" in stderr, "live progress"
    (run_dir,) = (tmp_path / "runs").iterdir()
    check_recording(out, run_dir, 1.0)


@pytest.mark.target("host")
def test_progress_into_a_log_is_plain_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress written to a file or a CI log (not a terminal) is a line each, never a line of carriage returns."""
    monkeypatch.setattr("rig.record.PROGRESS_LOG_EVERY_S", 1.0, raising=False)
    log = tmp_path / "progress.log"
    fw = HostTarget(synth_sensor=True)
    (tmp_path / "fw").mkdir()
    url = fw.start(tmp_path / "fw")
    try:
        with log.open("w") as progress:
            record(url, tmp_path / "walk.csv", tmp_path / "run", duration_s=3.0, progress=progress)
    finally:
        fw.stop()
    text = log.read_bytes().decode()  # as written: read_text() would turn a carriage return into a newline
    assert "\r" not in text
    lines = text.splitlines()
    assert len(lines) >= 3 and all(line.startswith("recording: ") for line in lines), lines
    rows = len(read_recording(tmp_path / "walk.csv").t_s)
    assert lines[-1].split()[1] == str(rows), "the last line counts every sample"


@pytest.mark.target("host")
def test_the_recording_replays_and_plots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "walk.csv"
    assert main(["record", "--target", "host", "--out", str(csv), "--duration", "1.5",
                 "--runs-dir", str(tmp_path / "runs")]) == 0
    assert "0 dropped" in capsys.readouterr().out
    assert main(["replay", str(csv), "--target", "host", "--json", str(tmp_path / "r.json"),
                 "--runs-dir", str(tmp_path / "runs")]) == 0
    summary = json.loads((tmp_path / "r.json").read_text())["summary"]
    assert summary["duration_s"] == pytest.approx(len(read_recording(csv).t_s) / 416, abs=0.01)
    assert main(["plot", str(csv), "--png", str(tmp_path / "walk.png")]) == 0
    assert (tmp_path / "walk.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.target("host")
@pytest.mark.parametrize("args, words", [
    (["--target", "host", "--duration", "0"], "--duration 0.0: give a positive number of seconds"),
    (["--target", "host", "--port", "/dev/ttyACM0"], "--port, --place and --board-profile are for --target board"),
    (["--target", "board", "--port", "/nonexistent/ttyACM7"], "no such serial port"),
])
def test_bad_record_options(tmp_path: Path, args: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["record", "--out", str(tmp_path / "x.csv"), "--runs-dir", str(tmp_path / "runs"), *args]) == 2
    assert words in capsys.readouterr().err


@pytest.mark.target("host")
def test_a_recording_that_cannot_be_written_names_its_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """rig record --out on a full file system (here the kernel's full device) ended with
    'rig record: error: [Errno 28] No space left on device', naming no file."""
    code = main(["record", "--target", "host", "--out", "/dev/full", "--duration", "1",
                 "--runs-dir", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    assert code == 2
    assert "--out /dev/full: cannot write the recording (No space left on device)" in err, err


def test_a_sample_index_that_jumps_beyond_any_recording_is_refused(tmp_path: Path) -> None:
    """A RAW_BATCH whose first_index jumped 2,000,000,000 samples ahead (a corrupt index, a sensor that
    restarted its count) was counted as 2e9 dropped samples: rig record wrote a 55-day gap after 1.4 s,
    ended 'stopped by duration' with exit 0, and rig replay then refused the recording it wrote."""
    from types import SimpleNamespace

    from frame_spec import Message, MsgType
    from rig.errors import RigError
    from rig.record import Recorder, _Csv

    csv = _Csv(tmp_path / "rec.csv", 416.0, "a test")
    rec = Recorder(SimpleNamespace(url="/dev/ttyACM0"), csv, 416.0)  # type: ignore[arg-type]
    sample = {"ax": 0, "ay": 0, "az": 2048, "gx": 0, "gy": 0, "gz": 0}

    def batch(first: int) -> Message:
        return Message(MsgType.RAW_BATCH, 0, {"first_index": first, "samples": [sample] * 32})

    rec._take(batch(0))
    rec._take(batch(32 + 416 * 2000))  # 2000 s of samples lost: a gap a recording may have
    with pytest.raises(RigError, match=r"sent sample 2000832064 after 832063: its sample index jumped 4\.8\d+e\+06 s "
                                       r"of sensor time ahead, more than the 2147 s a recording may skip"):
        rec._take(batch(832064 + 2_000_000_000))
    csv.close()
    assert rec.dropped == 416 * 2000 and rec.samples == 64


@pytest.mark.parametrize("samples", [0, 1])
def test_a_recording_stopped_before_its_samples_is_refused_and_leaves_no_file(tmp_path: Path, samples: int,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C before the board sent its first sample (a sensor slow to start, a wrong board) ended with exit 0,
    'stopped by Ctrl-C', and left --out holding the CSV header alone, which rig replay and rig plot refuse."""
    import contextlib

    from rig import record as rec_mod
    from rig.errors import RigError

    def collect(self: rec_mod.Recorder, duration_s: float | None, stop: object) -> None:
        sample = {"ax": 0, "ay": 0, "az": 2048, "gx": 0, "gy": 0, "gz": 0}
        if samples:
            self.csv.write(0, [sample] * samples)
            self.samples = samples

    def asked_to_stop(self: rec_mod._StopRequests) -> rec_mod._StopRequests:
        self.by = "Ctrl-C"  # the signal came before any sample
        return self

    monkeypatch.setattr(rec_mod, "Link", lambda *args, **kwargs: contextlib.nullcontext(None))
    monkeypatch.setattr(rec_mod.Recorder, "start", lambda self: {"board": "stm32f4"})
    monkeypatch.setattr(rec_mod.Recorder, "collect", collect)
    monkeypatch.setattr(rec_mod.Recorder, "stop", lambda self: None)
    monkeypatch.setattr(rec_mod._StopRequests, "__enter__", asked_to_stop)
    out = tmp_path / "run.csv"
    with pytest.raises(RigError) as err:
        record("/dev/ttyACM0", out, tmp_path / "run", progress=None)
    said = str(err.value)
    got = "any sample" if samples == 0 else "a second sample"
    assert said.startswith(f"--out {out}: stopped by Ctrl-C before the firmware sent {got}, so there is no "
                           "recording"), said
    assert not out.exists()


def test_a_recording_that_gets_no_sample_leaves_the_file_there_as_it_was(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """rig record --out walk.csv over an earlier recording emptied it at once: a board that then never
    streamed (or Ctrl-C before its first sample) lost the earlier recording for a header, or for nothing."""
    import contextlib

    from rig import record as rec_mod
    from rig.errors import RigError

    def asked_to_stop(self: rec_mod._StopRequests) -> rec_mod._StopRequests:
        self.by = "Ctrl-C"
        return self

    monkeypatch.setattr(rec_mod, "Link", lambda *args, **kwargs: contextlib.nullcontext(None))
    monkeypatch.setattr(rec_mod.Recorder, "start", lambda self: {"board": "stm32f4"})
    monkeypatch.setattr(rec_mod.Recorder, "collect", lambda self, duration_s, stop: None)
    monkeypatch.setattr(rec_mod.Recorder, "stop", lambda self: None)
    monkeypatch.setattr(rec_mod._StopRequests, "__enter__", asked_to_stop)
    out = tmp_path / "walk.csv"
    out.write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n0,0,0,1,0,0,0\n0.0024,0,0,1,0,0,0\n")
    before = out.read_bytes()
    with pytest.raises(RigError, match="before the firmware sent any sample"):
        record("/dev/ttyACM0", out, tmp_path / "run", progress=None)
    assert out.read_bytes() == before


def test_a_recording_ends_at_the_samples_a_recording_may_hold(tmp_path: Path) -> None:
    """rig record without --duration went on past the 2^23 samples a recording may hold (21 minutes at 6667 Hz)
    until Ctrl-C: the file it left was one rig replay, rig plot and rig bench refuse. It now ends there."""
    from types import SimpleNamespace

    from frame_spec import Message, MsgType
    from rig.record import Recorder, _Csv

    sample = {"ax": 0, "ay": 0, "az": 2048, "gx": 0, "gy": 0, "gz": 0}
    sent = iter(range(0, 10_000, 32))

    def receive(timeout_s: float) -> Message:
        return Message(MsgType.RAW_BATCH, 0, {"first_index": next(sent), "samples": [sample] * 32})

    csv = _Csv(tmp_path / "rec.csv", 416.0, "a test")
    rec = Recorder(SimpleNamespace(url="/dev/ttyACM0", receive=receive), csv, 416.0)  # type: ignore[arg-type]
    rec.limit = 100
    rec.collect(None)  # no --duration, no signal: it ends by itself
    rec._take(receive(0.1))  # a batch sent before END was acknowledged
    csv.close()
    assert rec.full and rec.samples == 100 and rec.dropped == 0
    assert len(read_recording(tmp_path / "rec.csv").t_s) == 100


def test_a_firmware_that_streams_on_and_never_acknowledges_end_ends_the_recording(tmp_path: Path) -> None:
    """A firmware that ignores END and streams on (a batch every 77 ms at 416 Hz) held rig record --duration 2
    for ever: the wait for END's ACK was charged only while no frame came. It now ends within its bound."""
    from types import SimpleNamespace

    from frame_spec import Message, MsgType
    from rig.errors import LinkTimeout
    from rig.progress import ProgressClock
    from rig.record import STALL_S, Recorder, _Csv

    class Ticking(ProgressClock):
        """Each look at the clock is 0.1 s of the target's progress (no wall clock in the test)."""

        def __init__(self) -> None:
            super().__init__(lambda: None)
            self.now = 0.0

        def start(self) -> None:
            self.now = 0.0

        def charged(self) -> float:
            self.now += 0.1
            return self.now

    sample = {"ax": 0, "ay": 0, "az": 2048, "gx": 0, "gy": 0, "gz": 0}
    sent = iter(range(0, 10_000_000, 32))
    looks = []

    def receive(timeout_s: float) -> Message:
        looks.append(timeout_s)
        assert len(looks) < 10_000, "the wait for END's ACK never ended"
        return Message(MsgType.RAW_BATCH, 0, {"first_index": next(sent), "samples": [sample] * 32})

    link = SimpleNamespace(url="socket://127.0.0.1:9", receive=receive, send=lambda *a: 7, capture=tmp_path / "rx.bin")
    csv = _Csv(tmp_path / "rec.csv", 416.0, "a test")
    rec = Recorder(link, csv, 416.0, clock=Ticking())  # type: ignore[arg-type]
    rec.session.acked = lambda seq: False  # type: ignore[method-assign]
    with pytest.raises(LinkTimeout, match=rf"did not acknowledge END within {STALL_S:g} s \(it sent \d+ samples "
                                          r"meanwhile\); \d+ samples are kept"):
        rec.stop()
    csv.close()


def test_a_link_that_fails_mid_stream_says_the_rows_written_are_kept(tmp_path: Path) -> None:
    """A link that failed mid-recording (a board unplugged, its socket closed) ended 'reading from URL failed:
    ...', with no word of the recording: the rows already written are kept, whole, in --out."""
    import socket

    from frame_spec import Message, MsgType
    from rig.errors import LinkError
    from tests.rig.fake_board import FakeBoard

    sample = {"ax": 0, "ay": 0, "az": 2048, "gx": 0, "gy": 0, "gz": 0}

    def stream_then_hang_up(board: FakeBoard, msg: Message) -> bool:
        if msg.type is not MsgType.CONFIG:
            return False
        board.ack(msg)
        for k in range(3):
            board.send(MsgType.RAW_BATCH, {"first_index": 32 * k, "samples": [sample] * 32})
        time.sleep(0.3)
        assert board._conn is not None
        board._conn.shutdown(socket.SHUT_RDWR)  # the board gone mid-stream
        return True

    out = tmp_path / "rec.csv"
    with FakeBoard(on_frame=stream_then_hang_up) as board:
        with pytest.raises(LinkError) as err:
            record(board.url, out, tmp_path / "run", duration_s=10.0, progress=None)
    said = str(err.value)
    first = said.splitlines()[0]
    assert first.endswith(f"; the 96 rows written before are kept in {out}"), said
    assert f"every byte received is in {tmp_path / 'run' / 'rx.bin'}" in said, said
    assert len(read_recording(out).t_s) == 96
