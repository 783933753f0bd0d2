"""The qemu target end to end: boot, both link modes, parallel instances, port races, faults, hangs, speed.

Run with: python -m pytest --target qemu tests/rig/targets/test_qemu.py
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from frame_spec import MsgType
from frame_spec.messages import Op
from rig.errors import FirmwareFault, LinkTimeout
from rig.inject import to_raw
from rig.link import Link
from rig.progress import ProgressClock
from rig.runner import run_recording
from rig.session import ReplaySession, Timeouts
from rig.symbolize import symbolizer
from rig.targets import qemu as qemu_mod
from rig.targets.base import Target
from rig.build import arm_elf, elf_symbols
from rig.targets.qemu import QemuTarget
from scenarios.model import Recording

pytestmark = pytest.mark.target("qemu")

ODR_HZ = 416.0


def gait_like(seconds: float, seed: int = 0) -> Recording:
    """A periodic foot-like signal with noise: enough to make the analyzer work."""
    n = int(seconds * ODR_HZ)
    t = np.arange(n) / ODR_HZ
    rng = np.random.default_rng(seed)
    acc = np.zeros((n, 3))
    acc[:, 2] = 1.0
    acc[:, 0] = 0.5 * np.sin(2 * np.pi * 1.4 * t)
    gyro = np.zeros((n, 3))
    gyro[:, 1] = 300.0 * np.sin(2 * np.pi * 1.4 * t)
    acc += rng.normal(0.0, 0.05, acc.shape)
    gyro += rng.normal(0.0, 5.0, gyro.shape)
    return Recording(f"gait_like_{seed}", ODR_HZ, t, acc, gyro)


@pytest.fixture
def qemu_ready(rig_target: Target) -> None:
    """Skips with the reason when QEMU or the ARM toolchain is missing (rig_target does)."""


def _hello(target: QemuTarget, run_dir: Path) -> tuple[dict, list[str]]:
    url = target.start(run_dir)
    with Link(url, run_dir) as link:
        hello = ReplaySession(link, Timeouts(hello_s=5), clock=ProgressClock(target.pid)).handshake()
        logs = list(link.logs)
    return hello, logs


@pytest.mark.parametrize("link", ["uart", "bulk"])
def test_boots_and_says_hello(qemu_ready: None, tmp_path: Path, link: str) -> None:
    """The startup time is a benchmark figure (`rig bench`), not asserted here."""
    target = QemuTarget(link=link)
    try:
        hello, _ = _hello(target, tmp_path)
    finally:
        ended = target.stop()
    # bulk input is a host file, which never fills: the image announces more than its receive ring
    assert hello["board"] == "stm32f4" and hello["rx_buffer_bytes"] == (2048 if link == "uart" else 32768)
    assert target.exit_status == 0, ended


def _status(link: Link) -> dict:
    link.send(MsgType.CMD, {"op": Op.STATUS.name})
    for _ in range(20):
        msg = link.receive(2.0)
        if msg is not None and msg.type is MsgType.STATUS:
            return msg.payload
    raise AssertionError("no STATUS came back")


def test_uptime_counts_emulated_milliseconds(qemu_ready: None, tmp_path: Path) -> None:
    """QEMU runs SysTick from a fixed 168 MHz, not the firmware's clock tree: the mailbox says so.

    Causal bounds, not speed: the firmware read its clock for each STATUS between
    sending the request and receiving the answer, and QEMU's clock follows the host's."""
    target = QemuTarget(link="uart")
    try:
        with Link(target.start(tmp_path), tmp_path) as link:
            ReplaySession(link, Timeouts(hello_s=5), clock=ProgressClock(target.pid)).handshake()
            sent_1 = time.monotonic()
            first = _status(link)
            got_1 = time.monotonic()
            time.sleep(0.5)
            sent_2 = time.monotonic()
            second = _status(link)
            got_2 = time.monotonic()
    finally:
        target.stop()
    uptime_ms = second["uptime_ms"] - first["uptime_ms"]
    tick_ms = 10  # SysTick period; the count within a tick fills in between
    # Upper bound: causal. Lower bound: half, since a host too loaded to run QEMU's
    # timer for a whole tick period loses that tick (a wrong clock is off by 10x).
    assert 500 * (sent_2 - got_1) - tick_ms <= uptime_ms <= 1000 * (got_2 - sent_1) + tick_ms, uptime_ms


def test_uart_and_bulk_links_give_the_same_answers(qemu_ready: None, tmp_path: Path) -> None:
    rec = gait_like(12.0, seed=3)
    targets = {mode: QemuTarget(link=mode) for mode in ("uart", "bulk")}
    uart, bulk = (run_recording(targets[mode], rec, tmp_path / mode) for mode in ("uart", "bulk"))
    assert uart.strides and uart.strides == bulk.strides
    assert uart.summary == bulk.summary
    assert not uart.link_problems() and not bulk.link_problems()
    for mode, target in targets.items():
        assert (tmp_path / mode / "rx.bin").stat().st_size > 0
        assert target.exit_status == 0, (tmp_path / mode / "target.txt").read_text()
    assert "ended the emulation after the link closed" in (tmp_path / "bulk" / "target.txt").read_text()


def test_a_minute_of_bulk_replay_arrives_whole(qemu_ready: None, tmp_path: Path) -> None:
    """Every sample of a 60 s replay reaches the analyzer (its speed is a `rig bench` figure)."""
    rec = gait_like(60.0)
    result = run_recording(QemuTarget(link="bulk"), rec, tmp_path)
    assert result.summary is not None and result.summary["duration_s"] == pytest.approx(60.0, abs=0.01)
    assert result.summary["dropped_samples"] == 0 and not result.link_problems()


def test_parallel_instances_each_get_their_own_link(qemu_ready: None, tmp_path: Path) -> None:
    arm_elf()
    n = 4
    targets = [QemuTarget(link="uart") for _ in range(n)]
    hellos: list[dict | None] = [None] * n
    errors: list[BaseException] = []

    def boot(i: int) -> None:
        try:
            hellos[i] = _hello(targets[i], tmp_path / f"q{i}")[0]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=boot, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for target in targets:
        target.stop()
    assert not errors, errors
    assert all(h is not None and h["board"] == "stm32f4" for h in hellos)


def test_port_lost_to_another_process_is_retried(qemu_ready: None, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The race the port scheme must survive: the chosen port is taken before QEMU binds it."""
    squatter = socket.create_server(("127.0.0.1", 0))
    taken = squatter.getsockname()[1]
    handed: list[int] = []
    real = qemu_mod.free_port

    def free_port() -> int:
        handed.append(taken if not handed else real())
        return handed[-1]

    monkeypatch.setattr(qemu_mod, "free_port", free_port)
    target = QemuTarget(link="uart")
    try:
        url = target.start(tmp_path)
        with Link(url, tmp_path) as link:
            hello = ReplaySession(link, Timeouts(hello_s=5), clock=ProgressClock(target.pid)).handshake()
    finally:
        target.stop()
        squatter.close()
    assert hello["board"] == "stm32f4"
    assert len(handed) == 2 and url == f"socket://127.0.0.1:{handed[1]}"


