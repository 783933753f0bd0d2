"""The board target through a real network serial server: ser2net speaking RFC 2217 in front of the firmware."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from rig.runner import run_recording
from rig.targets.sockets import process_listens
from rig.targets.board import BoardTarget
from rig.targets.host import HostTarget
from tests.rig.targets.test_host import still_recording

pytestmark = [
    pytest.mark.target("host"),
    pytest.mark.skipif(shutil.which("ser2net") is None, reason="ser2net not installed: apt-get install ser2net"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(pid: int, port: int, timeout_s: float) -> None:
    # Never probe by connecting: a probe could land on another test's server that took the port.
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process_listens(pid, port):
            return
        time.sleep(0.05)
    raise TimeoutError(f"ser2net did not listen on {port} within {timeout_s} s")


@pytest.fixture
def ser2net_board(tmp_path: Path):
    """The host firmware's pty served by ser2net as an RFC 2217 port; yields the board URL."""
    fw = HostTarget()
    pty = fw.start(tmp_path)
    port = _free_port()
    cfg = tmp_path / "ser2net.yaml"
    cfg.write_text(
        "connection: &board\n"
        f"  accepter: telnet(rfc2217),tcp,127.0.0.1,{port}\n"
        f"  connector: serialdev,{pty},115200n81,local\n"
        "  options:\n    kickolduser: true\n"
    )
    proc = subprocess.Popen(["ser2net", "-n", "-d", "-c", str(cfg)], stdout=subprocess.DEVNULL,
                            stderr=open(tmp_path / "ser2net.log", "wb"))
    try:
        _wait_listening(proc.pid, port, 5.0)
        # A pty has no modem lines, so the server never acknowledges DTR/RTS changes.
        yield f"rfc2217://127.0.0.1:{port}?ign_set_control"
    finally:
        proc.terminate()
        proc.wait(5)
        fw.stop()


def test_replay_through_ser2net_rfc2217(ser2net_board: str, tmp_path: Path) -> None:
    board = BoardTarget(port=ser2net_board, profile="host")
    result = run_recording(board, still_recording(3.0), tmp_path / "run")
    assert result.hello["board"] == "host"
    assert result.summary is not None and result.summary["duration_s"] == pytest.approx(3.0, abs=0.01)
    assert not result.link_problems()
    assert (tmp_path / "run" / "rx.bin").stat().st_size > 0
