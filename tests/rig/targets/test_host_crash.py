"""A host firmware that crashes during a replay reports the crash to the rig on every link."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest

from frame_spec import MsgType
from frame_spec.messages import Op
from rig.errors import FirmwareFault
from rig.inject import to_raw
from rig.link import Link
from rig.session import ReplaySession, Timeouts
from rig.targets.host import HostTarget
from tests.rig.targets.test_host import still_recording

pytestmark = pytest.mark.target("host")


@pytest.mark.parametrize("tcp", [False, True], ids=["pty", "tcp"])
def test_fault_test_command_reports_a_fault(tmp_path: Path, tcp: bool) -> None:
    target = HostTarget(tcp=tcp)
    url = target.start(tmp_path)
    try:
        with Link(url, tmp_path) as link:
            ReplaySession(link, Timeouts(hello_s=5)).handshake()
            link.send(MsgType.CMD, {"op": Op.FAULT_TEST.name})
            with pytest.raises(FirmwareFault, match=r"firmware crashed: TEST at pc=0x[0-9a-f]{8}"):
                for _ in range(20):
                    link.receive(1.0)
    finally:
        target.stop()


@pytest.mark.parametrize("tcp", [False, True], ids=["pty", "tcp"])
def test_sigsegv_during_a_replay_reaches_the_rig(tmp_path: Path, tcp: bool) -> None:
    """SIGSEGV sent to the process in the middle of a replay: the replay ends in FirmwareFault."""
    target = HostTarget(tcp=tcp)
    url = target.start(tmp_path)
    proc = target._proc
    assert proc is not None
    try:
        with Link(url, tmp_path) as link:
            session = ReplaySession(link, Timeouts(hello_s=5, ack_s=5, summary_s=5))
            session.handshake()
            original = link.send_samples  # the session sends every SAMPLE_BATCH through it
            sent = [0]

            def send_then_crash(first_index: int, counts: np.ndarray) -> int:
                seq = original(first_index, counts)
                sent[0] += 1
                if sent[0] == 20:  # at once: the replay may well be over within 50 ms
                    os.kill(proc.proc.pid, signal.SIGSEGV)
                return seq

            link.send_samples = send_then_crash  # type: ignore[method-assign]
            with pytest.raises(FirmwareFault, match=r"firmware crashed: (TEST|HARDFAULT)"):
                session.run(to_raw(still_recording(120.0)))
    finally:
        target.stop()
    assert '"type": "FAULT"' in (tmp_path / "frames.jsonl").read_text()
