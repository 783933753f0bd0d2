"""The `dut` fixture: a started firmware with its link open, on whichever target the session runs."""

from __future__ import annotations

import pytest

from frame_spec import MsgType
from frame_spec.messages import Op
from rig.session import ReplaySession


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