def _await_own_exit(pid: int | None, timeout_s: float) -> None:
    """Wait until the child pid has exited, without reaping it (the target's stop() does)."""
    assert pid is not None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return
        time.sleep(0.01)


@pytest.mark.parametrize("link", ["uart", "bulk"])
def test_crash_sends_fault_frame_naming_pc_and_lr(qemu_ready: None, tmp_path: Path, link: str) -> None:
    elf = arm_elf()
    symbols = elf_symbols(elf)
    target = QemuTarget(link=link)
    url = target.start(tmp_path)
    try:
        with Link(url, tmp_path, symbolize=symbolizer(target.image())) as link_:
            session = ReplaySession(link_, Timeouts(hello_s=5, ack_s=5), clock=ProgressClock(target.pid))
            session.handshake()
            session.configure(to_raw(gait_like(1.0)))
            link_.send(MsgType.CMD, {"op": Op.FAULT_TEST.name})
            with pytest.raises(FirmwareFault) as err:
                for _ in range(50):
                    link_.receive(0.2)
            _await_own_exit(target.pid(), 10.0)  # the fault handler ends QEMU just after its FAULT frame
    finally:
        ended = target.stop()
    msg = str(err.value)
    assert "firmware crashed: TEST at pc=0x" in msg and " lr=0x" in msg and str(tmp_path / "rx.bin") in msg
    fault = [f for f in (tmp_path / "frames.jsonl").read_text().splitlines() if '"FAULT"' in f]
    assert len(fault) == 1
    pc = int(msg.split("pc=0x")[1][:8], 16)
    lr = int(msg.split("lr=0x")[1][:8], 16)
    cfsr = int(msg.split("cfsr=0x")[1][:8], 16)
    bfar = int(msg.split("bfar=0x")[1][:8], 16)
    fault_test = symbols["port_fault_test"]
    assert fault_test <= pc < fault_test + 64, f"pc 0x{pc:08x} is not in port_fault_test (0x{fault_test:08x})"
    assert lr & 1, "lr is a Thumb return address"
    assert cfsr & (1 << 9) and cfsr & (1 << 15), f"expected a precise bus fault with BFAR valid, cfsr=0x{cfsr:08x}"
    assert bfar == 0x2FFF0000
    assert target.exit_status == 3 and "faulted" in ended
    # symbolized from the image's ELF: the function, file and line of PC and LR
    assert err.value.where["pc"].startswith("port_fault_test+0x") and "ports/stm32f4/main.c:" in err.value.where["pc"]
    assert f"pc 0x{pc:08x}: port_fault_test+0x" in msg and f"lr 0x{lr:08x}: " in msg and " at firmware_c/" in msg


