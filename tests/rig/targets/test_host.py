"""The host target end to end over real pseudo-terminals and sockets: protocol, corruption, faults, timeouts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from frame_spec import MsgType, decode, encode
from frame_spec.messages import Op
from rig.errors import FirmwareFault, LinkError, LinkTimeout
from rig.inject import to_raw
from rig.link import Link
from rig.records import RunResult
from rig.session import ReplaySession, Timeouts
from rig.build import REPO
from rig.targets.host import HostTarget
from scenarios.model import Recording
from tests.rig.proxy import CorruptingProxy, flip_first

pytestmark = pytest.mark.target("host")


def still_recording(seconds: float = 5.0, odr_hz: float = 416.0) -> Recording:
    n = int(seconds * odr_hz)
    acc = np.zeros((n, 3))
    acc[:, 2] = 1.0
    return Recording("still", odr_hz, np.arange(n) / odr_hz, acc, np.zeros((n, 3)))


@pytest.fixture
def host_tcp(tmp_path: Path):
    target = HostTarget(tcp=True)
    url = target.start(tmp_path)
    yield url
    target.stop()


def test_replay_over_pty_round_trip(tmp_path: Path) -> None:
    target = HostTarget()
    url = target.start(tmp_path)
    try:
        assert url.startswith("/dev/")
        with Link(url, tmp_path) as link:
            result = ReplaySession(link).run(to_raw(still_recording()))
    finally:
        target.stop()
    assert result.hello["board"] == "host" and result.hello["protocol"] == 2
    assert result.summary is not None
    # Nothing the firmware sent before the rig opened the pty is lost: the capture
    # starts with its very first frame, the boot HELLO (seq 0).
    first = (tmp_path / "frames.jsonl").read_text().splitlines()[0]
    assert first.startswith('{"type": "HELLO", "seq": 0,')
    assert result.summary["duration_s"] == pytest.approx(5.0, abs=0.01)
    assert result.summary["strides"] == 0 and result.strides == []
    assert not result.link_problems()
    assert (tmp_path / "rx.bin").stat().st_size > 0


@pytest.mark.parametrize("victim", ["SUMMARY", "ACK"])
def test_corrupt_frame_is_reported_not_parsed(tmp_path: Path, host_tcp: str, victim: str) -> None:
    host, port = host_tcp.removeprefix("socket://").split(":")
    with CorruptingProxy((host, int(port)), flip_first(victim)) as proxy, \
            Link(f"socket://127.0.0.1:{proxy.port}", tmp_path) as link:
        session = ReplaySession(link, Timeouts(hello_s=5, ack_s=2, summary_s=2))
        with pytest.raises(LinkTimeout, match=r"1 corrupt frame\(s\) dropped, the last: (CRC mismatch|bad COBS)") as err:
            session.run(to_raw(still_recording(1.0)))
        assert len(link.frame_errors) == 1
    assert proxy.corrupted == 1
    assert str(tmp_path / "rx.bin") in str(err.value)
    # The corrupt bytes are kept in the capture, exactly as received.
    assert (tmp_path / "frames.jsonl").read_text().count('"error"') == 1


def test_corrupt_host_frame_is_counted_by_firmware(tmp_path: Path, host_tcp: str) -> None:
    with Link(host_tcp, tmp_path) as link:
        session = ReplaySession(link, Timeouts(hello_s=3))
        session.handshake()
        good = encode(MsgType.CMD, {"op": Op.STATUS.name}, 1)
        bad = bytearray(good)
        bad[3] ^= 0x21
        link.write_raw(bytes(bad))
        link.write_raw(encode(MsgType.CMD, {"op": Op.STATUS.name}, 2))
        status = None
        for _ in range(20):
            msg = link.receive(2.0)
            assert msg is not None, "no STATUS came back"
            if msg.type is MsgType.STATUS:
                status = msg.payload
                break
    assert status is not None
    assert status["rx_bad_frames"] == 1
    assert any("corrupt frame" in text for text in link.logs)


def test_crash_sends_fault_frame(tmp_path: Path, host_tcp: str) -> None:
    with Link(host_tcp, tmp_path) as link:
        ReplaySession(link, Timeouts(hello_s=3)).handshake()
        link.send(MsgType.CMD, {"op": Op.FAULT_TEST.name})
        with pytest.raises(FirmwareFault, match=r"firmware crashed: TEST at pc=0x[0-9a-f]{8}"):
            for _ in range(10):
                link.receive(2.0)


def test_silent_firmware_times_out_with_capture(tmp_path: Path) -> None:
    """A peer (its own process) that accepts and sends only noise: the wait ends, naming what came."""
    peer = subprocess.Popen([sys.executable, "-c", BABBLER], stdout=subprocess.PIPE, text=True)
    try:
        assert peer.stdout is not None
        port = int(peer.stdout.readline())
        with Link(f"socket://127.0.0.1:{port}", tmp_path) as link:
            with pytest.raises(LinkTimeout, match="did not send HELLO within 2 s.*unfinished frame: 01 02") as err:
                ReplaySession(link, Timeouts(hello_s=2.0)).handshake()
    finally:
        peer.kill()
        peer.wait(5)
    assert "rx.bin" in str(err.value)
    assert (tmp_path / "rx.bin").read_bytes() == b"\x01\x02garbage"


BABBLER = """
import socket, sys, time
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
conn, _ = server.accept()
conn.sendall(b"\\x01\\x02garbage")
time.sleep(30)
"""


def test_missing_port_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LinkError, match=r"(?s)cannot open the link '/dev/ttyNOPE0'.*check that the port exists"):
        Link("/dev/ttyNOPE0", tmp_path)


def _golden_wire(msg_type: str) -> bytes:
    vectors = json.loads((REPO / "frame_spec" / "golden_vectors.json").read_text())
    return bytes.fromhex(next(v["wire"] for v in vectors if v["type"] == msg_type))


def _replay_through(tmp_path: Path, host_tcp: str, mutate: Callable[[bytes], bytes]) -> RunResult:
    """Replay 2 s of stillness with every firmware frame passed through mutate on its way."""
    host, port = host_tcp.removeprefix("socket://").split(":")
    with CorruptingProxy((host, int(port)), mutate) as proxy, \
            Link(f"socket://127.0.0.1:{proxy.port}", tmp_path) as link:
        return ReplaySession(link).run(to_raw(still_recording(2.0)))


def test_frames_left_from_an_earlier_run_are_not_taken_as_this_runs(tmp_path: Path, host_tcp: str) -> None:
    """A STRIDE and a SUMMARY still in the port's buffer when the rig connects: captured, not counted."""
    stale = _golden_wire("STRIDE") + _golden_wire("SUMMARY")
    first = [True]

    def prepend_stale(frame: bytes) -> bytes:
        if first[0]:
            first[0] = False
            return stale + frame
        return frame

    result = _replay_through(tmp_path, host_tcp, prepend_stale)
    assert result.stale_frames == 2
    assert result.notes() and "2 STRIDE/SUMMARY frame(s) from before this run's CONFIG" in result.notes()[0]
    assert result.restarts == 0 and not result.link_problems(), "the boot HELLO after them is no gap"
    assert result.strides == []
    assert result.summary is not None and result.summary["strides"] == 0
    assert result.summary["duration_s"] == pytest.approx(2.0, abs=0.01)
    assert (tmp_path / "rx.bin").read_bytes().startswith(stale)


def test_a_firmware_restart_during_the_run_fails_it(tmp_path: Path, host_tcp: str) -> None:
    """A boot HELLO (seq 0) after CONFIG means the analyzer's state was lost: the run names it."""
    boot_hello = encode(MsgType.HELLO, {"protocol": 2, "fw_major": 0, "fw_minor": 1, "fw_patch": 0, "max_batch": 32,
                                        "rx_buffer_bytes": 2048, "board": "host"}, 0)
    acks = [0]

    def reboot_after_second_ack(frame: bytes) -> bytes:
        if decode(frame[:-1]).type is MsgType.ACK:
            acks[0] += 1
            if acks[0] == 2:  # CONFIG, then the first SAMPLE_BATCH
                return frame + boot_hello
        return frame

    result = _replay_through(tmp_path, host_tcp, reboot_after_second_ack)
    assert result.restarts == 1
    assert any("restarted 1 time(s) during the run" in p for p in result.link_problems())