def test_hung_firmware_is_killed_at_the_timeout_with_capture_kept(qemu_ready: None, tmp_path: Path) -> None:
    target = QemuTarget(link="bulk", fault_test_hangs=True, end_timeout_s=0.5)
    url = target.start(tmp_path)
    try:
        with Link(url, tmp_path) as link:
            session = ReplaySession(link, Timeouts(hello_s=5, ack_s=1.0))
            session.handshake()
            link.send(MsgType.CMD, {"op": Op.FAULT_TEST.name})
            with pytest.raises(LinkTimeout, match=r"did not send ACK of CONFIG .* within 1 s") as err:
                session.configure(to_raw(gait_like(1.0)))
    finally:
        ended = target.stop()
    assert str(tmp_path / "rx.bin") in str(err.value)
    assert (tmp_path / "rx.bin").read_bytes(), "the capture keeps what came before the hang (HELLO)"
    assert "did not end within 0.5 s" in ended and "terminated" in ended
    assert "QEMU stderr" in ended


def test_failed_start_reports_qemu_status_and_stderr(qemu_ready: None, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qemu_mod, "MACHINE_CFG", tmp_path / "missing.cfg")
    with pytest.raises(Exception, match=r"(?s)qemu-system-arm failed to start: .*exit status 1.*stderr: .*missing\.cfg"):
        QemuTarget().start(tmp_path)


@pytest.mark.parametrize("send_first", [False, True])
def test_link_closed_before_reading_ends_the_firmware(qemu_ready: None, tmp_path: Path, send_first: bool) -> None:
    """The firmware's USART drops a byte that comes before it is enabled: the relay holds LINK_CLOSED
    until the firmware has spoken, so the firmware ends the emulation itself every time."""
    target = QemuTarget(link="bulk")
    for i in range(4):
        run_dir = tmp_path / f"run{i}"
        link = Link(target.start(run_dir), run_dir)
        if send_first:
            link.send(MsgType.CMD, {"op": Op.STATUS.name})
        link.close()
        ended = target.stop()
        assert target.exit_status == 0 and "did not end" not in ended, ended


def test_target_stopped_before_any_link_is_not_waited_for(qemu_ready: None, tmp_path: Path) -> None:
    target = QemuTarget(link="bulk")
    target.start(tmp_path)
    ended = target.stop()
    assert "nothing ever connected" in ended and "did not end" not in ended, ended


def test_a_signal_while_qemu_starts_leaves_no_qemu_behind(qemu_ready: None, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A SIGTERM or Ctrl-C after QEMU was launched but before its link port was open (the boot)
    left qemu-system-arm running after the rig had exited, waiting for its link for ever, and
    target.txt said 'qemu was not started'."""
    launched: list[int] = []
    wait_for_listen = QemuTarget._await_listen

    def interrupted(self: QemuTarget, proc, port: int, log: Path) -> bool:  # noqa: ANN001
        launched.append(proc.proc.pid)
        assert wait_for_listen(self, proc, port, log)
        raise KeyboardInterrupt("SIGTERM")  # as rig.cli's handler raises it

    monkeypatch.setattr(QemuTarget, "_await_listen", interrupted)
    target = QemuTarget(link="bulk")
    with pytest.raises(KeyboardInterrupt):
        target.start(tmp_path)
    ended = target.stop()
    (pid,) = launched
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    assert ended.startswith("qemu was stopped while starting (KeyboardInterrupt): qemu-system-arm terminated"), ended


def _stopped_mid_run(target: QemuTarget, tmp_path: Path, stop_s: float | None, timeouts: Timeouts):
    """Replay 20 s of gait on QEMU; a quarter of the way in, stop QEMU with SIGSTOP for stop_s seconds
    (None: for ever) as a stalling machine would. Returns run_recording's result."""
    stopped: list[int] = []

    def progress(sent: int, total: int, hz: float) -> None:
        pid = target.pid()
        if stopped or pid is None or sent < total // 4:
            return
        stopped.append(pid)
        os.kill(pid, signal.SIGSTOP)
        if stop_s is not None:
            threading.Timer(stop_s, os.kill, (pid, signal.SIGCONT)).start()

    try:
        return run_recording(target, gait_like(20.0), tmp_path, timeouts, progress=progress)
    finally:
        assert stopped, "QEMU was stopped mid-run"


def test_a_qemu_stopped_longer_than_the_ack_wait_gets_the_same_verdict(qemu_ready: None, tmp_path: Path) -> None:
    """A machine that stalls QEMU for 3 s mid-run (SIGSTOP, then SIGCONT) is no firmware that does
    not answer: with a 1 s wait for each ACK the run ends as the same run without the stall."""
    timeouts = Timeouts(hello_s=5, ack_s=1.0, summary_s=2.0)
    calm = run_recording(QemuTarget(link="bulk"), gait_like(20.0), tmp_path / "calm", timeouts)
    stalled = _stopped_mid_run(QemuTarget(link="bulk"), tmp_path / "stalled", 3.0, timeouts)
    assert stalled.wall_s > 3.0
    assert stalled.summary == calm.summary and stalled.strides == calm.strides
    assert not stalled.link_problems()


def test_a_qemu_stopped_for_ever_ends_the_wait_and_says_so(qemu_ready: None, tmp_path: Path) -> None:
    """Stopped and never continued, QEMU still ends the run: the wait is charged 1/STARVED_FLOOR of
    the wall time while the host holds it stopped, and the message says it was."""
    t0 = time.monotonic()
    target = QemuTarget(link="bulk", end_timeout_s=0.5)
    with pytest.raises(LinkTimeout, match=r"did not send ACK of SAMPLE_BATCH .* within 0\.2 s .*while the host "
                                          r"held it stopped") as err:
        _stopped_mid_run(target, tmp_path, None, Timeouts(hello_s=5, ack_s=0.2, summary_s=2.0))
    # the ACK's wait, then stop()'s wait for the firmware to end by itself, both at 1/STARVED_FLOOR
    assert time.monotonic() - t0 < (0.2 + 0.5) * ProgressClock.STARVED_FLOOR + 20.0
    assert "did not end within 0.5 s" in str(err.value) and "terminated" in str(err.value)


def test_a_full_disk_under_the_bulk_link_is_named(qemu_ready: None, tmp_path: Path) -> None:
    """The bulk relay appends the bytes for the firmware to a file of the run directory: on a full file system its
    write failed, the relay closed the link, and the run ended 'reading from socket://127.0.0.1:PORT failed: read
    failed: socket disconnected', the disk named only in the target's account. It now ends as every capture
    that cannot be written does (rig.errors.CaptureError), naming the file."""
    from rig.errors import CaptureError

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / qemu_mod.RX_FILE).symlink_to("/dev/full")  # the firmware's input file, on a full file system
    with pytest.raises(CaptureError) as err:
        run_recording(QemuTarget(link="bulk"), gait_like(2.0), run_dir)
    said = str(err.value)
    assert said.startswith("cannot write the run's capture /dev/full (No space left on device)"), said
    assert "target: " in said and (run_dir / "target.txt").read_text().strip()


def test_a_full_disk_as_qemu_starts_is_named_and_leaves_no_fifo(qemu_ready: None, tmp_path: Path) -> None:
    """QEMU's start on a full file system (its boot mailbox not written) ended rig run with 'rig run: error: [Errno
    28] No space left on device', naming no file, and left the bulk output FIFO in the run directory, where
    whatever opens it to read (an archiver, a copy) hangs."""
    from rig.errors import CaptureError

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "qemu-mailbox.bin").symlink_to("/dev/full")
    with pytest.raises(CaptureError) as err:
        run_recording(QemuTarget(link="bulk"), gait_like(1.0), run_dir)
    said = str(err.value)
    assert said.startswith(f"cannot write the run's capture {run_dir / 'qemu-mailbox.bin'} (No space left on "
                           "device)"), said
    assert not (run_dir / qemu_mod.TX_FIFO).exists()
    assert (run_dir / "target.txt").read_text().strip()
